import { Page } from 'playwright-core';
import { TotpService } from '../../src/modules/accounts/totp.service';
import { createAccount, TestAccount, uniquePhone } from '../support/factories';
import { Inbox } from '../support/inbox';
import { createTestApp, TestApp } from '../support/test-app';
import { accountWithPhoneAndApp, totpCode } from '../support/verification';
import { useBrowser } from './support/browser';

/** "Try another way" at sign-in (/login/verify) and at identity verification (/security/verify), on a desktop and on a phone. */
describe.each([
  ['desktop', 1280, 800],
  ['phone', 390, 844],
])('Try another way in Chromium (%s, %i px)', (_name, width, height) => {
  let t: TestApp;
  let inbox: Inbox;
  const browser = useBrowser();

  beforeAll(async () => {
    t = await createTestApp({ listen: true, inbox: true });
    ({ inbox } = t);
  });

  afterAll(() => t?.close());

  const url = (path: string) => `${t.baseUrl}${path}`;

  async function newPage(): Promise<Page> {
    const page = await browser.newPage();
    await page.setViewportSize({ width, height });
    return page;
  }

  /** The page fits the window: nothing to scroll sideways. */
  const fits = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  /** Login and password from this (new) browser: /login/verify, with an SMS code sent; returns that code. */
  async function password(page: Page, account: TestAccount): Promise<string> {
    await page.goto(url('/login'));
    await page.getByLabel('Logon email').fill(account.logonEmail);
    await page.getByLabel('Password', { exact: true }).fill(account.password);
    const { code } = await inbox.codeAfter(account.securePhone!, 'sign-in-code', () =>
      Promise.all([page.waitForURL(url('/login/verify')), page.getByRole('button', { name: 'Sign in', exact: true }).click()]),
    );
    return code;
  }

  /** Opens "Try another way" and picks `choice`: back on /login/verify (`landing`) for the new way. */
  async function tryAnotherWay(page: Page, choice: string, landing: string): Promise<void> {
    await page.locator('summary', { hasText: 'Try another way' }).click();
    await expect(page.getByRole('button', { name: choice }).isVisible()).resolves.toBe(true);
    expect(await fits(page)).toBe(true);
    await Promise.all([page.waitForURL(url(landing)), page.getByRole('button', { name: choice }).click()]);
  }

  it('signs in with the authenticator app when the SMS code does not come', async () => {
    const { account, secret } = await accountWithPhoneAndApp(t);
    const page = await newPage();
    const smsCode = await password(page, account);
    await expect(page.getByText('We sent a code by text message to').isVisible()).resolves.toBe(true);

    await tryAnotherWay(page, 'Use a code from your authenticator app', '/login/verify');
    await expect(page.getByText('Enter a code from your authenticator app.').isVisible()).resolves.toBe(true);
    // The other ways are still offered: the phone, the email, a recovery code.
    await page.locator('summary', { hasText: 'Try another way' }).click();
    for (const way of ['Use a recovery code', 'Text a code to your secure phone', 'Email a code to your logon email'])
      await expect(page.getByRole('button', { name: way }).isVisible()).resolves.toBe(true);
    expect(await fits(page)).toBe(true);

    // The SMS code sent before no longer works; the app's code does.
    await page.getByLabel('Code from your authenticator app').fill(smsCode);
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await expect(page.locator('#code-error').textContent()).resolves.toContain('The code is not correct');
    await page.getByLabel('Code from your authenticator app').fill(await totpCode(t, secret));
    await Promise.all([page.waitForURL(url('/security')), page.getByRole('button', { name: 'Verify and sign in' }).click()]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Security settings');
    expect(browser.problems.filter((problem) => !problem.includes('400'))).toEqual([]);
  });

  it('signs in with a recovery code when neither the phone nor the app is at hand', async () => {
    const { account, recoveryCodes } = await accountWithPhoneAndApp(t);
    const page = await newPage();
    await password(page, account);

    await tryAnotherWay(page, 'Use a recovery code', '/login/verify?use=recovery-code');
    await expect(page.getByText('Enter one of the recovery codes you saved').isVisible()).resolves.toBe(true);
    expect(await fits(page)).toBe(true);
    await page.getByLabel('Recovery code').fill(`${recoveryCodes[3].slice(0, 5)}-${recoveryCodes[3].slice(5)}`);
    await Promise.all([page.waitForURL(url('/security')), page.getByRole('button', { name: 'Verify and sign in' }).click()]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Security settings');
    expect(await t.get(TotpService).recoveryCodesLeft(account.uid)).toBe(9);
    expect(browser.problems).toEqual([]);
  });

  it('verifies by another of the account’s methods on /security/verify', async () => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    const page = await newPage();
    const smsCode = await password(page, account);
    await page.getByLabel('Verification code').fill(smsCode);
    await Promise.all([page.waitForURL(url('/security')), page.getByRole('button', { name: 'Verify and sign in' }).click()]);

    await page.goto(url('/security/verify?purpose=change_password'));
    await inbox.codeAfter(account.securePhone!, 'verification-code', () =>
      Promise.all([page.waitForURL(/&id=/), page.getByRole('button', { name: 'Continue' }).click()]),
    );
    await expect(page.getByText('Or try another way:').isVisible()).resolves.toBe(true);
    expect(await fits(page)).toBe(true);
    const byEmail = page.getByRole('button', { name: /^Email to your logon email/ });
    await expect(byEmail.textContent()).resolves.toContain(`${account.logonEmail[0]}***@example.com`);
    const { code } = await inbox.codeAfter(account.logonEmail, 'verification-code', () =>
      Promise.all([page.waitForURL(/&id=/), byEmail.click()]),
    );
    await expect(page.getByText(`We sent by email to`).first().isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: /^Text message to your secure phone/ }).isVisible()).resolves.toBe(true);
    await page.getByLabel('Verification code').fill(code);
    await Promise.all([page.waitForURL(url('/security/password')), page.getByRole('button', { name: 'Verify', exact: true }).click()]);
    expect(await fits(page)).toBe(true);
    expect(browser.problems).toEqual([]);
  });
});
