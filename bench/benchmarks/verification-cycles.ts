import { extractCode } from '../../tools/smtp-sink';
import { Benchmark } from '../lib/benchmark';
import { HttpClient } from '../lib/http';
import { MailWaiter } from '../lib/mail-waiter';
import { percentile } from '../lib/report';
import { codeClients, RootSessionPool } from '../lib/root-sessions';

const CLIENTS = 32;
const TARGET = 300;

/**
 * Complete identity verifications per second, closed loop, 32 clients: ask for an email code,
 * receive it at the SMTP sink, send it back, get the verification token. Every cycle goes
 * through the real limits, so the clients spread over enough accounts.
 */
export const verificationCycles: Benchmark = {
  name: 'verification-cycles',
  description: 'complete verification cycles per second (code by email, verify, token), closed loop, 32 clients',
  async run(context) {
    const system = await context.system();
    const warmUpMs = context.quick ? 1_000 : 3_000;
    const durationMs = context.quick ? 3_000 : 15_000;
    const clients = codeClients(system, CLIENTS, 'bench-cycles');
    const { http, mail, pool } = clients;
    try {
      // Sign in enough accounts for the warm-up at the target rate, then for the measured run at
      // half again the rate the warm-up reached (a cold service is slower), and at least a fifth
      // above the target: accounts are never signed in during the run.
      await pool.add((TARGET * warmUpMs) / 1000);
      const warmUp = await cycle(http, mail, pool, warmUpMs);
      await pool.add(Math.max(0, (Math.max(warmUp.rate * 1.5, TARGET * 1.2) * durationMs) / 1000 - pool.codesLeft));
      const measured = await cycle(http, mail, pool, durationMs);
      context.log(
        `verification-cycles: ${measured.rate.toFixed(1)} cycles/s with ${CLIENTS} clients (cycle p50 ${percentile(measured.latencies, 50).toFixed(0)} ms, ` +
          `p99 ${percentile(measured.latencies, 99).toFixed(0)} ms)${measured.exhausted ? '; the accounts ran out before the end' : ''}`,
      );
      return [
        {
          benchmark: 'verification-cycles',
          figure: 'verification cycles per second',
          value: Math.round(measured.rate * 10) / 10,
          unit: '/s',
          target: `≥ ${TARGET}/s (closed loop, ${CLIENTS} clients)`,
          met: measured.rate >= TARGET,
        },
      ];
    } finally {
      clients.close();
    }
  },
};

async function cycle(
  http: HttpClient,
  mail: MailWaiter,
  pool: RootSessionPool,
  durationMs: number,
): Promise<{ rate: number; latencies: number[]; exhausted: boolean }> {
  const latencies: number[] = [];
  let cycles = 0;
  let exhausted = false;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < deadline) {
        const session = pool.take();
        if (!session) {
          exhausted = true;
          return;
        }
        const at = performance.now();
        const auth = { Authorization: `Bearer ${session.token}` };
        const mailed = mail.expect(session.email, 'verification-code');
        const started = await http.post('/api/v1/verifications', { purpose: 'change_password', method: 'email' }, auth);
        if (started.status !== 201) {
          mailed.cancel();
          throw new Error(`starting a verification answered ${started.status}: ${started.body}`);
        }
        const { id } = JSON.parse(started.body) as { id: string };
        const code = extractCode((await mailed.arrival).text);
        await http.postExpecting<{ verificationToken: string }>(200, `/api/v1/verifications/${id}/verify`, { code }, auth);
        latencies.push(performance.now() - at);
        cycles += 1;
      }
    }),
  );
  return { rate: cycles / ((performance.now() - started) / 1000), latencies, exhausted };
}
