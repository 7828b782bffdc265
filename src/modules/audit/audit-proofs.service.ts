import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AUDIT_EVENT_COLUMNS, AuditEventRow, eventLeafHash, publishedEvent, PublishedAuditEvent } from './audit-event-format';
import { AuditCheckpoint, AuditTreeStore } from './audit-tree.store';
import { consistencyProof, inclusionProof, rootHash, withNodes } from './merkle';

export interface AuditInclusion {
  readonly seq: number;
  readonly event: PublishedAuditEvent;
  readonly leafHash: string;
  readonly inclusionProof: string[];
  readonly size: number;
  readonly rootHash: string;
}

export interface AuditConsistency {
  readonly from: number;
  readonly to: number;
  readonly proof: string[];
}

/** RFC 9162 proofs over the stored tree: each reads O(log n) stored hashes in one query. */
@Injectable()
export class AuditProofs {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tree: AuditTreeStore,
  ) {}

  latestCheckpoint(): Promise<AuditCheckpoint | undefined> {
    return this.tree.latestCheckpoint();
  }

  checkpoint(size: number): Promise<AuditCheckpoint | undefined> {
    return this.tree.checkpoint(size);
  }

  /**
   * The latest event about `subject` whose `data.to` is one of `outcomes` (a decision), with its
   * inclusion proof in the first signed checkpoint that holds it; undefined when there is no such
   * event or it is not in a checkpoint yet.
   */
  async latestOutcome(
    subject: { type: string; id: string },
    outcomes: readonly string[],
  ): Promise<{ outcome: string; at: Date; inclusion: AuditInclusion; checkpoint: AuditCheckpoint } | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT seq, created_at, data->>'to' AS outcome FROM audit_events
        WHERE subject_type = $1 AND subject_id = $2 AND data->>'to' = ANY($3) ORDER BY seq DESC LIMIT 1`,
      [subject.type, subject.id, outcomes],
    )) as { seq: string; created_at: Date; outcome: string }[];
    const seq = row && (await this.seqOf(row.seq));
    const checkpoint = seq === undefined ? undefined : await this.tree.checkpointIncluding(seq);
    const inclusion = checkpoint && (await this.inclusion(seq!, checkpoint.size));
    return inclusion && checkpoint ? { outcome: row.outcome, at: row.created_at, inclusion, checkpoint } : undefined;
  }

  /** The leaf of an event (by its id), once sequenced and hashed. */
  async seqOf(eventId: string): Promise<number | undefined> {
    const [row] = (await this.dataSource.query(
      'SELECT l.leaf_index FROM audit_leaves l JOIN audit_sequencer s ON l.leaf_index < s.hashed WHERE l.event_id = $1',
      [eventId],
    )) as { leaf_index: string }[];
    return row ? Number(row.leaf_index) : undefined;
  }

  /**
   * Leaf `seq`, its event and its audit path in the tree of `size` leaves (a checkpoint's size;
   * default the latest). Undefined when the leaf is not in that tree or the size was never signed.
   */
  async inclusion(seq: number, size?: number): Promise<AuditInclusion | undefined> {
    const checkpoint = size === undefined ? await this.tree.latestCheckpoint() : await this.tree.checkpoint(size);
    if (!checkpoint || seq >= checkpoint.size) return undefined;
    const [row] = (await this.dataSource.query(
      `SELECT ${AUDIT_EVENT_COLUMNS.split(', ')
        .map((column) => `e.${column}`)
        .join(', ')} FROM audit_leaves l JOIN audit_events e ON e.seq = l.event_id WHERE l.leaf_index = $1`,
      [seq],
    )) as AuditEventRow[];
    if (!row) return undefined;
    const event = publishedEvent(row);
    const proof = await withNodes(
      (read) => inclusionProof(read, seq, checkpoint.size),
      (keys) => this.tree.nodes(keys),
    );
    return {
      seq,
      event,
      leafHash: eventLeafHash(event).toString('hex'),
      inclusionProof: proof.map((hash) => hash.toString('hex')),
      size: checkpoint.size,
      rootHash: checkpoint.rootHash,
    };
  }

  /** The consistency proof between two checkpoints' trees; undefined unless both sizes were signed. */
  async consistency(from: number, to: number): Promise<AuditConsistency | undefined> {
    const [first, second] = await Promise.all([this.tree.checkpoint(from), this.tree.checkpoint(to)]);
    if (!first || !second || from > to) return undefined;
    const proof = await withNodes(
      (read) => consistencyProof(read, from, to),
      (keys) => this.tree.nodes(keys),
    );
    return { from, to, proof: proof.map((hash) => hash.toString('hex')) };
  }

  /** The root of the first `size` leaves as stored now (for checks against a checkpoint). */
  storedRoot(size: number): Promise<string> {
    return withNodes(
      (read) => rootHash(read, size),
      (keys) => this.tree.nodes(keys),
    ).then((hash) => hash.toString('hex'));
  }
}
