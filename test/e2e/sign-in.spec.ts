import Redis from 'ioredis';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { AuditService } from '../../src/modules/audit/audit.service';
import { deleteKeys } from '../support/global-teardown';
import {
  api,
  bearer,
  createAccount,
  createRamUser,
  KNOWN_DEVICE_ID,
  TestAccount,
  trustDevice,
  uniqueEmail,
  uniqueIp,
} from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

describe('Sign-in', () => {
  let t: TestApp;
  let owner: TestAccount;

  beforeAll(async () => {
    // Each test signs in from addresses of its own (X-Forwarded-For), so per-IP counts stay apart.
    t = await createTestApp({ workers: false, env: { TRUST_PROXY: 'loopback' } });
    owner = await createAccount(t, { securePhone: '+8613812345678' });
  });

  afterAll(async () => {
    await t.close();
  });

  const attempt = (login: string, password: string, ip: string, deviceId?: string) => {
    const request = api(t).post('/api/v1/sessions').set('X-Forwarded-For', ip);
    return (deviceId ? request.set('X-Device-Id', deviceId) : request).send({ login, password });
  };
  /** A sign-in of `account` from a device + network it trusts (so 201, not 202, when the password is right). */
  const fromKnownDevice = async (account: TestAccount, password: string, ip = uniqueIp()) => {
    await trustDevice(t, account.uid, KNOWN_DEVICE_ID, ip);
    return attempt(account.logonEmail, password, ip, KNOWN_DEVICE_ID);
  };

  it('signs the owner in with the logon email, whatever its case, and sets the session cookie', async () => {
    const started = Date.now();
    const ip = uniqueIp();
    await trustDevice(t, owner.uid, KNOWN_DEVICE_ID, ip);
    const response = await attempt(owner.logonEmail.toUpperCase(), owner.password, ip, KNOWN_DEVICE_ID).expect(201);
    expect(response.body).toEqual({
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: expect.any(String),
      principal: { type: 'root', uid: owner.uid },
    });
    const expiresAt = Date.parse(response.body.expiresAt);
    expect(expiresAt - started).toBeGreaterThanOrEqual(12 * 3_600_000 - 1_000);
    expect(expiresAt - started).toBeLessThanOrEqual(12 * 3_600_000 + 5_000);

    // The API reads and sets no cookie: the token works as a bearer token only.
    expect(response.headers['set-cookie']).toBeUndefined();
    await api(t).get('/api/v1/account').set(bearer(response.body.token)).expect(200);
    await api(t).get('/api/v1/account').set('Cookie', `ac_session=${response.body.token}`).expect(401);
  });

  describe('throttling', () => {
    async function failTenTimes(login: string, ip: () => string): Promise<void> {
      for (let failure = 1; failure <= 10; failure += 1) await attempt(login, `wrong password ${failure}`, ip()).expect(401);
    }

    const expectThrottled = async (login: string, password: string, ip: string): Promise<number> => {
      const response = await attempt(login, password, ip).expect(429);
      expect(response.body).toMatchObject({ code: 'LOGIN_THROTTLED', status: 429 });
      const retryAfter = Number(response.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      return retryAfter;
    };

    it('refuses the 11th attempt after 10 wrong passwords with 429 and Retry-After, even with the right password', async () => {
      const account = await createAccount(t);
      await failTenTimes(account.logonEmail, uniqueIp);
      const retryAfter = await expectThrottled(account.logonEmail, 'wrong again', uniqueIp());
      expect(retryAfter).toBeLessThanOrEqual(60);
      await expectThrottled(account.logonEmail, account.password, uniqueIp());
    });

    it('throttles an unknown login the same way', async () => {
      const login = uniqueEmail('ghost');
      await failTenTimes(login, uniqueIp);
      expect(await expectThrottled(login, 'any password', uniqueIp())).toBeLessThanOrEqual(60);
    });

    it('does not count 429 answers as failures', async () => {
      const account = await createAccount(t);
      await failTenTimes(account.logonEmail, uniqueIp);
      for (let throttled = 0; throttled < 5; throttled += 1) await expectThrottled(account.logonEmail, 'wrong', uniqueIp());
      // Counted failures would have doubled the lockout past a minute.
      expect(await expectThrottled(account.logonEmail, account.password, uniqueIp())).toBeLessThanOrEqual(60);
    });

    it('lets the right password in once Retry-After has passed, and the success clears the count', async () => {
      const account = await createAccount(t);
      await failTenTimes(account.logonEmail, uniqueIp);
      await expectThrottled(account.logonEmail, account.password, uniqueIp());

      // Stand in for the minute passing: end the lockout key's life now.
      const redis = new Redis(t.config.redis.url);
      try {
        await deleteKeys(redis, `${t.config.redis.prefix}:limit:sign-in-login:lock:*`);
      } finally {
        redis.disconnect();
      }
      expect((await fromKnownDevice(account, account.password)).status).toBe(201);
      // Counting starts again from zero: nine more failures are not yet a lockout.
      for (let failure = 1; failure <= 9; failure += 1) await attempt(account.logonEmail, 'wrong', uniqueIp()).expect(401);
      expect((await fromKnownDevice(account, account.password)).status).toBe(201);
    });

    it('throttles an IP after 10 failures across logins', async () => {
      const ip = uniqueIp();
      for (let failure = 1; failure <= 10; failure += 1) await attempt(uniqueEmail('spray'), 'password123456', ip).expect(401);
      await expectThrottled(owner.logonEmail, owner.password, ip);
      // Another address is not affected.
      expect((await fromKnownDevice(owner, owner.password)).status).toBe(201);
    });

    it('records failures and the lockout in the audit log, with no password and no unknown login in clear', async () => {
      const login = uniqueEmail('audited');
      await failTenTimes(login, uniqueIp);
      const { events } = await t.get(AuditService).list({ limit: 200 });
      const throttled = events.find((event) => event.action === 'sign_in.throttled');
      // An unknown login has no owner to tell.
      expect(throttled?.data).toEqual({ lockoutSeconds: 60, ownerNotified: false });
      const failed = events.filter((event) => event.action === 'sign_in.failed' && event.data.reason === 'unknown_login');
      expect(failed.length).toBeGreaterThanOrEqual(10);
      expect(JSON.stringify(events)).not.toContain(login);
      expect(JSON.stringify(events)).not.toMatch(/wrong password/);
    });
  });

  describe('frozen accounts', () => {
    it('answers 423 ACCOUNT_FROZEN after the right password only', async () => {
      const account = await createAccount(t);
      const ramUser = await createRamUser(t, account.uid);
      await t.dataSource.transaction((manager) => t.get(AccountsService).setStatus(manager, account.uid, 'frozen'));

      const frozen = await attempt(account.logonEmail, account.password, uniqueIp()).expect(423);
      expect(frozen.body.code).toBe('ACCOUNT_FROZEN');
      await attempt(account.logonEmail, 'not the password', uniqueIp()).expect(401);
      await attempt(ramUser.login, ramUser.password, uniqueIp()).expect(423);
    });
  });

  describe('RAM users', () => {
    it('signs a RAM user in as <loginName>@<uid>, login name in any case', async () => {
      const { login, password } = await createRamUser(t, owner.uid, 'Builder');
      const response = await attempt(login.replace('Builder', 'builder'), password, uniqueIp()).expect(201);
      expect(response.body.principal).toEqual({ type: 'ram_user', uid: owner.uid, name: 'Builder' });
    });

    it('refuses a wrong RAM password, or a RAM login of another account, like any bad credentials', async () => {
      const { login } = await createRamUser(t, owner.uid);
      const other = await createAccount(t);
      const wrong = await attempt(login, 'not the password', uniqueIp()).expect(401);
      const elsewhere = await attempt(login.replace(owner.uid, other.uid), owner.password, uniqueIp()).expect(401);
      expect(elsewhere.body).toEqual(wrong.body);
    });
  });

  it('refuses malformed sign-in bodies with 400', async () => {
    const response = await api(t).post('/api/v1/sessions').send({ login: owner.logonEmail }).expect(400);
    expect(new Set((response.body.errors as { field: string }[]).map((error) => error.field))).toEqual(new Set(['password']));
  });
});
