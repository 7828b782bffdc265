import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import type { NotificationChannel } from '../../notifications/notification-templates';

/** A single-use objection link sent to a contact on record when an appeal is scheduled. */
@Entity({ name: 'appeal_objections' })
@Check('appeal_objections_channel_check', `"channel" IN ('email', 'sms')`)
@Index('appeal_objections_appeal_idx', ['appealId'])
export class AppealObjection {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  @ForeignKey('Appeal', { name: 'appeal_objections_appeal_id_fkey', onDelete: 'CASCADE' })
  appealId!: string;

  /** SHA-256 of the link's 256-bit token. */
  @Index('appeal_objections_token_hash_key', { unique: true })
  @Column({ type: 'char', length: 64 })
  tokenHash!: string;

  @Column({ type: 'varchar', length: 8 })
  channel!: NotificationChannel;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  /** Used by a contact that had replaced another shortly before the filing: recorded for a supervisor, the appeal not stopped. */
  @Column({ type: 'boolean', default: false })
  recorded!: boolean;
}
