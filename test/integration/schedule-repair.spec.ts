import Redis from 'ioredis';
import { JobQueue } from '../../src/infrastructure/queues/job-queue.service';
import { JobName, QueueName } from '../../src/infrastructure/queues/queue-names';
import { ScheduleRegistrar } from '../../src/scheduling/schedule-registrar';
import { schedules } from '../../src/scheduling/schedules';
import { deleteKeys } from '../support/global-teardown';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

/** The schedules come back by themselves once Redis lost them (drill 9 does it with FLUSHALL, in real time). */
describe('Job schedules repair themselves', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(() => t.close());

  const missing = async () => {
    const absent: string[] = [];
    for (const schedule of schedules(t.config))
      if (!(await t.get(JobQueue).isScheduled(schedule.job, schedule.everyMs))) absent.push(schedule.job);
    return absent;
  };

  it('registers again every schedule Redis lost, sweeps every queued message at once, and leaves present ones alone', async () => {
    await waitFor(async () => (await missing()).length === 0, { description: 'the schedules registered at start' });
    const registrar = t.get(ScheduleRegistrar);
    // The periodic check is stopped: this test calls it itself, at the moments it chooses.
    registrar.onApplicationShutdown();
    await expect(registrar.repair()).resolves.toEqual([]);

    // Everything the app keeps in Redis is gone, as after FLUSHALL.
    const redis = new Redis(t.config.redis.url);
    try {
      await deleteKeys(redis, `*${t.config.redis.prefix}*`);
    } finally {
      redis.disconnect();
    }
    expect((await missing()).sort()).toEqual(
      schedules(t.config)
        .map((schedule) => schedule.job as string)
        .sort(),
    );

    const restored = await registrar.repair();
    expect(restored.sort()).toEqual(
      schedules(t.config)
        .map((schedule) => schedule.job as string)
        .sort(),
    );
    expect(await missing()).toEqual([]);
    // The sweep after a loss checks every queued row, not only those quiet for minutes.
    const sweeps = await t.get(JobQueue).queue(QueueName.Maintenance).getJobs(['waiting', 'active', 'completed', 'prioritized']);
    expect(sweeps.some((job) => job.name === JobName.SweepOutbox && (job.data as { afterDataLoss?: boolean }).afterDataLoss === true)).toBe(
      true,
    );
  });
});
