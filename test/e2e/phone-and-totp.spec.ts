import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { AuditService } from '../../src/modules/audit/audit.service';
import { api, bearer, controlClock, createAccount, signIn, TestAccount, uniqueIp, uniquePhone } from '../support/factories';
import { Inbox } from '../support/inbox';
import { createTestApp, TestApp } from '../support/test-app';
import { totpCode, verificationToken } from '../support/verification';

describe('Secure phone and TOTP changes', () => {
  let inbox: Inbox;
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ inbox: true, env: { TRUST_PROXY: 'loopback' } });
    ({ inbox } = t);
  });

  afterAll(() => t.close());

  async function owner(withPhone = true): Promise<{ account: TestAccount; token: string }> {
    const account = await createAccount(t, { securePhone: withPhone ? uniquePhone() : undefined });
    return { account, token: await signIn(t, account.logonEmail, account.password) };
  }

  describe('secure phone', () => {
    const startChange = (token: string, verification: string, number: string) =>
      api(t).post('/api/v1/account/phone-change').set(bearer(token)).send({ verificationToken: verification, newPhone: number });
    const confirm = (token: string, changeId: string, code: string) =>
      api(t).post(`/api/v1/account/phone-change/${changeId}/confirm`).set(bearer(token)).send({ code });

    it('moves the secure phone to a confirmed new number; the email and the old phone are told, with a revert link', async () => {
      const { account, token } = await owner();
      const verification = await verificationToken(t, inbox, token, 'change_phone', account.logonEmail);
      const number = uniquePhone();
      const { result, code } = await inbox.codeAfter(number, 'phone-change-code', () =>
        startChange(token, verification, number).expect(202),
      );
      expect(result.body).toEqual({
        changeId: expect.any(String),
        maskedDestination: expect.stringMatching(/^\+86 139\*+\d{4}$/),
        expiresAt: expect.any(String),
        resendAvailableAt: expect.any(String),
      });

      const confirmed = await confirm(token, result.body.changeId, code).expect(200);
      expect(confirmed.body).toEqual({ securePhone: result.body.maskedDestination });
      const stored = await t.get(AccountsService).get(account.uid);
      expect(stored.securePhone).toBe(number);

      expect((await inbox.latest(account.logonEmail, 'secure-phone-changed')).text).toMatch(/\/secure\/revert\/[A-Za-z0-9_-]{43}/);
      expect((await inbox.latest(account.securePhone!, 'secure-phone-changed')).text).toMatch(/\/secure\/revert\/[A-Za-z0-9_-]{43}/);
      expect(inbox.received(number, 'secure-phone-changed')).toEqual([]);
      // The next sign-in challenge goes to the new phone.
      const { result: challenged } = await inbox.codeAfter(number, 'sign-in-code', () =>
        api(t)
          .post('/api/v1/sessions')
          .set('X-Forwarded-For', uniqueIp())
          .send({ login: account.logonEmail, password: account.password })
          .expect(202),
      );
      expect(challenged.body.maskedDestination).toBe(result.body.maskedDestination);
    });

    it('adds a phone to an account without one', async () => {
      const { account, token } = await owner(false);
      const verification = await verificationToken(t, inbox, token, 'change_phone', account.logonEmail);
      const number = uniquePhone();
      const { result, code } = await inbox.codeAfter(number, 'phone-change-code', () =>
        startChange(token, verification, number).expect(202),
      );
      await confirm(token, result.body.changeId, code).expect(200);
      expect((await api(t).get('/api/v1/account').set(bearer(token)).expect(200)).body.verificationMethods).toEqual(['sms', 'email']);
      await inbox.latest(account.logonEmail, 'secure-phone-changed');
    });

    it('refuses the current number (422 SAME_AS_CURRENT) and anything but E.164 (400)', async () => {
      const { account, token } = await owner();
      const verification = await verificationToken(t, inbox, token, 'change_phone', account.securePhone!);
      expect((await startChange(token, verification, account.securePhone!).expect(422)).body.code).toBe('SAME_AS_CURRENT');
      const invalid = await startChange(token, verification, '0139 0000 0000').expect(400);
      expect(invalid.body.errors).toEqual([expect.objectContaining({ field: 'newPhone' })]);
      await startChange(token, verification, uniquePhone()).expect(202);
    });

    it('cancels a pending change, and answers 404 to another session', async () => {
      const { account, token } = await owner();
      const verification = await verificationToken(t, inbox, token, 'change_phone', account.securePhone!);
      const number = uniquePhone();
      const { result, code } = await inbox.codeAfter(number, 'phone-change-code', () =>
        startChange(token, verification, number).expect(202),
      );
      const other = await signIn(t, account.logonEmail, account.password);
      await confirm(other, result.body.changeId, code).expect(404);
      await api(t).delete(`/api/v1/account/phone-change/${result.body.changeId}`).set(bearer(other)).expect(404);
      await api(t).delete(`/api/v1/account/phone-change/${result.body.changeId}`).set(bearer(token)).expect(204);
      await confirm(token, result.body.changeId, code).expect(404);
      expect((await t.get(AccountsService).get(account.uid)).securePhone).toBe(account.securePhone);
    });
  });

  describe('TOTP', () => {
    // Replays are probed at the current step: no step boundary may pass mid-test.
    let clock: ReturnType<typeof controlClock>;
    beforeAll(() => {
      clock = controlClock(t);
      clock.freeze();
    });
    afterAll(() => clock.thaw());

    async function enrol(account: TestAccount, token: string): Promise<{ secret: string; recoveryCodes: string[] }> {
      const verification = await verificationToken(t, inbox, token, 'enable_totp', account.logonEmail);
      const enrolled = await api(t).post('/api/v1/account/totp').set(bearer(token)).send({ verificationToken: verification }).expect(200);
      expect(enrolled.body).toEqual({
        secret: expect.stringMatching(/^[A-Z2-7]{32}$/),
        otpauthUri: expect.stringMatching(/^otpauth:\/\/totp\/Account%20Center:/),
      });
      const secret = enrolled.body.secret as string;
      expect(enrolled.body.otpauthUri).toContain(`secret=${secret}`);
      const activated = await api(t)
        .post('/api/v1/account/totp/activate')
        .set(bearer(token))
        .send({ code: await totpCode(t, secret) })
        .expect(200);
      return { secret, recoveryCodes: activated.body.recoveryCodes as string[] };
    }

    it('enrols: a secret to scan, pending until the first code, which answers ten single-use recovery codes', async () => {
      const { account, token } = await owner(false);
      const verification = await verificationToken(t, inbox, token, 'enable_totp', account.logonEmail);
      const enrolled = await api(t).post('/api/v1/account/totp').set(bearer(token)).send({ verificationToken: verification }).expect(200);
      const secret = enrolled.body.secret as string;
      expect((await api(t).get('/api/v1/account').set(bearer(token)).expect(200)).body.totpEnabled).toBe(false);

      const wrong = await api(t)
        .post('/api/v1/account/totp/activate')
        .set(bearer(token))
        .send({ code: await totpCode(t, secret, 5) })
        .expect(400);
      expect(wrong.body).toMatchObject({ code: 'VERIFICATION_CODE_INVALID', attemptsRemaining: 4 });
      const other = await signIn(t, account.logonEmail, account.password);
      await api(t)
        .post('/api/v1/account/totp/activate')
        .set(bearer(other))
        .send({ code: await totpCode(t, secret) })
        .expect(404);

      const activated = await api(t)
        .post('/api/v1/account/totp/activate')
        .set(bearer(token))
        .send({ code: await totpCode(t, secret) })
        .expect(200);
      expect(activated.body).toEqual({ totpEnabled: true, recoveryCodes: expect.any(Array) });
      expect(activated.body.recoveryCodes).toHaveLength(10);
      for (const code of activated.body.recoveryCodes as string[]) expect(code).toMatch(/^[A-Z2-7]{10}$/);
      expect(new Set(activated.body.recoveryCodes).size).toBe(10);
      await api(t)
        .post('/api/v1/account/totp/activate')
        .set(bearer(token))
        .send({ code: await totpCode(t, secret) })
        .expect(404);

      const view = await api(t).get('/api/v1/account').set(bearer(token)).expect(200);
      expect(view.body).toMatchObject({ totpEnabled: true, verificationMethods: ['email', 'totp'] });
      const stored = await t.get(AccountsService).get(account.uid);
      expect(stored.totpSecret).not.toContain(secret);
      const hashes: { code_hmac: string }[] = await t.dataSource.query('SELECT code_hmac FROM totp_recovery_codes WHERE account_uid = $1', [
        account.uid,
      ]);
      expect(hashes).toHaveLength(10);
      expect(JSON.stringify(hashes)).not.toContain(activated.body.recoveryCodes[0]);
      expect((await inbox.latest(account.logonEmail, 'totp-changed')).text).toBeTruthy();
      const { events } = await t.get(AuditService).list({ subject: { type: 'account', id: account.uid } });
      expect(events.map((event) => event.action)).toContain('account.totp_enabled');
    });

    it('takes the activation code as the first step used: the same code cannot verify again', async () => {
      const { account, token } = await owner(false);
      const { secret } = await enrol(account, token);
      const started = await api(t)
        .post('/api/v1/verifications')
        .set(bearer(token))
        .send({ purpose: 'change_password', method: 'totp' })
        .expect(201);
      await api(t)
        .post(`/api/v1/verifications/${started.body.id}/verify`)
        .set(bearer(token))
        .send({ code: await totpCode(t, secret) })
        .expect(400);
      await api(t)
        .post(`/api/v1/verifications/${started.body.id}/verify`)
        .set(bearer(token))
        .send({ code: await totpCode(t, secret, 1) })
        .expect(200);
    });

    it('takes a recovery code once in place of a TOTP code, and refuses it the second time', async () => {
      const { account, token } = await owner(false);
      const { recoveryCodes } = await enrol(account, token);
      const verifyWith = async (code: string) => {
        const started = await api(t)
          .post('/api/v1/verifications')
          .set(bearer(token))
          .send({ purpose: 'disable_totp', method: 'totp' })
          .expect(201);
        return api(t).post(`/api/v1/verifications/${started.body.id}/verify`).set(bearer(token)).send({ code });
      };
      const verified = await verifyWith(recoveryCodes[3]);
      expect(verified.status).toBe(200);
      expect((await verifyWith(recoveryCodes[3])).body).toMatchObject({ code: 'VERIFICATION_CODE_INVALID' });
      await api(t)
        .delete('/api/v1/account/totp')
        .set(bearer(token))
        .send({ verificationToken: verified.body.verificationToken })
        .expect(204);
    });

    it('disables TOTP with a verification of purpose disable_totp; its recovery codes go with it', async () => {
      const { account, token } = await owner(false);
      const { secret } = await enrol(account, token);
      const wrongPurpose = await verificationToken(t, inbox, token, 'enable_totp', account.logonEmail);
      await api(t).delete('/api/v1/account/totp').set(bearer(token)).send({ verificationToken: wrongPurpose }).expect(403);
      // The activation took the current step: the next one answers.
      const verification = await verificationToken(t, inbox, token, 'disable_totp', { totpSecret: secret, steps: 1 });
      await api(t).delete('/api/v1/account/totp').set(bearer(token)).send({ verificationToken: verification }).expect(204);

      const view = await api(t).get('/api/v1/account').set(bearer(token)).expect(200);
      expect(view.body).toMatchObject({ totpEnabled: false, verificationMethods: ['email'] });
      expect(await t.dataSource.query('SELECT 1 FROM totp_recovery_codes WHERE account_uid = $1', [account.uid])).toEqual([]);
      await api(t).post('/api/v1/verifications').set(bearer(token)).send({ purpose: 'change_password', method: 'totp' }).expect(400);
      // Turned on, then off: told twice.
      await inbox.nth(account.logonEmail, 'totp-changed', 2);

      const again = await verificationToken(t, inbox, token, 'disable_totp', account.logonEmail);
      expect(
        (await api(t).delete('/api/v1/account/totp').set(bearer(token)).send({ verificationToken: again }).expect(422)).body.code,
      ).toBe('SAME_AS_CURRENT');
    });

    it('answers 404 to an activation with no enrolment in progress', async () => {
      const { token } = await owner(false);
      await api(t).post('/api/v1/account/totp/activate').set(bearer(token)).send({ code: '123456' }).expect(404);
    });
  });
});
