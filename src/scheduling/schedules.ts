import { AppConfig } from '../config/app-config';
import { JobName } from '../infrastructure/queues/queue-names';

export interface Schedule {
  readonly job: JobName;
  readonly everyMs: number;
}

/** Every repeating job of the service and how often it runs. */
export function schedules(config: AppConfig): Schedule[] {
  const interval = config.scheduler.intervalMs;
  return [
    { job: JobName.SweepOutbox, everyMs: config.outbox.sweepIntervalMs },
    { job: JobName.ApplyDueAppeals, everyMs: interval },
    { job: JobName.WatchAppealSla, everyMs: interval },
    ...(config.appeals.autoAssign ? [{ job: JobName.AssignAppeals, everyMs: interval }] : []),
    { job: JobName.CloseUnansweredAppeals, everyMs: interval },
    { job: JobName.PurgeAppealEvidence, everyMs: interval },
    { job: JobName.SequenceAudit, everyMs: config.audit.sequenceIntervalMs },
  ];
}
