import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { JsonObject } from '../../../common/json';
import type { NotificationChannel, TemplateId } from '../notification-templates';

export type NotificationStatus = 'pending' | 'queued' | 'sent' | 'failed' | 'dead';
export type NotificationPriority = 'urgent' | 'normal';

/** What the outbox keeps of a message: the template's variables, secrets sealed apart. */
export interface NotificationPayload {
  readonly data: JsonObject;
  /** AES-256-GCM sealed JSON of the secret variables (codes, links with tokens); null once sent. */
  readonly sealed: string | null;
}

/**
 * The outbox: one row per message, written in the transaction of the change that causes it.
 * pending → sent, or failed (retrying) → dead after the last attempt; `queued` when the sweep
 * or a retry (re-)adds its job.
 */
@Entity({ name: 'notifications' })
@Check('notifications_channel_check', `"channel" IN ('email', 'sms')`)
@Check('notifications_status_check', `"status" IN ('pending', 'queued', 'sent', 'failed', 'dead')`)
@Check('notifications_priority_check', `"priority" IN ('urgent', 'normal')`)
@Index('notifications_unfinished_idx', ['status', 'updatedAt'], { where: `"status" IN ('pending', 'queued', 'failed')` })
@Index('notifications_status_updated_idx', ['status', 'updatedAt'])
@Index('notifications_account_idx', ['accountUid', 'createdAt'])
@Index('notifications_appeal_idx', ['appealId', 'createdAt'])
export class Notification {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  template!: TemplateId;

  @Column({ type: 'varchar', length: 8 })
  channel!: NotificationChannel;

  @Column({ type: 'varchar', length: 320 })
  recipient!: string;

  @Column({ type: 'varchar', length: 8 })
  locale!: string;

  @Column({ type: 'jsonb' })
  payload!: NotificationPayload;

  @Column({ type: 'varchar', length: 8, default: 'pending' })
  status!: NotificationStatus;

  @Column({ type: 'varchar', length: 8, default: 'normal' })
  priority!: NotificationPriority;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  providerMessageId!: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  accountUid!: string | null;

  @Column({ type: 'uuid', nullable: true })
  appealId!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  queuedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt!: Date | null;
}
