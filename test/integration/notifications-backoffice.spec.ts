import { randomUUID } from 'node:crypto';
import { NotFoundError, ValidationFailedError } from '../../src/common/errors/domain-error';
import { JobQueue } from '../../src/infrastructure/queues/job-queue.service';
import { JobName, QueueName } from '../../src/infrastructure/queues/queue-names';
import { NotificationStatus } from '../../src/modules/notifications/entities/notification.entity';
import { NotificationsBackofficeService } from '../../src/modules/notifications/notifications-backoffice.service';
import { NotificationNotRetryableError } from '../../src/modules/notifications/notifications.errors';
import { createTestApp, TestApp } from '../support/test-app';

interface RowSpec {
  readonly status: NotificationStatus;
  /** As PostgreSQL writes it, microseconds included. */
  readonly updatedAt: string;
  readonly channel?: 'email' | 'sms';
  readonly recipient?: string;
  readonly template?: string;
  readonly lastError?: string;
  readonly attempts?: number;
}

describe(NotificationsBackofficeService.name, () => {
  let t: TestApp;
  let service: NotificationsBackofficeService;

  /** Outbox rows written directly, with the times the test needs; no worker runs in this app. */
  async function insert(spec: RowSpec): Promise<string> {
    const id = randomUUID();
    const channel = spec.channel ?? 'email';
    await t.dataSource.query(
      `INSERT INTO notifications (id, template, channel, recipient, locale, payload, status, priority, attempts, last_error, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'en', '{"data": {}, "sealed": null}', $5, 'normal', $6, $7, $8, $8)`,
      [
        id,
        spec.template ?? 'password-changed',
        channel,
        spec.recipient ?? (channel === 'email' ? 'owner@example.com' : '+8613812345678'),
        spec.status,
        spec.attempts ?? 0,
        spec.lastError ?? null,
        spec.updatedAt,
      ],
    );
    return id;
  }

  const status = async (id: string) =>
    (await t.dataSource.query(`SELECT status, attempts FROM notifications WHERE id = $1`, [id]))[0] as { status: string; attempts: number };

  beforeAll(async () => {
    t = await createTestApp({ workers: false });
    service = t.get(NotificationsBackofficeService);
  });

  afterAll(async () => {
    await t.close();
  });

  beforeEach(async () => {
    await t.dataSource.query('DELETE FROM notifications');
  });

  describe('list', () => {
    it('pages by keyset, most recently changed first, without skipping rows a millisecond apart', async () => {
      const times = [
        '2026-11-22T09:00:00.000100Z',
        '2026-11-22T09:00:00.000200Z',
        '2026-11-22T09:00:00.000300Z',
        '2026-11-22T09:00:00.000300Z',
        '2026-11-22T08:00:00Z',
      ];
      const ids = [];
      for (const updatedAt of times) ids.push(await insert({ status: 'dead', updatedAt }));
      await insert({ status: 'sent', updatedAt: '2026-11-22T10:00:00Z' });
      const expected = ids
        .map((id, index) => ({ id, at: times[index] }))
        .sort((a, b) => (a.at === b.at ? b.id.localeCompare(a.id) : b.at.localeCompare(a.at)))
        .map((row) => row.id);

      const seen: string[] = [];
      let after: string | undefined;
      let pages = 0;
      do {
        const page = await service.list({ status: 'dead', limit: 2, after });
        seen.push(...page.items.map((item) => item.id));
        after = page.next ?? undefined;
        pages += 1;
      } while (after);
      expect(seen).toEqual(expected);
      expect(pages).toBe(3);
    });

    it('shows contacts masked, in the row and in the transport’s error', async () => {
      await insert({
        status: 'failed',
        updatedAt: '2026-11-22T09:00:00Z',
        recipient: 'owner@example.com',
        lastError: 'SMTP: 550 <owner@example.com> mailbox unavailable',
      });
      await insert({
        status: 'failed',
        updatedAt: '2026-11-22T08:00:00Z',
        channel: 'sms',
        recipient: '+8613812345678',
        lastError: 'SMS webhook answered 429',
      });
      const { items, next } = await service.list({ status: 'failed' });
      expect(next).toBeNull();
      expect(items.map((item) => [item.recipient, item.lastError])).toEqual([
        ['o***@example.com', 'SMTP: 550 <o***@example.com> mailbox unavailable'],
        ['+86 138****5678', 'SMS webhook answered 429'],
      ]);
      expect(items[0]).toMatchObject({
        template: 'password-changed',
        channel: 'email',
        status: 'failed',
        priority: 'normal',
        locale: 'en',
      });
      expect(items[0]).not.toHaveProperty('payload');
    });

    it('refuses a cursor it did not make and an unknown status', async () => {
      await expect(service.list({ status: 'dead', after: 'bm9wZQ' })).rejects.toBeInstanceOf(ValidationFailedError);
      await expect(
        service.list({ status: 'dead', after: Buffer.from(JSON.stringify(['2026-11-22T09:00:00Z', 'x'])).toString('base64url') }),
      ).rejects.toBeInstanceOf(ValidationFailedError);
      await expect(service.list({ status: 'lost' as NotificationStatus })).rejects.toMatchObject({ errors: [{ field: 'status' }] });
    });
  });

  describe('failureCounts', () => {
    it('counts messages retrying and dead whose last attempt was in the last 24 hours, by template', async () => {
      const ago = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
      await insert({ status: 'failed', updatedAt: ago(1) });
      await insert({ status: 'dead', updatedAt: ago(2) });
      await insert({ status: 'dead', updatedAt: ago(3), channel: 'sms', template: 'verification-code' });
      await insert({ status: 'dead', updatedAt: ago(25) });
      await insert({ status: 'sent', updatedAt: ago(1) });
      await insert({ status: 'queued', updatedAt: ago(1) });

      const counts = await service.failureCounts();
      expect(counts).toMatchObject({ failed: 1, dead: 2 });
      expect(counts.byTemplate).toEqual([
        { template: 'password-changed', channel: 'email', failed: 1, dead: 1 },
        { template: 'verification-code', channel: 'sms', failed: 0, dead: 1 },
      ]);
      expect(Date.now() - counts.since.getTime()).toBeGreaterThanOrEqual(86_400_000);
      await expect(service.failureCounts(30 * 3_600_000)).resolves.toMatchObject({ dead: 3 });
    });
  });

  describe('retry', () => {
    const queue = () => t.get(JobQueue).queue(QueueName.NotificationsNormal);

    it('replaces the old job with a fresh one and gives the message a fresh series of attempts', async () => {
      const id = await insert({ status: 'dead', updatedAt: '2026-11-22T09:00:00Z', attempts: 8 });
      // A job still held under the message's id: without its removal, the new add would be a no-op.
      await t
        .get(JobQueue)
        .add(QueueName.NotificationsNormal, JobName.DeliverNotification, { notificationId: id }, { jobId: id, delay: 3_600_000 });
      await expect(queue().getJobState(id)).resolves.toBe('delayed');

      await service.retry(id, { type: 'agent', agentId: 'agent-1' });
      await expect(status(id)).resolves.toEqual({ status: 'queued', attempts: 0 });
      await expect(queue().getJobState(id)).resolves.toBe('waiting');
      const events = await t.dataSource.query(
        `SELECT action, actor_type, actor_id, data FROM audit_events WHERE subject_type = 'notification' AND subject_id = $1`,
        [id],
      );
      expect(events).toEqual([
        { action: 'notification.retried', actor_type: 'agent', actor_id: 'agent-1', data: { previousStatus: 'dead' } },
      ]);
    });

    it('retries a message still retrying, at once', async () => {
      const id = await insert({ status: 'failed', updatedAt: '2026-11-22T09:00:00Z', attempts: 3 });
      await service.retry(id, { type: 'cli' });
      await expect(status(id)).resolves.toEqual({ status: 'queued', attempts: 0 });
    });

    it('refuses unknown messages and messages that are neither failed nor dead', async () => {
      await expect(service.retry(randomUUID(), { type: 'cli' })).rejects.toBeInstanceOf(NotFoundError);
      await expect(service.retry('not-an-id', { type: 'cli' })).rejects.toBeInstanceOf(NotFoundError);
      for (const current of ['sent', 'queued', 'pending'] as const) {
        const id = await insert({ status: current, updatedAt: '2026-11-22T09:00:00Z' });
        await expect(service.retry(id, { type: 'cli' })).rejects.toBeInstanceOf(NotificationNotRetryableError);
        await expect(status(id)).resolves.toMatchObject({ status: current });
      }
    });

    it('records a retry from the CLI as the system’s', async () => {
      const id = await insert({ status: 'dead', updatedAt: '2026-11-22T09:00:00Z', attempts: 1 });
      await service.retry(id, { type: 'cli' });
      const events = await t.dataSource.query(`SELECT actor_type, actor_id FROM audit_events WHERE subject_id = $1`, [id]);
      expect(events).toEqual([{ actor_type: 'system', actor_id: 'cli' }]);
    });
  });
});
