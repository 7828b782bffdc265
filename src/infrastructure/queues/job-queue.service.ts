import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';
import { logConnectionErrors } from './connection-errors';
import { JOB_QUEUE, JobData, JobName, QueueName } from './queue-names';

/**
 * The one way to put work on a queue: typed by job name, checked against the queue that job
 * belongs to. Nothing else calls `Queue.add`.
 */
@Injectable()
export class JobQueue {
  private readonly queues: ReadonlyMap<QueueName, Queue>;

  constructor(
    @InjectQueue(QueueName.NotificationsUrgent) urgent: Queue,
    @InjectQueue(QueueName.NotificationsNormal) normal: Queue,
    @InjectQueue(QueueName.Maintenance) maintenance: Queue,
    @InjectQueue(QueueName.Appeals) appeals: Queue,
    logger: PinoLogger,
  ) {
    this.queues = new Map([
      [QueueName.NotificationsUrgent, urgent],
      [QueueName.NotificationsNormal, normal],
      [QueueName.Maintenance, maintenance],
      [QueueName.Appeals, appeals],
    ]);
    logger.setContext(JobQueue.name);
    for (const [name, queue] of this.queues) logConnectionErrors(queue, `queue ${name}`, logger);
  }

  queue(name: QueueName): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`unknown queue ${name}`);
    return queue;
  }

  all(): Queue[] {
    return [...this.queues.values()];
  }

  async add<N extends JobName>(queueName: QueueName, name: N, data: JobData[N], options: JobsOptions = {}): Promise<void> {
    await this.addBulk(queueName, [{ name, data, opts: options }]);
  }

  /** Several jobs in one round trip. */
  async addBulk<N extends JobName>(
    queueName: QueueName,
    jobs: readonly { name: N; data: JobData[N]; opts?: JobsOptions }[],
  ): Promise<void> {
    for (const job of jobs) {
      const allowed = ([] as QueueName[]).concat(JOB_QUEUE[job.name]);
      if (!allowed.includes(queueName)) throw new Error(`job ${job.name} does not belong on queue ${queueName}`);
    }
    await this.queue(queueName).addBulk(jobs.map((job) => ({ name: job.name, data: job.data, opts: job.opts })));
  }

  /**
   * Runs `name` every `everyMs` on its queue. Job schedulers are upserted by id, so any number of
   * worker processes may call this at start and the job still runs once per period.
   */
  /**
   * Whether the schedule of `name` is in Redis with a run to come: false once Redis lost it
   * (FLUSHALL, a restart without persistence), or when its next run is long overdue.
   */
  async isScheduled(name: JobName, everyMs: number, now = Date.now()): Promise<boolean> {
    const queueName = JOB_QUEUE[name];
    if (Array.isArray(queueName)) throw new Error(`job ${name} belongs to several queues`);
    const scheduler = await this.queue(queueName as QueueName).getJobScheduler(name);
    return scheduler !== undefined && (scheduler.next === undefined || scheduler.next > now - 2 * everyMs - 60_000);
  }

  async every<N extends JobName>(name: N, everyMs: number, data: JobData[N], options: JobsOptions = {}): Promise<void> {
    const queueName = JOB_QUEUE[name];
    if (Array.isArray(queueName)) throw new Error(`job ${name} belongs to several queues`);
    await this.queue(queueName as QueueName).upsertJobScheduler(name, { every: everyMs }, { name, data, opts: options });
  }
}
