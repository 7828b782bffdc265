import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { inOneRoundTrip } from '../../src/database/one-round-trip';
import { rawEntity } from '../../src/database/raw-entity';
import { JobQueue } from '../../src/infrastructure/queues/job-queue.service';
import { QueueName } from '../../src/infrastructure/queues/queue-names';
import { AuditService } from '../../src/modules/audit/audit.service';
import { NotificationsService } from '../../src/modules/notifications/notifications.service';
import { CodeChallenge } from '../../src/modules/challenges/entities/code-challenge.entity';
import { createAccount } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

describe(inOneRoundTrip.name, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ workers: false });
  });

  afterAll(async () => {
    await t.close();
  });

  const challengeOf = (accountUid: string, context: CodeChallenge['context']): CodeChallenge => {
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    return Object.assign(new CodeChallenge(), {
      id: randomUUID(),
      kind: 'verification',
      accountUid,
      sessionId: null,
      purpose: 'change_password',
      method: 'email',
      destination: "o'brien\\x@example.com",
      codeHmac: 'a'.repeat(64),
      message: { template: 'verification-code', locale: 'en', variables: { purpose: 'change_password' } },
      context,
      attempts: 0,
      sends: 1,
      expiresAt: now,
      resendAvailableAt: null,
      usedAt: null,
      cancelledAt: null,
      createdAt: now,
      updatedAt: now,
    } satisfies CodeChallenge);
  };

  it('sends a transaction of several writes as one query, values intact, and enqueues its outbox rows once it has committed', async () => {
    const { uid, logonEmail } = await createAccount(t);
    const raw = rawEntity(t.dataSource, CodeChallenge, 'c');
    const challenge = challengeOf(uid, { quote: "it's", backslash: 'a\\b', dollar: '$1 $$', unicode: 'ü 漢字 🙂', nothing: null });
    const queries = jest.spyOn(Client.prototype, 'query');
    // Other work of the app may query meanwhile: only what carries this challenge counts.
    const ours = () => queries.mock.calls.filter(([query]) => JSON.stringify(query).includes(challenge.id));
    let notificationId = '';
    try {
      await inOneRoundTrip(t.dataSource, async (manager) => {
        await raw.insert(manager, challenge);
        notificationId = await t.get(NotificationsService).notify(manager, {
          template: 'verification-code',
          channel: 'email',
          to: logonEmail,
          variables: { code: '123456', expiresInMinutes: 10, purpose: 'change_password' },
          accountUid: uid,
        });
        await t.get(AuditService).record(manager, {
          action: 'challenge.created',
          actor: { type: 'account', id: uid },
          subject: { type: 'account', id: uid },
          data: { challengeId: challenge.id },
        });
        // Nothing has been sent yet, so nothing can be enqueued yet.
        expect(ours()).toHaveLength(0);
      });
      expect(ours()).toHaveLength(1);
    } finally {
      queries.mockRestore();
    }
    await expect(t.dataSource.manager.findOneByOrFail(CodeChallenge, { id: challenge.id })).resolves.toEqual(challenge);
    await expect(t.dataSource.query(`SELECT status FROM notifications WHERE id = $1`, [notificationId])).resolves.toEqual([
      { status: 'pending' },
    ]);
    await expect(
      t.dataSource.query(`SELECT count(*)::int AS count FROM audit_events WHERE data->>'challengeId' = $1`, [challenge.id]),
    ).resolves.toEqual([{ count: 1 }]);
    const queue = t.get(JobQueue).queue(QueueName.NotificationsUrgent);
    await waitFor(async () => (await queue.getJob(notificationId)) !== undefined, { description: 'the job added after the commit' });
  });

  it('commits nothing, and enqueues nothing, when one write fails or the work throws', async () => {
    const { uid, logonEmail } = await createAccount(t);
    const raw = rawEntity(t.dataSource, CodeChallenge, 'c');
    const first = challengeOf(uid, {});
    let notificationId = '';
    // The second insert repeats the first's id: the whole transaction rolls back.
    await expect(
      inOneRoundTrip(t.dataSource, async (manager) => {
        await raw.insert(manager, first);
        notificationId = await t.get(NotificationsService).notify(manager, {
          template: 'verification-code',
          channel: 'email',
          to: logonEmail,
          variables: { code: '123456', expiresInMinutes: 10, purpose: 'change_password' },
        });
        await raw.insert(manager, first);
      }),
    ).rejects.toThrow(/duplicate key/);
    await expect(t.dataSource.query(`SELECT count(*)::int AS count FROM code_challenges WHERE id = $1`, [first.id])).resolves.toEqual([
      { count: 0 },
    ]);
    await expect(t.dataSource.query(`SELECT count(*)::int AS count FROM notifications WHERE id = $1`, [notificationId])).resolves.toEqual([
      { count: 0 },
    ]);
    await expect(t.get(JobQueue).queue(QueueName.NotificationsUrgent).getJob(notificationId)).resolves.toBeUndefined();

    const second = challengeOf(uid, {});
    await expect(
      inOneRoundTrip(t.dataSource, async (manager) => {
        await raw.insert(manager, second);
        throw new Error('changed its mind');
      }),
    ).rejects.toThrow('changed its mind');
    await expect(t.dataSource.query(`SELECT count(*)::int AS count FROM code_challenges WHERE id = $1`, [second.id])).resolves.toEqual([
      { count: 0 },
    ]);
  });

  it('refuses a statement whose result would be read', async () => {
    await expect(inOneRoundTrip(t.dataSource, (manager) => manager.query('SELECT 1'))).rejects.toThrow('sends writes only');
    await expect(inOneRoundTrip(t.dataSource, (manager) => manager.query('WITH one AS (SELECT 1) SELECT * FROM one'))).rejects.toThrow(
      'sends writes only',
    );
  });
});
