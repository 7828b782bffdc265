import { Page } from 'playwright-core';
import { api, bearer, createAccount, signIn, uniquePhone } from '../support/factories';
import { Inbox } from '../support/inbox';
import { extractCode } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';
import { unexpected, useBrowser } from './support/browser';

describe('Recovery pages in Chromium', () => {
  let inbox: Inbox;
  let t: TestApp;
  const browser = useBrowser();
  const NEW_PASSWORD = 'a fresh and long passphrase 7';

  beforeAll(async () => {
    t = await createTestApp({ listen: true, inbox: true });
    ({ inbox } = t);
  });

  afterAll(() => t?.close());

  const flash = (page: Page) => page.locator('main [role="status"]').first().textContent();
  const expectNoProblems = (expected: string[] = []) => expect(unexpected(browser.problems, t.baseUrl!, expected)).toEqual([]);

  /** Asks for a code on /recover/password and returns the recovery's path once the code form shows. */
  async function askForCode(
    page: Page,
    login: string,
    method: 'By email, to the logon email' | 'By SMS, to the secure phone',
  ): Promise<string> {
    await page.goto(`${t.baseUrl}/recover/password`);
    await page.getByLabel('Logon email', { exact: true }).fill(login);
    await page.getByLabel(method).check();
    await Promise.all([
      page.waitForURL(/\/recover\/password\/[0-9a-f-]{36}$/),
      page.getByRole('button', { name: 'Send the code' }).click(),
    ]);
    await expect(page.title()).resolves.toBe('Enter the code and a new password · Account Center');
    return new URL(page.url()).pathname;
  }

  async function submitReset(page: Page, code: string, newPassword: string): Promise<void> {
    await page.getByLabel('Code', { exact: true }).fill(code);
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Type the new password again').fill(newPassword);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Set the new password' }).click()]);
  }

  it('resets a password with a code sent by email: errors beside their fields, then every session signed out', async () => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    const session = await signIn(t, account.logonEmail, account.password);
    const page = await browser.newPage();

    // An empty login comes back beside its field.
    await page.goto(`${t.baseUrl}/recover/password`);
    await expect(page.title()).resolves.toBe('Reset your password · Account Center');
    await expect(page.getByLabel('By email, to the logon email').isChecked()).resolves.toBe(true);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Send the code' }).click()]);
    await expect(page.locator('#login-error').textContent()).resolves.toBe('Enter the logon email of your account.');
    await expect(page.getByLabel('Logon email', { exact: true }).getAttribute('aria-invalid')).resolves.toBe('true');
    expectNoProblems(['400 POST /recover/password']);
    browser.problems.length = 0;

    const path = await askForCode(page, account.logonEmail, 'By email, to the logon email');
    await expect(flash(page)).resolves.toContain('we have sent a code to it');
    const code = extractCode((await inbox.latest(account.logonEmail, 'password-recovery-code')).text);

    // A common password: the policy's message beside the new password, the code still good.
    await submitReset(page, code, 'password1234');
    await expect(page.locator('#newPassword-error').textContent()).resolves.toContain('commonly used');
    await expect(page.getByLabel('Code', { exact: true }).inputValue()).resolves.toBe(code);
    expectNoProblems([`422 POST ${path}`]);
    browser.problems.length = 0;

    await submitReset(page, code, NEW_PASSWORD);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Your password was reset');
    await expect(page.getByRole('link', { name: 'Sign in' }).getAttribute('href')).resolves.toBe('/login');
    await api(t).get('/api/v1/account').set(bearer(session)).expect(401);
    await inbox.latest(account.logonEmail, 'password-changed');
    await signIn(t, account.logonEmail, NEW_PASSWORD);
    expectNoProblems();
  });

  it('resets a password with a code sent by SMS, after a wrong code', async () => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    const page = await browser.newPage();
    const path = await askForCode(page, account.logonEmail, 'By SMS, to the secure phone');
    await expect(flash(page)).resolves.toContain('by SMS');
    const code = extractCode((await inbox.latest(account.securePhone!, 'password-recovery-code')).text);

    await submitReset(page, String((Number(code) + 1) % 1_000_000).padStart(6, '0'), NEW_PASSWORD);
    await expect(page.locator('#code-error').textContent()).resolves.toBe('The code is not correct. 4 attempts left.');
    expectNoProblems([`400 POST ${path}`]);
    browser.problems.length = 0;

    await submitReset(page, code, NEW_PASSWORD);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Your password was reset');
    await inbox.latest(account.securePhone!, 'password-changed');
    expectNoProblems();
  });

  it('sends the logon email reminder by SMS from /recover/email, with the same message for a phone nobody has', async () => {
    const phone = uniquePhone();
    const account = await createAccount(t, { securePhone: phone });
    const page = await browser.newPage();
    await page.goto(`${t.baseUrl}/recover/password`);
    await Promise.all([
      page.waitForURL(`${t.baseUrl}/recover/email`),
      page.getByRole('link', { name: 'Find it with your secure phone' }).click(),
    ]);
    await expect(page.title()).resolves.toBe('Find your logon email · Account Center');

    await page.getByLabel('Secure phone').fill('12345');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Send me an SMS' }).click()]);
    await expect(page.locator('#securePhone-error').textContent()).resolves.toContain('chosen country');
    expectNoProblems(['400 POST /recover/email']);
    browser.problems.length = 0;

    const said: string[] = [];
    // Written as people write it, with spaces: the page takes it as E.164.
    for (const typed of [`${phone.slice(0, 3)} ${phone.slice(3, 6)} ${phone.slice(6)}`, uniquePhone()]) {
      await page.getByLabel('Secure phone').fill(typed);
      await Promise.all([page.waitForURL(`${t.baseUrl}/recover/email`), page.getByRole('button', { name: 'Send me an SMS' }).click()]);
      said.push((await flash(page)) ?? '');
    }
    expect(said[0]).toBe('If an account has this secure phone, an SMS with its logon email and account ID is on its way.');
    expect(said[1]).toBe(said[0]);
    const sms = await inbox.latest(phone, 'logon-email-reminder');
    expect(sms.text).toContain(account.uid);
    expect(sms.text).toContain(`${account.logonEmail[0]}***@example.com`);
    expectNoProblems();
  });
});
