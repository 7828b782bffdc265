import Redis from 'ioredis';
import { JobQueue } from '../../src/infrastructure/queues/job-queue.service';
import { JobName, QueueName } from '../../src/infrastructure/queues/queue-names';
import { SCHEDULE_CHECK_MS } from '../../src/scheduling/schedule-registrar';
import { schedules } from '../../src/scheduling/schedules';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { commitNotice, drillNotice, statusesOf } from './support/drill-notices';
import { DrillWaits, recordDrill } from './support/drill-report';
import { DrillRedis, DrillResources, inParallel, tally } from './support/drill-servers';

/**
 * Drill 9 (quality.md): Redis loses everything (FLUSHALL) halfway through 500 changes, each of
 * which commits a notice with its change. Every notice still arrives (the outbox sweep re-enqueues
 * what Redis lost), and every repeatable job (outbox sweep, appeal jobs, and whatever else
 * `schedules()` lists) is back within one minute, with no process restarted: every worker checks
 * the schedules every SCHEDULE_CHECK_MS and upserts the missing ones. The intervals are the
 * defaults (sweep 15 s, others 1 min), as a deployment runs them.
 */
const CHANGES = 500;
const BACK_WITHIN_MS = 60_000;

describe('Drill 9: Redis loses everything in the middle of 500 changes', () => {
  const resources = new DrillResources();
  let t: TestApp;
  let smtp: SmtpSink;
  let redis: DrillRedis;

  beforeAll(async () => {
    redis = resources.add(await DrillRedis.start(), (server) => server.close());
    smtp = resources.add(await SmtpSink.start(), (sink) => sink.stop());
    t = resources.add(await createTestApp({ env: { SMTP_URL: smtp.url, REDIS_URL: redis.url } }), (app) => app.close());
  });

  afterAll(() => resources.release());

  /** The schedules missing from Redis right now. */
  const missing = async (): Promise<string[]> => {
    const jobs = t.get(JobQueue);
    const absent: string[] = [];
    for (const schedule of schedules(t.config)) if (!(await jobs.isScheduled(schedule.job, schedule.everyMs))) absent.push(schedule.job);
    return absent;
  };

  it('delivers every notice and brings every schedule back within a minute, without a restart', async () => {
    await waitFor(async () => (await missing()).length === 0, { timeoutMs: 30_000, description: 'the schedules registered at start' });

    const flusher = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    let flushedAt = 0;
    let flushing: Promise<unknown> | undefined;
    const ids = await inParallel(
      Array.from({ length: CHANGES }, (_, index) => index),
      10,
      async (index) => {
        const id = await commitNotice(t, drillNotice('flush', index, 'email'));
        if (index === CHANGES / 2 && !flushing) flushing = flusher.flushall().then(() => void (flushedAt = Date.now()));
        return id;
      },
    );
    await flushing;
    flusher.disconnect();
    const lostRightAway = await missing();

    // Every schedule comes back by itself; then the sweep runs again and finds what Redis lost.
    const waits = new DrillWaits();
    const back = await waits.settle(
      waitFor(async () => ((await missing()).length === 0 ? Date.now() : undefined), {
        timeoutMs: BACK_WITHIN_MS + 30_000,
        intervalMs: 250,
        description: 'every schedule back',
      }),
    );
    const maintenance = t.get(JobQueue).queue(QueueName.Maintenance);
    const sweptSince = async () =>
      (await maintenance.getJobs(['completed'])).filter((job) => job.name === JobName.SweepOutbox && (job.finishedOn ?? 0) > flushedAt)
        .length;
    await waits.settle(
      waitFor(async () => (await sweptSince()) > 0, {
        timeoutMs: 60_000,
        intervalMs: 500,
        description: 'a sweep after the flush',
      }),
    );

    const received = () => smtp.messages.map((message) => message.notificationId);
    await waits.settle(
      waitFor(() => tally(ids, received()).lost === 0, {
        timeoutMs: 120_000,
        intervalMs: 250,
        description: 'every notice to arrive',
      }),
    );
    const result = tally(ids, received());
    const backAfterMs = back === undefined ? undefined : back - flushedAt;
    recordDrill({
      drill: '9 redis-flushall',
      caused: result.caused,
      delivered: result.delivered,
      duplicates: result.duplicates,
      lost: result.lost,
      note: waits.note(
        `FLUSHALL after ${CHANGES / 2} changes took ${lostRightAway.length} schedules; all back ${backAfterMs === undefined ? 'NEVER' : `after ${Math.round(backAfterMs / 1000)} s`} (checked every ${SCHEDULE_CHECK_MS / 1000} s), no restart; ${await sweptSince()} sweeps since`,
      ),
    });

    expect(lostRightAway.sort()).toEqual(
      schedules(t.config)
        .map((schedule) => schedule.job as string)
        .sort(),
    );
    expect(backAfterMs).toBeDefined();
    expect(backAfterMs!).toBeLessThan(BACK_WITHIN_MS);
    expect(await sweptSince()).toBeGreaterThan(0);
    expect(result.missing).toEqual([]);
    await waitFor(async () => ((await statusesOf(t, ids)).sent === ids.length ? true : undefined), {
      description: 'every row marked sent',
    });
  });
});
