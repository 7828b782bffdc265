import { BeforeApplicationShutdown, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import { WorkerHost } from '@nestjs/bullmq';
import { PinoLogger } from 'nestjs-pino';
import { logConnectionErrors } from './infrastructure/queues/connection-errors';
import { AppealsModule } from './modules/appeals/appeals.module';
import { AppealsProcessor } from './modules/appeals/appeals.processor';
import { AuditModule } from './modules/audit/audit.module';
import { NotificationsModule } from './modules/notifications/notifications.module';
import { NormalNotificationsProcessor } from './modules/notifications/normal-notifications.processor';
import { UrgentNotificationsProcessor } from './modules/notifications/urgent-notifications.processor';
import { MaintenanceProcessor } from './scheduling/maintenance.processor';
import { ScheduleRegistrar } from './scheduling/schedule-registrar';

/**
 * Closes every BullMQ worker (waiting for the jobs in hand) before anything else shuts down, so
 * a job in flight still has its database and Redis connections. @nestjs/bullmq closes workers
 * only in onApplicationShutdown, alongside the connections they need. At start, it routes the
 * workers' connection errors to the log.
 */
@Injectable()
class WorkersLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('Workers');
  }

  onApplicationBootstrap(): void {
    for (const host of this.hosts()) logConnectionErrors(host.worker, `worker ${host.worker.name}`, this.logger);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.hosts().map((host) => host.worker.close()));
  }

  private hosts(): WorkerHost[] {
    return this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is WorkerHost => instance instanceof WorkerHost);
  }
}

/**
 * The BullMQ processors and schedules, loaded only when PROCESS_ROLE is `all` or `worker`.
 * Processors live in their feature modules' folders and are provided here.
 */
@Module({
  imports: [DiscoveryModule, NotificationsModule, AppealsModule, AuditModule],
  providers: [
    WorkersLifecycle,
    UrgentNotificationsProcessor,
    NormalNotificationsProcessor,
    MaintenanceProcessor,
    AppealsProcessor,
    ScheduleRegistrar,
  ],
})
export class WorkersModule {}
