import { EntityManager } from 'typeorm';
import { ValidationFailedError } from '../../src/common/errors/domain-error';
import { EmailInUseError } from '../../src/modules/accounts/accounts.errors';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { Account } from '../../src/modules/accounts/entities/account.entity';
import { DevicesService } from '../../src/modules/accounts/devices.service';
import { SessionsService } from '../../src/modules/accounts/sessions.service';
import { api, bearer, createAccount, createRamUser, signIn } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

/** The building blocks the verification, appeal and back-office flows call inside their own transactions. */
describe(AccountsService.name, () => {
  let t: TestApp;
  let accounts: AccountsService;

  beforeAll(async () => {
    t = await createTestApp({ workers: false });
    accounts = t.get(AccountsService);
  });

  afterAll(async () => {
    await t.close();
  });

  const inTransaction = <T>(work: (manager: EntityManager) => Promise<T>) => t.dataSource.transaction(work);

  it('changes the logon email, normalised, and refuses one another account has in any case', async () => {
    const [one, other] = [await createAccount(t), await createAccount(t)];
    await inTransaction((manager) => accounts.setLogonEmail(manager, one.uid, ' New.Owner@Example.ORG '));
    await expect(accounts.get(one.uid)).resolves.toMatchObject({ logonEmail: 'New.Owner@example.org' });
    await expect(inTransaction((manager) => accounts.setLogonEmail(manager, other.uid, 'new.owner@EXAMPLE.org'))).rejects.toBeInstanceOf(
      EmailInUseError,
    );
    // The old email no longer signs in; the new one does.
    await api(t).post('/api/v1/sessions').send({ login: one.logonEmail, password: one.password }).expect(401);
    await signIn(t, 'new.owner@example.org', one.password);
    // The replaced address is kept, and names the account in any case.
    await expect(accounts.findByFormerContact('logon_email', one.logonEmail.toUpperCase())).resolves.toEqual([one.uid]);
    await expect(accounts.formerContacts(one.uid)).resolves.toEqual([
      expect.objectContaining({ kind: 'logon_email', value: one.logonEmail }),
    ]);
  });

  it('finds an account by its logon email in any case, as TypeORM reads it', async () => {
    const { uid, logonEmail } = await createAccount(t, { securePhone: '+8613812345679' });
    const found = await accounts.findByLogonEmail(` ${logonEmail.toUpperCase()} `);
    expect(found).toEqual(await accounts.get(uid));
    expect(found).toBeInstanceOf(Account);
    await expect(accounts.findByLogonEmail(`nobody-${uid}@example.com`)).resolves.toBeNull();
  });

  it('changes or removes the secure phone, E.164 only', async () => {
    const account = await createAccount(t, { securePhone: '+8613812345678' });
    await inTransaction((manager) => accounts.setSecurePhone(manager, account.uid, '+447911123456'));
    await expect(accounts.findBySecurePhone('+447911123456')).resolves.toEqual([expect.objectContaining({ uid: account.uid })]);
    await expect(inTransaction((manager) => accounts.setSecurePhone(manager, account.uid, '07911 123456'))).rejects.toBeInstanceOf(
      ValidationFailedError,
    );
    await inTransaction((manager) => accounts.setSecurePhone(manager, account.uid, null));
    await expect(accounts.get(account.uid)).resolves.toMatchObject({ securePhone: null });
    await expect(accounts.findByFormerContact('secure_phone', '+8613812345678')).resolves.toEqual([account.uid]);
    const former = await accounts.formerContacts(account.uid);
    expect(former.map((contact) => contact.value)).toEqual(['+447911123456', '+8613812345678']);
  });

  it('stores a new password hash and moves passwordChangedAt', async () => {
    const account = await createAccount(t);
    const before = await accounts.get(account.uid);
    const hash = await accounts.hashPassword('a brand new password');
    await inTransaction((manager) => accounts.setPasswordHash(manager, account.uid, hash));
    const after = await accounts.get(account.uid);
    expect(after.passwordChangedAt.getTime()).toBeGreaterThan(before.passwordChangedAt.getTime());
    await expect(accounts.verifyPassword(after, 'a brand new password')).resolves.toBe(true);
    await expect(accounts.verifyPassword(after, account.password)).resolves.toBe(false);
  });

  it('freezes an account and revokes its sessions in one transaction, root only or all', async () => {
    const account = await createAccount(t);
    const ramUser = await createRamUser(t, account.uid);
    const [root, ram] = [await signIn(t, account.logonEmail, account.password), await signIn(t, ramUser.login, ramUser.password)];
    const sessions = t.get(SessionsService);

    await expect(
      inTransaction((manager) => sessions.revokeForAccount(manager, account.uid, 'password_changed', { rootOnly: true })),
    ).resolves.toBe(1);
    await api(t).get('/api/v1/account').set(bearer(root)).expect(401);
    await api(t).get('/api/v1/account').set(bearer(ram)).expect(200);

    const revoked = await inTransaction(async (manager) => {
      await accounts.setStatus(manager, account.uid, 'frozen');
      return sessions.revokeForAccount(manager, account.uid, 'account_frozen');
    });
    expect(revoked).toBe(1);
    await api(t).get('/api/v1/account').set(bearer(ram)).expect(401);
    await api(t).post('/api/v1/sessions').send({ login: account.logonEmail, password: account.password }).expect(423);
  });

  it('forgets every trusted device of an account', async () => {
    const account = await createAccount(t);
    await signIn(t, account.logonEmail, account.password, { deviceId: 'device-one-0123456789' });
    await signIn(t, account.logonEmail, account.password, { deviceId: 'device-two-0123456789' });
    const devices = t.get(DevicesService);
    expect(await devices.list(account.uid)).toHaveLength(2);
    await expect(inTransaction((manager) => devices.forgetAll(manager, account.uid))).resolves.toBe(2);
    expect(await devices.list(account.uid)).toEqual([]);
  });

  it('answers NotFound for an unknown or malformed UID', async () => {
    await expect(accounts.get('9999999999999999')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(accounts.get("1' OR '1'='1")).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
