import { Client } from 'pg';
import { waitFor } from '../support/wait-for';
import { CODES_PER_SESSION, requestCode, rootSessions } from './support/drill-accounts';
import { DrillWaits, recordDrill } from './support/drill-report';
import { DrillResources, ServiceProcess, startDrillSystem, tally } from './support/drill-servers';

/**
 * Drill 7 (docs/reliability.md): the service (PROCESS_ROLE=all: API and workers in one process) is sent
 * SIGTERM while 24 clients keep asking for verification codes. Every request it had taken is
 * answered, it exits 0 within 10 s, and no message is lost: whatever it had not delivered yet
 * (queued jobs, rows it had not enqueued) is delivered by the worker started after it.
 *
 * The clients send nothing new once the signal is sent: the process stops listening at once, so
 * a request sent after it is refused by design (a load balancer in front would have sent it
 * elsewhere). Each client has one request in flight at that moment, and every one must be answered.
 */
const CLIENTS = 24;
const SIGNAL_AFTER = 150;
const SHUTDOWN_LIMIT_MS = 10_000;

interface Outcome {
  readonly status?: number;
  readonly error?: string;
  readonly endedAt: number;
}

describe('Drill 7: SIGTERM under load', () => {
  const resources = new DrillResources();
  afterAll(() => resources.release());

  it('answers every request in flight, loses no job, and exits 0 within 10 s', async () => {
    const system = await startDrillSystem('sigterm', resources, { env: { OUTBOX_SWEEP_INTERVAL: '1s' } });
    const db = resources.add(new Client({ connectionString: system.databaseUrl }), (client) => client.end());
    await db.connect();
    const service = resources.add(await ServiceProcess.start('all', system, 'main', { PROCESS_ROLE: 'all' }), (process) => process.stop());
    const sessions = await rootSessions(service.baseUrl!, system.smtp, 40, 'term');
    const budget = sessions.length * CODES_PER_SESSION;

    const outcomes: Outcome[] = [];
    let issued = 0;
    let stopIssuing = false;
    const clients = Array.from({ length: CLIENTS }, async () => {
      while (!stopIssuing && issued < budget) {
        // Round robin over the sessions, so no account has two codes in flight.
        const session = sessions[issued % sessions.length];
        issued += 1;
        try {
          const response = await requestCode(service.baseUrl!, session);
          outcomes.push({ status: response.status, endedAt: Date.now() });
        } catch (error) {
          const cause = (error as Error & { cause?: Error }).cause;
          outcomes.push({ error: `${(error as Error).message}${cause ? `: ${cause.message}` : ''}`, endedAt: Date.now() });
        }
      }
    });
    await waitFor(() => outcomes.length >= SIGNAL_AFTER, { timeoutMs: 60_000, description: `${SIGNAL_AFTER} answers before the signal` });
    stopIssuing = true;
    const signalledAt = Date.now();
    service.kill('SIGTERM');
    await Promise.all(clients);
    const exit = await service.exited;
    const shutdownMs = exit.at - signalledAt;
    const answeredAfterSignal = outcomes.filter((outcome) => outcome.endedAt >= signalledAt).length;
    const arrivedBeforeExit = system.smtp.messages.filter((message) => message.template === 'verification-code').length;

    // Whatever the process left undelivered, a worker started after it delivers.
    resources.add(await ServiceProcess.start('worker', system, 'worker'), (process) => process.stop());
    const ids = (await db.query<{ id: string }>(`SELECT id FROM notifications WHERE template = 'verification-code'`)).rows.map(
      (row) => row.id,
    );
    const received = () =>
      system.smtp.messages.filter((message) => message.template === 'verification-code').map((message) => message.notificationId);
    const waits = new DrillWaits();
    await waits.settle(
      waitFor(() => tally(ids, received()).lost === 0, {
        timeoutMs: 60_000,
        intervalMs: 250,
        description: 'every code to arrive',
      }),
    );
    const result = tally(ids, received());
    const answered = outcomes.filter((outcome) => outcome.status === 201).length;
    const failed = outcomes.filter((outcome) => outcome.status !== 201);
    recordDrill({
      drill: '7 sigterm-under-load',
      caused: result.caused,
      delivered: result.delivered,
      duplicates: result.duplicates,
      lost: result.lost,
      note: waits.note(
        `${issued} requests, ${answeredAfterSignal} answered after SIGTERM, ${failed.length} not answered 201; exit ${exit.code ?? exit.signal} after ${(shutdownMs / 1000).toFixed(1)} s; ${arrivedBeforeExit} delivered before it exited, ${result.delivered - arrivedBeforeExit} by the next worker`,
      ),
    });

    expect(answeredAfterSignal).toBeGreaterThan(0);
    expect(failed).toEqual([]);
    expect(answered).toBe(issued);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(shutdownMs).toBeLessThan(SHUTDOWN_LIMIT_MS);
    expect(result.caused).toBe(answered);
    expect(result.missing).toEqual([]);
  });
});
