import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { JobQueue } from '../infrastructure/queues/job-queue.service';
import { ONE_SHOT_JOB_OPTIONS } from '../infrastructure/queues/retry-policy';
import { schedules } from './schedules';

/**
 * Upserts every job scheduler when a worker starts. Upserting by id is idempotent, so each
 * schedule exists once however many workers start. A Redis outage at start only delays it.
 */
@Injectable()
export class ScheduleRegistrar implements OnApplicationBootstrap {
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
  }

  async register(): Promise<void> {
    for (const schedule of schedules(this.config)) {
      await this.jobs.every(schedule.job, schedule.everyMs, {}, ONE_SHOT_JOB_OPTIONS);
    }
    this.logger.debug({ count: schedules(this.config).length }, 'job schedules registered');
  }
}
