import { Worker } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { JobQueue } from '../../src/infrastructure/queues/job-queue.service';
import { JobName, QueueName } from '../../src/infrastructure/queues/queue-names';
import { bullPrefix, redisOptionsFromUrl } from '../../src/infrastructure/queues/redis-connection';
import { NotificationStatus } from '../../src/modules/notifications/entities/notification.entity';
import { deliveryOptions, OutboxRelay } from '../../src/modules/notifications/outbox-relay';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

describe(OutboxRelay.name, () => {
  let t: TestApp;
  const queue = () => t.get(JobQueue).queue(QueueName.NotificationsNormal);

  /** Outbox rows as a crash or an outage leaves them; no worker runs in this app, and no scheduled sweep. */
  async function insert(count: number, row: { status: NotificationStatus; ageSeconds: number; attempts?: number }): Promise<string[]> {
    const ids: string[] = await t.dataSource
      .query(
        `INSERT INTO notifications (id, template, channel, recipient, locale, payload, status, priority, attempts, created_at, updated_at)
         SELECT gen_random_uuid(), 'password-changed', 'email', 'backlog-' || n || '@example.com', 'en', '{"data": {}, "sealed": null}', $2, 'normal', $3,
                now() - make_interval(secs => $4) + n * interval '1 microsecond', now() - make_interval(secs => $4)
           FROM generate_series(1, $1) AS n
         RETURNING id`,
        [count, row.status, row.attempts ?? 0, row.ageSeconds],
      )
      .then((rows: { id: string }[]) => rows.map((inserted) => inserted.id));
    return ids;
  }

  const rowOf = async (id: string) =>
    (
      await t.dataSource.query(`SELECT status, (updated_at > now() - interval '1 minute') AS touched FROM notifications WHERE id = $1`, [
        id,
      ])
    )[0] as {
      status: string;
      touched: boolean;
    };

  beforeAll(async () => {
    t = await createTestApp({ workers: false });
  });

  afterAll(async () => {
    await t.close();
  });

  beforeEach(async () => {
    await t.dataSource.query('DELETE FROM notifications');
    await queue().obliterate({ force: true });
  });

  it('drains a backlog larger than one batch in a single run', async () => {
    const ids = await insert(1_201, { status: 'pending', ageSeconds: 3_600 });
    await expect(t.get(OutboxRelay).sweep()).resolves.toBe(1_201);
    await expect(t.dataSource.query(`SELECT status, count(*)::int AS count FROM notifications GROUP BY status`)).resolves.toEqual([
      { status: 'queued', count: 1_201 },
    ]);
    await expect(queue().getJobCounts('waiting')).resolves.toMatchObject({ waiting: 1_201 });
    await expect(queue().getJobState(ids[1_200])).resolves.toBe('waiting');
    await expect(t.get(OutboxRelay).sweep()).resolves.toBe(0);
  });

  it('leaves live jobs and young rows alone, replaces finished and missing jobs, and ends exhausted rows dead', async () => {
    const [finished] = await insert(1, { status: 'queued', ageSeconds: 600 });
    // A job BullMQ completed but still holds under the row's id (the worker is a bare one, outside the app).
    await t
      .get(JobQueue)
      .add(QueueName.NotificationsNormal, JobName.DeliverNotification, { notificationId: finished }, deliveryOptions(finished));
    const worker = new Worker(QueueName.NotificationsNormal, async () => undefined, {
      connection: redisOptionsFromUrl(t.config.redis.url),
      prefix: bullPrefix(t.config.redis.prefix),
    });
    await waitFor(async () => (await queue().getJobState(finished)) === 'completed', { description: 'the job completed' });
    await worker.close();

    const [live] = await insert(1, { status: 'queued', ageSeconds: 600 });
    await t
      .get(JobQueue)
      .add(
        QueueName.NotificationsNormal,
        JobName.DeliverNotification,
        { notificationId: live },
        { ...deliveryOptions(live), delay: 60_000 },
      );
    const [missing] = await insert(1, { status: 'failed', ageSeconds: 600, attempts: 3 });
    const [exhausted] = await insert(1, { status: 'failed', ageSeconds: 600, attempts: 8 });
    const [young] = await insert(1, { status: 'pending', ageSeconds: 0 });
    const unknown = randomUUID();

    await expect(t.get(OutboxRelay).sweep()).resolves.toBe(2);
    await expect(rowOf(finished)).resolves.toEqual({ status: 'queued', touched: true });
    await expect(queue().getJobState(finished)).resolves.toBe('waiting');
    await expect(rowOf(missing)).resolves.toEqual({ status: 'queued', touched: true });
    await expect(queue().getJobState(missing)).resolves.toBe('waiting');
    await expect(rowOf(live)).resolves.toEqual({ status: 'queued', touched: false });
    await expect(queue().getJobState(live)).resolves.toBe('delayed');
    await expect(rowOf(exhausted)).resolves.toEqual({ status: 'dead', touched: true });
    await expect(queue().getJobState(exhausted)).resolves.toBe('unknown');
    await expect(rowOf(young)).resolves.toMatchObject({ status: 'pending' });
    await expect(queue().getJobState(young)).resolves.toBe('unknown');
    await expect(queue().getJobState(unknown)).resolves.toBe('unknown');
  });
});
