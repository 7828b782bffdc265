import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PinoLogger } from 'nestjs-pino';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { AUDIT_EVENT_COLUMNS, AuditEventRow, eventLeafHash, publishedEvent } from './audit-event-format';
import { AuditSigner, checkpointMessage } from './audit-signer';
import { AuditTreeStore } from './audit-tree.store';
import { Hash, TreeFrontier } from './merkle';

// Any 64-bit constant: it names the transaction-scoped lock that lets one sequencer run at a time.
export const AUDIT_SEQUENCER_LOCK = 7_302_118_845_015;
/** Events placed and leaves hashed per run at most: a backlog (a long stop, a large carried-over log) is worked off over several runs. */
const PLACE_BATCH = 20_000;
const HASH_BATCH = 20_000;
const READ_BATCH = 2_000;

export type SequencerRun =
  | { readonly ran: false }
  | { readonly ran: true; readonly placed: number; readonly size: number; readonly checkpoint: boolean };

/**
 * Gives committed audit events their place in the log, one run at a time across every process.
 *
 * A run is one transaction under `pg_try_advisory_xact_lock` (a second run, from a stalled job
 * run again or another worker, returns at once; the lock cannot outlive the transaction). It
 * reads the oldest transaction still running in the whole cluster (the xmin of its snapshot):
 * every event written by a transaction below it has committed or never will, so those events,
 * and only those, are appended as leaves, in (xid, id) order. An event whose transaction
 * commits late is therefore never skipped: it holds the horizon back until it is over, and
 * the events after it wait with it. Then the run hashes the new leaves into the tree, stores
 * every perfect subtree it completes, and signs a checkpoint of the new size.
 */
@Injectable()
export class AuditSequencer {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tree: AuditTreeStore,
    private readonly signer: AuditSigner,
    private readonly clock: Clock,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(AuditSequencer.name);
  }

  /** One run; `batch` lowers the per-run limits (tests). */
  async run(batch: { readonly place?: number; readonly hash?: number } = {}): Promise<SequencerRun> {
    const limits = { place: batch.place ?? PLACE_BATCH, hash: batch.hash ?? HASH_BATCH };
    return this.dataSource.transaction(async (manager) => {
      const [{ locked }] = (await manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [AUDIT_SEQUENCER_LOCK])) as {
        locked: boolean;
      }[];
      if (!locked) return { ran: false };
      const [{ xmin }] = (await manager.query('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin')) as { xmin: string }[];
      const [state] = (await manager.query('SELECT horizon::text AS horizon, hashed FROM audit_sequencer WHERE id = 1')) as {
        horizon: string;
        hashed: string;
      }[];
      const { placed, horizon } = await this.place(manager, state.horizon, xmin, limits.place);
      const hashed = Number(state.hashed);
      const { size, root } = await this.hash(manager, hashed, limits.hash);
      const checkpoint = size > hashed;
      if (checkpoint) await this.sign(manager, size, root);
      await manager.query('UPDATE audit_sequencer SET horizon = greatest(horizon, $1::xid8), hashed = $2 WHERE id = 1', [horizon, size]);
      if (placed > 0 || checkpoint) this.logger.debug({ placed, size }, 'audit events sequenced');
      return { ran: true, placed, size, checkpoint };
    });
  }

  /**
   * Appends the events of transactions below `xmin` (and at or above the last horizon) as leaves,
   * at most PLACE_BATCH a run; returns how many, and the new horizon: `xmin` when every due event
   * was placed, else the xid of the last one placed (its transaction may have more events).
   */
  private async place(manager: EntityManager, horizon: string, xmin: string, limit: number): Promise<{ placed: number; horizon: string }> {
    const [row] = (await manager.query(
      `WITH last AS (SELECT coalesce(max(leaf_index) + 1, 0) AS next FROM audit_leaves),
            due AS (
              SELECT e.seq, e.xid, row_number() OVER (ORDER BY e.xid, e.seq) - 1 AS pos
                FROM audit_events e
               WHERE e.xid >= $1::bigint AND e.xid < $2::bigint
                 AND NOT EXISTS (SELECT 1 FROM audit_leaves l WHERE l.event_id = e.seq)
               ORDER BY e.xid, e.seq
               LIMIT $3),
            placed AS (
              INSERT INTO audit_leaves (leaf_index, event_id)
              SELECT last.next + due.pos, due.seq FROM due, last
              RETURNING event_id)
       SELECT (SELECT count(*) FROM placed)::int AS placed, (SELECT xid::text FROM due ORDER BY pos DESC LIMIT 1) AS last_xid`,
      [horizon, xmin, limit],
    )) as { placed: number; last_xid: string | null }[];
    return { placed: row.placed, horizon: row.placed < limit ? xmin : row.last_xid! };
  }

  /** Hashes leaves from `hashed` on (at most `batch`), storing every completed perfect subtree; returns the new hashed size. */
  private async hash(manager: EntityManager, hashed: number, batch: number): Promise<{ size: number; root: Hash }> {
    const known = await this.tree.nodes(TreeFrontier.keys(hashed), manager);
    const frontier = TreeFrontier.of(hashed, (level, index) => {
      const node = known.get(`${level}:${index}`);
      if (!node) throw new Error(`audit tree node ${level}:${index} is missing`);
      return node;
    });
    const limit = hashed + batch;
    while (frontier.size < limit) {
      const rows = (await manager.query(
        `SELECT l.leaf_index, ${AUDIT_EVENT_COLUMNS.split(', ')
          .map((column) => `e.${column}`)
          .join(', ')}
           FROM audit_leaves l JOIN audit_events e ON e.seq = l.event_id
          WHERE l.leaf_index >= $1 ORDER BY l.leaf_index LIMIT $2`,
        [frontier.size, Math.min(READ_BATCH, limit - frontier.size)],
      )) as (AuditEventRow & { leaf_index: string })[];
      const levels: number[] = [];
      const indexes: number[] = [];
      const hashes: Hash[] = [];
      for (const row of rows) {
        // A gap (a leaf whose event is gone) stops hashing there; audit:verify names it.
        if (Number(row.leaf_index) !== frontier.size) break;
        frontier.append(eventLeafHash(publishedEvent(row)), (level, index, hash) => {
          levels.push(level);
          indexes.push(index);
          hashes.push(hash);
        });
      }
      if (hashes.length > 0) {
        await manager.query(
          'INSERT INTO audit_nodes (level, node_index, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])',
          [levels, indexes, hashes],
        );
      }
      if (rows.length < READ_BATCH || Number(rows[rows.length - 1].leaf_index) + 1 !== frontier.size) break;
    }
    return { size: frontier.size, root: frontier.root() };
  }

  private async sign(manager: EntityManager, size: number, root: Hash): Promise<void> {
    const rootHash = root.toString('hex');
    const timestamp = this.clock.now().toISOString();
    const signature = this.signer.sign(checkpointMessage(size, rootHash, timestamp));
    // The key is listed for good before the first checkpoint it signs (see AuditKeys).
    await manager.query('INSERT INTO audit_keys (kid, x) VALUES ($1, $2) ON CONFLICT (kid) DO NOTHING', [
      this.signer.kid,
      this.signer.jwk.x,
    ]);
    await manager.query('INSERT INTO audit_checkpoints (size, root_hash, timestamp, signature, kid) VALUES ($1, $2, $3, $4, $5)', [
      size,
      rootHash,
      timestamp,
      signature,
      this.signer.kid,
    ]);
  }
}
