import { Client } from 'pg';
import { waitFor } from '../support/wait-for';
import { CODES_PER_SESSION, requestCode, rootSessions } from './support/drill-accounts';
import { DrillWaits, recordDrill } from './support/drill-report';
import { DrillResources, inParallel, ServiceProcess, startDrillSystem, tally } from './support/drill-servers';

/**
 * Drill 2 (docs/reliability.md): one API process writes 2,000 verification codes while two worker
 * processes deliver them; one worker is killed with SIGKILL once a third of them has arrived,
 * then started again. Every message must arrive at least once; a message the dead worker had
 * handed to SMTP but not yet marked sent arrives twice, and is counted.
 */
const MESSAGES = 2_000;
const KILL_AFTER = Math.round(MESSAGES / 3);

describe('Drill 2: a worker process is killed (SIGKILL) in the middle of 2,000 deliveries', () => {
  const resources = new DrillResources();
  afterAll(() => resources.release());

  it('delivers every message at least once, duplicates counted', async () => {
    const system = await startDrillSystem('worker_kill', resources);
    // Accepting is what counts here; parsing 2,000 bodies would take the cores from the service.
    system.smtp.parse = false;
    const db = resources.add(new Client({ connectionString: system.databaseUrl }), (client) => client.end());
    await db.connect();
    const api = resources.add(await ServiceProcess.start('api', system, 'main'), (process) => process.stop());
    const workers = [await ServiceProcess.start('worker-a', system, 'worker'), await ServiceProcess.start('worker-b', system, 'worker')];
    resources.add(workers, async (all) => {
      for (const worker of all) await worker.stop();
    });
    const sessions = await rootSessions(api.baseUrl!, system.smtp, Math.ceil(MESSAGES / CODES_PER_SESSION), 'kill');

    const codes = () => system.smtp.messages.filter((message) => message.template === 'verification-code');
    const victim = workers[0];
    let killedAt = 0;
    let arrivedBeforeKill = 0;
    const stopListening = system.smtp.onMessage(() => {
      if (killedAt || codes().length < KILL_AFTER) return;
      victim.kill('SIGKILL');
      killedAt = Date.now();
      arrivedBeforeKill = codes().length;
    });
    // A replacement starts as soon as the victim is gone, while the API still writes.
    const replacement = victim.exited.then(async (exit) => {
      const worker = await ServiceProcess.start('worker-a2', system, 'worker');
      workers.push(worker);
      return { exit, worker };
    });

    // Round robin over the sessions, so no account has two codes in flight.
    const slots = Array.from({ length: MESSAGES }, (_, index) => sessions[index % sessions.length]);
    const statuses = await inParallel(slots, 32, async (session) => (await requestCode(api.baseUrl!, session)).status);
    const answered = statuses.filter((status) => status === 201).length;

    const { exit } = await replacement;
    stopListening();
    const causedIds = async () =>
      (await db.query<{ id: string }>(`SELECT id FROM notifications WHERE template = 'verification-code'`)).rows.map((row) => row.id);
    const ids = await causedIds();
    const count = () =>
      tally(
        ids,
        codes().map((message) => message.notificationId),
      );
    const waits = new DrillWaits();
    await waits.settle(waitFor(() => count().lost === 0, { timeoutMs: 150_000, intervalMs: 250, description: 'every code to arrive' }));
    const result = count();
    const { rows: statusRows } = await db.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM notifications WHERE template = 'verification-code' GROUP BY status ORDER BY status`,
    );
    const byStatus = Object.fromEntries(statusRows.map((row) => [row.status, row.n]));
    const recovery = codes().length
      ? Math.round((Math.max(...codes().map((message) => message.receivedAt.getTime())) - killedAt) / 1000)
      : 0;
    recordDrill({
      drill: '2 worker-sigkill',
      caused: result.caused,
      delivered: result.delivered,
      duplicates: result.duplicates,
      lost: result.lost,
      note: waits.note(
        `worker killed after ${arrivedBeforeKill} arrived, restarted; last arrival ${recovery} s after the kill; rows ${JSON.stringify(byStatus)}`,
      ),
    });

    expect(exit.signal).toBe('SIGKILL');
    expect(arrivedBeforeKill).toBeLessThan(MESSAGES);
    expect(answered).toBe(MESSAGES);
    expect(result.caused).toBe(MESSAGES);
    expect(result.missing).toEqual([]);
    await waitFor(
      async () => (await db.query(`SELECT 1 FROM notifications WHERE template = 'verification-code' AND status <> 'sent'`)).rowCount === 0,
      {
        // A message the killed worker handed to SMTP but had not marked yet is sent again (and
        // marked) once BullMQ sees its job stalled: after the lock duration, not at once.
        timeoutMs: 90_000,
        intervalMs: 500,
        description: 'every row marked sent',
      },
    );
  });
});
