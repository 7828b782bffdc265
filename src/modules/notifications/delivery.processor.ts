import { WorkerHost } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Job } from 'bullmq';
import { JobData, JobName } from '../../infrastructure/queues/queue-names';
import { NotificationDeliverer } from './notification-deliverer';

/** What both notification queues do with their jobs; subclasses only say which queue they serve. */
@Injectable()
export abstract class DeliveryProcessor extends WorkerHost {
  constructor(private readonly deliverer: NotificationDeliverer) {
    super();
  }

  async process(job: Job<JobData[JobName.DeliverNotification]>): Promise<void> {
    switch (job.name) {
      case JobName.DeliverNotification:
        return this.deliverer.deliver(job.data.notificationId, { made: job.attemptsMade, max: job.opts.attempts ?? 1 });
      default:
        throw new Error(`unknown job ${job.name} on ${job.queueName}`);
    }
  }
}
