import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { JobData, JobName, QueueName } from '../../infrastructure/queues/queue-names';
import { WORKER_SETTINGS } from '../../infrastructure/queues/retry-policy';
import { AppealCompletionService } from './appeal-completion.service';

/** Applies each approved appeal when its delayed job comes due. */
@Processor(QueueName.Appeals, { concurrency: 4, ...WORKER_SETTINGS })
export class AppealsProcessor extends WorkerHost {
  constructor(private readonly completion: AppealCompletionService) {
    super();
  }

  async process(job: Job<JobData[JobName.ApplyAppeal]>): Promise<{ outcome: string }> {
    switch (job.name) {
      case JobName.ApplyAppeal: {
        const outcome = await this.completion.apply(job.data.appealId);
        // Redis's clock ran ahead of ours: retry shortly (the sweep would apply it too).
        if (outcome === 'not_due') throw new Error(`appeal ${job.data.appealId} is not due yet`);
        return { outcome };
      }
      default:
        throw new Error(`unknown job ${job.name} on ${QueueName.Appeals}`);
    }
  }
}
