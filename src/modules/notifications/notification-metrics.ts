import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { JobQueue } from '../../infrastructure/queues/job-queue.service';
import { QueueName } from '../../infrastructure/queues/queue-names';
import { MetricsService } from '../../infrastructure/metrics/metrics.service';

const DEPTH_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;

/** Sent and failed counters by template and channel; queue depth read from Redis at scrape time. */
@Injectable()
export class NotificationMetrics {
  readonly sent: Counter<'template' | 'channel'>;
  readonly failed: Counter<'template' | 'channel'>;

  constructor(metrics: MetricsService, jobs: JobQueue) {
    this.sent = metrics.counter({
      name: 'notifications_sent_total',
      help: 'Messages handed to SMTP or the SMS provider',
      labelNames: ['template', 'channel'],
    });
    this.failed = metrics.counter({
      name: 'notifications_failed_total',
      help: 'Failed delivery attempts',
      labelNames: ['template', 'channel'],
    });
    metrics.gauge({
      name: 'queue_depth',
      help: 'Jobs per BullMQ queue and state',
      labelNames: ['queue', 'state'],
      async collect() {
        for (const name of Object.values(QueueName)) {
          // A scrape during a Redis outage reports nothing for the queues rather than failing.
          const counts = await jobs
            .queue(name)
            .getJobCounts(...DEPTH_STATES)
            .catch(() => undefined);
          if (counts) for (const state of DEPTH_STATES) this.set({ queue: name, state }, counts[state] ?? 0);
        }
      },
    });
  }
}
