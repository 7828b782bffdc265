import type { EntityManager } from 'typeorm';
import type { NotificationStatus } from './entities/notification.entity';

/** Who asked for a retry: an agent from the back-office, or an operator through the CLI. */
export type RetryActor = { readonly type: 'agent'; readonly agentId: string } | { readonly type: 'cli' };

export interface NotificationRetried {
  readonly notificationId: string;
  readonly previousStatus: NotificationStatus;
  readonly actor: RetryActor;
}

/**
 * The seam for the audit log: when a provider of NOTIFICATION_RETRY_AUDIT exists (the audit
 * module, once it lands, from a global module), every retry is recorded through it with the
 * retry's own transaction, so the audit row and the reset commit or roll back together.
 * Until then retries are only logged.
 */
export interface NotificationRetryAudit {
  retried(manager: EntityManager, event: NotificationRetried): Promise<void>;
}

export const NOTIFICATION_RETRY_AUDIT = Symbol('NOTIFICATION_RETRY_AUDIT');
