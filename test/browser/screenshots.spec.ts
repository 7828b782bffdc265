import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_AGENTS, DEMO_OWNER, seedDemo } from '../../src/demo/seed-demo';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { trustDevice } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { BrowserSession, openBrowser, signInAgentPage } from './support/browser';

/** `npm run screenshots` sets it: the pictures then replace the README's, in docs/screenshots. */
const UPDATE = process.env.UPDATE_SCREENSHOTS === '1';

/**
 * The README's screenshots of the back-office, taken from the demo data. In a plain
 * `npm run test:browser` they go to a temporary directory and the run still checks that the
 * demo's pages render without a console error or a failed request.
 */
describe('Screenshots of the demo back-office', () => {
  let t: TestApp;
  let browser: BrowserSession;
  let dir: string;

  beforeAll(async () => {
    t = await createTestApp({ listen: true, workers: false });
    await seedDemo(t.app, t.config, () => undefined);
    browser = await openBrowser();
    dir = UPDATE ? join(__dirname, '..', '..', 'docs', 'screenshots') : mkdtempSync(join(tmpdir(), 'ac-screenshots-'));
    mkdirSync(dir, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    if (dir && !UPDATE) rmSync(dir, { recursive: true, force: true });
  });

  it('photographs the dashboard, the appeal queue and an appeal in review', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await signInAgentPage(page, t.baseUrl!, DEMO_AGENTS[0]);
    await page.screenshot({ path: join(dir, 'dashboard.png'), fullPage: true });

    await page.goto(`${t.baseUrl}/agent/appeals`);
    await page.screenshot({ path: join(dir, 'appeal-queue.png'), fullPage: true });

    await page.getByLabel('Search').fill('priya.nair.appeal@example.net');
    await Promise.all([page.waitForURL(/q=/), page.getByRole('button', { name: 'Apply' }).click()]);
    await Promise.all([page.waitForURL(/\/agent\/appeals\/AP-/), page.locator('table.queue a.mono').first().click()]);
    await expect(page.locator('.appeal-badges .badge').first().textContent()).resolves.toBe('In review');
    await page.screenshot({ path: join(dir, 'appeal-detail.png'), fullPage: true });

    for (const name of ['dashboard.png', 'appeal-queue.png', 'appeal-detail.png'])
      expect(statSync(join(dir, name)).size).toBeGreaterThan(10_000);
    expect(browser.problems).toEqual([]);
  });

  it("photographs the demo owner's security settings, in English and in Chinese", async () => {
    // A device the owner trusts already, so the sign-in asks for no code.
    const deviceId = 'screenshot-browser-0123456789';
    const accounts = t.get(AccountsService);
    const owner = (await accounts.findByLogonEmail(DEMO_OWNER.logonEmail))!;
    await trustDevice(t, owner.uid, deviceId, '127.0.0.1');
    await browser.context.addCookies([{ name: 'ac_device', value: deviceId, url: t.baseUrl! }]);
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${t.baseUrl}/login`);
    await page.screenshot({ path: join(dir, 'sign-in.png'), fullPage: true });
    await page.getByLabel('Logon email').fill(DEMO_OWNER.logonEmail);
    await page.getByLabel('Password', { exact: true }).fill(DEMO_OWNER.password);
    await Promise.all([page.waitForURL(`${t.baseUrl}/security`), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    await expect(page.getByText(owner.uid).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(dir, 'security-overview.png'), fullPage: true });
    await page.goto(`${t.baseUrl}/security/sessions`);
    await page.screenshot({ path: join(dir, 'sessions.png'), fullPage: true });

    // The same pages in Chinese: the account's language (its pages follow it), then back.
    const system = { actor: { type: 'system', id: 'screenshots' } } as const;
    await accounts.updatePreferences(owner.uid, { locale: 'zh-CN', timeZone: 'Asia/Shanghai' }, system);
    try {
      await page.goto(`${t.baseUrl}/security`);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('安全设置');
      await page.screenshot({ path: join(dir, 'security-overview.zh-CN.png'), fullPage: true });
      await page.goto(`${t.baseUrl}/security/sessions`);
      await page.screenshot({ path: join(dir, 'sessions.zh-CN.png'), fullPage: true });
    } finally {
      await accounts.updatePreferences(owner.uid, { locale: owner.locale, timeZone: owner.timeZone }, system);
    }
    await page.context().clearCookies();
    await browser.context.addCookies([{ name: 'locale', value: 'zh-CN', url: t.baseUrl! }]);
    await page.goto(`${t.baseUrl}/login`);
    await page.screenshot({ path: join(dir, 'sign-in.zh-CN.png'), fullPage: true });
    await page.goto(`${t.baseUrl}/appeal`);
    await page.screenshot({ path: join(dir, 'appeal-start.zh-CN.png'), fullPage: true });
    await browser.context.addCookies([{ name: 'locale', value: 'en', url: t.baseUrl! }]);
    await page.goto(`${t.baseUrl}/appeal`);
    await page.screenshot({ path: join(dir, 'appeal-start.png'), fullPage: true });

    for (const name of ['sign-in', 'security-overview', 'sessions', 'appeal-start'])
      for (const suffix of ['', '.zh-CN']) expect(statSync(join(dir, `${name}${suffix}.png`)).size).toBeGreaterThan(10_000);
    expect(browser.problems).toEqual([]);
  });
});
