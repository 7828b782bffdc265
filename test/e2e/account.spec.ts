import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { api, bearer, createAccount, createRamUser, mintSession, signIn, TestAccount } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

describe('Account', () => {
  let t: TestApp;
  let owner: TestAccount;
  let rootToken: string;

  beforeAll(async () => {
    t = await createTestApp({ workers: false });
    owner = await createAccount(t, { securePhone: '+8613812345678' });
    rootToken = await signIn(t, owner.logonEmail, owner.password);
  });

  afterAll(async () => {
    await t.close();
  });

  it('shows the owner their account, phone masked', async () => {
    const response = await api(t).get('/api/v1/account').set(bearer(rootToken)).expect(200);
    expect(response.body).toEqual({
      uid: owner.uid,
      logonEmail: owner.logonEmail,
      securePhone: '+86 138****5678',
      totpEnabled: false,
      verificationMethods: ['sms', 'email'],
      locale: 'en',
      passwordChangedAt: expect.any(String),
      principal: { type: 'root', uid: owner.uid },
    });
  });

  it('offers only the verification methods the account has', async () => {
    const account = await createAccount(t);
    const token = await signIn(t, account.logonEmail, account.password);
    await t.dataSource.transaction((manager) => t.get(AccountsService).setTotpSecret(manager, account.uid, 'JBSWY3DPEHPK3PXP'));
    const response = await api(t).get('/api/v1/account').set(bearer(token)).expect(200);
    expect(response.body).toMatchObject({ securePhone: null, totpEnabled: true, verificationMethods: ['email', 'totp'] });
    const stored = await t.get(AccountsService).get(account.uid);
    expect(stored.totpSecret).not.toContain('JBSWY3DPEHPK3PXP');
    expect(t.get(AccountsService).totpSecretOf(stored)).toBe('JBSWY3DPEHPK3PXP');
  });

  it('sets the locale of later messages', async () => {
    const account = await createAccount(t);
    const token = await signIn(t, account.logonEmail, account.password);
    const response = await api(t).patch('/api/v1/account').set(bearer(token)).send({ locale: 'zh-CN' }).expect(200);
    expect(response.body).toMatchObject({ uid: account.uid, locale: 'zh-CN' });
    await api(t)
      .get('/api/v1/account')
      .set(bearer(token))
      .expect(200)
      .expect((res) => expect(res.body.locale).toBe('zh-CN'));
  });

  it('refuses an unknown locale or unknown fields', async () => {
    await api(t).patch('/api/v1/account').set(bearer(rootToken)).send({ locale: 'fr' }).expect(400);
    await api(t).patch('/api/v1/account').set(bearer(rootToken)).send({ locale: 'en', logonEmail: 'x@example.com' }).expect(400);
  });

  it('needs a session', async () => {
    await api(t).get('/api/v1/account').expect(401);
    await api(t).patch('/api/v1/account').send({ locale: 'en' }).expect(401);
  });

  describe('RAM users', () => {
    let ramToken: string;

    beforeAll(async () => {
      const ramUser = await createRamUser(t, owner.uid, 'reader');
      ramToken = await signIn(t, ramUser.login, ramUser.password);
    });

    it('see the account with the logon email masked too', async () => {
      const response = await api(t).get('/api/v1/account').set(bearer(ramToken)).expect(200);
      expect(response.body).toMatchObject({
        uid: owner.uid,
        logonEmail: expect.stringMatching(/^o\*\*\*@example\.com$/),
        principal: { type: 'ram_user', uid: owner.uid, name: 'reader' },
      });
    });

    it('may set the locale', async () => {
      await api(t).patch('/api/v1/account').set(bearer(ramToken)).send({ locale: 'en' }).expect(200);
    });

    it('are refused what only the owner may do, and told to ask the account administrator', async () => {
      const response = await api(t).get('/api/v1/devices').set(bearer(ramToken)).expect(403);
      expect(response.body).toMatchObject({ code: 'ROOT_ACCOUNT_REQUIRED', status: 403 });
      expect(response.body.detail).toMatch(/account administrator.*RAM console/);
    });
  });

  describe('role and SSO sessions', () => {
    it('refuse a RAM role anything but reading, pointing to the account administrator', async () => {
      const token = await mintSession(t, owner.uid, 'ram_role', 'ops');
      await api(t).get('/api/v1/account').set(bearer(token)).expect(200);
      const response = await api(t).patch('/api/v1/account').set(bearer(token)).send({ locale: 'en' }).expect(403);
      expect(response.body).toMatchObject({ code: 'ROOT_ACCOUNT_REQUIRED', detail: expect.stringMatching(/account administrator/) });
      await api(t).get('/api/v1/devices').set(bearer(token)).expect(403);
    });

    it('refuse an SSO user, pointing to the corporate identity provider', async () => {
      const token = await mintSession(t, owner.uid, 'sso', 'erin@corp.example');
      const response = await api(t).patch('/api/v1/account').set(bearer(token)).send({ locale: 'en' }).expect(403);
      expect(response.body).toMatchObject({ code: 'FEDERATED_IDENTITY', detail: expect.stringMatching(/corporate identity provider/) });
    });
  });
});
