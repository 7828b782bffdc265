import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { JobQueue } from '../infrastructure/queues/job-queue.service';
import { JobName, QueueName } from '../infrastructure/queues/queue-names';
import { ONE_SHOT_JOB_OPTIONS } from '../infrastructure/queues/retry-policy';
import { schedules } from './schedules';

/**
 * How often every worker checks that each schedule is still in Redis. A check is one read per
 * schedule; a schedule Redis lost (FLUSHALL, a restart without persistence) is upserted again,
 * so it comes back within this time plus its own period, without restarting anything.
 */
export const SCHEDULE_CHECK_MS = 15_000;

/**
 * Upserts every job scheduler when a worker starts, then checks them every SCHEDULE_CHECK_MS and
 * upserts any that Redis lost. Upserting by id is idempotent, so each schedule exists once
 * however many workers start or repair it. A Redis outage only delays either. A lost schedule
 * means Redis lost its data: a sweep of every queued message follows at once, since their
 * delivery jobs went with it (the regular sweep checks only rows quiet for minutes).
 */
@Injectable()
export class ScheduleRegistrar implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private checking = false;

  constructor(
    private readonly jobs: JobQueue,
    @InjectConfig() private readonly config: AppConfig,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(ScheduleRegistrar.name);
  }

  onApplicationBootstrap(): void {
    // Not awaited: the process must come up (and answer health checks) even while Redis is away.
    void this.register().catch((error: unknown) => this.logger.error({ err: error }, 'registering job schedules failed'));
    this.timer = setInterval(() => void this.repair(), SCHEDULE_CHECK_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async register(): Promise<void> {
    for (const schedule of schedules(this.config)) {
      await this.jobs.every(schedule.job, schedule.everyMs, {}, ONE_SHOT_JOB_OPTIONS);
    }
    this.logger.debug({ count: schedules(this.config).length }, 'job schedules registered');
  }

  /** Upserts the schedules Redis no longer has; returns their names. One check at a time per process. */
  async repair(): Promise<string[]> {
    if (this.checking) return [];
    this.checking = true;
    try {
      const restored: string[] = [];
      for (const schedule of schedules(this.config)) {
        if (await this.jobs.isScheduled(schedule.job, schedule.everyMs)) continue;
        await this.jobs.every(schedule.job, schedule.everyMs, {}, ONE_SHOT_JOB_OPTIONS);
        restored.push(schedule.job);
      }
      if (restored.length) {
        // Redis lost its data, and with it the delivery jobs of messages already queued: sweep every one now.
        await this.jobs.add(QueueName.Maintenance, JobName.SweepOutbox, { afterDataLoss: true }, ONE_SHOT_JOB_OPTIONS);
        this.logger.warn({ restored }, 'job schedules were missing from Redis and were registered again');
      }
      return restored;
    } catch (error) {
      this.logger.warn({ err: error }, 'checking job schedules failed; the next check retries');
      return [];
    } finally {
      this.checking = false;
    }
  }
}
