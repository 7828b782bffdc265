import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { JobName, QueueName } from '../infrastructure/queues/queue-names';
import { AppealCompletionService } from '../modules/appeals/appeal-completion.service';
import { AppealAutoAssigner } from '../modules/appeals/appeal-auto-assigner.service';
import { AppealMaintenanceService } from '../modules/appeals/appeal-maintenance.service';
import { AuditSequencer } from '../modules/audit/audit-sequencer.service';
import { OutboxRelay } from '../modules/notifications/outbox-relay';

/** Runs the scheduled jobs; BullMQ's job schedulers make each run once per period across all workers. */
@Processor(QueueName.Maintenance, { concurrency: 1 })
export class MaintenanceProcessor extends WorkerHost {
  constructor(
    private readonly outbox: OutboxRelay,
    private readonly appealCompletion: AppealCompletionService,
    private readonly appealMaintenance: AppealMaintenanceService,
    private readonly appealAssigner: AppealAutoAssigner,
    private readonly auditSequencer: AuditSequencer,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case JobName.SweepOutbox:
        return { requeued: await this.outbox.sweep((job.data as { afterDataLoss?: boolean }).afterDataLoss ? { staleAfterMs: 0 } : {}) };
      case JobName.ApplyDueAppeals:
        return { applied: await this.appealCompletion.applyDue() };
      case JobName.WatchAppealSla:
        return { flagged: await this.appealMaintenance.flagSlaBreaches() };
      case JobName.AssignAppeals:
        return { assigned: await this.appealAssigner.assignWaiting() };
      case JobName.CloseUnansweredAppeals:
        return { reminded: await this.appealMaintenance.remindUnanswered(), expired: await this.appealMaintenance.expireUnanswered() };
      case JobName.PurgeAppealEvidence:
        return { purged: await this.appealMaintenance.purgeEvidence() };
      case JobName.SequenceAudit:
        return await this.auditSequencer.run();
      default:
        throw new Error(`unknown job ${job.name} on ${QueueName.Maintenance}`);
    }
  }
}
