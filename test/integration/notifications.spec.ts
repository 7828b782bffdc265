import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { EmbeddedServer } from '../../src/infrastructure/postgres/embedded-postgres';
import { startEmbeddedRedis } from '../../src/infrastructure/redis/embedded-redis';
import { JobQueue } from '../../src/infrastructure/queues/job-queue.service';
import { JobName, QueueName } from '../../src/infrastructure/queues/queue-names';
import { Notification } from '../../src/modules/notifications/entities/notification.entity';
import { NotificationDeliverer } from '../../src/modules/notifications/notification-deliverer';
import { Notice, NotificationsService } from '../../src/modules/notifications/notifications.service';
import { outboxRetryCommand } from '../../src/modules/notifications/outbox-retry.command';
import { deliveryOptions, OutboxRelay } from '../../src/modules/notifications/outbox-relay';
import { METRICS_AUTH, METRICS_TOKEN } from '../support/factories';
import { SmsSink } from '../support/sms-sink';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const codeEmail = (to: string, code = '123456'): Notice => ({
  template: 'verification-code',
  channel: 'email',
  to,
  variables: { code, expiresInMinutes: 10, purpose: 'change_password' },
});

const codeSms = (to: string, code = '654321'): Notice => ({ ...codeEmail(to, code), channel: 'sms' });

describe('notifications outbox', () => {
  let smtp: SmtpSink;
  let sms: SmsSink;
  let t: TestApp;
  let notifications: NotificationsService;

  const send = (notice: Notice) => t.dataSource.transaction((manager) => notifications.notify(manager, notice));
  const row = (id: string) => t.dataSource.getRepository(Notification).findOneByOrFail({ id });

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, sms: true, env: { OUTBOX_SWEEP_INTERVAL: '500ms', METRICS_TOKEN } });
    ({ smtp, sms } = t);
    notifications = t.get(NotificationsService);
  });

  afterAll(() => t.close());

  beforeEach(() => {
    smtp.respondWith(() => undefined);
    sms.respondWith(() => 200);
  });

  it('never sends a message whose transaction rolled back', async () => {
    await expect(
      t.dataSource.transaction(async (manager) => {
        await notifications.notify(manager, codeEmail('rollback@example.com'));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    // A message committed after it is delivered; the rolled-back one before it never is.
    await send(codeEmail('after-rollback@example.com'));
    await smtp.latest('after-rollback@example.com');
    expect(smtp.to('rollback@example.com')).toEqual([]);
    await expect(t.dataSource.getRepository(Notification).countBy({ recipient: 'rollback@example.com' })).resolves.toBe(0);
  });

  it('delivers a committed email exactly once, with its ids in the headers and the code on a line of its own', async () => {
    const id = await send(codeEmail('once@example.com', '908172'));
    const email = await smtp.latest('once@example.com', 'verification-code');
    expect(email.messageId).toBe(`<${id}@account-center>`);
    expect(email.notificationId).toBe(id);
    expect(email.template).toBe('verification-code');
    expect(email.subject).toBe('Your Account Center verification code');
    expect(email.text).toMatch(/^908172$/m);
    expect(email.html).toContain('908172');
    await waitFor(async () => (await row(id)).status === 'sent', { description: 'the row marked sent' });
    expect(smtp.to('once@example.com')).toHaveLength(1);
  });

  it('renders in the recipient’s language', async () => {
    await send({ ...codeEmail('zh@example.com', '246810'), locale: 'zh-CN' });
    const email = await smtp.latest('zh@example.com');
    expect(email.subject).toBe('您的账号中心验证码');
    expect(email.text).toMatch(/^246810$/m);
  });

  it('keeps the code sealed in the outbox and wipes it once sent, and never puts it in Redis', async () => {
    const id = await send(codeEmail('sealed@example.com', '135790'));
    const pending = await t.dataSource.query(`SELECT payload::text AS payload FROM notifications WHERE id = $1`, [id]);
    expect(pending[0].payload).not.toContain('135790');
    await smtp.latest('sealed@example.com');
    await waitFor(async () => (await row(id)).status === 'sent', { description: 'sent' });
    const sent = await row(id);
    expect(sent.payload.sealed).toBeNull();
    expect(JSON.stringify(sent.payload)).not.toContain('135790');

    const redis = new Redis(t.config.redis.url);
    try {
      const keys = await redis.keys(`*${t.config.redis.prefix}*`);
      for (const key of keys) {
        const type = await redis.type(key);
        const dump = type === 'hash' ? JSON.stringify(await redis.hgetall(key)) : type === 'string' ? await redis.get(key) : '';
        expect(dump ?? '').not.toContain('135790');
      }
    } finally {
      redis.disconnect();
    }
  });

  it('delivers SMS to the signed webhook', async () => {
    const id = await send(codeSms('+8613800000001', '112233'));
    const message = await sms.latest('+8613800000001', 'verification-code');
    expect(message).toMatchObject({ messageId: id, to: '+8613800000001', template: 'verification-code' });
    expect(message.body).toContain('112233');
    expect(sms.badSignatures).toEqual([]);
  });

  it('retries an SMTP 451 until the server accepts', async () => {
    const attemptsBefore = smtp.attempts;
    smtp.respondWith((attempt) => (attempt <= attemptsBefore + 2 ? { code: 451, message: 'try again later' } : undefined));
    const id = await send(codeEmail('greylisted@example.com'));
    await smtp.latest('greylisted@example.com', undefined, 20_000);
    await waitFor(async () => (await row(id)).status === 'sent', { description: 'sent after retries' });
    expect((await row(id)).attempts).toBe(3);
  });

  it('retries an SMS webhook 500 until it answers 200', async () => {
    let failures = 0;
    sms.respondWith((_attempt, message) => (message.to === '+8613800000002' && failures++ < 2 ? 500 : 200));
    const id = await send(codeSms('+8613800000002'));
    await sms.latest('+8613800000002', undefined, 20_000);
    await waitFor(async () => (await row(id)).status === 'sent', { description: 'sent after retries' });
    expect((await row(id)).attempts).toBe(3);
  });

  it('ends a message dead after one attempt when the webhook answers 400', async () => {
    sms.respondWith((_attempt, message) => (message.to === '+8613800000003' ? 400 : 200));
    const id = await send(codeSms('+8613800000003'));
    const dead = await waitFor(
      async () => {
        const current = await row(id);
        return current.status === 'dead' ? current : undefined;
      },
      { description: 'the row dead' },
    );
    expect(dead.attempts).toBe(1);
    expect(dead.lastError).toMatch(/400/);
    expect(sms.to('+8613800000003')).toEqual([]);
  });

  it('refuses a notice whose variables differ from the catalogue, and writes nothing', async () => {
    const notice: Notice = {
      template: 'verification-code',
      channel: 'email',
      to: 'holey@example.com',
      variables: { code: '123456', expiresInMinutes: 10 },
    };
    await expect(send(notice)).rejects.toThrow('template verification-code: missing purpose');
    await expect(send({ ...notice, variables: { ...codeEmail('x').variables, colour: 'red' } })).rejects.toThrow('unknown colour');
    await expect(t.dataSource.getRepository(Notification).countBy({ recipient: 'holey@example.com' })).resolves.toBe(0);
  });

  it('delivers once the SMTP server takes connections again, retrying meanwhile, never dead', async () => {
    await smtp.down();
    const id = await send(codeEmail('smtp-down@example.com', '404404'));
    const failed = await waitFor(
      async () => {
        const current = await row(id);
        return current.status === 'failed' ? current : undefined;
      },
      { description: 'a failed attempt while the server is down' },
    );
    expect(failed.lastError).toMatch(/SMTP/);
    await smtp.up();

    const email = await smtp.latest('smtp-down@example.com', undefined, 20_000);
    expect(email.text).toMatch(/^404404$/m);
    const sent = await waitFor(
      async () => {
        const current = await row(id);
        return current.status === 'sent' ? current : undefined;
      },
      { description: 'sent after the server returned' },
    );
    expect(sent.attempts).toBeGreaterThanOrEqual(2);
    await expect(t.dataSource.getRepository(Notification).countBy({ recipient: 'smtp-down@example.com', status: 'dead' })).resolves.toBe(0);
  });

  it('sends nothing when a message already sent is delivered again', async () => {
    const id = await send(codeEmail('redelivered@example.com'));
    await smtp.latest('redelivered@example.com');
    await waitFor(async () => (await row(id)).status === 'sent', { description: 'sent' });

    // The deliverer called again, as after a worker crash between SMTP acceptance and the job's completion...
    await t.get(NotificationDeliverer).deliver(id, { made: 0, max: 8 });
    // ...and a fresh job for the same message, as the sweep would add for a job it found gone.
    const queue = t.get(JobQueue).queue(QueueName.NotificationsUrgent);
    await queue.remove(id);
    await t.get(JobQueue).add(QueueName.NotificationsUrgent, JobName.DeliverNotification, { notificationId: id }, deliveryOptions(id));
    await waitFor(async () => (await queue.getJobState(id)) === 'completed', { description: 'the second job done' });

    expect(smtp.to('redelivered@example.com')).toHaveLength(1);
    expect((await row(id)).attempts).toBe(1);
  });

  it('delivers through the sweep a message committed just before a crash kept it from the queue', async () => {
    const relay = t.get(OutboxRelay);
    // The process "dies" between COMMIT and the enqueue that follows it.
    const enqueue = jest.spyOn(relay, 'enqueue').mockImplementationOnce(async () => undefined);
    const id = await send(codeEmail('crashed@example.com', '551155'));
    expect(enqueue).toHaveBeenCalledTimes(1);
    enqueue.mockRestore();
    expect((await row(id)).status).toBe('pending');
    await expect(t.get(JobQueue).queue(QueueName.NotificationsUrgent).getJob(id)).resolves.toBeUndefined();

    const email = await smtp.latest('crashed@example.com', undefined, 15_000);
    expect(email.text).toMatch(/^551155$/m);
    await waitFor(async () => (await row(id)).status === 'sent', { description: 'sent by way of the sweep' });
    expect(smtp.to('crashed@example.com')).toHaveLength(1);
  });

  it('counts what it sent and shows queue depth in /metrics', async () => {
    await send(codeEmail('metrics@example.com'));
    await smtp.latest('metrics@example.com');
    const metrics = await waitFor(
      async () => {
        const { text } = await t.http.get('/metrics').set(METRICS_AUTH).expect(200);
        return /notifications_sent_total\{template="verification-code",channel="email"\} [1-9]/.test(text) ? text : undefined;
      },
      { description: 'the sent counter' },
    );
    expect(metrics).toMatch(/^# TYPE notifications_sent_total counter$/m);
    expect(metrics).toMatch(/^queue_depth\{queue="notifications-urgent",state="waiting"\} \d+$/m);
    expect(metrics).toMatch(/^queue_depth\{queue="notifications-normal",state="failed"\} \d+$/m);
  });
});

describe('notifications outbox relay', () => {
  let smtp: SmtpSink;
  let t: TestApp;

  beforeAll(async () => {
    // No sweep during the test: every job here comes from the relay.
    t = await createTestApp({ smtp: true, env: { OUTBOX_SWEEP_INTERVAL: '1h' } });
    ({ smtp } = t);
  });

  afterAll(() => t.close());

  it('adds the jobs of transactions that commit together in shared round trips, and writes nothing more to their rows before delivery', async () => {
    const relay = t.get(OutboxRelay);
    const notifications = t.get(NotificationsService);
    // 20 rows committed, their enqueues held back, then released at once, as 20 commits landing together would.
    const held = jest.spyOn(relay, 'enqueue').mockImplementation(async () => undefined);
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        t.dataSource.transaction((manager) => notifications.notify(manager, codeEmail(`together-${n}@example.com`))),
      ),
    );
    held.mockRestore();
    const addBulk = jest.spyOn(t.get(JobQueue), 'addBulk');
    try {
      await Promise.all(ids.map((id) => relay.enqueue([{ id, priority: 'urgent' }])));
      // Two batches of one leave at once (two in flight at most); the other 18 leave together.
      expect(addBulk.mock.calls.map(([, jobs]) => jobs.length)).toEqual([1, 1, 18]);
    } finally {
      addBulk.mockRestore();
    }
    await waitFor(
      async () =>
        (await t.dataSource.query(`SELECT count(*)::int AS sent FROM notifications WHERE id = ANY($1) AND status = 'sent'`, [ids]))[0]
          .sent === 20,
      {
        description: 'all 20 sent',
      },
    );
    for (let n = 0; n < 20; n += 1) expect(smtp.to(`together-${n}@example.com`)).toHaveLength(1);
    // pending → sent: no status write between the commit and the delivery.
    await expect(
      t.dataSource.query(`SELECT count(*)::int AS queued FROM notifications WHERE id = ANY($1) AND queued_at IS NOT NULL`, [ids]),
    ).resolves.toEqual([{ queued: 0 }]);
  });
});

describe('notifications outbox while Redis is down', () => {
  let redis: EmbeddedServer;
  let smtp: SmtpSink;
  let t: TestApp;
  const dir = mkdtempSync(join(tmpdir(), 'ac-outbox-redis-'));

  beforeAll(async () => {
    redis = await startEmbeddedRedis(dir, { persistent: false });
    t = await createTestApp({ smtp: true, env: { REDIS_URL: redis.url, OUTBOX_SWEEP_INTERVAL: '500ms' } });
    ({ smtp } = t);
  });

  afterAll(async () => {
    await t.close();
    await redis.stop();
  });

  it('keeps a message committed while Redis is down and delivers it once Redis returns', async () => {
    const port = Number(new URL(redis.url).port);
    await redis.stop();
    const notifications = t.get(NotificationsService);
    const id = await t.dataSource.transaction((manager) => notifications.notify(manager, codeEmail('outage@example.com', '777111')));
    const stored = await t.dataSource.getRepository(Notification).findOneByOrFail({ id });
    expect(stored.status).toBe('pending');

    redis = await startEmbeddedRedis(dir, { persistent: false, port });
    const email = await smtp.latest('outage@example.com', undefined, 30_000);
    expect(email.text).toMatch(/^777111$/m);
    await waitFor(async () => (await t.dataSource.getRepository(Notification).findOneByOrFail({ id })).status === 'sent', {
      description: 'sent',
    });
    expect(smtp.to('outage@example.com')).toHaveLength(1);
  });
});

describe('outbox:retry', () => {
  let sms: SmsSink;
  let t: TestApp;

  const send = (notice: Notice) => t.dataSource.transaction((manager) => t.get(NotificationsService).notify(manager, notice));
  const row = (id: string) => t.dataSource.getRepository(Notification).findOneByOrFail({ id });
  const dead = (id: string) => waitFor(async () => (await row(id)).status === 'dead', { description: `${id} dead` });
  const cli = async (args: string[]) => {
    const lines: string[] = [];
    const progress: [number, number][] = [];
    const code = await outboxRetryCommand.run(t.app, args, {
      line: (text) => lines.push(text),
      progress: (done, total) => progress.push([done, total]),
    });
    return { code, lines, progress };
  };

  beforeAll(async () => {
    t = await createTestApp({ sms: true, env: { OUTBOX_SWEEP_INTERVAL: '500ms' } });
    ({ sms } = t);
  });

  afterAll(() => t.close());

  it('re-queues a dead message by id, and it arrives', async () => {
    sms.respondWith(() => 400);
    const id = await send(codeSms('+8613800000010', '600601'));
    await dead(id);
    sms.respondWith(() => 200);

    await expect(cli([id])).resolves.toEqual({ code: 0, lines: [`Re-queued ${id}.`], progress: [] });
    const message = await sms.latest('+8613800000010');
    expect(message).toMatchObject({ messageId: id, template: 'verification-code' });
    expect(message.body).toContain('600601');
    const sent = await waitFor(
      async () => {
        const current = await row(id);
        return current.status === 'sent' ? current : undefined;
      },
      { description: 'sent after the retry' },
    );
    // A fresh series of attempts: the one that ended it dead no longer counts.
    expect(sent.attempts).toBe(1);
    expect(sent.payload.sealed).toBeNull();
  });

  it('re-queues every dead message with --dead, counting them', async () => {
    sms.respondWith(() => 400);
    const ids = [await send(codeSms('+8613800000011')), await send(codeSms('+8613800000012'))];
    for (const id of ids) await dead(id);
    sms.respondWith(() => 200);

    const result = await cli(['--dead']);
    expect(result).toEqual({
      code: 0,
      lines: ['Re-queued 2 dead messages.'],
      progress: [
        [1, 2],
        [2, 2],
      ],
    });
    await sms.latest('+8613800000011');
    await sms.latest('+8613800000012');
    await expect(cli(['--dead'])).resolves.toMatchObject({ code: 0, lines: ['Re-queued 0 dead messages.'] });
  });

  it('fails for an unknown id or a message that is not failed or dead', async () => {
    const unknown = randomUUID();
    await expect(cli([unknown])).resolves.toEqual({ code: 1, lines: [`${unknown}: There is no such message.`], progress: [] });
    await expect(cli(['AP-7KQ2M4XZ9B'])).resolves.toMatchObject({ code: 1 });
    const id = await send(codeSms('+8613800000013'));
    await sms.latest('+8613800000013');
    await waitFor(async () => (await row(id)).status === 'sent', { description: 'sent' });
    await expect(cli([id])).resolves.toEqual({
      code: 1,
      lines: [`${id}: This message is sent; only failed or dead messages can be retried.`],
      progress: [],
    });
    await expect(cli([])).resolves.toMatchObject({ code: 2 });
    expect(sms.to('+8613800000013')).toHaveLength(1);
  });
});
