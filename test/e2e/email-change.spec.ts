import { AuditService } from '../../src/modules/audit/audit.service';
import { api, bearer, createAccount, signIn, TestAccount, uniqueEmail, uniquePhone } from '../support/factories';
import { Inbox } from '../support/inbox';
import { createTestApp, TestApp } from '../support/test-app';
import { verificationToken } from '../support/verification';

describe('Logon email change', () => {
  let inbox: Inbox;
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ inbox: true });
    ({ inbox } = t);
  });

  afterAll(() => t.close());

  async function owner(): Promise<{ account: TestAccount; token: string }> {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    return { account, token: await signIn(t, account.logonEmail, account.password) };
  }
  const startChange = (token: string, verification: string, newEmail: string) =>
    api(t).post('/api/v1/account/email-change').set(bearer(token)).send({ verificationToken: verification, newEmail });
  const confirm = (token: string, changeId: string, code: string) =>
    api(t).post(`/api/v1/account/email-change/${changeId}/confirm`).set(bearer(token)).send({ code });
  /** Verifies by SMS, starts the change and reads the code sent to the new address. */
  async function begin(
    account: TestAccount,
    token: string,
    newEmail: string,
  ): Promise<{ changeId: string; code: string; body: Record<string, unknown> }> {
    const verification = await verificationToken(t, inbox, token, 'change_email', account.securePhone!);
    const { result, code } = await inbox.codeAfter(newEmail.trim().toLowerCase(), 'email-change-code', () =>
      startChange(token, verification, newEmail).expect(202),
    );
    return { changeId: result.body.changeId as string, code, body: result.body };
  }

  it('moves the logon email to a confirmed new address; the UID stays; the old email no longer signs in; both addresses are told', async () => {
    const { account, token } = await owner();
    const { changeId, code, body } = await begin(account, token, '  New.Owner@Example.ORG ');
    expect(body).toEqual({
      changeId: expect.any(String),
      maskedDestination: 'N***@example.org',
      expiresAt: expect.any(String),
      resendAvailableAt: expect.any(String),
    });

    const confirmed = await confirm(token, changeId, code).expect(200);
    expect(confirmed.body).toEqual({ logonEmail: 'New.Owner@example.org' });
    const view = await api(t).get('/api/v1/account').set(bearer(token)).expect(200);
    expect(view.body).toMatchObject({ uid: account.uid, logonEmail: 'New.Owner@example.org' });

    await api(t).post('/api/v1/sessions').send({ login: account.logonEmail, password: account.password }).expect(401);
    const again = await signIn(t, 'new.owner@example.org', account.password);
    expect((await api(t).get('/api/v1/account').set(bearer(again)).expect(200)).body.uid).toBe(account.uid);

    const toOld = await inbox.latest(account.logonEmail, 'logon-email-changed');
    expect(toOld.text).toContain('N***@example.org');
    expect(toOld.text).toMatch(/\/secure\/revert\/[A-Za-z0-9_-]{43}/);
    const toNew = await inbox.latest('new.owner@example.org', 'logon-email-added');
    expect(toNew.text).toContain(account.uid);

    // Every later notice goes to the new address.
    const verification = await verificationToken(t, inbox, again, 'change_password', 'New.Owner@example.org');
    await api(t)
      .post('/api/v1/account/password')
      .set(bearer(again))
      .send({ verificationToken: verification, newPassword: 'a fresh and long passphrase 7' })
      .expect(200);
    await inbox.latest('new.owner@example.org', 'password-changed');
    expect(inbox.received(account.logonEmail, 'password-changed')).toEqual([]);

    const { events } = await t.get(AuditService).list({ subject: { type: 'account', id: account.uid } });
    expect(events.find((event) => event.action === 'account.logon_email_changed')?.data).toMatchObject({
      changeId,
      to: 'N***@example.org',
    });
  });

  it('refuses an address another account has, in any case, at the start (409), and leaves the token valid', async () => {
    const { account, token } = await owner();
    const taken = await createAccount(t, { logonEmail: uniqueEmail('taken') });
    const verification = await verificationToken(t, inbox, token, 'change_email', account.securePhone!);
    const refused = await startChange(token, verification, taken.logonEmail.toUpperCase().replace('@EXAMPLE.COM', '@example.com')).expect(
      409,
    );
    expect(refused.body).toMatchObject({ code: 'EMAIL_IN_USE', detail: 'This email address is registered to another account.' });
    expect((await startChange(token, verification, account.logonEmail.toUpperCase()).expect(422)).body.code).toBe('SAME_AS_CURRENT');
    await startChange(token, verification, uniqueEmail('free')).expect(202);
  });

  it('refuses at confirmation (409) an address another account took meanwhile', async () => {
    const { account, token } = await owner();
    const wanted = uniqueEmail('wanted');
    const { changeId, code } = await begin(account, token, wanted);
    await createAccount(t, { logonEmail: wanted.toUpperCase() });
    expect((await confirm(token, changeId, code).expect(409)).body.code).toBe('EMAIL_IN_USE');
  });

  it('lets exactly one of two accounts confirming one address at once win: one 200, one 409', async () => {
    const [first, second] = [await owner(), await owner()];
    const address = uniqueEmail('contested');
    const a = await begin(first.account, first.token, address);
    const b = await begin(second.account, second.token, address.replace('contested', 'CONTESTED'));
    const answers = await Promise.all([confirm(first.token, a.changeId, a.code), confirm(second.token, b.changeId, b.code)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    expect(answers.find((answer) => answer.status === 409)?.body.code).toBe('EMAIL_IN_USE');
  });

  it('keeps a pending change to the session that started it, and kills it with that session (404 afterwards)', async () => {
    const { account, token } = await owner();
    const { changeId, code } = await begin(account, token, uniqueEmail('pending'));
    const other = await signIn(t, account.logonEmail, account.password);
    await confirm(other, changeId, code).expect(404);
    const stranger = await owner();
    await confirm(stranger.token, changeId, code).expect(404);

    await api(t).delete('/api/v1/sessions/current').set(bearer(token)).expect(204);
    const fresh = await signIn(t, account.logonEmail, account.password);
    expect((await confirm(fresh, changeId, code).expect(404)).body.code).toBe('NOT_FOUND');
    expect((await api(t).get('/api/v1/account').set(bearer(fresh)).expect(200)).body.logonEmail).toBe(account.logonEmail);
  });

  it('cancels a pending change (204, then 404), and a new change replaces the one before', async () => {
    const { account, token } = await owner();
    const first = await begin(account, token, uniqueEmail('first'));
    const second = await begin(account, token, uniqueEmail('second'));
    await confirm(token, first.changeId, first.code).expect(404);

    await api(t).delete(`/api/v1/account/email-change/${second.changeId}`).set(bearer(token)).expect(204);
    await api(t).delete(`/api/v1/account/email-change/${second.changeId}`).set(bearer(token)).expect(404);
    await confirm(token, second.changeId, second.code).expect(404);
  });

  it('resends the code to the new address under the verification rules, and counts wrong codes', async () => {
    const { account, token } = await owner();
    const newEmail = uniqueEmail('resent');
    const { changeId, code } = await begin(account, token, newEmail);
    expect((await api(t).post(`/api/v1/account/email-change/${changeId}/resend`).set(bearer(token)).send().expect(429)).body.code).toBe(
      'RESEND_TOO_SOON',
    );
    const wrong = await confirm(token, changeId, code === '000000' ? '111111' : '000000').expect(400);
    expect(wrong.body).toMatchObject({ code: 'VERIFICATION_CODE_INVALID', attemptsRemaining: 4 });
    await confirm(token, changeId, code).expect(200);
    expect((await confirm(token, changeId, code).expect(409)).body.code).toBe('VERIFICATION_USED');
  });

  it('validates the new address', async () => {
    const { token } = await owner();
    const response = await startChange(token, 'x', 'not an email').expect(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'newEmail' })]);
  });
});
