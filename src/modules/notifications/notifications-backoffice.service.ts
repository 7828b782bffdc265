import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { maskEmail, maskPhone } from '../../common/masking';
import { decodeCursor, encodeCursor, Page } from '../../common/pagination';
import { NotificationPriority, NotificationStatus } from './entities/notification.entity';
import { NotificationChannel, TemplateId } from './notification-templates';
import { AuditService } from '../audit/audit.service';
import { RetryActor } from './retry-actor';
import { NotificationBeingDeliveredError, NotificationNotRetryableError } from './notifications.errors';
import { OutboxEntry, OutboxRelay } from './outbox-relay';
import { isUuid, UUID_PATTERN } from '../../common/validation/is-uuid';

/** A message as the back-office lists it: contacts masked, secrets never loaded. */
export interface NotificationListItem {
  readonly id: string;
  readonly template: TemplateId;
  readonly channel: NotificationChannel;
  /** Masked, like every contact shown to agents. */
  readonly recipient: string;
  readonly locale: string;
  readonly status: NotificationStatus;
  readonly priority: NotificationPriority;
  readonly attempts: number;
  /** The transport's last refusal, with the recipient masked in it. */
  readonly lastError: string | null;
  readonly accountUid: string | null;
  readonly appealId: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly sentAt: Date | null;
}

export interface NotificationListQuery {
  readonly status: NotificationStatus;
  /** The `next` cursor of the previous page. */
  readonly after?: string;
  /** Rows per page: 50 unless said, at most 200. */
  readonly limit?: number;
}

export interface FailureCounts {
  readonly since: Date;
  /** Messages still retrying, and messages given up on, that failed since `since`. */
  readonly failed: number;
  readonly dead: number;
  readonly byTemplate: readonly {
    readonly template: TemplateId;
    readonly channel: NotificationChannel;
    readonly failed: number;
    readonly dead: number;
  }[];
}

export interface RetryAllResult {
  readonly requeued: number;
  /** Dead when listed, but retried, sent or being delivered by the time their turn came. */
  readonly skipped: number;
}

const STATUSES: readonly NotificationStatus[] = ['pending', 'queued', 'sent', 'failed', 'dead'];
const RETRYABLE: ReadonlySet<NotificationStatus> = new Set(['failed', 'dead']);
const DAY_MS = 86_400_000;
const PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;
/** The cursor keeps PostgreSQL's microseconds: a JavaScript Date would round them away and skip rows. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

interface ListRow {
  id: string;
  template: TemplateId;
  channel: NotificationChannel;
  recipient: string;
  locale: string;
  status: NotificationStatus;
  priority: NotificationPriority;
  attempts: number;
  last_error: string | null;
  account_uid: string | null;
  appeal_id: string | null;
  created_at: Date;
  updated_at: Date;
  sent_at: Date | null;
  cursor_at: string;
}

/**
 * What the back-office does with the outbox: list messages by status (keyset pagination,
 * most recently changed first), count recent failures, and retry failed or dead messages.
 */
@Injectable()
export class NotificationsBackofficeService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
    private readonly logger: PinoLogger,
    private readonly audit: AuditService,
  ) {
    logger.setContext(NotificationsBackofficeService.name);
  }

  async list(query: NotificationListQuery): Promise<Page<NotificationListItem>> {
    if (!STATUSES.includes(query.status))
      throw new ValidationFailedError([{ field: 'status', message: `must be one of ${STATUSES.join(', ')}` }]);
    const limit = Math.min(Math.max(1, Math.floor(query.limit ?? PAGE_SIZE)), MAX_PAGE_SIZE);
    const after = query.after ? decodeCursor(query.after, [TIMESTAMP, UUID_PATTERN]) : undefined;
    const rows: ListRow[] = await this.dataSource.query(
      `SELECT id, template, channel, recipient, locale, status, priority, attempts, last_error, account_uid, appeal_id, created_at, updated_at, sent_at,
              to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
         FROM notifications
        WHERE status = $1 ${after ? 'AND (updated_at, id) < ($3::timestamptz, $4::uuid)' : ''}
        ORDER BY updated_at DESC, id DESC
        LIMIT $2`,
      [query.status, limit + 1, ...(after ?? [])],
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toListItem), next: rows.length > limit ? encodeCursor([last.cursor_at, last.id]) : null };
  }

  /** Failures of the last `windowMs` (24 h unless said): messages now retrying or dead whose last attempt fell in it. */
  async failureCounts(windowMs = DAY_MS): Promise<FailureCounts> {
    const since = new Date(this.clock.nowMs() - windowMs);
    const rows: { template: TemplateId; channel: NotificationChannel; failed: number; dead: number }[] = await this.dataSource.query(
      `SELECT template, channel, count(*) FILTER (WHERE status = 'failed')::int AS failed, count(*) FILTER (WHERE status = 'dead')::int AS dead
         FROM notifications
        WHERE status IN ('failed', 'dead') AND updated_at >= $1
        GROUP BY template, channel
        ORDER BY template, channel`,
      [since],
    );
    return { since, failed: sum(rows, 'failed'), dead: sum(rows, 'dead'), byTemplate: rows };
  }

  /**
   * Gives a failed or dead message a fresh series of attempts: its old BullMQ job is removed
   * (otherwise the new `add` would be a no-op), its attempt count goes back to 0 (otherwise
   * the sweep's "8 attempts: dead" rule would end it again at once), and it is enqueued after
   * the reset commits; should that enqueue fail, the row is pending and the sweep takes it.
   */
  async retry(id: string, actor: RetryActor): Promise<void> {
    const entry = await this.reset(id, actor);
    await this.relay.requeue([entry]);
  }

  /** Retries every dead message, one at a time; `progress` hears of each. */
  async retryAllDead(actor: RetryActor, progress?: (done: number, total: number) => void): Promise<RetryAllResult> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM notifications WHERE status = 'dead' ORDER BY updated_at, id`,
    );
    let requeued = 0;
    for (const [index, { id }] of rows.entries()) {
      try {
        await this.retry(id, actor);
        requeued += 1;
      } catch (error) {
        if (
          !(
            error instanceof NotFoundError ||
            error instanceof NotificationNotRetryableError ||
            error instanceof NotificationBeingDeliveredError
          )
        )
          throw error;
      }
      progress?.(index + 1, rows.length);
    }
    return { requeued, skipped: rows.length - requeued };
  }

  private async reset(id: string, actor: RetryActor): Promise<OutboxEntry> {
    if (!isUuid(id)) throw new NotFoundError('There is no such message.');
    return this.dataSource.transaction(async (manager) => {
      // The row lock keeps the sweep (SKIP LOCKED) and concurrent retries away until the reset commits.
      const [row]: { id: string; status: NotificationStatus; priority: NotificationPriority }[] = await manager.query(
        `SELECT id, status, priority FROM notifications WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!row) throw new NotFoundError('There is no such message.');
      if (!RETRYABLE.has(row.status)) throw new NotificationNotRetryableError(row.status);
      const entry: OutboxEntry = { id: row.id, priority: row.priority };
      await this.relay.removeJob(entry);
      await manager.query(`UPDATE notifications SET status = 'pending', attempts = 0, queued_at = NULL, updated_at = now() WHERE id = $1`, [
        id,
      ]);
      await this.audit.record(manager, {
        action: 'notification.retried',
        actor: actor.type === 'agent' ? { type: 'agent', id: actor.agentId } : { type: 'system', id: 'cli' },
        subject: { type: 'notification', id },
        data: { previousStatus: row.status },
      });
      this.logger.info({ notificationId: id, previousStatus: row.status, actor }, 'notification retried');
      return entry;
    });
  }
}

function sum<K extends string>(rows: readonly Record<K, number>[], key: K): number {
  return rows.reduce((total, row) => total + row[key], 0);
}

function toListItem(row: ListRow): NotificationListItem {
  const recipient = row.channel === 'email' ? maskEmail(row.recipient) : maskPhone(row.recipient);
  return {
    id: row.id,
    template: row.template,
    channel: row.channel,
    recipient,
    locale: row.locale,
    status: row.status,
    priority: row.priority,
    attempts: row.attempts,
    lastError: row.last_error === null ? null : row.last_error.split(row.recipient).join(recipient),
    accountUid: row.account_uid,
    appealId: row.appeal_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    sentAt: row.sent_at,
  };
}
