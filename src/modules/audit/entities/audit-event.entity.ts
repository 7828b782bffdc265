import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One row of the append-only, hash-chained audit log. `seq` is the row's place in the chain
 * (1, 2, 3... without gaps); `hash` is SHA-256 over `prevHash` followed by the row's canonical
 * content. Rows are written by `AuditService.record` only; a trigger refuses UPDATE, DELETE and
 * TRUNCATE.
 */
@Entity({ name: 'audit_events' })
@Index('audit_events_subject_idx', ['subjectType', 'subjectId', 'seq'])
// Counts of one kind of event over a recent window (the back-office dashboard).
@Index('audit_events_action_created_idx', ['action', 'createdAt'])
export class AuditEvent {
  /** bigint: pg hands it back as a string. */
  @PrimaryColumn({ type: 'bigint' })
  seq!: string;

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

  @Column({ type: 'char', length: 64 })
  prevHash!: string;

  @Column({ type: 'char', length: 64 })
  hash!: string;
}
