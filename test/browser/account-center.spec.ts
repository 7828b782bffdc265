import { Page } from 'playwright-core';
import { createAccount, TestAccount, uniqueEmail, uniquePhone } from '../support/factories';
import { Inbox } from '../support/inbox';
import { createTestApp, TestApp } from '../support/test-app';
import { totpCode } from '../support/verification';
import { unexpected, useBrowser } from './support/browser';

/** Every input a person fills in has a label pointing at it. */
const allInputsLabelled = (page: Page) =>
  page.evaluate(() =>
    Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea')).every(
      (input) => input.id && document.querySelector(`label[for="${input.id}"]`),
    ),
  );

describe('Account Center in Chromium', () => {
  let t: TestApp;
  let inbox: Inbox;
  const browser = useBrowser();

  beforeAll(async () => {
    t = await createTestApp({ listen: true, inbox: true });
    ({ inbox } = t);
  });

  afterAll(() => t?.close());

  const url = (path: string) => `${t.baseUrl}${path}`;
  const path = (page: Page) => {
    const { pathname, search } = new URL(page.url());
    return `${pathname}${search}`;
  };

  /** Signs in through /login; this browser is a new device, so the SMS code of /login/verify follows. */
  async function signIn(page: Page, account: TestAccount): Promise<void> {
    await page.goto(url('/security'));
    expect(path(page)).toBe('/login');
    await page.getByLabel('Logon email').fill(account.logonEmail);
    await page.getByLabel('Password', { exact: true }).fill(account.password);
    const { code } = await inbox.codeAfter(account.securePhone!, 'sign-in-code', () =>
      Promise.all([page.waitForURL(url('/login/verify')), page.getByRole('button', { name: 'Sign in', exact: true }).click()]),
    );
    await expect(page.getByText(`We sent a code by text message to`).first().isVisible()).resolves.toBe(true);
    await page.getByLabel('Verification code').fill(code);
    await Promise.all([page.waitForURL(url('/security')), page.getByRole('button', { name: 'Verify and sign in' }).click()]);
  }

  /** From the overview: "Modify" on `row`, verify by SMS, and arrive at the change's own page. */
  async function modify(page: Page, account: TestAccount, row: string, changePath: string): Promise<void> {
    await Promise.all([page.waitForURL(/\/security\/verify\?purpose=/), page.getByRole('link', { name: `Modify the ${row}` }).click()]);
    await expect(page.getByLabel(/Text message to your secure phone/).isChecked()).resolves.toBe(true);
    const { code } = await inbox.codeAfter(account.securePhone!, 'verification-code', () =>
      Promise.all([page.waitForURL(/&id=/), page.getByRole('button', { name: 'Continue' }).click()]),
    );
    await page.getByLabel('Verification code').fill(code);
    await Promise.all([page.waitForURL(url(changePath)), page.getByRole('button', { name: 'Verify', exact: true }).click()]);
  }

  it('lets the owner change the logon email end to end', async () => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    const page = await browser.newPage();
    await signIn(page, account);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Security settings');
    await expect(page.getByText(account.uid).isVisible()).resolves.toBe(true);

    await modify(page, account, 'logon email', '/security/email');
    const newEmail = uniqueEmail('browser');
    await page.getByLabel('New logon email').fill(newEmail);
    const { code } = await inbox.codeAfter(newEmail, 'email-change-code', () =>
      Promise.all([page.waitForURL(url('/security/email/confirm')), page.getByRole('button', { name: 'Send code' }).click()]),
    );
    await expect(page.getByText(`${newEmail[0]}***@example.com`).first().isVisible()).resolves.toBe(true);
    await page.getByLabel('Verification code').fill(code);
    await Promise.all([page.waitForURL(url('/security')), page.getByRole('button', { name: 'Confirm' }).click()]);
    await expect(page.getByRole('status').textContent()).resolves.toBe(`Your logon email is now ${newEmail}. Sign in with it from now on.`);
    await expect(page.locator('.settings').getByText(`${newEmail[0]}***@example.com`).isVisible()).resolves.toBe(true);
    await inbox.latest(account.logonEmail, 'logon-email-changed');
    expect(browser.problems).toEqual([]);
  });

  it('signs the owner out everywhere after a password change, to sign in again with the new one', async () => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    const page = await browser.newPage();
    await signIn(page, account);
    await modify(page, account, 'logon password', '/security/password');
    await page.getByLabel('New logon password').fill('short');
    await page.getByLabel('Type the new password again').fill('short');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.locator('#newPassword-error').textContent()).resolves.toContain('Use 12 to 128 characters.');
    await expect(page.getByLabel('New logon password').inputValue()).resolves.toBe('');
    expect(unexpected(browser.problems, t.baseUrl!, ['422 POST /security/password'])).toEqual([]);
    browser.problems.length = 0;

    await page.getByLabel('New logon password').fill('granite orchard whispers nightly');
    await page.getByLabel('Type the new password again').fill('granite orchard whispers nightly');
    await Promise.all([page.waitForURL(url('/login')), page.getByRole('button', { name: 'Change password' }).click()]);
    await expect(page.getByRole('status').textContent()).resolves.toBe(
      'Your logon password was changed and you were signed out on every device. Sign in with your new password.',
    );
    await page.goto(url('/security'));
    expect(path(page)).toBe('/login');
    // The device is trusted by now: the new password alone signs in.
    await page.getByLabel('Logon email').fill(account.logonEmail);
    await page.getByLabel('Password', { exact: true }).fill('granite orchard whispers nightly');
    await Promise.all([page.waitForURL(url('/security')), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    expect(browser.problems).toEqual([]);
  });

  it('shows every page without a console error or an unexpected failed request, each input labelled', async () => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    const page = await browser.newPage();
    const expected: string[] = [];
    const visit = async (target: string, title: string) => {
      await page.goto(url(target));
      await expect([target, await page.title()]).toEqual([target, `${title} · Account Center`]);
      await expect(allInputsLabelled(page)).resolves.toBe(true);
    };

    await visit('/login', 'Sign in');
    const focus: string[] = [];
    for (let n = 0; n < 7; n += 1) {
      await page.keyboard.press('Tab');
      focus.push(
        await page.evaluate(() => (document.activeElement as HTMLElement | null)?.id || document.activeElement?.textContent?.trim() || ''),
      );
    }
    expect(focus).toEqual([
      'Skip to content',
      'Account Center',
      'login',
      'password',
      'Sign in',
      'Sign in with a passkey',
      'Forgot password',
    ]);

    await page.getByLabel('Logon email').fill(account.logonEmail);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.locator('#password-error').textContent()).resolves.toBe('Enter your password.');
    expected.push('400 POST /login');
    await signIn(page, account);
    await expect(allInputsLabelled(page)).resolves.toBe(true);

    await visit('/security', 'Security settings');
    await visit('/security/sessions', 'Sessions and devices');
    await visit('/security/totp', 'Authenticator app');
    for (const [purpose, target] of [
      ['change_password', '/security/password'],
      ['change_phone', '/security/phone'],
    ]) {
      await visit(`/security/verify?purpose=${purpose}`, 'Verify your identity');
      const { code } = await inbox.codeAfter(account.securePhone!, 'verification-code', () =>
        Promise.all([page.waitForURL(/&id=/), page.getByRole('button', { name: 'Continue' }).click()]),
      );
      await expect(allInputsLabelled(page)).resolves.toBe(true);
      await page.getByLabel('Verification code').fill(code);
      await Promise.all([page.waitForURL(url(target)), page.getByRole('button', { name: 'Verify', exact: true }).click()]);
      await expect(allInputsLabelled(page)).resolves.toBe(true);
    }
    const newPhone = uniquePhone();
    await page.getByLabel('New secure phone').fill(newPhone);
    await Promise.all([page.waitForURL(url('/security/phone/confirm')), page.getByRole('button', { name: 'Send code' }).click()]);
    await expect(allInputsLabelled(page)).resolves.toBe(true);
    await visit('/security', 'Security settings');
    await expect(page.getByRole('heading', { name: 'Changes waiting for a code' }).isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Cancel the change of the Secure phone' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toBe('The change of your secure phone was cancelled; nothing changed.');

    // TOTP: set up from the QR page (an inline SVG, allowed by the CSP) to the recovery codes.
    await visit('/security/verify?purpose=enable_totp', 'Verify your identity');
    const { code } = await inbox.codeAfter(account.securePhone!, 'verification-code', () =>
      Promise.all([page.waitForURL(/&id=/), page.getByRole('button', { name: 'Continue' }).click()]),
    );
    await page.getByLabel('Verification code').fill(code);
    await Promise.all([page.waitForURL(url('/security/totp')), page.getByRole('button', { name: 'Verify', exact: true }).click()]);
    await page.getByRole('button', { name: 'Create a set-up key' }).click();
    await expect(page.locator('figure.qr svg').isVisible()).resolves.toBe(true);
    const secret = (await page.locator('code.secret').textContent())!;
    await page.getByLabel('Code from the app').fill(await totpCode(t, secret));
    await page.getByRole('button', { name: 'Turn on authenticator' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Your authenticator app is on');
    await expect(page.locator('ol.recovery-codes li').count()).resolves.toBe(10);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(url('/login'));
    await expect(page.getByRole('status').textContent()).resolves.toBe('You have signed out.');

    const frozen = await createAccount(t, { securePhone: uniquePhone() });
    await t.dataSource.query(`UPDATE accounts SET status = 'frozen' WHERE uid = $1`, [frozen.uid]);
    await page.getByLabel('Logon email').fill(frozen.logonEmail);
    await page.getByLabel('Password', { exact: true }).fill(frozen.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Your account is frozen');
    await expect(page.getByRole('link', { name: 'File an appeal' }).first().getAttribute('href')).resolves.toBe(
      `/appeal?login=${encodeURIComponent(frozen.logonEmail)}`,
    );
    expected.push('423 POST /login');

    expect(unexpected(browser.problems, t.baseUrl!, expected)).toEqual([]);
  });
});
