import supertest from 'supertest';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { Passkey } from '../../src/modules/accounts/entities/passkey.entity';
import { AuditService } from '../../src/modules/audit/audit.service';
import { LIMITS } from '../../src/infrastructure/limits/limits';
import { api, bearer, controlClock, createAccount, signIn, TestAccount, uniqueIp } from '../support/factories';
import { flashOf } from '../support/agent-pages';
import { csrfOf } from '../support/html';
import { Inbox } from '../support/inbox';
import { addPasskey, passkeyVerificationToken } from '../support/passkeys';
import { SoftAuthenticator } from '../support/soft-authenticator';
import { createTestApp, TestApp } from '../support/test-app';
import { verificationToken } from '../support/verification';

/** The API accepts an IP address as RP ID (browsers do not): these tests use one. */
const ORIGIN = 'http://127.0.0.1:3000';

describe('Passkeys through the API, with a software authenticator', () => {
  let inbox: Inbox;
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ inbox: true, env: { PUBLIC_BASE_URL: ORIGIN, TRUST_PROXY: 'loopback' } });
    ({ inbox } = t);
  });

  afterAll(() => t.close());

  /** An account signed in through the API, with one passkey held by the returned authenticator. */
  async function ownerWithPasskey(): Promise<{ account: TestAccount; token: string; authenticator: SoftAuthenticator; passkeyId: string }> {
    const account = await createAccount(t);
    const token = await signIn(t, account.logonEmail, account.password);
    const authenticator = new SoftAuthenticator(ORIGIN);
    const passkeyId = await addPasskey(t, inbox, token, authenticator, { email: account.logonEmail, name: 'Laptop' });
    return { account, token, authenticator, passkeyId };
  }

  const options = async () => (await api(t).post('/api/v1/sessions/passkey-options').send({}).expect(200)).body;
  const passkeySignIn = (body: object, ip = uniqueIp(), deviceId = `device-${ip}-0123456789`) =>
    api(t).post('/api/v1/sessions/passkey').set('X-Forwarded-For', ip).set('X-Device-Id', deviceId).send(body);

  describe('registration', () => {
    it('adds a passkey after an add_passkey verification, lists it, and tells the owner with a revert link', async () => {
      const account = await createAccount(t);
      const token = await signIn(t, account.logonEmail, account.password);
      expect((await api(t).get('/api/v1/account').set(bearer(token)).expect(200)).body.verificationMethods).toEqual(['email']);

      const verification = await verificationToken(t, inbox, token, 'add_passkey', account.logonEmail);
      const started = await api(t)
        .post('/api/v1/account/passkeys/registration-options')
        .set(bearer(token))
        .send({ verificationToken: verification })
        .expect(200);
      const creation = started.body.options;
      expect(creation).toMatchObject({
        rp: { id: '127.0.0.1', name: expect.any(String) },
        user: { id: expect.any(String), name: account.logonEmail, displayName: expect.any(String) },
        challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        excludeCredentials: [],
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        attestation: 'none',
      });
      expect(creation.pubKeyCredParams.map((param: { alg: number }) => param.alg)).toEqual(expect.arrayContaining([-7, -257]));
      // The token was used up by the options.
      const reused = await api(t)
        .post('/api/v1/account/passkeys/registration-options')
        .set(bearer(token))
        .send({ verificationToken: verification })
        .expect(403);
      expect(reused.body.code).toBe('VERIFICATION_TOKEN_INVALID');

      const authenticator = new SoftAuthenticator(ORIGIN);
      const credential = authenticator.register(creation);
      const added = await api(t)
        .post('/api/v1/account/passkeys')
        .set(bearer(token))
        .send({ registrationId: started.body.registrationId, name: 'MacBook', credential })
        .expect(201);
      expect(added.body).toEqual({ id: expect.any(String), name: 'MacBook', createdAt: expect.any(String) });
      // A registration is answered once.
      const again = await api(t)
        .post('/api/v1/account/passkeys')
        .set(bearer(token))
        .send({ registrationId: started.body.registrationId, credential })
        .expect(400);
      expect(again.body.code).toBe('PASSKEY_INVALID');

      const listed = await api(t).get('/api/v1/account/passkeys').set(bearer(token)).expect(200);
      expect(listed.body).toEqual({
        passkeys: [
          { id: added.body.id, name: 'MacBook', createdAt: added.body.createdAt, lastUsedAt: null, backedUp: false, suspect: false },
        ],
      });
      expect((await api(t).get('/api/v1/account').set(bearer(token)).expect(200)).body.verificationMethods).toEqual(['email', 'passkey']);
      const notice = await inbox.latest(account.logonEmail, 'passkey-added');
      expect(notice.text).toContain('MacBook');
      expect(notice.text).toMatch(new RegExp(`${ORIGIN}/secure/revert/[A-Za-z0-9_-]{43}`));
    });

    it('refuses a credential made for another origin or RP ID, without user verification, or already registered', async () => {
      const { account, token, authenticator } = await ownerWithPasskey();
      const start = async () =>
        (
          await api(t)
            .post('/api/v1/account/passkeys/registration-options')
            .set(bearer(token))
            .send({ verificationToken: await passkeyVerificationToken(t, token, 'add_passkey', authenticator) })
            .expect(200)
        ).body;
      const attempt = async (bend: Parameters<SoftAuthenticator['register']>[1]) => {
        const started = await start();
        // The account's passkey is excluded from a new registration.
        expect(started.options.excludeCredentials).toEqual([expect.objectContaining({ id: authenticator.credentials[0].id })]);
        const credential = new SoftAuthenticator(ORIGIN).register(started.options, bend);
        return api(t).post('/api/v1/account/passkeys').set(bearer(token)).send({ registrationId: started.registrationId, credential });
      };
      for (const bend of [
        { origin: 'http://127.0.0.1:4000' },
        { rpId: 'evil.example' },
        { noUserVerification: true },
        { challenge: 'A'.repeat(43) },
      ]) {
        const refused = await attempt(bend);
        expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 400, code: 'PASSKEY_INVALID' });
      }
      const started = await start();
      const twice = authenticator.register(started.options, { reuse: authenticator.credentials[0] });
      const conflict = await api(t)
        .post('/api/v1/account/passkeys')
        .set(bearer(token))
        .send({ registrationId: started.registrationId, credential: twice })
        .expect(409);
      expect(conflict.body.code).toBe('PASSKEY_EXISTS');
      expect((await api(t).get('/api/v1/account/passkeys').set(bearer(token)).expect(200)).body.passkeys).toHaveLength(1);
      expect(inbox.received(account.logonEmail, 'passkey-added')).toHaveLength(1);
    });

    it('renames and removes a passkey (remove_passkey), tells the owner, and holds at most 10', async () => {
      const { account, token, authenticator, passkeyId } = await ownerWithPasskey();
      const renamed = await api(t)
        .patch(`/api/v1/account/passkeys/${passkeyId}`)
        .set(bearer(token))
        .send({ name: 'Work laptop' })
        .expect(200);
      expect(renamed.body).toEqual({ id: passkeyId, name: 'Work laptop' });
      await api(t)
        .patch(`/api/v1/account/passkeys/${passkeyId}`)
        .set(bearer(token))
        .send({ name: 'x'.repeat(65) })
        .expect(400);

      // Another account cannot see, rename or remove it.
      const other = await createAccount(t);
      const otherToken = await signIn(t, other.logonEmail, other.password);
      await api(t).patch(`/api/v1/account/passkeys/${passkeyId}`).set(bearer(otherToken)).send({ name: 'Mine' }).expect(404);
      const otherVerification = await verificationToken(t, inbox, otherToken, 'remove_passkey', other.logonEmail);
      await api(t)
        .delete(`/api/v1/account/passkeys/${passkeyId}`)
        .set(bearer(otherToken))
        .send({ verificationToken: otherVerification })
        .expect(404);

      // Up to 10, each added after a verification by the first passkey.
      for (let index = 2; index <= 10; index += 1)
        await addPasskey(t, inbox, token, authenticator, { email: account.logonEmail, byPasskey: true, name: `Key ${index}` });
      const full = await api(t)
        .post('/api/v1/account/passkeys/registration-options')
        .set(bearer(token))
        .send({ verificationToken: await passkeyVerificationToken(t, token, 'add_passkey', authenticator) })
        .expect(409);
      expect(full.body.code).toBe('PASSKEY_LIMIT');

      // Removing needs a remove_passkey token: an add_passkey one is refused.
      const wrongPurpose = await passkeyVerificationToken(t, token, 'add_passkey', authenticator);
      await api(t).delete(`/api/v1/account/passkeys/${passkeyId}`).set(bearer(token)).send({ verificationToken: wrongPurpose }).expect(403);
      const removal = await passkeyVerificationToken(t, token, 'remove_passkey', authenticator);
      await api(t).delete(`/api/v1/account/passkeys/${passkeyId}`).set(bearer(token)).send({ verificationToken: removal }).expect(204);
      const listed = (await api(t).get('/api/v1/account/passkeys').set(bearer(token)).expect(200)).body.passkeys;
      expect(listed).toHaveLength(9);
      expect(listed.map((passkey: { id: string }) => passkey.id)).not.toContain(passkeyId);
      expect((await inbox.latest(account.logonEmail, 'passkey-removed')).text).toContain('Work laptop');
    });
  });

  describe('sign-in', () => {
    it('signs in without password or second factor, and trusts the device and network afterwards', async () => {
      const { account, authenticator } = await ownerWithPasskey();
      const started = await options();
      expect(started.options).toMatchObject({ challenge: expect.any(String), rpId: '127.0.0.1', userVerification: 'required' });
      expect(started.options.allowCredentials ?? []).toEqual([]);

      const ip = uniqueIp();
      const deviceId = 'passkey-device-0123456789';
      const signedIn = await passkeySignIn(
        { challengeId: started.challengeId, credential: authenticator.assert(started.options) },
        ip,
        deviceId,
      ).expect(201);
      expect(signedIn.body).toEqual({
        token: expect.any(String),
        expiresAt: expect.any(String),
        principal: { type: 'root', uid: account.uid },
      });
      await api(t).get('/api/v1/account').set(bearer(signedIn.body.token)).expect(200);
      const listed = (await api(t).get('/api/v1/account/passkeys').set(bearer(signedIn.body.token)).expect(200)).body.passkeys;
      expect(listed[0].lastUsedAt).toEqual(expect.any(String));

      // The password from the same device and network now signs in without a secondary challenge.
      await api(t)
        .post('/api/v1/sessions')
        .set('X-Forwarded-For', ip)
        .set('X-Device-Id', deviceId)
        .send({ login: account.logonEmail, password: account.password })
        .expect(201);
      const { events } = await t.get(AuditService).list({ subject: { type: 'account', id: account.uid } });
      expect(events.some((event) => event.action === 'sign_in.succeeded' && event.data.method === 'passkey')).toBe(true);
    });

    it('answers every failure like a wrong password: replay, another origin or RP ID, no user verification, unknown credential, expired challenge', async () => {
      const { authenticator } = await ownerWithPasskey();
      const ip = uniqueIp();
      const refused = async (body: object) => {
        const answer = await passkeySignIn(body, ip).expect(401);
        expect(answer.body).toMatchObject({ code: 'INVALID_CREDENTIALS', detail: 'The login or password is not correct.' });
      };

      const first = await options();
      const credential = authenticator.assert(first.options);
      await passkeySignIn({ challengeId: first.challengeId, credential }).expect(201);
      await refused({ challengeId: first.challengeId, credential });
      const second = await options();
      await refused({ challengeId: second.challengeId, credential });

      for (const bend of [{ origin: 'http://127.0.0.1:4000' }, { rpId: 'localhost' }, { noUserVerification: true }]) {
        const started = await options();
        await refused({ challengeId: started.challengeId, credential: authenticator.assert(started.options, bend) });
      }
      const stranger = new SoftAuthenticator(ORIGIN);
      stranger.register({ challenge: 'x', rp: { id: '127.0.0.1' }, user: { id: 'MDAwMDAwMDAwMDAwMDAwMA' } });
      const unknown = await options();
      await refused({ challengeId: unknown.challengeId, credential: stranger.assert(unknown.options) });
      await refused({ challengeId: '00000000-0000-4000-8000-000000000000', credential: authenticator.assert(unknown.options) });
      await refused({ challengeId: unknown.challengeId, credential: { id: 'x', type: 'public-key' } });

      const clock = controlClock(t);
      try {
        const late = await options();
        clock.advance(5 * 60_000 + 1_000);
        await refused({ challengeId: late.challengeId, credential: authenticator.assert(late.options) });
      } finally {
        clock.advance(-(5 * 60_000 + 1_000));
      }
    });

    it('counts failures toward the IP throttle', async () => {
      const { authenticator } = await ownerWithPasskey();
      const ip = uniqueIp();
      for (let failure = 0; failure < 10; failure += 1) {
        const started = await options();
        await passkeySignIn(
          { challengeId: started.challengeId, credential: authenticator.assert(started.options, { noUserVerification: true }) },
          ip,
        ).expect(401);
      }
      const started = await options();
      const throttled = await passkeySignIn(
        { challengeId: started.challengeId, credential: authenticator.assert(started.options) },
        ip,
      ).expect(429);
      expect(throttled.body.code).toBe('LOGIN_THROTTLED');
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
      // The password sign-in from that IP is throttled too.
      await api(t).post('/api/v1/sessions').set('X-Forwarded-For', ip).send({ login: 'nobody@example.com', password: 'x' }).expect(429);
    });

    it('refuses a counter that went backwards, marks the passkey suspect and tells the owner', async () => {
      const { account, token, authenticator } = await ownerWithPasskey();
      const first = await options();
      await passkeySignIn({ challengeId: first.challengeId, credential: authenticator.assert(first.options, { counter: 7 }) }).expect(201);
      const cloned = await options();
      await passkeySignIn({ challengeId: cloned.challengeId, credential: authenticator.assert(cloned.options, { counter: 7 }) }).expect(
        401,
      );
      const listed = (await api(t).get('/api/v1/account/passkeys').set(bearer(token)).expect(200)).body.passkeys;
      expect(listed[0].suspect).toBe(true);
      await inbox.latest(account.logonEmail, 'passkey-suspect');
      const stored = await t.dataSource.manager.findOneByOrFail(Passkey, { accountUid: account.uid });
      expect(stored.counter).toBe(7);
    });

    it('answers 423 for a frozen account only after a valid assertion', async () => {
      const { account, authenticator } = await ownerWithPasskey();
      await t.get(AccountsService).setStatus(t.dataSource.manager, account.uid, 'frozen');
      const started = await options();
      const frozen = await passkeySignIn({ challengeId: started.challengeId, credential: authenticator.assert(started.options) }).expect(
        423,
      );
      expect(frozen.body.code).toBe('ACCOUNT_FROZEN');
      const again = await options();
      await passkeySignIn({
        challengeId: again.challengeId,
        credential: authenticator.assert(again.options, { noUserVerification: true }),
      }).expect(401);
    });

    it('gives one address 60 sign-in challenges in ten minutes, then 429 with Retry-After; another address still gets its own', async () => {
      const ip = uniqueIp();
      const ask = (from: string) => api(t).post('/api/v1/sessions/passkey-options').set('X-Forwarded-For', from).send({});
      for (let asked = 0; asked < LIMITS.passkeyOptionsPerAddress.max; asked += 1) await ask(ip).expect(200);
      const refused = await ask(ip).expect(429);
      expect(refused.body.code).toBe('RATE_LIMITED');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      await ask(uniqueIp()).expect(200);
    });

    it("refuses unknown members around the credential but takes the browser's extra ones", async () => {
      await api(t).post('/api/v1/sessions/passkey-options').send({ extra: 1 }).expect(400);
      await api(t).post('/api/v1/sessions/passkey-options').expect(200);
      const started = await options();
      await passkeySignIn({ challengeId: started.challengeId, credential: {}, extra: true }).expect(400);
    });
  });

  describe('verification', () => {
    it('verifies with a passkey for any purpose; a failed assertion counts like a wrong code and brings fresh options', async () => {
      const { account, token, authenticator } = await ownerWithPasskey();
      const started = await api(t)
        .post('/api/v1/verifications')
        .set(bearer(token))
        .send({ purpose: 'change_password', method: 'passkey' })
        .expect(201);
      expect(started.body).toMatchObject({ purpose: 'change_password', method: 'passkey', expiresAt: expect.any(String) });
      expect(started.body.options).toMatchObject({ rpId: '127.0.0.1', userVerification: 'required' });
      expect(started.body.options.allowCredentials).toEqual([
        expect.objectContaining({ id: authenticator.credentials[0].id, type: 'public-key' }),
      ]);
      const expiresInMs = new Date(started.body.expiresAt).getTime() - Date.now();
      expect(expiresInMs).toBeLessThanOrEqual(5 * 60_000);

      const verify = (credential: object) =>
        api(t).post(`/api/v1/verifications/${started.body.id}/verify`).set(bearer(token)).send({ credential });
      // Another account's passkey, then the right one without user verification: wrong answers.
      const other = await ownerWithPasskey();
      const wrong = await verify(other.authenticator.assert(started.body.options)).expect(400);
      expect(wrong.body).toMatchObject({ code: 'VERIFICATION_CODE_INVALID', attemptsRemaining: 4 });
      expect(wrong.body.options.challenge).not.toBe(started.body.options.challenge);
      const noUv = await verify(authenticator.assert(wrong.body.options, { noUserVerification: true })).expect(400);
      expect(noUv.body.attemptsRemaining).toBe(3);
      // The challenge before is not taken again (each is answered once).
      const stale = await verify(authenticator.assert(wrong.body.options)).expect(400);
      expect(stale.body.attemptsRemaining).toBe(2);

      const verified = await verify(authenticator.assert(stale.body.options)).expect(200);
      expect(verified.body).toEqual({ verificationToken: expect.any(String), expiresAt: expect.any(String) });
      const replay = await verify(authenticator.assert(stale.body.options)).expect(409);
      expect(replay.body.code).toBe('VERIFICATION_USED');
      await api(t)
        .post('/api/v1/account/password')
        .set(bearer(token))
        .send({ verificationToken: verified.body.verificationToken, newPassword: 'a brand new passphrase for the owner 7' })
        .expect(200);
      expect(account.uid).toMatch(/^\d{16}$/);
    });

    it('locks the verification after 5 failed assertions, and refuses the method to an account without a passkey', async () => {
      const { token, authenticator } = await ownerWithPasskey();
      const started = await api(t)
        .post('/api/v1/verifications')
        .set(bearer(token))
        .send({ purpose: 'change_email', method: 'passkey' })
        .expect(201);
      let current = started.body.options;
      for (let attempt = 4; attempt >= 0; attempt -= 1) {
        const answer = await api(t)
          .post(`/api/v1/verifications/${started.body.id}/verify`)
          .set(bearer(token))
          .send({ credential: authenticator.assert(current, { rpId: 'evil.example' }) })
          .expect(400);
        expect(answer.body.attemptsRemaining).toBe(attempt);
        current = answer.body.options;
      }
      const locked = await api(t)
        .post(`/api/v1/verifications/${started.body.id}/verify`)
        .set(bearer(token))
        .send({ credential: authenticator.assert(current) })
        .expect(423);
      expect(locked.body.code).toBe('VERIFICATION_LOCKED');

      const plain = await createAccount(t);
      const plainToken = await signIn(t, plain.logonEmail, plain.password);
      const unavailable = await api(t)
        .post('/api/v1/verifications')
        .set(bearer(plainToken))
        .send({ purpose: 'change_email', method: 'passkey' })
        .expect(400);
      expect(unavailable.body.code).toBe('METHOD_UNAVAILABLE');
      await api(t).post(`/api/v1/verifications/${started.body.id}/resend`).set(bearer(token)).expect(400);
    });
  });

  describe('a passkey as the second factor of a sign-in from an unfamiliar device', () => {
    it('switches to the passkey ("try another way", options in the 202) and completes with { challengeId, credential }; a failed assertion answers 400 with fresh options', async () => {
      const { account, authenticator } = await ownerWithPasskey();
      const ip = uniqueIp();
      const deviceId = 'unfamiliar-device-0123456789';
      const held = await api(t)
        .post('/api/v1/sessions')
        .set('X-Forwarded-For', ip)
        .set('X-Device-Id', deviceId)
        .send({ login: account.logonEmail, password: account.password })
        .expect(202);
      expect(held.body.method).toBe('email');
      expect(held.body.otherMethods).toEqual(['passkey']);
      // "Try another way" to the passkey: the email challenge ends, a passkey one starts with its options.
      const switched = await api(t)
        .post('/api/v1/sessions/secondary/method')
        .set('X-Forwarded-For', ip)
        .set('X-Device-Id', deviceId)
        .send({ challengeId: held.body.challengeId, method: 'passkey' })
        .expect(202);
      expect(switched.body).toMatchObject({ status: 'secondary_auth_required', method: 'passkey', otherMethods: ['email'] });
      expect(switched.body.options).toMatchObject({ userVerification: 'required' });
      expect(switched.body.options.allowCredentials).toEqual([expect.objectContaining({ id: authenticator.credentials[0].id })]);
      await api(t)
        .post('/api/v1/sessions/secondary')
        .set('X-Forwarded-For', ip)
        .set('X-Device-Id', deviceId)
        .send({ challengeId: held.body.challengeId, code: '123456' })
        .expect(404);
      const described = { options: switched.body.options as Parameters<SoftAuthenticator['assert']>[0] };

      const complete = (credential: object) =>
        api(t)
          .post('/api/v1/sessions/secondary')
          .set('X-Forwarded-For', ip)
          .set('X-Device-Id', deviceId)
          .send({ challengeId: switched.body.challengeId, credential });
      const wrong = await complete(authenticator.assert(described.options!, { origin: 'http://127.0.0.1:4000' })).expect(400);
      expect(wrong.body).toMatchObject({ code: 'VERIFICATION_CODE_INVALID', attemptsRemaining: 4 });
      expect(wrong.body.options.challenge).not.toBe(described.options!.challenge);
      const done = await complete(authenticator.assert(wrong.body.options)).expect(201);
      expect(done.body.principal).toEqual({ type: 'root', uid: account.uid });
      await api(t)
        .post('/api/v1/sessions')
        .set('X-Forwarded-For', ip)
        .set('X-Device-Id', deviceId)
        .send({ login: account.logonEmail, password: account.password })
        .expect(201);
    });
  });

  describe('the revert link of passkey-added', () => {
    it('removes that passkey, signs everyone out and freezes the account', async () => {
      const { account, token, authenticator, passkeyId } = await ownerWithPasskey();
      const link = /\/secure\/revert\/([A-Za-z0-9_-]{43})/.exec((await inbox.latest(account.logonEmail, 'passkey-added')).text)![1];
      const reverted = await api(t).post(`/api/v1/security-reverts/${link}`).send().expect(200);
      expect(reverted.body).toEqual({ reverted: ['passkey'], accountStatus: 'frozen' });
      await api(t).get('/api/v1/account').set(bearer(token)).expect(401);
      expect(await t.dataSource.manager.countBy(Passkey, { id: passkeyId })).toBe(0);
      expect((await t.get(AccountsService).get(account.uid)).status).toBe('frozen');
      // The removed passkey no longer signs in.
      const started = await options();
      await passkeySignIn({ challengeId: started.challengeId, credential: authenticator.assert(started.options) }).expect(401);
      await api(t).post(`/api/v1/security-reverts/${link}`).send().expect(404);
    });
  });

  describe('the passkey pages', () => {
    /** A browser signed in through /login and the emailed code of /login/verify (a new browser is an unfamiliar device). */
    async function signedInBrowser(account: TestAccount): Promise<supertest.Agent> {
      const client = supertest.agent(t.app.getHttpServer()).set('Accept', 'text/html').set('X-Forwarded-For', uniqueIp());
      const login = await client.get('/login').expect(200);
      const { result, code } = await inbox.codeAfter(account.logonEmail, 'sign-in-code', () =>
        client
          .post('/login')
          .type('form')
          .send({ _csrf: csrfOf(login.text), login: account.logonEmail, password: account.password }),
      );
      expect(result.status).toBe(303);
      const verify = await client.get('/login/verify').expect(200);
      const entered = await client
        .post('/login/verify')
        .type('form')
        .send({ _csrf: csrfOf(verify.text), code });
      expect([entered.status, entered.headers.location]).toEqual([303, '/security']);
      return client;
    }

    it("renames by the API's rule (1 to 64 characters, trimmed on the page), and says so when a name breaks it", async () => {
      const { account, token, passkeyId } = await ownerWithPasskey();
      const client = await signedInBrowser(account);
      const rename = async (name: string) => {
        const page = await client.get('/security/passkeys').expect(200);
        const answer = await client
          .post(`/security/passkeys/${passkeyId}/rename`)
          .type('form')
          .send({ _csrf: csrfOf(page.text), name });
        expect([answer.status, answer.headers.location]).toEqual([303, '/security/passkeys']);
        return flashOf((await client.get('/security/passkeys').expect(200)).text);
      };
      expect(await rename('  Work laptop  ')).toBe('Renamed to &quot;Work laptop&quot;.');
      expect(await rename('   ')).toBe('A name has 1 to 64 characters.');
      expect(await rename('x'.repeat(65))).toBe('A name has 1 to 64 characters.');
      const passkeys = (await api(t).get('/api/v1/account/passkeys').set(bearer(token)).expect(200)).body.passkeys;
      expect(passkeys.map((passkey: { name: string }) => passkey.name)).toEqual(['Work laptop']);
    });

    it('sends a sign-in whose answer names no challenge of ours back to /login, as a failed sign-in', async () => {
      const client = supertest.agent(t.app.getHttpServer()).set('Accept', 'text/html').set('X-Forwarded-For', uniqueIp());
      const login = await client.get('/login?next=/security/passkeys').expect(200);
      const answer = await client
        .post('/login/passkey')
        .type('form')
        .send({ _csrf: csrfOf(login.text), challengeId: 'not-a-challenge', credential: '{}', next: '/security/passkeys' });
      expect([answer.status, answer.headers.location]).toEqual([303, '/login?next=%2Fsecurity%2Fpasskeys']);
      expect(flashOf((await client.get('/login').expect(200)).text)).toBe(
        'That passkey could not sign you in. Try again, or sign in with your password.',
      );
    });
  });
});
