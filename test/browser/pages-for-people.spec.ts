import { Page } from 'playwright-core';
import { createAccount, createRamUser, TestAccount, uniquePhone } from '../support/factories';
import { Inbox } from '../support/inbox';
import { createTestApp, TestApp } from '../support/test-app';
import { unexpected, useBrowser } from './support/browser';

/** The widths every point is checked at: a desktop and a 390-pixel phone. */
const WIDTHS = [1280, 390] as const;

/**
 * Words a Chinese page may still show in Latin letters: names, codes and the zone, never a
 * sentence. Anything else of three letters or more is English left on the page.
 */
const LATIN_ALLOWED = [
  // Time zones by their IANA names (the setting on /security lists them): identifiers, not sentences.
  /\b[A-Z][a-z]+\/[A-Z][A-Za-z_]+\b/g,
  /\bUTC\b/g,
  /\bUID\b/g,
  /\bTOTP\b/g,
  /\bRAM\b/g,
  /\bSSO\b/g,
  /\bSMS\b/g,
  /\bAPI\b/g,
  /\bEnglish\b/g,
];
const EMAILS = /[\w.*+-]+@[\w.-]+/g;

async function englishLeft(page: Page): Promise<string[]> {
  let text = await page.evaluate(() => document.body.innerText);
  text = text.replace(EMAILS, ' ');
  for (const allowed of LATIN_ALLOWED) text = text.replace(allowed, ' ');
  // The sign-in hint shows the RAM login's shape, `name@UID`.
  text = text.replace(/\bname\b/g, ' ');
  return [...text.matchAll(/[A-Za-z]{3,}/g)].map((match) => match[0]);
}

/** No horizontal scroll: the page is no wider than the window. */
const fitsWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describe('Pages for people in Chromium: languages, errors, passwords, countdowns, devices, layout', () => {
  let t: TestApp;
  let inbox: Inbox;
  const browser = useBrowser();

  beforeAll(async () => {
    // A short resend cooldown, so that the countdown can be watched to its end.
    t = await createTestApp({ listen: true, inbox: true, env: { VERIFICATION_RESEND_COOLDOWN: '3s' } });
    ({ inbox } = t);
  });

  afterAll(() => t?.close());

  const url = (path: string) => `${t.baseUrl}${path}`;

  async function pageAt(width: number, locale?: 'zh-CN'): Promise<Page> {
    if (locale) await browser.context.addCookies([{ name: 'locale', value: locale, url: t.baseUrl! }]);
    const page = await browser.newPage();
    await page.setViewportSize({ width, height: 900 });
    return page;
  }

  /** Signs in through /login and the SMS code of /login/verify, with the labels of `words`. */
  async function signIn(
    page: Page,
    account: TestAccount,
    words: { login: string; password: string; submit: string; code: string; verify: string },
  ) {
    await page.goto(url('/login'));
    await page.getByLabel(words.login).fill(account.logonEmail);
    await page.getByLabel(words.password, { exact: true }).fill(account.password);
    const { code } = await inbox.codeAfter(account.securePhone!, 'sign-in-code', () =>
      Promise.all([page.waitForURL(url('/login/verify')), page.getByRole('button', { name: words.submit, exact: true }).click()]),
    );
    return async () => {
      await page.getByLabel(words.code).fill(code);
      await Promise.all([page.waitForURL(url('/security')), page.getByRole('button', { name: words.verify }).click()]);
    };
  }

  const ZH = { login: '登录邮箱', password: '密码', submit: '登录', code: '验证码', verify: '验证并登录' };
  const EN = { login: 'Logon email', password: 'Password', submit: 'Sign in', code: 'Verification code', verify: 'Verify and sign in' };

  it.each(WIDTHS)('walks sign-in and the password change in Chinese with no English left on any page (%i px)', async (width) => {
    const account = await createAccount(t, { securePhone: uniquePhone(), locale: 'zh-CN' });
    const page = await pageAt(width, 'zh-CN');
    const seen: Record<string, string[]> = {};
    const look = async (name: string) => {
      await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('zh-CN');
      seen[name] = await englishLeft(page);
      await expect(fitsWidth(page)).resolves.toBe(true);
    };

    const finish = await signIn(page, account, ZH);
    await look('/login/verify');
    await finish();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('安全设置');
    await look('/security');

    await Promise.all([
      page.waitForURL(/\/security\/verify\?purpose=change_password/),
      page.getByRole('link', { name: '修改登录密码' }).click(),
    ]);
    await look('/security/verify');
    const { code } = await inbox.codeAfter(account.securePhone!, 'verification-code', () =>
      Promise.all([page.waitForURL(/&id=/), page.getByRole('button', { name: '继续' }).click()]),
    );
    await look('/security/verify code');
    await page.getByLabel('验证码').fill(code);
    await Promise.all([page.waitForURL(url('/security/password')), page.getByRole('button', { name: '验证', exact: true }).click()]);
    await look('/security/password');

    // The strength meter speaks Chinese too, as the person types.
    await page.getByLabel('新登录密码').fill('password');
    await expect(page.locator('#newPassword-strength li').first().textContent()).resolves.toMatch(/密码/);
    await look('/security/password, typing');

    // Two different passwords: every error at once in the summary, which takes the focus.
    await page.getByLabel('新登录密码').fill('granite orchard whispers nightly');
    await page.getByLabel('再次输入新密码').fill('granite orchard whispers daily');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '修改密码' }).click()]);
    // The refused page comes back after a navigation: wait for it (and its script) to focus the summary.
    await page.waitForFunction(() => document.activeElement?.id === 'error-summary', undefined, { timeout: 10_000 }).catch(() => undefined);
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('error-summary');
    await expect(page.locator('#error-summary a').first().textContent()).resolves.toBe('两次输入的密码不一致：请再次输入新密码。');
    await look('/security/password, refused');

    await page.getByLabel('新登录密码').fill('granite orchard whispers nightly');
    await page.getByLabel('再次输入新密码').fill('granite orchard whispers nightly');
    await Promise.all([page.waitForURL(url('/login')), page.getByRole('button', { name: '修改密码' }).click()]);
    await expect(page.getByRole('status').textContent()).resolves.toBe('您的登录密码已修改，您已在所有设备上退出登录。请使用新密码登录。');
    await look('/login after the change');

    expect(seen).toEqual(Object.fromEntries(Object.keys(seen).map((name) => [name, []])));
    expect(unexpected(browser.problems, t.baseUrl!, ['400 POST /security/password'])).toEqual([]);
  });

  it.each(WIDTHS)('moves the focus to an error summary that links to each refused field (%i px)', async (width) => {
    const page = await pageAt(width);
    await page.goto(url('/login'));
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    const summary = page.locator('#error-summary');
    // The refused page comes back after a navigation: wait for it (and its script) to focus the summary.
    await page.waitForFunction(() => document.activeElement?.id === 'error-summary', undefined, { timeout: 10_000 }).catch(() => undefined);
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('error-summary');
    await expect(summary.getByRole('link').allTextContents()).resolves.toEqual([
      'Enter your logon email, or <name>@<UID> for a RAM user.',
      'Enter your password.',
    ]);
    await summary.getByRole('link', { name: 'Enter your password.' }).click();
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('password');
    await expect(fitsWidth(page)).resolves.toBe(true);

    // The appeal form: every error at once, at the top, each worded for a person.
    await page.goto(url('/appeal/status'));
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Open appeal' }).click()]);
    // The refused page comes back after a navigation: wait for it (and its script) to focus the summary.
    await page.waitForFunction(() => document.activeElement?.id === 'error-summary', undefined, { timeout: 10_000 }).catch(() => undefined);
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('error-summary');
    await expect(summary.getByRole('link').count()).resolves.toBe(2);
    expect(unexpected(browser.problems, t.baseUrl!, ['400 POST /login', '400 POST /appeal/status'])).toEqual([]);
  });

  it.each(WIDTHS)('counts the resend down in the page and enables the button when the time comes (%i px)', async (width) => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    const page = await pageAt(width);
    await signIn(page, account, EN);
    const resend = page.getByRole('button', { name: 'Send a new code' });
    await expect(resend.isDisabled()).resolves.toBe(true);
    await expect(page.locator('#resend-hint').textContent()).resolves.toMatch(/You can ask for a new code in \d seconds\./);
    await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('.resend-form button')!.disabled, undefined, {
      timeout: 10_000,
    });
    await expect(page.locator('#resend-hint').textContent()).resolves.toBe(
      'Did not get it? Ask for a new code; the one before stops working.',
    );
    await Promise.all([page.waitForURL(/\/login\/verify/), resend.click()]);
    await expect(page.getByRole('status').textContent()).resolves.toBe('A new code is on its way; the one before no longer works.');
    await expect(fitsWidth(page)).resolves.toBe(true);
    expect(unexpected(browser.problems, t.baseUrl!, [])).toEqual([]);
  });

  it.each(WIDTHS)('shows and hides a new password, and says how strong it is as it is typed (%i px)', async (width) => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    const page = await pageAt(width);
    await page.goto(url('/recover/password'));
    await page.getByLabel('Logon email', { exact: true }).fill(account.logonEmail);
    await Promise.all([
      page.waitForURL(/\/recover\/password\/[0-9a-f-]{36}$/),
      page.getByRole('button', { name: 'Send the code' }).click(),
    ]);
    const field = page.getByLabel('New password', { exact: true });
    await field.fill('qwertyuiop');
    // The verdict comes from the server: wait for it to be shown.
    await page.locator('#newPassword-strength li').first().waitFor();
    await expect(page.locator('#newPassword-strength').textContent()).resolves.toContain('Password strength: ');
    await expect(page.locator('#newPassword-strength li').allTextContents()).resolves.toContain('This is a commonly used password.');
    const toggle = page.getByRole('button', { name: 'Show password' });
    await toggle.click();
    await expect(field.getAttribute('type')).resolves.toBe('text');
    await expect(page.getByRole('button', { name: 'Hide password' }).getAttribute('aria-pressed')).resolves.toBe('true');
    await page.getByRole('button', { name: 'Hide password' }).click();
    await expect(field.getAttribute('type')).resolves.toBe('password');
    await expect(fitsWidth(page)).resolves.toBe(true);
    expect(unexpected(browser.problems, t.baseUrl!, [])).toEqual([]);
  });

  it.each(WIDTHS)(
    'names devices with their network, keeps the buttons in view, and switches the language in the footer and on /security (%i px)',
    async (width) => {
      const account = await createAccount(t, { securePhone: uniquePhone() });
      const page = await pageAt(width);
      await (
        await signIn(page, account, EN)
      )();
      await page.goto(url('/security/sessions'));
      const current = page.locator('.current-session');
      await expect(current.textContent()).resolves.toMatch(/Chrome on Linux/);
      await expect(current.textContent()).resolves.toMatch(/Network\s+\S+/);
      const trusted = page.getByRole('button', { name: /^Forget the device Chrome on Linux/ }).first();
      const box = await trusted.boundingBox();
      expect(box!.x + box!.width).toBeLessThanOrEqual(width);
      await expect(fitsWidth(page)).resolves.toBe(true);

      // The language setting: the account's own language and zone, then its pages follow.
      await page.goto(url('/security'));
      await page.locator('#locale').selectOption('zh-CN');
      await page.locator('#timeZone').selectOption('Asia/Shanghai');
      await Promise.all([page.waitForURL(url('/security')), page.getByRole('button', { name: 'Save language and time zone' }).click()]);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('安全设置');
      await expect(page.locator('.settings').textContent()).resolves.toMatch(/\d\d:\d\d Asia\/Shanghai/);
      // The footer's switch changes it back, without script (a plain form).
      await Promise.all([page.waitForURL(url('/security')), page.locator('footer').getByRole('button', { name: 'English' }).click()]);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Security settings');

      // Signed out, the footer's links set the language cookie.
      await page.context().clearCookies();
      await page.goto(url('/recover/email'));
      await Promise.all([page.waitForURL(url('/recover/email')), page.locator('footer').getByRole('link', { name: '简体中文' }).click()]);
      await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('zh-CN');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('找回登录邮箱');
      // A phone typed as people type it, in the country the language suggests.
      await expect(page.getByLabel('国家或地区').inputValue()).resolves.toBe('CN');
      await page.getByLabel('安全手机').fill('139 1234 5678');
      await Promise.all([page.waitForURL(url('/recover/email')), page.getByRole('button', { name: '给我发短信' }).click()]);
      await expect(page.getByRole('status').textContent()).resolves.toContain('短信正在发送');
      expect(unexpected(browser.problems, t.baseUrl!, [])).toEqual([]);
    },
  );

  it.each(WIDTHS)('leaves no horizontal scroll on any page, signed out and signed in (%i px)', async (width) => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    const page = await pageAt(width);
    const wide: string[] = [];
    const check = async (path: string) => {
      await page.goto(url(path));
      if (!(await fitsWidth(page))) wide.push(path);
    };
    for (const path of ['/', '/login', '/recover/password', '/recover/email', '/appeal', '/appeal/status']) await check(path);
    await (
      await signIn(page, account, EN)
    )();
    for (const path of ['/security', '/security/sessions', '/security/totp', '/security/verify?purpose=change_password']) await check(path);
    expect(wide).toEqual([]);
    // Screen-reader-only texts take no room: the page ends where its footer ends.
    const tail = await page.evaluate(
      () => document.documentElement.scrollHeight - document.querySelector('footer')!.getBoundingClientRect().bottom - window.scrollY,
    );
    expect(tail).toBeLessThanOrEqual(1);
  });

  it.each(WIDTHS)("shows a RAM user what a RAM user may do, and nothing of the owner's factors (%i px)", async (width) => {
    const account = await createAccount(t, { securePhone: uniquePhone() });
    const ram = await createRamUser(t, account.uid, `ops${width}`);
    const page = await pageAt(width);
    await page.goto(url('/login'));
    await page.getByLabel('Logon email').fill(ram.login);
    await page.getByLabel('Password', { exact: true }).fill(ram.password);
    await Promise.all([page.waitForURL(url('/security')), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    const main = (await page.locator('main').textContent())!;
    expect(main).toContain('Only the account owner can change these settings.');
    expect(main).toContain(ram.login);
    expect(main).not.toMatch(/recovery codes|Authenticator app|Secure phone/);
    await expect(page.getByRole('link', { name: /^Modify/ }).count()).resolves.toBe(0);
    await expect(fitsWidth(page)).resolves.toBe(true);
    expect(unexpected(browser.problems, t.baseUrl!, [])).toEqual([]);
  });
});
