import { createAgent, signInAgent } from '../support/agents';
import { SmsSink } from '../support/sms-sink';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { commitNotice, drillNotice, statusesOf } from './support/drill-notices';
import { DrillWaits, recordDrill } from './support/drill-report';
import { DrillRedis, DrillResources, tally } from './support/drill-servers';

/**
 * Drill 4 (docs/reliability.md): the SMS webhook answers 500 for 10 s, then 200, while messages keep coming
 * (20 a second): every one arrives. Then messages it refuses with 400 end `dead` after a single
 * attempt, and the back-office lists them on its failed-notifications page. Retries start 1 s
 * after a failure (DELIVERY_RETRY_DELAY) rather than 2 s, so the drill waits less.
 */
const PER_SECOND = 20;
const FAILING_MS = 10_000;
const AFTER_MS = 2_000;
const REFUSED = 5;

describe('Drill 4: the SMS webhook answers 500 for 10 s, then 200; a 400 ends a message dead', () => {
  const resources = new DrillResources();
  let t: TestApp;
  let sms: SmsSink;

  beforeAll(async () => {
    const redis = resources.add(await DrillRedis.start(), (server) => server.close());
    sms = resources.add(await SmsSink.start(), (sink) => sink.stop());
    t = resources.add(
      await createTestApp({ env: { ...sms.env, REDIS_URL: redis.url, OUTBOX_SWEEP_INTERVAL: '1s', DELIVERY_RETRY_DELAY: '1s' } }),
      (app) => app.close(),
    );
  });

  afterAll(() => resources.release());

  it('delivers every message once the webhook recovers; a 400 is dead after one attempt and shows in the back-office', async () => {
    const attemptsOf = new Map<string, number>();
    const refusedPhones = new Set<string>();
    const started = Date.now();
    sms.respondWith((_attempt, message) => {
      attemptsOf.set(message.messageId, (attemptsOf.get(message.messageId) ?? 0) + 1);
      if (refusedPhones.has(message.to)) return 400;
      return Date.now() - started < FAILING_MS ? 500 : 200;
    });

    const ids: string[] = [];
    while (Date.now() - started < FAILING_MS + AFTER_MS) {
      const batch = Array.from({ length: PER_SECOND / 5 }, (_, index) => drillNotice('sms', ids.length + index, 'sms'));
      ids.push(...(await Promise.all(batch.map((notice) => commitNotice(t, notice)))));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const refused = Array.from({ length: REFUSED }, (_, index) => drillNotice('sms', 900_000 + index, 'sms'));
    for (const notice of refused) refusedPhones.add(notice.to);
    const refusedIds = await Promise.all(refused.map((notice) => commitNotice(t, notice)));

    const received = () => sms.messages.map((message) => message.messageId);
    const waits = new DrillWaits();
    await waits.settle(
      waitFor(() => tally(ids, received()).lost === 0, {
        timeoutMs: 90_000,
        intervalMs: 250,
        description: 'every SMS to arrive',
      }),
    );
    const result = tally(ids, received());
    await waits.settle(
      waitFor(async () => ((await statusesOf(t, refusedIds)).dead === REFUSED ? true : undefined), {
        description: 'the refused messages dead',
      }),
    );
    const refusedRows: { id: string; status: string; attempts: number; last_error: string }[] = await t.dataSource.query(
      `SELECT id, status, attempts, last_error FROM notifications WHERE id = ANY($1)`,
      [refusedIds],
    );
    const retried = ids.filter((id) => (attemptsOf.get(id) ?? 0) > 1).length;
    recordDrill({
      drill: '4 sms-500-then-200',
      caused: result.caused,
      delivered: result.delivered,
      duplicates: result.duplicates,
      lost: result.lost,
      note: waits.note(
        `${retried} answered 500 at least once; ${refusedRows.filter((row) => row.status === 'dead').length} of ${REFUSED} refused with 400 dead after ${[...new Set(refusedIds.map((id) => attemptsOf.get(id)))].join('/')} attempt(s)`,
      ),
    });

    expect(retried).toBeGreaterThan(0);
    expect(result.missing).toEqual([]);
    await waitFor(async () => ((await statusesOf(t, ids)).sent === ids.length ? true : undefined), {
      description: 'every delivered row marked sent',
    });
    expect(await statusesOf(t, ids)).toEqual({ sent: ids.length });

    expect(refusedRows.map((row) => ({ status: row.status, attempts: row.attempts, webhookAttempts: attemptsOf.get(row.id) }))).toEqual(
      refusedIds.map(() => ({ status: 'dead', attempts: 1, webhookAttempts: 1 })),
    );
    expect(refusedRows.every((row) => /400/.test(row.last_error))).toBe(true);

    // The back-office: an agent signed in sees each of them on the failed-notifications page, with its retry form.
    const agent = await createAgent(t);
    const client = await signInAgent(t, agent);
    const page = await client.get('/agent/notifications').set('Accept', 'text/html').expect(200);
    for (const id of refusedIds) expect(page.text).toContain(`/agent/notifications/${id}/retry`);
  });
});
