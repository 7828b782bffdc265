import Redis from 'ioredis';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { DevicesService } from '../../src/modules/accounts/devices.service';
import { TotpService } from '../../src/modules/accounts/totp.service';
import { AuditService } from '../../src/modules/audit/audit.service';
import { CHALLENGE_RULES } from '../../src/modules/challenges/challenge-limits';
import {
  api,
  bearer,
  controlClock,
  createAccount,
  createRamUser,
  TestAccount,
  uniqueEmail,
  uniqueIp,
  uniquePhone,
} from '../support/factories';
import { deleteKeys } from '../support/global-teardown';
import { Inbox } from '../support/inbox';
import { createTestApp, TestApp } from '../support/test-app';
import { totpCode } from '../support/verification';

describe('Secondary sign-in from an unfamiliar device or network', () => {
  let inbox: Inbox;
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ inbox: true, env: { TRUST_PROXY: 'loopback' } });
    ({ inbox } = t);
  });

  afterAll(() => t.close());

  const device = (n: number) => `e2e-device-${n}-0123456789abcdef`;
  const signIn = (account: Pick<TestAccount, 'logonEmail' | 'password'>, client: { ip: string; deviceId?: string; userAgent?: string }) => {
    let request = api(t).post('/api/v1/sessions').set('X-Forwarded-For', client.ip);
    if (client.deviceId) request = request.set('X-Device-Id', client.deviceId);
    if (client.userAgent) request = request.set('User-Agent', client.userAgent);
    return request.send({ login: account.logonEmail, password: account.password });
  };
  const complete = (challengeId: string, code: string, client: { ip: string; deviceId?: string }) => {
    const request = api(t).post('/api/v1/sessions/secondary').set('X-Forwarded-For', client.ip);
    return (client.deviceId ? request.set('X-Device-Id', client.deviceId) : request).send({ challengeId, code });
  };

  it('asks a new device for an SMS code (202), issues the session for it (201), then trusts the device', async () => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    const client = { ip: uniqueIp(), deviceId: device(1), userAgent: 'Firefox on Linux' };

    const { result: challenged, code } = await inbox.codeAfter(account.securePhone!, 'sign-in-code', () =>
      signIn(account, client).expect(202),
    );
    expect(challenged.body).toEqual({
      status: 'secondary_auth_required',
      challengeId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      method: 'sms',
      maskedDestination: expect.stringMatching(/^\+86 139\*+\d{4}$/),
      expiresAt: expect.any(String),
      resendAvailableAt: expect.any(String),
      otherMethods: ['email'],
    });
    expect(challenged.body).not.toHaveProperty('token');

    const completed = await complete(challenged.body.challengeId, code, client).expect(201);
    expect(completed.body).toEqual({
      token: expect.any(String),
      expiresAt: expect.any(String),
      principal: { type: 'root', uid: account.uid },
    });
    expect(completed.headers['set-cookie']).toBeUndefined();
    await api(t).get('/api/v1/account').set(bearer(completed.body.token)).expect(200);

    // The same device on the same network now signs in directly.
    const again = await signIn(account, { ...client, ip: client.ip.replace(/\.\d+$/, '.200') }).expect(201);
    expect(again.body.token).not.toBe(completed.body.token);

    const notice = await inbox.latest(account.logonEmail, 'new-device-sign-in');
    expect(notice.text).toContain('Firefox on Linux');
    const devices = await api(t).get('/api/v1/devices').set(bearer(again.body.token)).expect(200);
    expect(devices.body.devices).toEqual([
      expect.objectContaining({ label: 'Firefox on Linux', network: client.ip.replace(/\.\d+$/, '.0/24') }),
    ]);
    expect(Math.round((Date.parse(devices.body.devices[0].trustedUntil) - Date.now()) / 86_400_000)).toBe(90);

    const { events } = await t.get(AuditService).list({ subject: { type: 'account', id: account.uid } });
    const actions = events.map((event) => event.action);
    expect(actions).toEqual(expect.arrayContaining(['challenge.created', 'challenge.verified', 'sign_in.succeeded']));
    expect(events.find((event) => event.action === 'sign_in.succeeded' && event.data.secondFactor === 'sms')).toBeDefined();
  });

  it('asks again from another network, from another device, and every time without a device id', async () => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    const client = { ip: uniqueIp(), deviceId: device(2) };
    const { result, code } = await inbox.codeAfter(account.securePhone!, 'sign-in-code', () => signIn(account, client).expect(202));
    await complete(result.body.challengeId, code, client).expect(201);

    // (Each code is awaited, so the next one read is the next one sent.)
    await inbox.codeAfter(account.securePhone!, 'sign-in-code', () => signIn(account, { ...client, ip: '203.0.113.77' }).expect(202));
    await inbox.codeAfter(account.securePhone!, 'sign-in-code', () => signIn(account, { ...client, deviceId: device(3) }).expect(202));
    const bare = { ip: client.ip };
    const first = await inbox.codeAfter(account.securePhone!, 'sign-in-code', () => signIn(account, bare).expect(202));
    await complete(first.result.body.challengeId, first.code, bare).expect(201);
    await signIn(account, bare).expect(202);
    expect(await t.get(DevicesService).list(account.uid)).toHaveLength(1);
  });

  it('goes by TOTP when there is no phone (a recovery code also answers), and by email when there is neither', async () => {
    const withTotp = await createAccount(t);
    const secret = t.get(TotpService).newSecret();
    await t.dataSource.transaction((manager) => t.get(AccountsService).setTotpSecret(manager, withTotp.uid, secret));
    const client = { ip: uniqueIp(), deviceId: device(4) };
    const sentBefore = inbox.smtp.messages.length;
    const challenged = await signIn(withTotp, client).expect(202);
    expect(challenged.body).toEqual({
      status: 'secondary_auth_required',
      challengeId: expect.any(String),
      method: 'totp',
      maskedDestination: null,
      expiresAt: expect.any(String),
      otherMethods: ['email'],
    });
    await complete(challenged.body.challengeId, await totpCode(t, secret), client).expect(201);

    const recoveryCodes = await t.dataSource.transaction((manager) => t.get(TotpService).issueRecoveryCodes(manager, withTotp.uid));
    const other = { ip: uniqueIp(), deviceId: device(5) };
    const second = await signIn(withTotp, other).expect(202);
    await complete(second.body.challengeId, recoveryCodes[0].toLowerCase(), other).expect(201);
    expect(inbox.smtp.messages.slice(sentBefore).filter((message) => message.template === 'sign-in-code')).toEqual([]);

    const emailOnly = await createAccount(t);
    const byEmail = await inbox.codeAfter(emailOnly.logonEmail, 'sign-in-code', () => signIn(emailOnly, { ip: uniqueIp() }).expect(202));
    expect(byEmail.result.body).toMatchObject({ method: 'email', maskedDestination: expect.stringMatching(/^o\*\*\*@example\.com$/) });
    await complete(byEmail.result.body.challengeId, byEmail.code, { ip: uniqueIp() }).expect(201);
  });

  it('binds the challenge to the pending sign-in: another device id, or a wrong code, gets nowhere', async () => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    const client = { ip: uniqueIp(), deviceId: device(6) };
    const { result, code } = await inbox.codeAfter(account.securePhone!, 'sign-in-code', () => signIn(account, client).expect(202));
    const id = result.body.challengeId as string;

    await complete(id, code, { ...client, deviceId: device(7) }).expect(404);
    await complete(id, code, { ip: client.ip }).expect(404);
    const wrong = await complete(id, code === '000000' ? '111111' : '000000', client).expect(400);
    expect(wrong.body).toMatchObject({ code: 'VERIFICATION_CODE_INVALID', attemptsRemaining: 4 });
    await complete('9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d', code, client).expect(404);
    await complete(id, code, client).expect(201);
    expect((await complete(id, code, client).expect(409)).body.code).toBe('VERIFICATION_USED');
  });

  it('resends the code after the cooldown; the new code works and the old one does not', async () => {
    const clock = controlClock(t);
    const account = await createAccount(t, { securePhone: uniquePhone() });
    const client = { ip: uniqueIp(), deviceId: device(8) };
    const { result, code: first } = await inbox.codeAfter(account.securePhone!, 'sign-in-code', () => signIn(account, client).expect(202));
    const id = result.body.challengeId as string;
    const resend = () =>
      api(t)
        .post('/api/v1/sessions/secondary/resend')
        .set('X-Forwarded-For', client.ip)
        .set('X-Device-Id', client.deviceId)
        .send({ challengeId: id });

    const early = await resend().expect(429);
    expect(early.body.code).toBe('RESEND_TOO_SOON');
    expect(Number(early.headers['retry-after'])).toBeGreaterThan(0);
    clock.advance(t.config.verification.resendCooldownMs);
    const { result: resent, code: second } = await inbox.codeAfter(account.securePhone!, 'sign-in-code', () => resend().expect(200));
    expect(resent.body).toEqual({ resendAvailableAt: expect.any(String), expiresAt: expect.any(String) });
    if (second !== first) await complete(id, first, client).expect(400);
    await complete(id, second, client).expect(201);
  });

  it('counts sign-in codes toward the account’s 10 sends an hour', async () => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    for (let send = 1; send <= CHALLENGE_RULES.accountSendsPerHour; send += 1) await signIn(account, { ip: uniqueIp() }).expect(202);
    const limited = await signIn(account, { ip: uniqueIp() }).expect(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('answers ACCOUNT_FROZEN after the right password and before any second factor, also to a pending sign-in', async () => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    const client = { ip: uniqueIp(), deviceId: device(9) };
    const { result, code } = await inbox.codeAfter(account.securePhone!, 'sign-in-code', () => signIn(account, client).expect(202));
    const sent = inbox.received(account.securePhone!, 'sign-in-code').length;
    await t.dataSource.transaction((manager) => t.get(AccountsService).setStatus(manager, account.uid, 'frozen'));

    expect((await complete(result.body.challengeId, code, client).expect(423)).body.code).toBe('ACCOUNT_FROZEN');
    expect((await signIn(account, { ip: uniqueIp() }).expect(423)).body.code).toBe('ACCOUNT_FROZEN');
    await signIn({ ...account, password: 'not the password' }, { ip: uniqueIp() }).expect(401);
    expect(inbox.received(account.securePhone!, 'sign-in-code')).toHaveLength(sent);
  });

  it('lets RAM users in without a second factor', async () => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    const ramUser = await createRamUser(t, account.uid);
    await api(t)
      .post('/api/v1/sessions')
      .set('X-Forwarded-For', uniqueIp())
      .send({ login: ramUser.login, password: ramUser.password })
      .expect(201);
  });

  it('tells the owner of a throttled login, once an hour at most, and nobody for an unknown login', async () => {
    const account = await createAccount(t);
    const fail = (login: string) => signIn({ logonEmail: login, password: 'not the password' }, { ip: uniqueIp() }).expect(401);
    for (let failure = 1; failure <= 10; failure += 1) await fail(account.logonEmail);
    await signIn(account, { ip: uniqueIp() }).expect(429);
    const notice = await inbox.nth(account.logonEmail, 'sign-in-throttled', 1);
    expect(notice.text).toContain(account.uid);

    // The minute passes (its key ends); the next failure locks the login out again, for longer, but the owner already knows.
    const redis = new Redis(t.config.redis.url);
    try {
      await deleteKeys(redis, `${t.config.redis.prefix}:limit:sign-in-login:lock:*`);
    } finally {
      redis.disconnect();
    }
    await fail(account.logonEmail);
    await signIn(account, { ip: uniqueIp() }).expect(429);

    const ghost = uniqueEmail('ghost');
    for (let failure = 1; failure <= 10; failure += 1) await fail(ghost);
    await signIn({ logonEmail: ghost, password: 'any' }, { ip: uniqueIp() }).expect(429);
    const { events } = await t.get(AuditService).list({ subject: { type: 'account', id: account.uid } });
    expect(events.filter((event) => event.action === 'sign_in.throttled').map((event) => event.data.ownerNotified)).toEqual([false, true]);
    expect(inbox.received(account.logonEmail, 'sign-in-throttled')).toHaveLength(1);
    expect(inbox.received(ghost)).toEqual([]);
  });

  it('takes the device id from the X-Device-Id header only (the API reads no cookie), and ignores one of the wrong length', async () => {
    const account = await createAccount(t);
    const ip = uniqueIp();
    const header = { 'X-Device-Id': 'header-device-0123456789' };
    const cookie = { Cookie: 'ac_device=cookie-device-0123456789' };
    const { result, code } = await inbox.codeAfter(account.logonEmail, 'sign-in-code', () =>
      api(t)
        .post('/api/v1/sessions')
        .set('X-Forwarded-For', ip)
        .set(header)
        .set(cookie)
        .send({ login: account.logonEmail, password: account.password })
        .expect(202),
    );
    await api(t)
      .post('/api/v1/sessions/secondary')
      .set('X-Forwarded-For', ip)
      .set(header)
      .set(cookie)
      .send({ challengeId: result.body.challengeId, code })
      .expect(201);
    await api(t)
      .post('/api/v1/sessions')
      .set('X-Forwarded-For', ip)
      .set(header)
      .send({ login: account.logonEmail, password: account.password })
      .expect(201);
    await api(t)
      .post('/api/v1/sessions')
      .set('X-Forwarded-For', ip)
      .set(cookie)
      .send({ login: account.logonEmail, password: account.password })
      .expect(202);
    await api(t)
      .post('/api/v1/sessions')
      .set('X-Forwarded-For', ip)
      .set('X-Device-Id', 'too-short')
      .send({ login: account.logonEmail, password: account.password })
      .expect(202);
    const devices = t.get(DevicesService);
    expect(await devices.isTrusted(account.uid, devices.fingerprint('header-device-0123456789', ip))).toBe(true);
    expect(await devices.isTrusted(account.uid, devices.fingerprint('cookie-device-0123456789', ip))).toBe(false);
    expect(await devices.list(account.uid)).toHaveLength(1);
  });

  it('lists trusted devices to the owner, forgets one on request, and then asks that device again', async () => {
    const account = await createAccount(t);
    const client = { ip: uniqueIp(), deviceId: device(10) };
    const { result, code } = await inbox.codeAfter(account.logonEmail, 'sign-in-code', () => signIn(account, client).expect(202));
    const token = (await complete(result.body.challengeId, code, client).expect(201)).body.token as string;

    const listed = await api(t).get('/api/v1/devices').set(bearer(token)).expect(200);
    expect(listed.body.devices).toEqual([
      {
        id: expect.any(String),
        label: 'Unknown device',
        network: client.ip.replace(/\.\d+$/, '.0/24'),
        lastUsedAt: expect.any(String),
        trustedUntil: expect.any(String),
      },
    ]);
    await api(t).delete(`/api/v1/devices/${listed.body.devices[0].id}`).set(bearer(token)).expect(204);
    await api(t).delete(`/api/v1/devices/${listed.body.devices[0].id}`).set(bearer(token)).expect(404);
    await api(t).get('/api/v1/devices').set(bearer(token)).expect(200, { devices: [] });
    await signIn(account, client).expect(202);
  });

  it('refuses malformed bodies with 400', async () => {
    await api(t).post('/api/v1/sessions/secondary').send({ challengeId: 'x' }).expect(400);
    await api(t).post('/api/v1/sessions/secondary/resend').send({}).expect(400);
  });
});
