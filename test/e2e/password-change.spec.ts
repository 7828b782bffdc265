import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { DevicesService } from '../../src/modules/accounts/devices.service';
import { TotpService } from '../../src/modules/accounts/totp.service';
import { AuditService } from '../../src/modules/audit/audit.service';
import { api, bearer, createAccount, createRamUser, signIn, TestAccount, uniquePhone } from '../support/factories';
import { Inbox } from '../support/inbox';
import { createTestApp, TestApp } from '../support/test-app';
import { verificationToken } from '../support/verification';

describe('Password change', () => {
  let inbox: Inbox;
  let t: TestApp;
  const NEW_PASSWORD = 'a fresh and long passphrase 7';

  beforeAll(async () => {
    t = await createTestApp({ inbox: true, env: { PUBLIC_BASE_URL: 'https://accounts.example.test' } });
    ({ inbox } = t);
  });

  afterAll(() => t.close());

  const changePassword = (token: string, verification: string, newPassword = NEW_PASSWORD) =>
    api(t).post('/api/v1/account/password').set(bearer(token)).send({ verificationToken: verification, newPassword });
  const expectSignedOut = async (token: string) =>
    expect((await api(t).get('/api/v1/account').set(bearer(token)).expect(401)).body.code).toBe('UNAUTHENTICATED');

  async function changeAndCheck(account: TestAccount, via: (token: string) => Promise<string>): Promise<void> {
    const current = await signIn(t, account.logonEmail, account.password);
    const elsewhere = await signIn(t, account.logonEmail, account.password, { deviceId: 'another-device-0123456789' });
    const ramUser = await createRamUser(t, account.uid);
    const ram = await signIn(t, ramUser.login, ramUser.password);

    const changed = await changePassword(current, await via(current)).expect(200);
    expect(changed.body).toEqual({ revokedSessions: 2 });
    await expectSignedOut(current);
    await expectSignedOut(elsewhere);
    // A RAM user's own session is not the owner's.
    await api(t).get('/api/v1/account').set(bearer(ram)).expect(200);
    // Trusted devices stay: the new password signs in directly from them.
    expect(await t.get(DevicesService).list(account.uid)).toHaveLength(2);
    await api(t)
      .post('/api/v1/sessions')
      .set('X-Device-Id', 'another-device-0123456789')
      .send({ login: account.logonEmail, password: account.password })
      .expect(401);
    await api(t)
      .post('/api/v1/sessions')
      .set('X-Device-Id', 'another-device-0123456789')
      .send({ login: account.logonEmail, password: NEW_PASSWORD })
      .expect(201);
  }

  it('verified by SMS: every root session signed out, the current one too; the new password signs in; notices by email and SMS', async () => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    await changeAndCheck(account, (token) => verificationToken(t, inbox, token, 'change_password', account.securePhone!));

    const email = await inbox.latest(account.logonEmail, 'password-changed');
    expect(email.text).toMatch(/https:\/\/accounts\.example\.test\/secure\/revert\/[A-Za-z0-9_-]{43}/);
    const sms = await inbox.latest(account.securePhone!, 'password-changed');
    expect(sms.text).toContain(account.uid);
    const stored = await t.get(AccountsService).get(account.uid);
    expect(stored.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const { events } = await t.get(AuditService).list({ subject: { type: 'account', id: account.uid } });
    expect(events.find((event) => event.action === 'account.password_changed')?.data).toMatchObject({ revokedSessions: 2 });
  });

  it('verified by email', async () => {
    const account = await createAccount(t);
    await changeAndCheck(account, (token) => verificationToken(t, inbox, token, 'change_password', account.logonEmail));
    expect((await inbox.latest(account.logonEmail, 'password-changed')).text).toContain('/secure/revert/');
  });

  it('verified by TOTP', async () => {
    const account = await createAccount(t);
    const secret = t.get(TotpService).newSecret();
    await t.dataSource.transaction((manager) => t.get(AccountsService).setTotpSecret(manager, account.uid, secret));
    await changeAndCheck(account, (token) => verificationToken(t, inbox, token, 'change_password', { totpSecret: secret }));
  });

  it('names every rule a new password breaks (422 PASSWORD_POLICY), and changes nothing', async () => {
    const account = await createAccount(t);
    const token = await signIn(t, account.logonEmail, account.password);
    const verification = await verificationToken(t, inbox, token, 'change_password', account.logonEmail);
    const rulesOf = async (password: string) =>
      ((await changePassword(token, verification, password).expect(422)).body.violations as { rule: string }[]).map(
        (violation) => violation.rule,
      );

    expect(await rulesOf('short')).toContain('length');
    expect(await rulesOf('password1234')).toContain('common');
    expect(await rulesOf(`${account.logonEmail.split('@')[0]} with more words`)).toContain('contains_identity');
    expect(await rulesOf(account.password)).toContain('same_as_current');
    expect(await rulesOf('aaaaaaaaaaaaaaaa')).toContain('weak');
    await api(t).get('/api/v1/account').set(bearer(token)).expect(200);
    await changePassword(token, verification).expect(200);
  });
});
