import { DevicesService } from '../../src/modules/accounts/devices.service';
import { TotpService } from '../../src/modules/accounts/totp.service';
import { AuditService } from '../../src/modules/audit/audit.service';
import { CHALLENGE_RULES } from '../../src/modules/challenges/challenge-limits';
import { api, controlClock, createAccount, TestAccount, uniqueIp, uniquePhone } from '../support/factories';
import { Inbox } from '../support/inbox';
import { createTestApp, TestApp } from '../support/test-app';
import { accountWithPhoneAndApp, totpCode } from '../support/verification';

/** "Try another way": the 202's `otherMethods`, and `POST /api/v1/sessions/secondary/method`. */
describe('Secondary sign-in: trying another way', () => {
  let inbox: Inbox;
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ inbox: true, env: { TRUST_PROXY: 'loopback' } });
    ({ inbox } = t);
  });

  afterAll(() => t.close());

  let devices = 0;
  const newClient = () => ({ ip: uniqueIp(), deviceId: `e2e-another-way-${(devices += 1)}-0123456789` });
  type Client = ReturnType<typeof newClient>;

  const signIn = (account: Pick<TestAccount, 'logonEmail' | 'password'>, client: Client) =>
    api(t)
      .post('/api/v1/sessions')
      .set('X-Forwarded-For', client.ip)
      .set('X-Device-Id', client.deviceId)
      .send({ login: account.logonEmail, password: account.password });
  const complete = (challengeId: string, code: string, client: Client) =>
    api(t)
      .post('/api/v1/sessions/secondary')
      .set('X-Forwarded-For', client.ip)
      .set('X-Device-Id', client.deviceId)
      .send({ challengeId, code });
  const switchTo = (challengeId: string, method: string, client: Client) =>
    api(t)
      .post('/api/v1/sessions/secondary/method')
      .set('X-Forwarded-For', client.ip)
      .set('X-Device-Id', client.deviceId)
      .send({ challengeId, method });

  async function auditOf(uid: string) {
    return (await t.get(AuditService).list({ subject: { type: 'account', id: uid } })).events;
  }

  it('lists every other method the account has in the 202, in the order of preference', async () => {
    const { account } = await accountWithPhoneAndApp(t);
    const challenged = await signIn(account, newClient()).expect(202);
    expect(challenged.body).toMatchObject({ method: 'sms', otherMethods: ['totp', 'email'] });

    const phoneOnly = await createAccount(t, { securePhone: uniquePhone() });
    expect((await signIn(phoneOnly, newClient()).expect(202)).body).toMatchObject({ method: 'sms', otherMethods: ['email'] });

    const emailOnly = await createAccount(t);
    expect((await signIn(emailOnly, newClient()).expect(202)).body).toMatchObject({ method: 'email', otherMethods: [] });
  });

  it('switches an SMS challenge to the authenticator app: the old challenge ends, a correct app code signs in', async () => {
    const { account, secret } = await accountWithPhoneAndApp(t);
    const client = newClient();
    const { result: first, code: smsCode } = await inbox.codeAfter(account.securePhone!, 'sign-in-code', () =>
      signIn(account, client).expect(202),
    );
    const oldId = first.body.challengeId as string;

    const switched = await switchTo(oldId, 'totp', client).expect(202);
    expect(switched.body).toEqual({
      status: 'secondary_auth_required',
      challengeId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      method: 'totp',
      maskedDestination: null,
      expiresAt: expect.any(String),
      otherMethods: ['sms', 'email'],
    });
    expect(switched.body.challengeId).not.toBe(oldId);

    // The old challenge has ended: its code, a resend and another switch all find nothing.
    expect((await complete(oldId, smsCode, client).expect(404)).body.code).toBe('NOT_FOUND');
    await api(t)
      .post('/api/v1/sessions/secondary/resend')
      .set('X-Forwarded-For', client.ip)
      .set('X-Device-Id', client.deviceId)
      .send({ challengeId: oldId })
      .expect(404);
    await switchTo(oldId, 'email', client).expect(404);

    // The switch belongs to the pending sign-in: another device id gets nowhere.
    await switchTo(switched.body.challengeId, 'email', { ...client, deviceId: 'another-device-0123456789' }).expect(404);

    const completed = await complete(switched.body.challengeId, await totpCode(t, secret), client).expect(201);
    expect(completed.body.principal).toEqual({ type: 'root', uid: account.uid });
    const trusted = t.get(DevicesService);
    expect(await trusted.isTrusted(account.uid, trusted.fingerprint(client.deviceId, client.ip))).toBe(true);

    const events = await auditOf(account.uid);
    expect(events.find((event) => event.action === 'sign_in.method_switched')?.data).toMatchObject({
      from: 'sms',
      to: 'totp',
      endedChallengeId: oldId,
      challengeId: switched.body.challengeId,
    });
    expect(events.find((event) => event.action === 'sign_in.succeeded')?.data).toMatchObject({ secondFactor: 'totp' });
  });

  it('switches to email and back to SMS: each sends a new sign-in code to its own address, and only the latest works', async () => {
    const { account } = await accountWithPhoneAndApp(t);
    const client = newClient();
    const { result: first, code: smsCode } = await inbox.codeAfter(account.securePhone!, 'sign-in-code', () =>
      signIn(account, client).expect(202),
    );

    const { result: byEmail, code: emailCode } = await inbox.codeAfter(account.logonEmail, 'sign-in-code', () =>
      switchTo(first.body.challengeId, 'email', client).expect(202),
    );
    expect(byEmail.body).toEqual({
      status: 'secondary_auth_required',
      challengeId: expect.any(String),
      method: 'email',
      maskedDestination: expect.stringMatching(/^o\*\*\*@example\.com$/),
      expiresAt: expect.any(String),
      resendAvailableAt: expect.any(String),
      otherMethods: ['sms', 'totp'],
    });
    await complete(first.body.challengeId, smsCode, client).expect(404);

    const { result: bySms, code: secondSmsCode } = await inbox.codeAfter(account.securePhone!, 'sign-in-code', () =>
      switchTo(byEmail.body.challengeId, 'sms', client).expect(202),
    );
    expect(bySms.body).toMatchObject({
      method: 'sms',
      maskedDestination: expect.stringMatching(/^\+86 139\*+\d{4}$/),
      otherMethods: ['totp', 'email'],
    });
    await complete(byEmail.body.challengeId, emailCode, client).expect(404);
    await complete(bySms.body.challengeId, secondSmsCode, client).expect(201);
    expect((await auditOf(account.uid)).find((event) => event.action === 'sign_in.succeeded')?.data).toMatchObject({
      secondFactor: 'sms',
    });
  });

  it('takes a recovery code on the TOTP challenge, once: audited, and the owner is told how many are left', async () => {
    const { account, recoveryCodes } = await accountWithPhoneAndApp(t);
    const client = newClient();
    const first = await signIn(account, client).expect(202);
    // A recovery code is not an SMS code.
    const refused = await complete(first.body.challengeId, recoveryCodes[0], client).expect(400);
    expect(refused.body).toMatchObject({ code: 'VERIFICATION_CODE_INVALID', attemptsRemaining: 4 });

    const switched = await switchTo(first.body.challengeId, 'totp', client).expect(202);
    const spaced = `${recoveryCodes[0].slice(0, 5)}-${recoveryCodes[0].slice(5)}`.toLowerCase();
    await complete(switched.body.challengeId, spaced, client).expect(201);

    const events = await auditOf(account.uid);
    expect(events.find((event) => event.action === 'totp.recovery_code_used')?.data).toMatchObject({
      usedFor: 'sign_in',
      challengeId: switched.body.challengeId,
      recoveryCodesLeft: 9,
    });
    expect(events.find((event) => event.action === 'sign_in.succeeded')?.data).toMatchObject({ secondFactor: 'recovery_code' });
    expect(await t.get(TotpService).recoveryCodesLeft(account.uid)).toBe(9);
    const notice = await inbox.latest(account.logonEmail, 'new-device-sign-in');
    expect(notice.text).toContain('A recovery code was used');
    expect(notice.text).toContain('9 of your recovery codes are left');

    // The same code again, from another new device: refused; another of the codes works.
    const other = newClient();
    const again = await signIn(account, other).expect(202);
    const totpAgain = await switchTo(again.body.challengeId, 'totp', other).expect(202);
    const reused = await complete(totpAgain.body.challengeId, recoveryCodes[0], other).expect(400);
    expect(reused.body).toMatchObject({ code: 'VERIFICATION_CODE_INVALID', attemptsRemaining: 4 });
    await complete(totpAgain.body.challengeId, recoveryCodes[1], other).expect(201);
    expect(await t.get(TotpService).recoveryCodesLeft(account.uid)).toBe(8);
  });

  it('answers METHOD_UNAVAILABLE for a method the account lacks (passkey included), and the challenge still works', async () => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    const client = newClient();
    const { result, code } = await inbox.codeAfter(account.securePhone!, 'sign-in-code', () => signIn(account, client).expect(202));
    const id = result.body.challengeId as string;

    const noApp = await switchTo(id, 'totp', client).expect(400);
    expect(noApp.body).toMatchObject({ code: 'METHOD_UNAVAILABLE', status: 400 });
    expect((await switchTo(id, 'passkey', client).expect(400)).body.code).toBe('METHOD_UNAVAILABLE');
    expect((await switchTo(id, 'carrier-pigeon', client).expect(400)).body.code).toBe('VALIDATION_FAILED');
    expect((await switchTo('not-a-uuid', 'email', client).expect(400)).body.code).toBe('VALIDATION_FAILED');

    const emailOnly = await createAccount(t);
    const emailClient = newClient();
    const byEmail = await signIn(emailOnly, emailClient).expect(202);
    expect((await switchTo(byEmail.body.challengeId, 'sms', emailClient).expect(400)).body.code).toBe('METHOD_UNAVAILABLE');

    await complete(id, code, client).expect(201);
  });

  it('cannot switch from a challenge already used (409), out of attempts (423) or expired (410)', async () => {
    const clock = controlClock(t);
    const { account, secret } = await accountWithPhoneAndApp(t);

    const usedClient = newClient();
    const { result: used, code } = await inbox.codeAfter(account.securePhone!, 'sign-in-code', () =>
      signIn(account, usedClient).expect(202),
    );
    await complete(used.body.challengeId, code, usedClient).expect(201);
    expect((await switchTo(used.body.challengeId, 'totp', usedClient).expect(409)).body.code).toBe('VERIFICATION_USED');

    const lockedClient = newClient();
    const locked = await signIn(account, lockedClient).expect(202);
    const onApp = await switchTo(locked.body.challengeId, 'totp', lockedClient).expect(202);
    for (let attempt = 1; attempt <= CHALLENGE_RULES.attemptsPerChallenge; attempt += 1)
      await complete(onApp.body.challengeId, '000000', lockedClient).expect(400);
    expect((await switchTo(onApp.body.challengeId, 'email', lockedClient).expect(423)).body.code).toBe('VERIFICATION_LOCKED');

    const lateClient = newClient();
    const late = await signIn(account, lateClient).expect(202);
    clock.advance(t.config.verification.codeTtlMs + 1000);
    expect((await switchTo(late.body.challengeId, 'totp', lateClient).expect(410)).body.code).toBe('VERIFICATION_EXPIRED');
    await complete(late.body.challengeId, await totpCode(t, secret), lateClient).expect(410);
  });

  it('counts every code a switch sends toward the account’s sends an hour; a switch to the app sends nothing', async () => {
    const { account, secret } = await accountWithPhoneAndApp(t);
    const client = newClient();
    const first = await signIn(account, client).expect(202);
    let id = first.body.challengeId as string;
    // The sign-in sent one; each switch to SMS or email sends one more, up to the account's limit.
    for (let send = 2; send <= CHALLENGE_RULES.accountSendsPerHour; send += 1)
      id = (await switchTo(id, send % 2 === 0 ? 'email' : 'sms', client).expect(202)).body.challengeId as string;
    const limited = await switchTo(id, 'email', client).expect(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // A refused switch leaves the challenge as it was; a new sign-in is limited alike.
    expect((await signIn(account, newClient()).expect(429)).body.code).toBe('RATE_LIMITED');

    const switched = await switchTo(id, 'totp', client).expect(202);
    await complete(switched.body.challengeId, await totpCode(t, secret), client).expect(201);
    // Five by SMS (the sign-in's and four switches), five by email: every send the limit allowed, and no other.
    await inbox.nth(account.securePhone!, 'sign-in-code', 5);
    await inbox.nth(account.logonEmail, 'sign-in-code', 5);
    const sent = [...inbox.received(account.securePhone!, 'sign-in-code'), ...inbox.received(account.logonEmail, 'sign-in-code')];
    expect(sent).toHaveLength(CHALLENGE_RULES.accountSendsPerHour);
  });
});
