import * as argon2 from 'argon2';
import { cpus } from 'node:os';
import { PASSWORD_HASH_OPTIONS } from '../../src/common/crypto/password-hasher';
import { extractCode, SmtpSink } from '../../tools/smtp-sink';
import { Benchmark } from '../lib/benchmark';
import { HttpClient } from '../lib/http';
import { MailWaiter } from '../lib/mail-waiter';
import { percentile } from '../lib/report';

const TARGET_RATIO = 0.9;
const PASSWORD = 'bench password 0123456789';

/**
 * Password sign-ins per second from known devices (closed loop), beside the rate at which this
 * machine computes argon2id hashes with the same parameters, one per core at a time. A sign-in is
 * one argon2id verification plus its database and Redis work, so the hash rate is its ceiling.
 * Shared machines drift, so the two are measured in alternating windows and compared by median.
 */
export const signIn: Benchmark = {
  name: 'sign-in',
  description: 'password sign-ins per second from known devices, beside argon2id hashes per second on the same cores',
  async run(context) {
    const system = await context.system();
    const cores = cpus().length;
    const rounds = context.quick ? 3 : 7;
    const windowMs = context.quick ? 1_000 : 3_000;
    const clients = new SignInClients(system.baseUrl, cores * 4);

    await clients.provision(system.adminToken);
    // The first sign-in from each device answers 202 and its emailed code makes the device known;
    // every measured sign-in comes from a known device (run() refuses anything but 201).
    await clients.trustDevices(system.smtp);
    await clients.run(0);

    const hashRates: number[] = [];
    const signInRates: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      hashRates.push(await hashRate(cores, windowMs));
      signInRates.push(await clients.run(windowMs));
    }
    clients.close();
    const rate = median(signInRates);
    const limit = median(hashRates);
    const ratio = rate / limit;
    context.log(
      `sign-in: ${rate.toFixed(1)} sign-ins/s (p50 ${percentile(clients.latencies, 50).toFixed(0)} ms, p99 ${percentile(clients.latencies, 99).toFixed(0)} ms, ` +
        `${clients.count} clients) beside ${limit.toFixed(1)} argon2id hashes/s (${cores} at a time); windows: ` +
        `sign-ins ${signInRates.map((value) => value.toFixed(0)).join(' ')}, hashes ${hashRates.map((value) => value.toFixed(0)).join(' ')}`,
    );
    return [
      {
        benchmark: 'sign-in',
        figure: 'sign-ins per second',
        value: round1(rate),
        unit: '/s',
        limit: { name: `argon2id hashes per second, m=19456 KiB t=2 p=1, ${cores} at a time`, value: round1(limit), unit: '/s' },
        ratio: Math.round(ratio * 1000) / 1000,
        target: `≥ ${TARGET_RATIO * 100}% of the hash rate`,
        met: ratio >= TARGET_RATIO,
      },
    ];
  },
};

/** Closed-loop clients, each signing one account in from its own device over a kept-alive connection. */
class SignInClients {
  readonly latencies: number[] = [];
  private readonly http: HttpClient;
  private logins: { login: string; deviceId: string }[] = [];

  constructor(
    baseUrl: string,
    readonly count: number,
  ) {
    this.http = new HttpClient(baseUrl, count);
  }

  async provision(adminToken: string): Promise<void> {
    const stamp = Date.now().toString(36);
    this.logins = await Promise.all(
      Array.from({ length: this.count }, async (_, n) => {
        const login = `bench-sign-in-${stamp}-${n}@example.com`;
        await this.http.postExpecting(
          201,
          '/api/admin/accounts',
          { logonEmail: login, password: PASSWORD },
          { Authorization: `Bearer ${adminToken}` },
        );
        return { login, deviceId: `bench-device-${n}-0123456789abcdef` };
      }),
    );
  }

  /** Signs each client in once from its device, answering the secondary challenge with the code the SMTP sink caught. */
  async trustDevices(smtp: SmtpSink): Promise<void> {
    const mail = new MailWaiter(smtp);
    try {
      await Promise.all(
        this.logins.map(async ({ login, deviceId }) => {
          const mailed = mail.expect(login, 'sign-in-code');
          const { challengeId } = await this.http.postExpecting<{ challengeId: string }>(
            202,
            '/api/v1/sessions',
            { login, password: PASSWORD },
            { 'X-Device-Id': deviceId },
          );
          const code = extractCode((await mailed.arrival).text);
          await this.http.postExpecting(201, '/api/v1/sessions/secondary', { challengeId, code }, { 'X-Device-Id': deviceId });
        }),
      );
    } finally {
      mail.close();
    }
  }

  /** Signs in from every client in a loop for `durationMs` (at least once each); returns sign-ins per second. */
  async run(durationMs: number): Promise<number> {
    let done = 0;
    const started = Date.now();
    const deadline = started + durationMs;
    await Promise.all(
      this.logins.map(async ({ login, deviceId }) => {
        do {
          const at = performance.now();
          const { status } = await this.http.post('/api/v1/sessions', { login, password: PASSWORD }, { 'X-Device-Id': deviceId });
          if (status !== 201) throw new Error(`sign-in answered ${status}`);
          if (durationMs > 0) this.latencies.push(performance.now() - at);
          done += 1;
        } while (Date.now() < deadline);
      }),
    );
    return done / ((Date.now() - started) / 1000);
  }

  close(): void {
    this.http.close();
  }
}

/** argon2id hashes per second with the service's parameters, `parallel` at a time, for `durationMs`. */
async function hashRate(parallel: number, durationMs: number): Promise<number> {
  let hashes = 0;
  const started = Date.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (Date.now() < deadline) {
        await argon2.hash(PASSWORD, PASSWORD_HASH_OPTIONS);
        hashes += 1;
      }
    }),
  );
  return hashes / ((Date.now() - started) / 1000);
}

function median(values: number[]): number {
  return percentile(values, 50);
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
