/** Every BullMQ queue of the service. */
export enum QueueName {
  /** Verification codes: someone is waiting for them. */
  NotificationsUrgent = 'notifications-urgent',
  /** Every other message. */
  NotificationsNormal = 'notifications-normal',
  /** Scheduled jobs (outbox sweep, audit sequencer, SLA watch, expiry, purge), run on a repeat schedule. */
  Maintenance = 'maintenance',
  /** Approved appeals, each a job delayed until its cooling-off ends. */
  Appeals = 'appeals',
}

/** Every job name, whatever its queue; processors switch on these and refuse unknown ones. */
export enum JobName {
  DeliverNotification = 'deliver-notification',
  SweepOutbox = 'sweep-outbox',
  /** Applies one appeal whose cooling-off has ended (jobId = appeal id). */
  ApplyAppeal = 'apply-appeal',
  /** Applies every appeal past its cooling-off whose job Redis lost. */
  ApplyDueAppeals = 'apply-due-appeals',
  /** Flags SLA breaches and sends the digest to supervisors. */
  WatchAppealSla = 'watch-appeal-sla',
  /** Hands unclaimed submitted appeals to agents present (APPEAL_AUTO_ASSIGN). */
  AssignAppeals = 'assign-appeals',
  /** Reminds, then closes as expired, appeals whose person does not answer. */
  CloseUnansweredAppeals = 'close-unanswered-appeals',
  /** Deletes the attachments of appeals closed longer than EVIDENCE_RETENTION. */
  PurgeAppealEvidence = 'purge-appeal-evidence',
  /** Gives committed audit events their leaves and signs a checkpoint (AUDIT_SEQUENCE_INTERVAL). */
  SequenceAudit = 'sequence-audit',
}

/** Which queue carries each job. */
export const JOB_QUEUE: Record<JobName, QueueName | readonly QueueName[]> = {
  [JobName.DeliverNotification]: [QueueName.NotificationsUrgent, QueueName.NotificationsNormal],
  [JobName.SweepOutbox]: QueueName.Maintenance,
  [JobName.ApplyAppeal]: QueueName.Appeals,
  [JobName.ApplyDueAppeals]: QueueName.Maintenance,
  [JobName.WatchAppealSla]: QueueName.Maintenance,
  [JobName.AssignAppeals]: QueueName.Maintenance,
  [JobName.CloseUnansweredAppeals]: QueueName.Maintenance,
  [JobName.PurgeAppealEvidence]: QueueName.Maintenance,
  [JobName.SequenceAudit]: QueueName.Maintenance,
};

/** The data each job carries: identifiers only, never secrets (those stay sealed in PostgreSQL). */
export interface JobData {
  [JobName.DeliverNotification]: { notificationId: string };
  /** `afterDataLoss`: Redis lost its data, jobs included: check every queued row's job now, not only the stale ones. */
  [JobName.SweepOutbox]: { afterDataLoss?: boolean };
  [JobName.ApplyAppeal]: { appealId: string };
  [JobName.ApplyDueAppeals]: Record<string, never>;
  [JobName.WatchAppealSla]: Record<string, never>;
  [JobName.AssignAppeals]: Record<string, never>;
  [JobName.CloseUnansweredAppeals]: Record<string, never>;
  [JobName.PurgeAppealEvidence]: Record<string, never>;
  [JobName.SequenceAudit]: Record<string, never>;
}
