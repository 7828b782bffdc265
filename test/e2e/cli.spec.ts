import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { runCli } from '../support/cli';
import { createAccount, uniqueEmail } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

describe('Provisioning commands', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ workers: false });
  });

  afterAll(async () => {
    await t.close();
  });

  it('account:create makes an account with the password from stdin and prints its UID', async () => {
    const email = uniqueEmail('cli');
    const result = await runCli(
      t,
      ['account:create', '--email', email, '--phone', '+8613812345678', '--locale', 'zh-CN'],
      'a password from stdin\n',
    );
    expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(/^[1-9]\d{15}\n$/) });
    const account = await t.get(AccountsService).get(result.stdout.trim());
    expect(account).toMatchObject({ logonEmail: email, securePhone: '+8613812345678', locale: 'zh-CN', status: 'active' });
    await expect(t.get(AccountsService).verifyPassword(account, 'a password from stdin')).resolves.toBe(true);
  }, 60_000);

  it('account:create names each invalid field, and says when the email is taken', async () => {
    const [invalid, taken] = await Promise.all([
      runCli(t, ['account:create', '--email', 'not-an-email', '--password', 'short']),
      createAccount(t).then((account) =>
        runCli(t, ['account:create', '--email', account.logonEmail, '--password', 'a long enough password']),
      ),
    ]);
    expect(invalid.code).toBe(2);
    expect(invalid.stdout).toContain('logonEmail: must be an email');
    expect(invalid.stdout).toContain('password: must be longer than or equal to 12 characters');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('This email address is registered to another account.');
  }, 60_000);

  it('agent:create prints the new agent’s id; --help needs no database', async () => {
    const [created, help] = await Promise.all([
      runCli(t, ['agent:create', '--email', uniqueEmail('agent'), '--name', 'Ada', '--role', 'admin', '--password', 'agent password 123']),
      runCli(t, ['agent:create', '--help']),
    ]);
    expect(created).toMatchObject({ code: 0, stdout: expect.stringMatching(/^[0-9a-f-]{36}\n$/) });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run cli -- agent:create --email <email> --name <name> --role agent\|supervisor\|admin/);
    expect(help.stdout).toContain('--password <password>');
  }, 60_000);
});
