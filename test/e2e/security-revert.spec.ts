import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { DevicesService } from '../../src/modules/accounts/devices.service';
import { AuditService } from '../../src/modules/audit/audit.service';
import {
  api,
  bearer,
  controlClock,
  createAccount,
  createRamUser,
  signIn,
  TestAccount,
  uniqueEmail,
  uniquePhone,
} from '../support/factories';
import { Inbox } from '../support/inbox';
import { createTestApp, TestApp } from '../support/test-app';
import { verificationToken } from '../support/verification';

describe('"This wasn\'t me" links', () => {
  let inbox: Inbox;
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ inbox: true });
    ({ inbox } = t);
  });

  afterAll(() => t.close());

  const REVERT_LINK = /\/secure\/revert\/([A-Za-z0-9_-]{43})/;
  const linkIn = (text: string) => REVERT_LINK.exec(text)![1];
  const revert = (token: string) => api(t).post(`/api/v1/security-reverts/${token}`).send();

  /** A new account whose password its owner changed, and the revert link of the "password changed" notice. */
  async function passwordChanged(): Promise<{ account: TestAccount; link: string }> {
    const account = await createAccount(t);
    const token = await signIn(t, account.logonEmail, account.password);
    const verification = await verificationToken(t, inbox, token, 'change_password', account.logonEmail);
    await api(t)
      .post('/api/v1/account/password')
      .set(bearer(token))
      .send({ verificationToken: verification, newPassword: 'a fresh and long passphrase 7' })
      .expect(200);
    const link = linkIn((await inbox.latest(account.logonEmail, 'password-changed')).text);
    return { account, link };
  }

  async function changeEmail(account: TestAccount, token: string, newEmail: string): Promise<void> {
    const verification = await verificationToken(t, inbox, token, 'change_email', account.securePhone ?? account.logonEmail);
    const { result, code } = await inbox.codeAfter(newEmail, 'email-change-code', () =>
      api(t).post('/api/v1/account/email-change').set(bearer(token)).send({ verificationToken: verification, newEmail }).expect(202),
    );
    await api(t).post(`/api/v1/account/email-change/${result.body.changeId}/confirm`).set(bearer(token)).send({ code }).expect(200);
  }

  it('restores the former logon email, signs everyone out, forgets every device, freezes the account, and works once', async () => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    const token = await signIn(t, account.logonEmail, account.password);
    const ramUser = await createRamUser(t, account.uid);
    const ram = await signIn(t, ramUser.login, ramUser.password);
    const intruder = uniqueEmail('intruder');
    await changeEmail(account, token, intruder);

    const link = linkIn((await inbox.latest(account.logonEmail, 'logon-email-changed')).text);
    const reverted = await revert(link).expect(200);
    expect(reverted.body).toEqual({ reverted: ['logon_email'], accountStatus: 'frozen' });

    const stored = await t.get(AccountsService).get(account.uid);
    expect(stored).toMatchObject({ logonEmail: account.logonEmail, status: 'frozen' });
    await api(t).get('/api/v1/account').set(bearer(token)).expect(401);
    await api(t).get('/api/v1/account').set(bearer(ram)).expect(401);
    expect(await t.get(DevicesService).list(account.uid)).toEqual([]);

    // Sign-in: 423 after the right password only; the intruder's address no longer signs in at all.
    expect(
      (await api(t).post('/api/v1/sessions').send({ login: account.logonEmail, password: account.password }).expect(423)).body.code,
    ).toBe('ACCOUNT_FROZEN');
    await api(t).post('/api/v1/sessions').send({ login: account.logonEmail, password: 'not the password' }).expect(401);
    await api(t).post('/api/v1/sessions').send({ login: intruder, password: account.password }).expect(401);

    await inbox.latest(account.logonEmail, 'account-frozen');
    await inbox.latest(intruder, 'account-frozen');
    expect((await revert(link).expect(404)).body.code).toBe('NOT_FOUND');

    const { events } = await t.get(AuditService).list({ subject: { type: 'account', id: account.uid } });
    expect(events.find((event) => event.action === 'account.change_reverted')?.data).toEqual({
      kind: 'logon_email',
      reverted: ['logon_email'],
    });
    expect(events.find((event) => event.action === 'account.frozen')?.data).toEqual({
      reason: 'security_revert',
      revokedSessions: 2,
      forgottenDevices: 1,
    });
  });

  it('freezes without restoring what another account has taken since (reverted: [])', async () => {
    const account = await createAccount(t);
    const token = await signIn(t, account.logonEmail, account.password);
    await changeEmail(account, token, uniqueEmail('moved'));
    const link = linkIn((await inbox.latest(account.logonEmail, 'logon-email-changed')).text);
    await createAccount(t, { logonEmail: account.logonEmail.toUpperCase() });
    expect((await revert(link).expect(200)).body).toEqual({ reverted: [], accountStatus: 'frozen' });
  });

  it('from a password change notice: restores nothing, freezes the account', async () => {
    const { account, link } = await passwordChanged();
    expect((await revert(link).expect(200)).body).toEqual({ reverted: [], accountStatus: 'frozen' });
    await api(t).post('/api/v1/sessions').send({ login: account.logonEmail, password: 'a fresh and long passphrase 7' }).expect(423);
  });

  it('from the old phone: restores the former secure phone; each link restores the value it was issued for', async () => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    const token = await signIn(t, account.logonEmail, account.password);
    const changePhone = async (number: string) => {
      const verification = await verificationToken(t, inbox, token, 'change_phone', account.logonEmail);
      const { result, code } = await inbox.codeAfter(number, 'phone-change-code', () =>
        api(t)
          .post('/api/v1/account/phone-change')
          .set(bearer(token))
          .send({ verificationToken: verification, newPhone: number })
          .expect(202),
      );
      await api(t).post(`/api/v1/account/phone-change/${result.body.changeId}/confirm`).set(bearer(token)).send({ code }).expect(200);
    };
    const [second, third] = [uniquePhone(), uniquePhone()];
    await changePhone(second);
    await changePhone(third);
    const fromFirst = linkIn((await inbox.latest(account.securePhone!, 'secure-phone-changed')).text);
    const fromSecond = linkIn((await inbox.latest(second, 'secure-phone-changed')).text);

    expect((await revert(fromSecond).expect(200)).body).toEqual({ reverted: ['secure_phone'], accountStatus: 'frozen' });
    expect((await t.get(AccountsService).get(account.uid)).securePhone).toBe(second);
    // The account is frozen already; the older link still restores its own number.
    expect((await revert(fromFirst).expect(200)).body).toEqual({ reverted: ['secure_phone'], accountStatus: 'frozen' });
    expect((await t.get(AccountsService).get(account.uid)).securePhone).toBe(account.securePhone);
  });

  it('answers 404 to an unknown, malformed or expired link', async () => {
    await revert('A'.repeat(43)).expect(404);
    await revert('nope').expect(404);
    const { account, link } = await passwordChanged();
    controlClock(t).advance(7 * 86_400_000);
    await revert(link).expect(404);
    expect((await t.get(AccountsService).get(account.uid)).status).toBe('active');
  });
});
