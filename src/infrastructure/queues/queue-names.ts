/** Every BullMQ queue of the service. */
export enum QueueName {
  /** Verification codes: someone is waiting for them. */
  NotificationsUrgent = 'notifications-urgent',
  /** Every other message. */
  NotificationsNormal = 'notifications-normal',
  /** Scheduled jobs (outbox sweep, SLA watch, expiry, purge), run on a repeat schedule. */
  Maintenance = 'maintenance',
}

/** Every job name, whatever its queue; processors switch on these and refuse unknown ones. */
export enum JobName {
  DeliverNotification = 'deliver-notification',
  SweepOutbox = 'sweep-outbox',
}

/** Which queue carries each job. */
export const JOB_QUEUE: Record<JobName, QueueName | readonly QueueName[]> = {
  [JobName.DeliverNotification]: [QueueName.NotificationsUrgent, QueueName.NotificationsNormal],
  [JobName.SweepOutbox]: QueueName.Maintenance,
};

/** The data each job carries: identifiers only, never secrets (those stay sealed in PostgreSQL). */
export interface JobData {
  [JobName.DeliverNotification]: { notificationId: string };
  [JobName.SweepOutbox]: Record<string, never>;
}
