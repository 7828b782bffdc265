import { Page } from 'playwright-core';
import { createAgent, TestAgent } from '../support/agents';
import { fileAppeal, FiledAppeal, PNG } from '../support/appeals';
import { api, bearer, createAccount } from '../support/factories';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';
import { signInAgentPage, unexpected, unfoldAction, useBrowser } from './support/browser';

describe('Back-office appeals in Chromium', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  const browser = useBrowser();
  let agent: TestAgent;
  let supervisor: TestAgent;
  let otherSupervisor: TestAgent;

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, listen: true, env: { TRUST_PROXY: 'loopback' } });
    ({ smtp } = t);
    [agent, supervisor, otherSupervisor] = await Promise.all([
      createAgent(t, { name: 'Ana Agent' }),
      createAgent(t, { role: 'supervisor', name: 'Sam Supervisor' }),
      createAgent(t, { role: 'supervisor', name: 'Sue Supervisor' }),
    ]);
  });

  afterAll(() => t?.close());

  const file = async (): Promise<FiledAppeal> => {
    const account = await createAccount(t, { securePhone: '+8613700000321' });
    return fileAppeal(t, smtp, { account: { uid: account.uid, logonEmail: account.logonEmail } });
  };
  const signIn = (page: Page, who: TestAgent) => signInAgentPage(page, t.baseUrl!, who);
  const status = (page: Page) => page.locator('.appeal-badges .badge').first().textContent();
  const flash = (page: Page) => page.locator('main [role="status"]').first().textContent();
  const buttons = (page: Page) => page.locator('.appeal-actions button[type="submit"]').allTextContents();
  /** Presses an action's button and waits for the 303 back to the appeal. */
  const press = async (page: Page, button: string, reference: string) => {
    await unfoldAction(page, button);
    await Promise.all([
      page.waitForURL(`${t.baseUrl}/agent/appeals/${reference}`),
      page.getByRole('button', { name: button, exact: true }).click(),
    ]);
  };

  it('lets an agent claim an appeal, ask the person for more, and approve it; a supervisor confirms', async () => {
    const filed = await file();
    await api(t)
      .post(`/api/v1/appeals/${filed.reference}/attachments`)
      .set(bearer(filed.accessToken))
      .attach('file', PNG, 'passport.png')
      .expect(201);
    const page = await browser.newPage();
    await signIn(page, agent);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Appeals', exact: true }).click();
    await page.waitForURL(`${t.baseUrl}/agent/appeals`);
    await expect(
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Appeals', exact: true }).getAttribute('aria-current'),
    ).resolves.toBe('page');
    await page.getByLabel('Search').fill(filed.reference.toLowerCase());
    await Promise.all([page.waitForURL(/q=/), page.getByRole('button', { name: 'Apply' }).click()]);
    await Promise.all([
      page.waitForURL(`${t.baseUrl}/agent/appeals/${filed.reference}`),
      page.getByRole('link', { name: filed.reference }).click(),
    ]);
    await expect(page.title()).resolves.toBe(`Appeal ${filed.reference} · Account Center`);
    await expect(buttons(page)).resolves.toEqual(['Claim', 'Add note']);

    await press(page, 'Claim', filed.reference);
    await expect(flash(page)).resolves.toContain('You hold');
    await expect(status(page)).resolves.toBe('In review');
    await expect(page.getByText(/Ana Agent, until/).isVisible()).resolves.toBe(true);

    // An empty question comes back beside its field, focusable and described, its fold open.
    await unfoldAction(page, 'Request information');
    await page.getByRole('button', { name: 'Request information' }).click();
    await expect(page.locator('details[data-action="request_info"]').getAttribute('open')).resolves.toBe('');
    await expect(page.locator('#request-info-message-error').textContent()).resolves.toBe('The question must not be empty.');
    await expect(page.getByLabel('Question to the person').getAttribute('aria-invalid')).resolves.toBe('true');
    expect(unexpected(browser.problems, t.baseUrl!, [`400 POST /agent/appeals/${filed.reference}/request-info`])).toEqual([]);
    browser.problems.length = 0;

    await page.getByLabel('Question to the person').fill('Please upload the invoice of your last payment.');
    await press(page, 'Request information', filed.reference);
    await expect(status(page)).resolves.toBe('Awaiting customer');
    await expect(page.getByText('Please upload the invoice of your last payment.').isVisible()).resolves.toBe(true);

    await api(t)
      .post(`/api/v1/appeals/${filed.reference}/messages`)
      .set(bearer(filed.accessToken))
      .send({ body: 'Here it is.' })
      .expect(201);
    await page.reload();
    await expect(status(page)).resolves.toBe('In review');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'passport.png' }).click()]);
    expect(download.suggestedFilename()).toBe('passport.png');

    await unfoldAction(page, 'Approve');
    await page.getByLabel(/^Rationale/).fill('The invoice matches the account and both identifiers match.');
    await press(page, 'Approve', filed.reference);
    await expect(flash(page)).resolves.toBe('Approved. A supervisor other than you must confirm the approval.');
    await expect(status(page)).resolves.toBe('Pending second approval');
    await expect(buttons(page)).resolves.toEqual(['Add note']);
    expect(browser.problems).toEqual([]);

    await browser.context.clearCookies();
    await signIn(page, supervisor);
    await page.getByRole('link', { name: 'Pending second approval (1)' }).click();
    await page.waitForURL(`${t.baseUrl}/agent/appeals?status=pending_second_approval`);
    await Promise.all([
      page.waitForURL(`${t.baseUrl}/agent/appeals/${filed.reference}`),
      page.getByRole('link', { name: filed.reference }).click(),
    ]);
    await expect(page.getByText('awaiting confirmation by a supervisor other than Ana Agent').isVisible()).resolves.toBe(true);
    await press(page, 'Confirm approval', filed.reference);
    await expect(flash(page)).resolves.toContain('Approval confirmed');
    await expect(status(page)).resolves.toBe('Scheduled');
    await expect(page.getByText('(cooling-off: the contacts on record may object until then)').isVisible()).resolves.toBe(true);
    expect(browser.problems).toEqual([]);
  });

  it('refuses the approver confirming their own approval, with a page that leads back to the appeal', async () => {
    const filed = await file();
    const page = await browser.newPage();
    await signIn(page, supervisor);
    await page.goto(`${t.baseUrl}/agent/appeals/${filed.reference}`);
    await press(page, 'Claim', filed.reference);
    await unfoldAction(page, 'Approve');
    await page.getByLabel(/^Rationale/).fill('Identifiers match.');
    await press(page, 'Approve', filed.reference);
    // The page does not offer it...
    await expect(buttons(page)).resolves.toEqual(['Add note']);
    // ...and a form made to ask anyway (its own token and version) is refused.
    await page.locator('form[action$="/notes"]').evaluate((form: HTMLFormElement) => {
      form.action = form.action.replace(/\/notes$/, '/second-approve');
      form.querySelector('textarea')?.remove();
    });
    await unfoldAction(page, 'Add note');
    await Promise.all([
      page.waitForURL(`${t.baseUrl}/agent/appeals/${filed.reference}/second-approve`),
      page.getByRole('button', { name: 'Add note' }).click(),
    ]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Not allowed');
    await expect(page.getByText('Another supervisor must confirm: you approved this appeal yourself.').isVisible()).resolves.toBe(true);
    expect(unexpected(browser.problems, t.baseUrl!, [`403 POST /agent/appeals/${filed.reference}/second-approve`])).toEqual([]);
    browser.problems.length = 0;
    await Promise.all([
      page.waitForURL(`${t.baseUrl}/agent/appeals/${filed.reference}`),
      page.getByRole('link', { name: `Back to appeal ${filed.reference}` }).click(),
    ]);
    await expect(status(page)).resolves.toBe('Pending second approval');

    await browser.context.clearCookies();
    await signIn(page, otherSupervisor);
    await page.goto(`${t.baseUrl}/agent/appeals/${filed.reference}`);
    await press(page, 'Confirm approval', filed.reference);
    await expect(status(page)).resolves.toBe('Scheduled');
    expect(browser.problems).toEqual([]);
  });

  it('shows a stale action as a conflict that leads back to the appeal', async () => {
    const filed = await file();
    const page = await browser.newPage();
    await signIn(page, agent);
    await page.goto(`${t.baseUrl}/agent/appeals/${filed.reference}`);
    // Meanwhile someone else adds a note: the version this page carries is stale.
    await api(t).post(`/api/v1/appeals/${filed.reference}/messages`).set(bearer(filed.accessToken)).send({ body: 'Any news?' }).expect(201);
    // The live layer warns first and keeps the click from posting; the form sent anyway meets the 409.
    await page.getByText('Changed by the person, reload', { exact: false }).waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Claim' }).click();
    expect(page.url()).toBe(`${t.baseUrl}/agent/appeals/${filed.reference}`);
    await Promise.all([
      page.waitForURL(`${t.baseUrl}/agent/appeals/${filed.reference}/claim`),
      page.locator('form[action$="/claim"]').evaluate((form: HTMLFormElement) => form.submit()),
    ]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Someone else changed this first');
    expect(unexpected(browser.problems, t.baseUrl!, [`409 POST /agent/appeals/${filed.reference}/claim`])).toEqual([]);
    browser.problems.length = 0;
    await Promise.all([
      page.waitForURL(`${t.baseUrl}/agent/appeals/${filed.reference}`),
      page.getByRole('link', { name: `Back to appeal ${filed.reference}` }).click(),
    ]);
    await press(page, 'Claim', filed.reference);
    await expect(status(page)).resolves.toBe('In review');
    expect(browser.problems).toEqual([]);
  });

  it('visits the dashboard, the queue with every quick filter, and an appeal without a console error or a failed request; every field has a label', async () => {
    const filed = await file();
    const page = await browser.newPage();
    await signIn(page, supervisor);
    await expect(page.getByRole('heading', { level: 2, name: 'Appeals by status' }).isVisible()).resolves.toBe(true);
    await expect(page.locator('#appeals-by-status-title').count()).resolves.toBe(1);
    await page.getByRole('link', { name: 'Open appeals' }).click();
    await page.waitForURL(`${t.baseUrl}/agent/appeals?status=open`);
    for (const tab of ['All', 'Open', 'Mine', 'SLA breached', 'Submitted', 'Pending second approval']) {
      const tabs = page.getByRole('navigation', { name: 'Quick filters' });
      await Promise.all([page.waitForLoadState('load'), tabs.getByRole('link', { name: tab, exact: true }).click()]);
      await expect(tabs.getByRole('link', { name: tab, exact: true }).getAttribute('aria-current')).resolves.toBe('page');
    }
    await page.getByLabel('Status').selectOption('submitted');
    await page.getByLabel('Claimed by me').check();
    await Promise.all([page.waitForURL(/mine=1/), page.getByRole('button', { name: 'Apply' }).click()]);
    await expect(page.getByText('No appeal matches these filters').isVisible()).resolves.toBe(true);
    await page.goto(`${t.baseUrl}/agent/appeals/${filed.reference}`);
    await page.getByRole('button', { name: "Reveal the appeal's contact details" }).click();
    await expect(page.locator('strong.revealed').first().textContent()).resolves.toBe(filed.contactEmail);

    const unlabelled = await page.evaluate(() =>
      Array.from(document.querySelectorAll('input:not([type=hidden]), textarea, select'))
        .filter((input) => !input.id || !document.querySelector(`label[for="${input.id}"]`))
        .map((input) => input.outerHTML),
    );
    expect(unlabelled).toEqual([]);
    expect(browser.problems).toEqual([]);
  });
});
