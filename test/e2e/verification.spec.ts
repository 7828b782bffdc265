import { Clock } from '../../src/common/clock';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { TotpService } from '../../src/modules/accounts/totp.service';
import { CHALLENGE_RULES } from '../../src/modules/challenges/challenge-limits';
import {
  api,
  bearer,
  controlClock,
  createAccount,
  createRamUser,
  mintSession,
  signIn,
  TestAccount,
  uniquePhone,
} from '../support/factories';
import { Inbox } from '../support/inbox';
import { createTestApp, TestApp } from '../support/test-app';
import { totpCode, verificationToken } from '../support/verification';

describe('Identity verification', () => {
  let inbox: Inbox;
  let t: TestApp;
  let clock: ReturnType<typeof controlClock>;

  beforeAll(async () => {
    t = await createTestApp({ inbox: true });
    ({ inbox } = t);
    clock = controlClock(t);
  });

  afterAll(() => t.close());

  async function owner(
    options: { phone?: boolean; totp?: boolean } = {},
  ): Promise<{ account: TestAccount; token: string; secret?: string }> {
    const account = await createAccount(t, { securePhone: options.phone ? uniquePhone() : undefined });
    let secret: string | undefined;
    if (options.totp) {
      secret = t.get(TotpService).newSecret();
      await t.dataSource.transaction((manager) => t.get(AccountsService).setTotpSecret(manager, account.uid, secret!));
    }
    return { account, token: await signIn(t, account.logonEmail, account.password), secret };
  }

  const start = (token: string, body: object) => api(t).post('/api/v1/verifications').set(bearer(token)).send(body);
  const verify = (token: string, id: string, code: string) =>
    api(t).post(`/api/v1/verifications/${id}/verify`).set(bearer(token)).send({ code });
  const resend = (token: string, id: string) => api(t).post(`/api/v1/verifications/${id}/resend`).set(bearer(token)).send();
  const wrong = (code: string) => (code === '000000' ? '111111' : '000000');

  it('sends an email code and answers the right one with a verification token', async () => {
    const { account, token } = await owner();
    const { result, code } = await inbox.codeAfter(account.logonEmail, 'verification-code', () =>
      start(token, { purpose: 'change_password', method: 'email' }).expect(201),
    );
    expect(result.body).toEqual({
      id: expect.any(String),
      purpose: 'change_password',
      method: 'email',
      maskedDestination: expect.stringMatching(/^o\*\*\*@example\.com$/),
      expiresAt: expect.any(String),
      resendAvailableAt: expect.any(String),
    });
    expect(Date.parse(result.body.expiresAt) - t.get(Clock).nowMs()).toBeGreaterThan(9 * 60_000);
    const verified = await verify(token, result.body.id, code).expect(200);
    expect(verified.body).toEqual({ verificationToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), expiresAt: expect.any(String) });
    expect(Date.parse(verified.body.expiresAt) - t.get(Clock).nowMs()).toBeGreaterThan(14 * 60_000);
  });

  it('sends by SMS to the secure phone', async () => {
    const { account, token } = await owner({ phone: true });
    const { result, code } = await inbox.codeAfter(account.securePhone!, 'verification-code', () =>
      start(token, { purpose: 'change_email', method: 'sms' }).expect(201),
    );
    expect(result.body.maskedDestination).toMatch(/^\+86 139\*+\d{4}$/);
    await verify(token, result.body.id, code).expect(200);
  });

  it('offers only the methods the account has: 400 METHOD_UNAVAILABLE otherwise', async () => {
    const { token } = await owner();
    for (const method of ['sms', 'totp']) {
      const response = await start(token, { purpose: 'change_password', method }).expect(400);
      expect(response.body).toMatchObject({ code: 'METHOD_UNAVAILABLE', status: 400 });
    }
    await start(token, { purpose: 'change_everything', method: 'email' }).expect(400);
    await start(token, { purpose: 'change_password', method: 'email', extra: 1 }).expect(400);
  });

  it('verifies by TOTP (one step of drift either way), each step once, and never sends anything', async () => {
    // No step boundary may pass while the edges are probed.
    clock.freeze();
    try {
      const { account, token, secret } = await owner({ totp: true });
      const sent = inbox.received(account.logonEmail).length;
      const challenge = async () => (await start(token, { purpose: 'disable_totp', method: 'totp' }).expect(201)).body;
      const first = await challenge();
      expect(first).toEqual({ id: expect.any(String), purpose: 'disable_totp', method: 'totp', expiresAt: expect.any(String) });
      expect((await resend(token, first.id).expect(400)).body.code).toBe('METHOD_UNAVAILABLE');

      await verify(token, first.id, await totpCode(t, secret!, -2)).expect(400);
      await verify(token, first.id, await totpCode(t, secret!, -1)).expect(200);
      // The current step is later than the one accepted: still good, once.
      const current = await totpCode(t, secret!);
      await verify(token, (await challenge()).id, current).expect(200);
      const replayed = await verify(token, (await challenge()).id, current).expect(400);
      expect(replayed.body).toMatchObject({ code: 'VERIFICATION_CODE_INVALID', attemptsRemaining: 4 });
      // An earlier step than the last accepted one is a replay too.
      await verify(token, (await challenge()).id, await totpCode(t, secret!, -1)).expect(400);
      await verify(token, (await challenge()).id, await totpCode(t, secret!, 1)).expect(200);
      await verify(token, (await challenge()).id, await totpCode(t, secret!, 2)).expect(400);
      expect(inbox.received(account.logonEmail)).toHaveLength(sent);
    } finally {
      clock.thaw();
    }
  });

  it('refuses a replayed TOTP step in a second API process too', async () => {
    const second = await createTestApp({ sharing: t, workers: false });
    try {
      const { token, secret } = await owner({ totp: true });
      const code = await totpCode(t, secret!);
      const id = (await start(token, { purpose: 'change_password', method: 'totp' }).expect(201)).body.id as string;
      const other = (await start(token, { purpose: 'change_password', method: 'totp' }).expect(201)).body.id as string;
      await verify(token, id, code).expect(200);
      await api(second).post(`/api/v1/verifications/${other}/verify`).set(bearer(token)).send({ code }).expect(400);
    } finally {
      await second.close();
    }
  });

  it('accepts each recovery code once in place of a TOTP code', async () => {
    const { account, token } = await owner({ totp: true });
    const [recovery] = await t.dataSource.transaction((manager) => t.get(TotpService).issueRecoveryCodes(manager, account.uid));
    expect(recovery).toMatch(/^[A-Z2-7]{10}$/);
    const id = async () => (await start(token, { purpose: 'change_password', method: 'totp' }).expect(201)).body.id as string;
    await verify(token, await id(), `${recovery.slice(0, 5)}-${recovery.slice(5)}`).expect(200);
    const again = await verify(token, await id(), recovery).expect(400);
    expect(again.body.code).toBe('VERIFICATION_CODE_INVALID');
  });

  it('counts wrong codes down with attemptsRemaining, then locks the challenge (423, even for the right code)', async () => {
    const { account, token } = await owner();
    const { result, code } = await inbox.codeAfter(account.logonEmail, 'verification-code', () =>
      start(token, { purpose: 'change_password', method: 'email' }).expect(201),
    );
    for (let remaining = 4; remaining >= 0; remaining -= 1) {
      const response = await verify(token, result.body.id, wrong(code)).expect(400);
      expect(response.body).toMatchObject({ code: 'VERIFICATION_CODE_INVALID', status: 400, attemptsRemaining: remaining });
    }
    const locked = await verify(token, result.body.id, code).expect(423);
    expect(locked.body.code).toBe('VERIFICATION_LOCKED');
    expect(locked.headers['retry-after']).toBeUndefined();
  });

  it('answers 410 VERIFICATION_EXPIRED after 10 minutes, and 409 VERIFICATION_USED before anything else', async () => {
    const { account, token } = await owner();
    const first = await inbox.codeAfter(account.logonEmail, 'verification-code', () =>
      start(token, { purpose: 'change_password', method: 'email' }).expect(201),
    );
    const second = await inbox.codeAfter(account.logonEmail, 'verification-code', () =>
      start(token, { purpose: 'change_password', method: 'email' }).expect(201),
    );
    await verify(token, second.result.body.id, second.code).expect(200);
    clock.advance(t.config.verification.codeTtlMs);
    expect((await verify(token, first.result.body.id, first.code).expect(410)).body.code).toBe('VERIFICATION_EXPIRED');
    expect((await verify(token, second.result.body.id, second.code).expect(409)).body.code).toBe('VERIFICATION_USED');
  });

  it('resends after 60 s with a new code and expiry, keeps attempts, and stops at 5 sends (429 RATE_LIMITED)', async () => {
    const { account, token } = await owner({ phone: true });
    const to = account.securePhone!;
    const { result, code: first } = await inbox.codeAfter(to, 'verification-code', () =>
      start(token, { purpose: 'change_phone', method: 'sms' }).expect(201),
    );
    const id = result.body.id as string;
    await verify(token, id, wrong(first)).expect(400);

    const early = await resend(token, id).expect(429);
    expect(early.body.code).toBe('RESEND_TOO_SOON');
    expect(Number(early.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(early.headers['retry-after'])).toBeLessThanOrEqual(60);

    let latest = first;
    for (let send = 2; send <= CHALLENGE_RULES.sendsPerChallenge; send += 1) {
      clock.advance(t.config.verification.resendCooldownMs);
      const resent = await inbox.codeAfter(to, 'verification-code', () => resend(token, id).expect(200));
      expect(resent.result.body).toEqual({ resendAvailableAt: expect.any(String), expiresAt: expect.any(String) });
      expect(Date.parse(resent.result.body.expiresAt)).toBeGreaterThan(Date.parse(result.body.expiresAt));
      latest = resent.code;
    }
    clock.advance(t.config.verification.resendCooldownMs);
    const sixth = await resend(token, id).expect(429);
    expect(sixth.body.code).toBe('RATE_LIMITED');
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);

    if (latest !== first)
      await verify(token, id, first)
        .expect(400)
        .expect((response) => expect(response.body.attemptsRemaining).toBe(3));
    await verify(token, id, latest).expect(200);
  });

  it('allows 10 codes an hour per account (429 RATE_LIMITED with Retry-After beyond)', async () => {
    const { account, token } = await owner();
    for (let send = 1; send <= CHALLENGE_RULES.accountSendsPerHour; send += 1)
      await start(token, { purpose: 'change_password', method: 'email' }).expect(201);
    const limited = await start(token, { purpose: 'change_password', method: 'email' }).expect(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(3000);
    clock.advance(CHALLENGE_RULES.windowMs);
    // (The hour also ended the idle session.)
    const later = await signIn(t, account.logonEmail, account.password);
    await start(later, { purpose: 'change_password', method: 'email' }).expect(201);
  });

  it('locks verification for the account after 20 wrong codes in an hour, across new challenges (423 with Retry-After), and tells the owner', async () => {
    const { account, token, secret } = await owner({ phone: true, totp: true });
    for (let failures = 0; failures < CHALLENGE_RULES.accountFailuresPerHour; ) {
      const id = (await start(token, { purpose: 'change_password', method: 'totp' }).expect(201)).body.id as string;
      for (
        let i = 0;
        i < CHALLENGE_RULES.attemptsPerChallenge && failures < CHALLENGE_RULES.accountFailuresPerHour;
        i += 1, failures += 1
      ) {
        await verify(token, id, 'nope').expect(400);
      }
    }
    const refused = await start(token, { purpose: 'change_password', method: 'email' }).expect(423);
    expect(refused.body.code).toBe('VERIFICATION_LOCKED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3500);
    await inbox.latest(account.logonEmail, 'verification-locked');
    await inbox.latest(account.securePhone!, 'verification-locked');
    clock.advance(CHALLENGE_RULES.accountLockMs);
    const later = await signIn(t, account.logonEmail, account.password);
    const id = (await start(later, { purpose: 'change_password', method: 'totp' }).expect(201)).body.id as string;
    await verify(later, id, await totpCode(t, secret!)).expect(200);
  });

  it('answers 404 for another account’s or another session’s verification', async () => {
    const { account, token } = await owner();
    const stranger = await owner();
    const sameOwner = await signIn(t, account.logonEmail, account.password);
    const { result, code } = await inbox.codeAfter(account.logonEmail, 'verification-code', () =>
      start(token, { purpose: 'change_password', method: 'email' }).expect(201),
    );
    for (const other of [stranger.token, sameOwner]) {
      expect((await verify(other, result.body.id, code).expect(404)).body.code).toBe('NOT_FOUND');
      await resend(other, result.body.id).expect(404);
    }
    await verify(token, 'not-a-uuid', code).expect(404);
    await verify(token, result.body.id, code).expect(200);
  });

  it('yields exactly one token from 10 concurrent right codes', async () => {
    const { account, token } = await owner();
    const { result, code } = await inbox.codeAfter(account.logonEmail, 'verification-code', () =>
      start(token, { purpose: 'change_password', method: 'email' }).expect(201),
    );
    const answers = await Promise.all(Array.from({ length: 10 }, () => verify(token, result.body.id, code)));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status !== 200).map((answer) => answer.status)).toEqual(Array(9).fill(409));
  });

  describe('verification tokens', () => {
    const changePassword = (token: string, verification: string) =>
      api(t)
        .post('/api/v1/account/password')
        .set(bearer(token))
        .send({ verificationToken: verification, newPassword: 'a fresh and long passphrase 7' });

    it('are refused (403) for another purpose, by another session, once used, and once expired', async () => {
      const { account, token } = await owner();
      const other = await signIn(t, account.logonEmail, account.password);
      const startEmailChange = (session: string, verification: string, newEmail: string) =>
        api(t).post('/api/v1/account/email-change').set(bearer(session)).send({ verificationToken: verification, newEmail });

      const forEmail = await verificationToken(t, inbox, token, 'change_email', account.logonEmail);
      expect((await changePassword(token, forEmail).expect(403)).body.code).toBe('VERIFICATION_TOKEN_INVALID');
      await startEmailChange(other, forEmail, 'first.choice@example.net').expect(403);
      await startEmailChange(token, forEmail, 'first.choice@example.net').expect(202);
      await startEmailChange(token, forEmail, 'second.choice@example.net').expect(403);

      const good = await verificationToken(t, inbox, token, 'change_password', account.logonEmail);
      expect((await changePassword(other, good).expect(403)).body.code).toBe('VERIFICATION_TOKEN_INVALID');
      await changePassword(token, 'made-up-token').expect(403);
      const late = await verificationToken(t, inbox, token, 'change_password', account.logonEmail);
      clock.advance(t.config.verification.tokenTtlMs);
      await changePassword(token, late).expect(403);
      // A token is used up by the call that succeeds with it, and by nothing else.
      await verificationToken(t, inbox, token, 'change_password', account.logonEmail);
    });

    it('stay valid after a refused change', async () => {
      const { account, token } = await owner();
      const verification = await verificationToken(t, inbox, token, 'change_password', account.logonEmail);
      const refused = await api(t)
        .post('/api/v1/account/password')
        .set(bearer(token))
        .send({ verificationToken: verification, newPassword: 'short' })
        .expect(422);
      expect(refused.body).toMatchObject({
        code: 'PASSWORD_POLICY',
        violations: expect.arrayContaining([expect.objectContaining({ rule: 'length' })]),
      });
      await changePassword(token, verification).expect(200);
    });
  });

  describe('principals other than the account owner', () => {
    let account: TestAccount;
    let ram: string;
    let role: string;
    let sso: string;

    beforeAll(async () => {
      account = await createAccount(t, { securePhone: uniquePhone() });
      const ramUser = await createRamUser(t, account.uid);
      ram = await signIn(t, ramUser.login, ramUser.password);
      role = await mintSession(t, account.uid, 'ram_role', 'deployer');
      sso = await mintSession(t, account.uid, 'sso', 'dana@corp.example');
    });

    const id = '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d';
    // Every row has a body: jest would hand a shorter row's callback `done` in its place.
    const calls: [string, 'post' | 'delete', string, object][] = [
      ['start a verification', 'post', '/api/v1/verifications', { purpose: 'change_password', method: 'email' }],
      ['resend a code', 'post', `/api/v1/verifications/${id}/resend`, {}],
      ['verify a code', 'post', `/api/v1/verifications/${id}/verify`, { code: '123456' }],
      ['change the password', 'post', '/api/v1/account/password', { verificationToken: 'x', newPassword: 'a fresh and long passphrase 7' }],
      ['start an email change', 'post', '/api/v1/account/email-change', { verificationToken: 'x', newEmail: 'someone@example.com' }],
      ['resend an email change code', 'post', `/api/v1/account/email-change/${id}/resend`, {}],
      ['confirm an email change', 'post', `/api/v1/account/email-change/${id}/confirm`, { code: '123456' }],
      ['cancel an email change', 'delete', `/api/v1/account/email-change/${id}`, {}],
      ['start a phone change', 'post', '/api/v1/account/phone-change', { verificationToken: 'x', newPhone: '+8613912345678' }],
      ['resend a phone change code', 'post', `/api/v1/account/phone-change/${id}/resend`, {}],
      ['confirm a phone change', 'post', `/api/v1/account/phone-change/${id}/confirm`, { code: '123456' }],
      ['cancel a phone change', 'delete', `/api/v1/account/phone-change/${id}`, {}],
      ['enrol TOTP', 'post', '/api/v1/account/totp', { verificationToken: 'x' }],
      ['activate TOTP', 'post', '/api/v1/account/totp/activate', { code: '123456' }],
      ['disable TOTP', 'delete', '/api/v1/account/totp', { verificationToken: 'x' }],
    ];

    it.each(calls)('may not %s', async (_name, method, path, body) => {
      const call = (token: string) => api(t)[method](path).set(bearer(token)).send(body);
      const asRam = await call(ram).expect(403);
      expect(asRam.body).toMatchObject({
        code: 'ROOT_ACCOUNT_REQUIRED',
        detail: expect.stringMatching(/account administrator.*RAM console/),
      });
      const asRole = await call(role).expect(403);
      expect(asRole.body).toMatchObject({ code: 'ROOT_ACCOUNT_REQUIRED', detail: expect.stringMatching(/account administrator/) });
      const asSso = await call(sso).expect(403);
      expect(asSso.body).toMatchObject({ code: 'FEDERATED_IDENTITY', detail: expect.stringMatching(/corporate identity provider/) });
      await api(t)[method](path).send(body).expect(401);
    });

    it('sends nothing to anyone for them', () => {
      expect(inbox.received(account.logonEmail)).toEqual([]);
      expect(inbox.received(account.securePhone!)).toEqual([]);
    });
  });

  it('documents the bodies of verification and changes in the OpenAPI document', async () => {
    const { components, paths } = (await api(t).get('/api/docs-json').expect(200)).body as {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
      paths: Record<string, unknown>;
    };
    expect(Object.keys(components.schemas.StartVerificationDto.properties)).toEqual(['purpose', 'method']);
    expect(Object.keys(components.schemas.ChangePasswordDto.properties)).toEqual(
      expect.arrayContaining(['verificationToken', 'newPassword']),
    );
    expect(Object.keys(components.schemas.StartEmailChangeDto.properties)).toEqual(
      expect.arrayContaining(['verificationToken', 'newEmail']),
    );
    expect(Object.keys(components.schemas.SecondarySignInDto.properties)).toEqual(['challengeId', 'code', 'credential']);
    for (const path of [
      '/api/v1/verifications/{id}/verify',
      '/api/v1/account/email-change/{changeId}/confirm',
      '/api/v1/security-reverts/{token}',
      '/api/v1/sessions/secondary',
    ]) {
      expect(paths).toHaveProperty([path]);
    }
  });

  it('refuses verification and every change on a frozen account (423), whatever session exists', async () => {
    const { account, token } = await owner();
    const verification = await verificationToken(t, inbox, token, 'change_password', account.logonEmail);
    await t.dataSource.transaction((manager) => t.get(AccountsService).setStatus(manager, account.uid, 'frozen'));
    expect((await start(token, { purpose: 'change_password', method: 'email' }).expect(423)).body.code).toBe('ACCOUNT_FROZEN');
    const change = await api(t)
      .post('/api/v1/account/password')
      .set(bearer(token))
      .send({ verificationToken: verification, newPassword: 'a fresh and long passphrase 7' })
      .expect(423);
    expect(change.body.code).toBe('ACCOUNT_FROZEN');
    await api(t)
      .post('/api/v1/account/email-change')
      .set(bearer(token))
      .send({ verificationToken: verification, newEmail: 'elsewhere@example.com' })
      .expect(423);
    await api(t).post('/api/v1/account/totp').set(bearer(token)).send({ verificationToken: verification }).expect(423);
  });
});
