import { BeforeApplicationShutdown, Injectable, Module } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import { WorkerHost } from '@nestjs/bullmq';
import { AppealsModule } from './modules/appeals/appeals.module';
import { AppealsProcessor } from './modules/appeals/appeals.processor';
import { NotificationsModule } from './modules/notifications/notifications.module';
import { NormalNotificationsProcessor } from './modules/notifications/normal-notifications.processor';
import { UrgentNotificationsProcessor } from './modules/notifications/urgent-notifications.processor';
import { MaintenanceProcessor } from './scheduling/maintenance.processor';
import { ScheduleRegistrar } from './scheduling/schedule-registrar';

/**
 * Closes every BullMQ worker (waiting for the jobs in hand) before anything else shuts down, so
 * a job in flight still has its database and Redis connections. @nestjs/bullmq closes workers
 * only in onApplicationShutdown, alongside the connections they need.
 */
@Injectable()
class WorkersShutdown implements BeforeApplicationShutdown {
  constructor(private readonly discovery: DiscoveryService) {}

  async beforeApplicationShutdown(): Promise<void> {
    const hosts = this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is WorkerHost => instance instanceof WorkerHost);
    await Promise.all(hosts.map((host) => host.worker.close()));
  }
}

/**
 * The BullMQ processors and schedules, loaded only when PROCESS_ROLE is `all` or `worker`.
 * Processors live in their feature modules' folders and are provided here.
 */
@Module({
  imports: [DiscoveryModule, NotificationsModule, AppealsModule],
  providers: [WorkersShutdown, UrgentNotificationsProcessor, NormalNotificationsProcessor, MaintenanceProcessor, AppealsProcessor, ScheduleRegistrar],
})
export class WorkersModule {}
