import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { QueueEvents } from 'bullmq';
import Redis from 'ioredis';
import { Client } from 'pg';
import { JobName, QueueName } from '../../src/infrastructure/queues/queue-names';
import { bullPrefix } from '../../src/infrastructure/queues/redis-connection';
import { ADMIN_TOKEN } from '../support/factories';
import { TEST_APP_SECRET } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { CODES_PER_SESSION, requestCode, rootSessions } from './support/drill-accounts';
import { DrillWaits, recordDrill } from './support/drill-report';
import { DrillResources, inParallel, ServiceProcess, startDrillSystem, tally } from './support/drill-servers';

const MESSAGES = 600;
const KILL_AFTER = Math.round(MESSAGES / 2);
const SEQUENCE_MS = 500;
const SWEEP_MS = 2_000;
const ROOT = join(__dirname, '..', '..');

/**
 * Drill 10 (quality.md): scale-out. Two API processes and two worker processes on one PostgreSQL
 * and one Redis, under load (verification codes asked of both APIs in turn, each an outbox row, an
 * audit event and an email). Each repeating job must run once per interval, not once per process
 * (counted from the maintenance queue's completed jobs); the audit sequencer, never twice at once,
 * must leave a log that `audit:verify` accepts. Halfway through, one API and one worker are killed
 * (SIGKILL): every request that was answered must still arrive and be audited.
 */
describe('Drill 10: scale-out, two API and two worker processes, one of each killed', () => {
  const resources = new DrillResources();
  afterAll(() => resources.release());

  it('runs each job once per interval, sequences the audit log once at a time, and loses nothing', async () => {
    const system = await startDrillSystem('scale_out', resources, {
      env: { AUDIT_SEQUENCE_INTERVAL: `${SEQUENCE_MS}ms`, OUTBOX_SWEEP_INTERVAL: `${SWEEP_MS}ms`, SCHEDULER_INTERVAL: `${SWEEP_MS}ms` },
    });
    system.smtp.parse = false;
    const db = resources.add(new Client({ connectionString: system.databaseUrl }), (client) => client.end());
    await db.connect();
    const apis = [await ServiceProcess.start('api-a', system, 'main'), await ServiceProcess.start('api-b', system, 'main')];
    const workers = [await ServiceProcess.start('worker-a', system, 'worker'), await ServiceProcess.start('worker-b', system, 'worker')];
    resources.add([...apis, ...workers], async (all) => {
      for (const process of all) await process.stop();
    });

    // Completed maintenance jobs, by name and scheduled time (job id `repeat:<name>:<millis>`).
    const completed = new Map<string, string[]>();
    const connection = resources.add(new Redis(system.redis.url, { maxRetriesPerRequest: null }), async (redis) => redis.disconnect());
    const events = new QueueEvents(QueueName.Maintenance, { connection, prefix: bullPrefix(system.prefix) });
    resources.add(events, (queueEvents) => queueEvents.close());
    await events.waitUntilReady();
    let counting = false;
    events.on('completed', ({ jobId }) => {
      const match = /^repeat:([^:]+):(\d+)$/.exec(jobId);
      if (!counting || !match) return;
      completed.set(match[1], [...(completed.get(match[1]) ?? []), match[2]]);
    });

    // One code of headroom per session: a request that api-b committed but could not answer is sent again to api-a.
    const sessions = await rootSessions(apis[0].baseUrl!, system.smtp, Math.ceil(MESSAGES / (CODES_PER_SESSION - 1)), 'scale');
    counting = true;
    const windowStart = Date.now();
    let answered = 0;
    let killed = false;
    const slots = Array.from({ length: MESSAGES }, (_, index) => sessions[index % sessions.length]);
    const statuses = await inParallel(slots, 16, async (session, index) => {
      if (index === KILL_AFTER && !killed) {
        killed = true;
        apis[1].kill('SIGKILL');
        workers[1].kill('SIGKILL');
      }
      // In turn to both APIs; once one is gone, its share goes to the other (as a load balancer would).
      for (const api of index % 2 && apis[1].running ? [apis[1], apis[0]] : [apis[0]]) {
        const answer = await requestCode(api.baseUrl!, session).catch(() => undefined);
        if (answer) {
          if (answer.status === 201) answered += 1;
          return answer.status;
        }
      }
      return 0;
    });
    const windowMs = Date.now() - windowStart;
    counting = false;

    const [victimApi, victimWorker] = [await apis[1].exited, await workers[1].exited];
    const codes = () => system.smtp.messages.filter((message) => message.template === 'verification-code');
    const ids = (await db.query<{ id: string }>(`SELECT id FROM notifications WHERE template = 'verification-code'`)).rows.map(
      (row) => row.id,
    );
    const count = () =>
      tally(
        ids,
        codes().map((message) => message.notificationId),
      );
    const waits = new DrillWaits();
    await waits.settle(waitFor(() => count().lost === 0, { timeoutMs: 150_000, intervalMs: 250, description: 'every code to arrive' }));
    const result = count();

    // Every audit event sequenced, then the whole log verified by the command operators run.
    await waitFor(
      async () =>
        (await db.query(`SELECT 1 FROM audit_events e WHERE NOT EXISTS (SELECT 1 FROM audit_leaves l WHERE l.event_id = e.seq) LIMIT 1`))
          .rowCount === 0,
      { timeoutMs: 60_000, intervalMs: 250, description: 'every audit event to be sequenced' },
    );
    const [{ issued }] = (
      await db.query<{ issued: number }>(`SELECT count(*)::int AS issued FROM audit_events WHERE action = 'challenge.created'`)
    ).rows;
    const verify = await promisify(execFile)(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'audit:verify'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        LOG_LEVEL: 'silent',
        APP_SECRET: TEST_APP_SECRET,
        ADMIN_API_TOKEN: ADMIN_TOKEN,
        DATA_DIR: system.dataDir,
        DATABASE_URL: system.databaseUrl,
        REDIS_URL: system.redis.url,
        REDIS_PREFIX: system.prefix,
      },
    }).then(
      (out) => ({ code: 0, stdout: out.stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );

    const runs = (job: JobName) => completed.get(job) ?? [];
    const allowed = (everyMs: number) => Math.ceil(windowMs / everyMs) + 2;
    const jobs = { [JobName.SequenceAudit]: SEQUENCE_MS, [JobName.SweepOutbox]: SWEEP_MS, [JobName.WatchAppealSla]: SWEEP_MS };
    const perJob = Object.entries(jobs).map(([job, everyMs]) => ({
      job,
      runs: runs(job as JobName).length,
      allowed: allowed(everyMs),
      distinct: new Set(runs(job as JobName)).size,
    }));
    recordDrill({
      drill: '10 scale-out',
      caused: result.caused,
      delivered: result.delivered,
      duplicates: result.duplicates,
      lost: result.lost,
      note: waits.note(
        `2 api + 2 workers, one of each SIGKILLed at ${KILL_AFTER}; ${answered} answered 201; jobs in ${Math.round(windowMs / 1000)} s: ${perJob.map((one) => `${one.job} ${one.runs}/${one.allowed}`).join(', ')}; audit:verify ${verify.stdout.trim()}`,
      ),
    });

    expect([victimApi.signal, victimWorker.signal]).toEqual(['SIGKILL', 'SIGKILL']);
    expect(statuses.filter((status) => status !== 201)).toEqual([]);
    expect(result.caused).toBeGreaterThanOrEqual(answered);
    expect(result.missing).toEqual([]);
    expect(issued).toBeGreaterThanOrEqual(answered);
    for (const one of perJob) {
      expect([one.job, one.runs <= one.allowed, one.runs === one.distinct]).toEqual([one.job, true, true]);
    }
    expect(perJob.find((one) => one.job === JobName.SequenceAudit)!.runs).toBeGreaterThan(0);
    expect(verify).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ok \d+ events, \d+ checkpoints\n$/) });
  });
});
