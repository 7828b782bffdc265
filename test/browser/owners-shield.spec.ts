import { Page } from 'playwright-core';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { fileAppeal, FiledAppeal } from '../support/appeals';
import { api, bearer, createAccount, signIn as signInApi, TestAccount, uniquePhone } from '../support/factories';
import { Inbox } from '../support/inbox';
import { createTestApp, TestApp } from '../support/test-app';
import { totpCode } from '../support/verification';
import { useBrowser } from './support/browser';

const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/**
 * The owner's shield in Chromium: the banner of an open appeal on /security, through the identity
 * check, to the stop (with a TOTP code and with an email code), the person's status page showing
 * it closed; the security activity's failed sign-in from another network, and "This wasn't me"
 * signing the other device out.
 */
describe("The owner's shield in Chromium", () => {
  let t: TestApp;
  let inbox: Inbox;
  const browser = useBrowser();

  beforeAll(async () => {
    t = await createTestApp({ listen: true, inbox: true, env: { TRUST_PROXY: 'loopback' } });
    ({ inbox } = t);
  });

  afterAll(() => t?.close());

  const url = (path: string) => `${t.baseUrl}${path}`;

  /** Signs in through /login from this new browser: the second factor goes by SMS, else by email. */
  async function signIn(page: Page, account: TestAccount): Promise<void> {
    await page.goto(url('/security'));
    await page.getByLabel('Logon email').fill(account.logonEmail);
    await page.getByLabel('Password', { exact: true }).fill(account.password);
    const to = account.securePhone ?? account.logonEmail;
    const { code } = await inbox.codeAfter(to, 'sign-in-code', () =>
      Promise.all([page.waitForURL(url('/login/verify')), page.getByRole('button', { name: 'Sign in', exact: true }).click()]),
    );
    await page.getByLabel('Verification code').fill(code);
    await Promise.all([page.waitForURL(url('/security')), page.getByRole('button', { name: 'Verify and sign in' }).click()]);
  }

  /** From the banner on /security to the stop: the identity check by `method`, then "Stop this appeal". */
  async function stopFromBanner(page: Page, filed: FiledAppeal, method: RegExp, code: () => Promise<string>): Promise<void> {
    await page.goto(url('/security'));
    const banner = page.locator(`[data-appeal-banner="${filed.reference}"]`);
    await expect(banner.isVisible()).resolves.toBe(true);
    await expect(banner.textContent()).resolves.toContain('a new logon email');
    await Promise.all([
      page.waitForURL(/\/security\/verify\?purpose=stop_appeal/),
      banner.getByRole('link', { name: "This wasn't me: stop it" }).click(),
    ]);
    await page.getByLabel(method).check();
    await Promise.all([page.waitForURL(/&id=/), page.getByRole('button', { name: 'Continue' }).click()]);
    await page.locator('#code').fill(await code());
    await Promise.all([page.waitForURL(url('/security/appeals')), page.getByRole('button', { name: 'Verify', exact: true }).click()]);
    await Promise.all([
      page.waitForURL(url('/security/appeals')),
      page
        .locator(`[data-appeal="${filed.reference}"]`)
        .getByRole('button', { name: `Stop the appeal ${filed.reference}` })
        .click(),
    ]);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain(`Appeal ${filed.reference} was stopped.`);
    await expect(page.locator('[data-no-appeals]').isVisible()).resolves.toBe(true);
    await page.goto(url('/security'));
    await expect(page.locator('[data-appeal-banner]').count()).resolves.toBe(0);
  }

  /** The person's status page, opened with the reference and access token: the appeal's status. */
  async function statusSeenByThePerson(page: Page, filed: FiledAppeal): Promise<string | null> {
    const context = await page.context().browser()!.newContext();
    const person = await context.newPage();
    await person.goto(url('/appeal/status'));
    await person.locator('#reference').fill(filed.reference);
    await person.locator('#accessToken').fill(filed.accessToken);
    await Promise.all([person.waitForURL(url('/appeal/status')), person.getByRole('button', { name: 'Open appeal' }).click()]);
    const status = await person.locator('#appeal-status').getAttribute('data-status');
    await context.close();
    return status;
  }

  it('shows an open appeal on /security and stops it with a TOTP code; the person sees it closed', async () => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    await t.dataSource.transaction((manager) => t.get(AccountsService).setTotpSecret(manager, account.uid, TOTP_SECRET));
    const page = await browser.newPage();
    await signIn(page, account);
    const filed = await fileAppeal(t, inbox.smtp, { account: { uid: account.uid } });
    await inbox.latest(account.logonEmail, 'appeal-filed-alert');

    await stopFromBanner(page, filed, /authenticator app/, () => totpCode(t, TOTP_SECRET));
    await expect(statusSeenByThePerson(page, filed)).resolves.toBe('objected');
    expect(browser.problems).toEqual([]);
  });

  it('stops an appeal with an email code', async () => {
    const account = await createAccount(t);
    const page = await browser.newPage();
    await signIn(page, account);
    const filed = await fileAppeal(t, inbox.smtp, { account: { logonEmail: account.logonEmail } });

    const before = inbox.received(account.logonEmail, 'verification-code').length;
    await stopFromBanner(page, filed, /Email to your logon email/, async () => {
      const message = await inbox.nth(account.logonEmail, 'verification-code', before + 1);
      return /\b(\d{6})\b/.exec(message.text)![1];
    });
    await expect(statusSeenByThePerson(page, filed)).resolves.toBe('objected');
    expect(browser.problems).toEqual([]);
  });

  it('lists a failed sign-in from another network on /security/activity; "This wasn\'t me" signs the other device out', async () => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    const page = await browser.newPage();
    await signIn(page, account);
    // Another device is signed in, and someone on another network tries a wrong password.
    const elsewhere = await signInApi(t, account.logonEmail, account.password, { deviceId: 'the-other-device-0123456789' });
    await api(t)
      .post('/api/v1/sessions')
      .set('X-Forwarded-For', '203.0.113.50')
      .set(
        'User-Agent',
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
      )
      .send({ login: account.logonEmail, password: 'a guess that is wrong' })
      .expect(401);

    await page.goto(url('/security'));
    await Promise.all([page.waitForURL(url('/security/activity')), page.getByRole('link', { name: 'Security activity' }).click()]);
    const failed = page.locator('tr[data-type="sign_in_failed"]');
    await expect(failed.count()).resolves.toBe(1);
    await expect(failed.textContent()).resolves.toContain('203.0.113.0/24');
    await expect(failed.textContent()).resolves.toContain('Safari on Mac OS');
    await expect(page.locator('tr.current-session').getByText('This session').isVisible()).resolves.toBe(true);

    await Promise.all([
      page.waitForURL(/\/security\/verify\?purpose=change_password/),
      failed.getByRole('button', { name: "This wasn't me" }).click(),
    ]);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Your account is secured');
    await api(t).get('/api/v1/account').set(bearer(elsewhere)).expect(401);
    await inbox.latest(account.logonEmail, 'account-secured');
    await inbox.latest(account.securePhone!, 'account-secured');
    // This browser is still signed in, on its way to the password change.
    await page.goto(url('/security/activity'));
    await expect(page.locator('tr[data-type="account_secured"]').count()).resolves.toBe(1);
    expect(browser.problems).toEqual([]);
  });
});
