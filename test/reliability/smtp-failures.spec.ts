import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { commitNotice, drillNotice, statusesOf } from './support/drill-notices';
import { DrillWaits, recordDrill } from './support/drill-report';
import { DrillRedis, DrillResources, tally } from './support/drill-servers';

/**
 * Drill 3 (docs/reliability.md): while messages keep coming (20 a second), the SMTP server first answers
 * 451 to 30% of them (for 5 s), then is down for 20 s, then takes everything. Every message arrives, and
 * none ends dead: the retry policy (8 attempts, the delay doubling from DELIVERY_RETRY_DELAY, 1 s
 * here rather than 2 s, so the drill waits less) rides out both.
 */
const PER_SECOND = 20;
const GREYLIST_MS = 5_000;
const DOWN_MS = 20_000;
const AFTER_MS = 2_000;

describe('Drill 3: the SMTP server answers 451 to 30% of messages, then is down for 20 s', () => {
  const resources = new DrillResources();
  let t: TestApp;
  let smtp: SmtpSink;

  beforeAll(async () => {
    const redis = resources.add(await DrillRedis.start(), (server) => server.close());
    smtp = resources.add(await SmtpSink.start(), (sink) => sink.stop());
    t = resources.add(
      await createTestApp({ env: { SMTP_URL: smtp.url, REDIS_URL: redis.url, OUTBOX_SWEEP_INTERVAL: '1s', DELIVERY_RETRY_DELAY: '1s' } }),
      (app) => app.close(),
    );
  });

  afterAll(() => resources.release());

  it('delivers every message, none dead', async () => {
    // 3 of every 10 messages, in the order the sink first sees them, are refused once with 451.
    const seen = new Map<string, number>();
    const refusedOnce = new Set<string>();
    smtp.respondWith((_attempt, { notificationId }) => {
      if (!seen.has(notificationId)) seen.set(notificationId, seen.size);
      if (seen.get(notificationId)! % 10 >= 3 || refusedOnce.has(notificationId)) return undefined;
      refusedOnce.add(notificationId);
      return { code: 451, message: '4.7.1 Greylisted, try again later' };
    });

    const ids: string[] = [];
    const started = Date.now();
    let phase: 'greylist' | 'down' | 'after' = 'greylist';
    let backAt = 0;
    while (Date.now() - started < GREYLIST_MS + DOWN_MS + AFTER_MS) {
      const elapsed = Date.now() - started;
      if (phase === 'greylist' && elapsed >= GREYLIST_MS) {
        phase = 'down';
        smtp.respondWith(() => undefined);
        await smtp.down();
      } else if (phase === 'down' && elapsed >= GREYLIST_MS + DOWN_MS) {
        phase = 'after';
        await smtp.up();
        backAt = Date.now();
      }
      const batch = Array.from({ length: PER_SECOND / 5 }, (_, index) => drillNotice('smtp', ids.length + index, 'email'));
      ids.push(...(await Promise.all(batch.map((notice) => commitNotice(t, notice)))));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const received = () => smtp.messages.map((message) => message.notificationId);
    const waits = new DrillWaits();
    await waits.settle(
      waitFor(() => tally(ids, received()).lost === 0, {
        timeoutMs: 90_000,
        intervalMs: 250,
        description: 'every message to arrive',
      }),
    );
    const result = tally(ids, received());
    const lastArrival = Math.max(...smtp.messages.map((message) => message.receivedAt.getTime()));
    const statuses = await statusesOf(t, ids);
    const [{ retries }] = await t.dataSource.query(
      `SELECT (sum(attempts) - count(*) FILTER (WHERE status = 'sent'))::int AS retries FROM notifications WHERE id = ANY($1)`,
      [ids],
    );
    recordDrill({
      drill: '3 smtp-451-and-down',
      caused: result.caused,
      delivered: result.delivered,
      duplicates: result.duplicates,
      lost: result.lost,
      note: waits.note(
        `${refusedOnce.size} refused once with 451, then down ${DOWN_MS / 1000} s; ${retries} failed attempts retried; the last arrived ${Math.round((lastArrival - backAt) / 1000)} s after it came back; rows ${JSON.stringify(statuses)}`,
      ),
    });

    expect(refusedOnce.size).toBeGreaterThan(0);
    expect(result.missing).toEqual([]);
    await waitFor(async () => ((await statusesOf(t, ids)).sent === ids.length ? true : undefined), {
      description: 'every row marked sent',
    });
    expect(await statusesOf(t, ids)).toEqual({ sent: ids.length });
  });
});
