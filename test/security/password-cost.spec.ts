import { randomBytes, randomUUID } from 'node:crypto';
import { PasswordPolicy } from '../../src/modules/accounts/password-policy';
import { AccountsModule } from '../../src/modules/accounts/accounts.module';
import { AppealsModule } from '../../src/modules/appeals/appeals.module';
import { BackofficeModule } from '../../src/modules/backoffice/backoffice.module';
import { createAgent, pageToken, signInAgent } from '../support/agents';
import { api, bearer, createAccount, signIn, uniqueEmail, uniqueIp } from '../support/factories';
import { Inbox } from '../support/inbox';
import { mainThreadCpuMs } from '../support/main-thread-cpu';
import { createTestApp, TestApp } from '../support/test-app';
import { verificationToken } from '../support/verification';
import { median } from '../support/timing';

/** quality.md's bound: no request costs more than this much of the event loop's CPU, whatever its input. */
const MAIN_THREAD_BUDGET_MS = 50;
const randomPassword = (length: number) => randomBytes(length).toString('base64').slice(0, length);

/**
 * A password-strength check must not stall the event loop. A 128-character random password made
 * the scorer spend 2.3 s of the main thread, before the recovery it was sent to was even looked
 * up; six such requests starved every other client. Each path that takes a new password is sent
 * long random ones, and the main thread's own CPU time (not wall time: other processes and a GC
 * pause are no failure; the scorer's thread and argon2's pool are not the event loop) is measured
 * around each request.
 */
describe('Password strength checks and the event loop', () => {
  let inbox: Inbox;
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ inbox: true, env: { TRUST_PROXY: 'loopback' } });
    ({ inbox } = t);
  });
  afterAll(() => t.close());

  /** Main-thread CPU ms of each call of `send` (one warm-up first: code paths compile, the scorer thread starts), and its answers. */
  async function cost(
    send: (password: string) => Promise<{ status: number }>,
    lengths = [128, 1024],
  ): Promise<{ worst: number; statuses: number[] }> {
    await send(randomPassword(128));
    let worst = 0;
    const statuses: number[] = [];
    for (const length of [...lengths, ...lengths]) {
      const before = mainThreadCpuMs();
      const answer = await send(randomPassword(length));
      worst = Math.max(worst, mainThreadCpuMs() - before);
      statuses.push(answer.status);
    }
    return { worst, statuses };
  }

  it('looks an unknown recovery up (and counts the attempt) before any password work', async () => {
    const { worst, statuses } = await cost(() =>
      api(t)
        .post(`/api/v1/password-recoveries/${randomUUID()}/reset`)
        .set('X-Forwarded-For', uniqueIp())
        .send({ code: '000000', newPassword: randomPassword(128) }),
    );
    expect(statuses.every((status) => status === 400)).toBe(true);
    expect(worst).toBeLessThan(MAIN_THREAD_BUDGET_MS);

    const id = randomUUID();
    const again = () =>
      api(t)
        .post(`/api/v1/password-recoveries/${id}/reset`)
        .set('X-Forwarded-For', uniqueIp())
        .send({ code: '000000', newPassword: 'short' });
    const first = await again().expect(400);
    expect(first.body).toMatchObject({ code: 'VERIFICATION_CODE_INVALID', attemptsRemaining: 4 });
  });

  it('scores off the event loop on a real recovery', async () => {
    const started = await api(t)
      .post('/api/v1/password-recoveries')
      .set('X-Forwarded-For', uniqueIp())
      .send({ login: uniqueEmail('nobody'), method: 'email' })
      .expect(202);
    const id = started.body.recoveryId as string;
    const { worst, statuses } = await cost(
      (newPassword) =>
        api(t).post(`/api/v1/password-recoveries/${id}/reset`).set('X-Forwarded-For', uniqueIp()).send({ code: '000000', newPassword }),
      [128, 1024],
    );
    expect(statuses.every((status) => [400, 422, 423].includes(status))).toBe(true);
    expect(worst).toBeLessThan(MAIN_THREAD_BUDGET_MS);
  });

  /** Main-thread CPU ms of one call of `send`. */
  async function measured<T>(send: () => Promise<T>): Promise<{ cpu: number; answer: T }> {
    const before = mainThreadCpuMs();
    const answer = await send();
    return { cpu: mainThreadCpuMs() - before, answer };
  }

  it('scores off the event loop on a password change', async () => {
    const account = await createAccount(t);
    let current = account.password;
    const costs: number[] = [];
    for (let n = 0; n < 4; n += 1) {
      // An accepted change signs every session out: a new session and verification each time, outside the measurement.
      const session = await signIn(t, account.logonEmail, current);
      const verification = await verificationToken(t, inbox, session, 'change_password', account.logonEmail);
      const newPassword = randomPassword(128);
      const { cpu, answer } = await measured(() =>
        api(t).post('/api/v1/account/password').set(bearer(session)).send({ verificationToken: verification, newPassword }),
      );
      expect(answer.status).toBe(200);
      current = newPassword;
      if (n > 0) costs.push(cpu);
    }
    // The median of three: the process also runs this app's workers and the test client, whose
    // turns can land inside one measurement; a scorer on the event loop costs seconds every time.
    expect(median(costs)).toBeLessThan(MAIN_THREAD_BUDGET_MS);
  });

  it("scores off the event loop on an agent's password change", async () => {
    const agent = await createAgent(t);
    const client = await signInAgent(t, agent);
    let current = agent.password;
    const costs: number[] = [];
    for (let n = 0; n < 4; n += 1) {
      const csrf = await pageToken(client, '/agent/me');
      const newPassword = randomPassword(128);
      const { cpu, answer } = await measured(() =>
        client.post('/agent/me').type('form').send({ _csrf: csrf, action: 'change-password', currentPassword: current, newPassword }),
      );
      expect(answer.status).toBe(303);
      current = newPassword;
      if (n > 0) costs.push(cpu);
    }
    // The median of three: the process also runs this app's workers and the test client, whose
    // turns can land inside one measurement; a scorer on the event loop costs seconds every time.
    expect(median(costs)).toBeLessThan(MAIN_THREAD_BUDGET_MS);
  });

  it('holds one policy (one scorer thread, one copy of the dictionaries) for every module', () => {
    const instances = [AccountsModule, AppealsModule, BackofficeModule].map((module) =>
      t.app.select(module).get(PasswordPolicy, { strict: false }),
    );
    expect(new Set(instances).size).toBe(1);
  });
});
