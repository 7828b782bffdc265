import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { AUDIT_EVENT_COLUMNS, AuditEventRow, eventLeafHash, publishedEvent } from './audit-event-format';
import { AuditKeys } from './audit-keys.service';
import { checkpointMessage, verifySignature } from './audit-signer';
import { AuditCheckpoint, checkpointOf } from './audit-tree.store';
import { TreeFrontier } from './merkle';

/** The first place where the log is not what it should be. */
export interface AuditBreak {
  /** The leaf (0-based) where the log goes wrong. */
  readonly seq: number;
  /** The event at that leaf, when there is one. */
  readonly eventId?: string;
  readonly kind: 'altered' | 'missing' | 'reordered';
  readonly reason: string;
}

export interface AuditVerification {
  readonly ok: boolean;
  /** Leaves recomputed before the first break (all of them when none). */
  readonly events: number;
  /** Checkpoints whose signature and root were both checked and hold. */
  readonly checkpoints: number;
  readonly brokenAt?: AuditBreak;
  /** One line per checkpoint that fails (bad signature, unknown key, a root the log does not give). */
  readonly checkpointProblems: string[];
  /** Events committed over a minute ago that still have no leaf. */
  readonly unsequenced: { readonly count: number; readonly oldestEventId?: string };
  readonly checkedAt: string;
}

const BATCH = 2_000;
const UNSEQUENCED_AFTER = '1 minute';

/**
 * Recomputes the whole tree from the events, in leaf order, and checks it against what is stored
 * and what was signed: each event's leaf hash against the stored one (naming the first altered,
 * missing or reordered event), every checkpoint's signature with the public key of its `kid`,
 * and every checkpoint's root against the recomputed tree of its size (which catches a rewrite of
 * the stored hashes too). It reads the log once, in batches, holding O(log n) hashes.
 */
@Injectable()
export class AuditVerifier {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keys: AuditKeys,
    private readonly clock: Clock,
  ) {}

  /** Verifies and keeps the result, so pages show the latest check without recomputing the log. */
  async verifyAndStore(requestedBy: string): Promise<AuditVerification> {
    const startedAt = this.clock.now();
    const result = await this.verify();
    await this.dataSource.query('INSERT INTO audit_verifications (started_at, finished_at, requested_by, result) VALUES ($1, $2, $3, $4)', [
      startedAt,
      this.clock.now(),
      requestedBy,
      JSON.stringify(result),
    ]);
    return result;
  }

  /** The latest stored verification, with who asked for it. */
  async latest(): Promise<(AuditVerification & { readonly requestedBy: string | null }) | undefined> {
    const [row] = (await this.dataSource.query('SELECT requested_by, result FROM audit_verifications ORDER BY id DESC LIMIT 1')) as {
      requested_by: string | null;
      result: AuditVerification;
    }[];
    return row ? { ...row.result, requestedBy: row.requested_by } : undefined;
  }

  async verify(): Promise<AuditVerification> {
    const checkedAt = this.clock.now().toISOString();
    const keys = await this.keys.all();
    const checkpointProblems: string[] = [];
    // Signed checkpoints, read in batches by size as the scan reaches them and checked as they are read.
    const pending: AuditCheckpoint[] = [];
    let loadedUpTo = 0;
    let exhausted = false;
    const loadCheckpoints = async (upTo: number) => {
      while (!exhausted && loadedUpTo <= upTo) {
        const rows = (await this.dataSource.query('SELECT * FROM audit_checkpoints WHERE size > $1 ORDER BY size LIMIT $2', [
          loadedUpTo,
          BATCH,
        ])) as Parameters<typeof checkpointOf>[0][];
        exhausted = rows.length < BATCH;
        for (const checkpoint of rows.map(checkpointOf)) {
          loadedUpTo = checkpoint.size;
          const key = keys.find((candidate) => candidate.kid === checkpoint.kid);
          if (!key) checkpointProblems.push(`checkpoint ${checkpoint.size} is signed with an unknown key ${checkpoint.kid}`);
          else if (
            !verifySignature(key, checkpointMessage(checkpoint.size, checkpoint.rootHash, checkpoint.timestamp), checkpoint.signature)
          ) {
            checkpointProblems.push(`checkpoint ${checkpoint.size} (${checkpoint.timestamp}): its signature does not verify`);
          } else pending.push(checkpoint);
        }
      }
    };

    const frontier = TreeFrontier.of(0, () => Buffer.alloc(0));
    let brokenAt: AuditBreak | undefined;
    let next = 0;
    let verifiedCheckpoints = 0;
    const checkRoots = () => {
      while (pending.length > 0 && pending[0].size <= frontier.size) {
        const checkpoint = pending.shift()!;
        if (checkpoint.size < frontier.size) continue;
        if (frontier.root().toString('hex') === checkpoint.rootHash) verifiedCheckpoints += 1;
        else
          checkpointProblems.push(
            `checkpoint ${checkpoint.size} (${checkpoint.timestamp}): the first ${checkpoint.size} events do not give its root hash`,
          );
      }
    };
    scan: for (;;) {
      const rows = (await this.dataSource.query(
        `SELECT l.leaf_index, l.event_id, n.hash AS stored, ${AUDIT_EVENT_COLUMNS.split(', ')
          .map((column) => `e.${column}`)
          .join(', ')}
           FROM audit_leaves l
           LEFT JOIN audit_events e ON e.seq = l.event_id
           LEFT JOIN audit_nodes n ON n.level = 0 AND n.node_index = l.leaf_index
          WHERE l.leaf_index >= $1 ORDER BY l.leaf_index LIMIT $2`,
        [next, BATCH],
      )) as (AuditEventRow & { leaf_index: string; event_id: string; stored: Buffer | null; seq: string | null })[];
      await loadCheckpoints(next + rows.length);
      for (const row of rows) {
        const seq = Number(row.leaf_index);
        if (seq !== next) {
          brokenAt = { seq: next, kind: 'missing', reason: `leaf ${next} is missing (the next leaf is ${seq})` };
          break scan;
        }
        if (row.seq === null) {
          brokenAt = { seq, eventId: row.event_id, kind: 'missing', reason: `event ${row.event_id} is missing` };
          break scan;
        }
        const hash = eventLeafHash(publishedEvent(row));
        if (row.stored && !row.stored.equals(hash)) {
          const [elsewhere] = (await this.dataSource.query('SELECT node_index FROM audit_nodes WHERE level = 0 AND hash = $1 LIMIT 1', [
            hash,
          ])) as { node_index: string }[];
          brokenAt = elsewhere
            ? {
                seq,
                eventId: row.event_id,
                kind: 'reordered',
                reason: `event ${row.event_id} was sequenced at seq ${elsewhere.node_index}, not here`,
              }
            : { seq, eventId: row.event_id, kind: 'altered', reason: `event ${row.event_id} does not match its leaf hash` };
          break scan;
        }
        frontier.append(hash, () => undefined);
        next += 1;
        checkRoots();
      }
      if (rows.length < BATCH) break;
    }
    // The signatures of the rest (beyond a break, or beyond the end of the log: a cut-off tail).
    await loadCheckpoints(Number.MAX_SAFE_INTEGER);
    if (!brokenAt && pending.length > 0) {
      const missing = pending[pending.length - 1].size;
      brokenAt = { seq: next, kind: 'missing', reason: `the log ends at ${next} events but checkpoint ${missing} signed ${missing}` };
    }

    const [unsequenced] = (await this.dataSource.query(
      `SELECT count(*)::int AS count, min(e.seq)::text AS oldest FROM audit_events e
        WHERE e.created_at < now() - interval '${UNSEQUENCED_AFTER}'
          AND NOT EXISTS (SELECT 1 FROM audit_leaves l WHERE l.event_id = e.seq)`,
    )) as { count: number; oldest: string | null }[];
    return {
      ok: !brokenAt && checkpointProblems.length === 0 && unsequenced.count === 0,
      events: next,
      checkpoints: verifiedCheckpoints,
      ...(brokenAt ? { brokenAt } : {}),
      checkpointProblems,
      unsequenced: unsequenced.oldest ? { count: unsequenced.count, oldestEventId: unsequenced.oldest } : { count: 0 },
      checkedAt,
    };
  }
}
