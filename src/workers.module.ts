import { BeforeApplicationShutdown, Injectable, Module } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import { WorkerHost } from '@nestjs/bullmq';

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
  imports: [DiscoveryModule],
  providers: [WorkersShutdown],
})
export class WorkersModule {}
