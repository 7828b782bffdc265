import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One event of the append-only audit log. `seq` is the event's id, from a sequence in the order
 * of writing (gaps possible): its place in the verifiable log is its leaf (see `audit_leaves`),
 * given by the sequencer once the writing transaction (column `xid`, read only in SQL) is over. Rows are written by
 * `AuditService.record` only; a trigger refuses UPDATE, DELETE and TRUNCATE.
 */
@Entity({ name: 'audit_events' })
@Index('audit_events_subject_idx', ['subjectType', 'subjectId', 'seq'])
// An account's security activity: the last 90 days of its events, newest first (AuditService.activity).
@Index('audit_events_subject_created_idx', ['subjectType', 'subjectId', 'createdAt', 'seq'])
// Counts of one kind of event over a recent window (the back-office dashboard).
@Index('audit_events_action_created_idx', ['action', 'createdAt'])
// The back-office audit page's filters, newest first by keyset on seq: by who acted, by action.
@Index('audit_events_actor_idx', ['actorType', 'actorId', 'seq'])
@Index('audit_events_action_seq_idx', ['action', 'seq'])
// The sequencer's scan: events of finished transactions in (xid, id) order.
@Index('audit_events_xid_idx', ['xid', 'seq'])
export class AuditEvent {
  /** bigint: pg hands it back as a string. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq!: string;

  /**
   * The writing transaction's id (`pg_current_xact_id()`, epoch-extended, as bigint because the
   * ORM has no xid8 type): the sequencer places an event once every transaction below it is over.
   */
  @Column({ type: 'bigint', default: () => 'audit_xact_id()', select: false, insert: false, update: false })
  xid!: string;

  /** 128 random bits, hex: no proof's sibling hash can be guessed back to its event. */
  @Column({ type: 'char', length: 32 })
  nonce!: string;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'varchar', length: 100 })
  action!: string;

  @Column({ type: 'varchar', length: 16 })
  actorType!: string;

  @Column({ type: 'text', nullable: true })
  actorId!: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  subjectType!: string | null;

  @Column({ type: 'text', nullable: true })
  subjectId!: string | null;

  @Column({ type: 'jsonb' })
  data!: Record<string, unknown>;

  @Column({ type: 'text', nullable: true })
  ip!: string | null;
}
