import { Page } from 'playwright-core';
import { createAgent, TestAgent } from '../support/agents';
import { createAccount, createRamUser, TestAccount } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { signInAgentPage, unexpected, useBrowser } from './support/browser';

describe('Back-office in Chromium', () => {
  let t: TestApp;
  const browser = useBrowser();
  let agent: TestAgent;
  let supervisor: TestAgent;
  let account: TestAccount;

  beforeAll(async () => {
    t = await createTestApp({ listen: true, workers: false });
    [agent, supervisor] = await Promise.all([
      createAgent(t, { name: 'Ana Agent' }),
      createAgent(t, { role: 'supervisor', name: 'Sam Supervisor' }),
    ]);
    account = await createAccount(t, { securePhone: '+8613812345678' });
    await createRamUser(t, account.uid, 'deploy-bot');
  });

  afterAll(async () => {
    await t?.close();
  });

  const signIn = (page: Page, who: TestAgent) => signInAgentPage(page, t.baseUrl!, who);

  it('lets an agent sign in and visit every back-office page without a console error or a failed request', async () => {
    const page = await browser.newPage();
    await signIn(page, agent);
    await expect(page.title()).resolves.toBe('Dashboard · Account Center');
    await expect(page.getByRole('heading', { level: 2, name: 'Notification failures, last 24 hours' }).isVisible()).resolves.toBe(true);
    await expect(page.locator('svg.chart').first().isVisible()).resolves.toBe(true);

    const visits: [string, string][] = [
      ['Accounts', 'Accounts · Account Center'],
      ['Notifications', 'Notifications: failed and dead · Account Center'],
      ['Audit', 'Audit log · Account Center'],
      ['Me', 'Me · Account Center'],
      ['Dashboard', 'Dashboard · Account Center'],
    ];
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const [link, title] of visits) {
      await Promise.all([page.waitForLoadState('load'), nav.getByRole('link', { name: link, exact: true }).click()]);
      await expect(page.title()).resolves.toBe(title);
      await expect(nav.getByRole('link', { name: link, exact: true }).getAttribute('aria-current')).resolves.toBe('page');
    }

    await page.goto(`${t.baseUrl}/agent/accounts`);
    await page.getByLabel('UID, logon email or secure phone').fill(account.logonEmail.toUpperCase());
    await Promise.all([page.waitForURL(/q=/), page.getByRole('button', { name: 'Look up' }).click()]);
    await Promise.all([
      page.waitForURL(`${t.baseUrl}/agent/accounts/${account.uid}`),
      page.getByRole('link', { name: account.uid }).click(),
    ]);
    await expect(page.getByText(`deploy-bot@${account.uid}`).isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Reveal the logon email' }).click();
    await expect(page.locator('strong.revealed').textContent()).resolves.toBe(account.logonEmail);

    await page.goto(`${t.baseUrl}/agent/accounts/${account.uid}`);
    await page.getByRole('button', { name: 'Sign out all sessions' }).click();
    await expect(page.locator('#revoke-reason-error').textContent()).resolves.toBe('Give a reason: it goes into the audit log.');
    // That 400 was the page answering a form error, as it should.
    expect(unexpected(browser.problems, t.baseUrl!, [`400 POST /agent/accounts/${account.uid}/revoke-sessions`])).toEqual([]);
    browser.problems.length = 0;
    await page.locator('#revoke-reason').fill('Customer asked on the phone');
    await Promise.all([
      page.waitForURL(`${t.baseUrl}/agent/accounts/${account.uid}`),
      page.getByRole('button', { name: 'Sign out all sessions' }).click(),
    ]);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('signed out');

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(`${t.baseUrl}/agent/login`);
    await expect(page.getByText('You have signed out.').isVisible()).resolves.toBe(true);
    expect(browser.problems).toEqual([]);
  });

  it("refuses an agent the supervisor's pages, and lets a supervisor and admin see Bull Board and the team", async () => {
    const page = await browser.newPage();
    await signIn(page, agent);
    for (const path of ['/agent/queues', '/agent/team']) {
      const response = await page.goto(`${t.baseUrl}${path}`);
      expect(response?.status()).toBe(403);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Not allowed');
    }
    expect(browser.problems.map((problem) => problem.replace(t.baseUrl!, ''))).toEqual(
      expect.arrayContaining(['403 GET /agent/queues', '403 GET /agent/team']),
    );
    expect(unexpected(browser.problems, t.baseUrl!, ['403 GET /agent/queues', '403 GET /agent/team'])).toEqual([]);
    browser.problems.length = 0;

    await browser.context.clearCookies();
    await signIn(page, supervisor);
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Queues' }).isVisible()).resolves.toBe(true);
    await page.goto(`${t.baseUrl}/agent/queues`);
    await page.getByText('notifications-urgent').first().waitFor();
    // The board's page is served without its third-party font stylesheet: nothing for the CSP to refuse.
    expect(browser.problems).toEqual([]);
    await Promise.all([page.waitForURL(`${t.baseUrl}/agent`), page.getByRole('link', { name: '← Back-office' }).click()]);
    browser.problems.length = 0;

    const admin = await createAgent(t, { role: 'admin', name: 'Ada Admin' });
    await browser.context.clearCookies();
    await signIn(page, admin);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Team' }).click();
    await page.waitForURL(`${t.baseUrl}/agent/team`);
    await expect(page.getByRole('cell', { name: 'Sam Supervisor', exact: true }).isVisible()).resolves.toBe(true);
    expect(browser.problems).toEqual([]);
  });

  it('refuses a form posted without its CSRF token', async () => {
    const page = await browser.newPage();
    await signIn(page, agent);
    await page.goto(`${t.baseUrl}/agent/accounts/${account.uid}`);
    await page.locator('form[action$="/freeze"] input[name="_csrf"]').evaluate((input) => input.remove());
    await page.locator('#freeze-reason').fill('no token');
    await page.getByRole('button', { name: 'Freeze' }).click();
    await page.waitForURL(`${t.baseUrl}/agent/accounts/${account.uid}/freeze`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('The form has expired');
    expect(browser.problems.map((problem) => problem.replace(t.baseUrl!, ''))).toContain(`403 POST /agent/accounts/${account.uid}/freeze`);
    expect(unexpected(browser.problems, t.baseUrl!, [`403 POST /agent/accounts/${account.uid}/freeze`])).toEqual([]);
  });

  it('takes keyboard focus through the sign-in page in reading order', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.baseUrl}/agent/login`);
    const order: string[] = [];
    for (let n = 0; n < 6; n += 1) {
      await page.keyboard.press('Tab');
      order.push(
        await page.evaluate(() => {
          const element = document.activeElement as HTMLElement | null;
          return element?.id || element?.textContent?.trim() || element?.tagName || '';
        }),
      );
    }
    expect(order).toEqual(['Skip to content', 'Account Center Back-office', 'email', 'password', 'totp', 'Sign in']);
    const labelled = await page.evaluate(() =>
      Array.from(document.querySelectorAll('input:not([type=hidden])')).every((input) =>
        document.querySelector(`label[for="${input.id}"]`),
      ),
    );
    expect(labelled).toBe(true);
    expect(browser.problems).toEqual([]);
  });
});
