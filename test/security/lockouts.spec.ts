import supertest from 'supertest';
import { CHALLENGE_RULES } from '../../src/modules/challenges/challenge-limits';
import { LOGIN_THROTTLE } from '../../src/modules/accounts/login-throttle.service';
import { AGENT_LOCKOUT } from '../../src/modules/agents/agent-sign-in-lockout.service';
import { createAgent, pageToken } from '../support/agents';
import { appealBody } from '../support/appeals';
import { api, bearer, createAccount, KNOWN_DEVICE_ID, signIn, trustDevice, uniqueEmail, uniqueIp } from '../support/factories';
import { Inbox } from '../support/inbox';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Failures of flows that anyone can start (recovery, sign-in, agent sign-in) never lock the
 * owner's or an agent's own way in; throttles keyed on an address count IPv6 by /64.
 */
describe('Lockouts that strangers could abuse', () => {
  let inbox: Inbox;
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ inbox: true, env: { TRUST_PROXY: 'loopback' } });
    ({ inbox } = t);
  });

  afterAll(() => t.close());

  const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  const startRecovery = (login: string, method: 'email' | 'sms', ip = uniqueIp()) =>
    api(t).post('/api/v1/password-recoveries').set('X-Forwarded-For', ip).send({ login, method });
  const resetWith = (id: string, code: string, ip = uniqueIp(), newPassword = 'a brand new long passphrase 5') =>
    api(t).post(`/api/v1/password-recoveries/${id}/reset`).set('X-Forwarded-For', ip).send({ code, newPassword });
  const signInFrom = (login: string, password: string, ip: string, deviceId?: string) => {
    const request = api(t).post('/api/v1/sessions').set('X-Forwarded-For', ip);
    return (deviceId ? request.set('X-Device-Id', deviceId) : request).send({ login, password });
  };
  const outboxCount = async (template: string, recipient: string) =>
    Number(
      (
        (await t.dataSource.query(`SELECT count(*)::int AS n FROM notifications WHERE template = $1 AND recipient = $2`, [
          template,
          recipient,
        ])) as { n: number }[]
      )[0].n,
    );

  /** Signs in from a new device (202), then completes it with the code sent: the owner's own way in. */
  async function signInFromNewDevice(login: string, password: string): Promise<void> {
    const ip = uniqueIp();
    const deviceId = `new-device-${uniqueIp()}-0123456789`;
    const { result, code } = await inbox.codeAfter(login, 'sign-in-code', () => signInFrom(login, password, ip, deviceId).expect(202));
    await api(t)
      .post('/api/v1/sessions/secondary')
      .set('X-Forwarded-For', ip)
      .set('X-Device-Id', deviceId)
      .send({ challengeId: result.body.challengeId as string, code })
      .expect(201);
  }

  describe('finding 3: failed recoveries', () => {
    it('four recoveries with five wrong codes each leave the owner free to sign in from a new device, verify, and hear of it', async () => {
      const account = await createAccount(t);
      for (let recovery = 0; recovery < 4; recovery += 1) {
        const { result, code } = await inbox.codeAfter(account.logonEmail, 'password-recovery-code', () =>
          startRecovery(account.logonEmail, 'email').expect(202),
        );
        for (let attempt = 0; attempt < CHALLENGE_RULES.attemptsPerChallenge; attempt += 1)
          await resetWith(result.body.recoveryId as string, wrong(code)).expect(400);
      }
      await signInFromNewDevice(account.logonEmail, account.password);
      const token = await signIn(t, account.logonEmail, account.password);
      const { result, code } = await inbox.codeAfter(account.logonEmail, 'verification-code', () =>
        api(t).post('/api/v1/verifications').set(bearer(token)).send({ purpose: 'change_password', method: 'email' }).expect(201),
      );
      await api(t)
        .post(`/api/v1/verifications/${result.body.id as string}/verify`)
        .set(bearer(token))
        .send({ code })
        .expect(200);

      expect(await outboxCount('verification-locked', account.logonEmail)).toBe(0);
      const notice = await inbox.latest(account.logonEmail, 'recovery-failures');
      expect(notice.text).toContain(account.uid);
      // Once an hour at most, however many wrong codes.
      expect(await outboxCount('recovery-failures', account.logonEmail)).toBe(1);
    });

    it('wrong codes against a decoy recovery (the account lacks the method) never lock the account, and its owner is told', async () => {
      const account = await createAccount(t); // no secure phone: a recovery by SMS is a decoy
      // 20 wrong codes: the login's recovery bucket is full.
      for (let recovery = 0; recovery < 4; recovery += 1) {
        const id = (await startRecovery(account.logonEmail, 'sms').expect(202)).body.recoveryId as string;
        for (let attempt = 0; attempt < CHALLENGE_RULES.attemptsPerChallenge; attempt += 1) await resetWith(id, '123456').expect(400);
      }
      expect((await startRecovery(account.logonEmail, 'sms').expect(429)).body.code).toBe('RATE_LIMITED');
      await signInFromNewDevice(account.logonEmail, account.password);
      expect(await outboxCount('verification-locked', account.logonEmail)).toBe(0);
      await inbox.latest(account.logonEmail, 'recovery-failures');
    });

    it('holds back recoveries from an address that typed too many wrong codes, whatever the login, alike with and without an account', async () => {
      const ip = uniqueIp();
      for (let n = 0; n < 10; n += 1) {
        const id = (await startRecovery(uniqueEmail('nobody'), 'email', uniqueIp()).expect(202)).body.recoveryId as string;
        for (let attempt = 0; attempt < CHALLENGE_RULES.attemptsPerChallenge; attempt += 1) await resetWith(id, '123456', ip).expect(400);
      }
      const account = await createAccount(t);
      const held = await startRecovery(account.logonEmail, 'email', ip).expect(429);
      expect(Number(held.headers['retry-after'])).toBeGreaterThan(0);
      await startRecovery(uniqueEmail('nobody'), 'email', ip).expect(429);
      await startRecovery(account.logonEmail, 'email').expect(202);
    });
  });

  describe('finding 6: agent sign-in', () => {
    const attempt = async (ip: string, fields: Record<string, string>) => {
      const client = supertest.agent(t.app.getHttpServer());
      const csrf = await pageToken(client, '/agent/login');
      return client
        .post('/agent/login')
        .set('X-Forwarded-For', ip)
        .type('form')
        .send({ _csrf: csrf, ...fields });
    };

    it('five wrong passwords from five other networks do not lock the agent out of their own', async () => {
      const agent = await createAgent(t, { role: 'admin' });
      for (let n = 1; n <= AGENT_LOCKOUT.failures; n += 1)
        expect((await attempt(`203.0.${100 + n}.9`, { email: agent.email, password: `guess ${n}` })).status).toBe(401);
      expect((await attempt('192.0.2.10', { email: agent.email, password: agent.password })).status).toBe(303);
    });

    it('five failures from one network lock that email on that network only (IPv4 /24, IPv6 /64)', async () => {
      const agent = await createAgent(t, { role: 'supervisor' });
      for (let n = 1; n <= AGENT_LOCKOUT.failures; n += 1)
        expect((await attempt(`198.18.7.${n}`, { email: agent.email, password: `guess ${n}` })).status).toBe(401);
      const locked = await attempt('198.18.7.200', { email: agent.email, password: agent.password });
      expect(locked.status).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(14 * 60);
      expect((await attempt('198.18.8.1', { email: agent.email, password: agent.password })).status).toBe(303);

      const other = await createAgent(t);
      for (let n = 1; n <= AGENT_LOCKOUT.failures; n += 1)
        await attempt(`2001:db8:77:1:${n}::1`, { email: other.email, password: `guess ${n}` });
      expect((await attempt('2001:db8:77:1:ffff::2', { email: other.email, password: other.password })).status).toBe(429);
      expect((await attempt('2001:db8:77:2::1', { email: other.email, password: other.password })).status).toBe(303);
    });
  });

  describe('finding 7: the owner sign-in throttle', () => {
    const throttle = async (login: string) => {
      for (let n = 0; n < LOGIN_THROTTLE.threshold; n += 1) await signInFrom(login, `wrong password ${n}`, uniqueIp()).expect(401);
      await signInFrom(login, 'anything', uniqueIp()).expect(429);
    };

    it('a completed password recovery clears the login count', async () => {
      const account = await createAccount(t);
      await throttle(account.logonEmail);
      await signInFrom(account.logonEmail, account.password, uniqueIp(), KNOWN_DEVICE_ID).expect(429);
      const { result, code } = await inbox.codeAfter(account.logonEmail, 'password-recovery-code', () =>
        startRecovery(account.logonEmail, 'email').expect(202),
      );
      await resetWith(result.body.recoveryId as string, code, uniqueIp(), 'the owner chose this passphrase 8').expect(200);
      await signInFromNewDevice(account.logonEmail, 'the owner chose this passphrase 8');
    });

    it('lets the right password through from a device and network the account trusts, and nothing else', async () => {
      const account = await createAccount(t);
      const home = uniqueIp();
      await trustDevice(t, account.uid, KNOWN_DEVICE_ID, home);
      await throttle(account.logonEmail);
      // Another device, or the trusted device elsewhere, or a wrong password: still 429 (and not counted).
      await signInFrom(account.logonEmail, account.password, home, 'some-other-device-0123456789').expect(429);
      await signInFrom(account.logonEmail, account.password, '192.0.2.77', KNOWN_DEVICE_ID).expect(429);
      await signInFrom(account.logonEmail, 'wrong password again', home, KNOWN_DEVICE_ID).expect(429);
      await signInFrom(account.logonEmail, account.password, home, KNOWN_DEVICE_ID).expect(201);
      // The success cleared the login's count: others may try again (and fail normally).
      await signInFrom(account.logonEmail, 'wrong', uniqueIp()).expect(401);
    });

    it("still applies the IP's count to a trusted device", async () => {
      const account = await createAccount(t);
      const home = '198.19.4.4';
      await trustDevice(t, account.uid, KNOWN_DEVICE_ID, home);
      for (let n = 0; n < LOGIN_THROTTLE.threshold; n += 1) await signInFrom(uniqueEmail('nobody'), 'wrong', home).expect(401);
      await signInFrom(account.logonEmail, account.password, home, KNOWN_DEVICE_ID).expect(429);
    });

    it('counts IPv6 clients by /64: rotating addresses inside it does not escape the throttle', async () => {
      for (let n = 0; n < LOGIN_THROTTLE.threshold; n += 1)
        await signInFrom(uniqueEmail('nobody'), 'wrong', `2001:db8:5:6:${(n + 1).toString(16)}::1`).expect(401);
      expect((await signInFrom(uniqueEmail('nobody'), 'wrong', '2001:db8:5:6:abcd::99').expect(429)).body.code).toBe('LOGIN_THROTTLED');
      await signInFrom(uniqueEmail('nobody'), 'wrong', '2001:db8:5:7::1').expect(401);
    });

    it('counts IPv6 by /64 in the other throttles keyed on an address too: recovery codes and appeal filings', async () => {
      for (let n = 0; n < 20; n += 1)
        await startRecovery(uniqueEmail('nobody'), 'email', `2001:db8:9:a:${(n + 1).toString(16)}::1`).expect(202);
      expect((await startRecovery(uniqueEmail('nobody'), 'email', '2001:db8:9:a:ffff::1').expect(429)).body.code).toBe('RATE_LIMITED');
      await startRecovery(uniqueEmail('nobody'), 'email', '2001:db8:9:c::1').expect(202);

      const file = async (ip: string) =>
        api(t)
          .post('/api/v1/appeals')
          .set('X-Forwarded-For', ip)
          .send(
            await appealBody(t, inbox.smtp, { contactEmail: uniqueEmail('contact'), ip, account: { uid: (await createAccount(t)).uid } }),
          );
      for (let n = 1; n <= 5; n += 1) expect((await file(`2001:db8:10:1:${n}::9`)).status).toBe(201);
      expect((await file('2001:db8:10:1:abc::9')).status).toBe(429);
      expect((await file('2001:db8:10:2::9')).status).toBe(201);
    });
  });
});
