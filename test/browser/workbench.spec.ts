import { Page } from 'playwright-core';
import { AppealReviewService } from '../../src/modules/appeals/appeal-review.service';
import { CannedRepliesService } from '../../src/modules/appeals/canned-replies.service';
import { createAgent, TestAgent } from '../support/agents';
import { fileAppeal, FiledAppeal, versionOf } from '../support/appeals';
import { createAccount } from '../support/factories';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';
import { BrowserSession, openBrowser, signInAgentPage, unexpected, unfoldAction } from './support/browser';

/** Two agents, each in a browser of their own, working the same queue. */
describe('Agent workbench in Chromium', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let anaBrowser: BrowserSession;
  let samBrowser: BrowserSession;
  let ana: TestAgent;
  let sam: TestAgent;

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, listen: true, env: { TRUST_PROXY: 'loopback' } });
    ({ smtp } = t);
    [ana, sam] = await Promise.all([createAgent(t, { name: 'Ana Agent' }), createAgent(t, { role: 'supervisor', name: 'Sam Supervisor' })]);
    [anaBrowser, samBrowser] = await Promise.all([openBrowser(), openBrowser()]);
  });

  afterAll(async () => {
    await anaBrowser?.close();
    await samBrowser?.close();
    await t?.close();
  });

  const file = async (): Promise<FiledAppeal> => {
    const account = await createAccount(t);
    return fileAppeal(t, smtp, { account: { uid: account.uid } });
  };
  const signedIn = async (browser: BrowserSession, who: TestAgent): Promise<Page> => {
    await browser.context.clearCookies();
    const page = await browser.newPage();
    await signInAgentPage(page, t.baseUrl!, who);
    return page;
  };
  const row = (page: Page, reference: string) => page.locator(`tr[data-reference="${reference}"]`);

  it("re-renders the other agent's queue row, shows presence, and warns before an action on a stale page", async () => {
    const filed = await file();
    const [anaPage, samPage] = await Promise.all([signedIn(anaBrowser, ana), signedIn(samBrowser, sam)]);
    await samPage.goto(`${t.baseUrl}/agent/appeals?status=open`);
    await expect(row(samPage, filed.reference).locator('td').last().textContent()).resolves.toBe('—');
    // The row changes in place: a marker set now must survive, which a reload would wipe.
    await samPage.evaluate(() => document.body.setAttribute('data-not-reloaded', 'yes'));

    await anaPage.goto(`${t.baseUrl}/agent/appeals/${filed.reference}`);
    await Promise.all([
      anaPage.waitForURL(`${t.baseUrl}/agent/appeals/${filed.reference}`),
      anaPage.getByRole('button', { name: 'Claim', exact: true }).click(),
    ]);
    await row(samPage, filed.reference).locator('td', { hasText: 'Ana Agent' }).waitFor({ timeout: 10_000 });
    await expect(samPage.evaluate(() => document.body.getAttribute('data-not-reloaded'))).resolves.toBe('yes');
    await expect(row(samPage, filed.reference).locator('.badge').first().textContent()).resolves.toBe('In review');

    // Sam opens the appeal Ana is on: each sees the other.
    await samPage.goto(`${t.baseUrl}/agent/appeals/${filed.reference}`);
    await samPage.getByText('Also open by Ana Agent.').waitFor({ timeout: 10_000 });
    await anaPage.getByText('Also open by Sam Supervisor.').waitFor({ timeout: 10_000 });

    // Ana adds a note: Sam's page is stale, and says so before Sam acts on it.
    await unfoldAction(anaPage, 'Add note');
    await anaPage.getByRole('textbox', { name: 'Internal note' }).fill('Checked the invoice.');
    await Promise.all([
      anaPage.waitForURL(`${t.baseUrl}/agent/appeals/${filed.reference}`),
      anaPage.getByRole('button', { name: 'Add note', exact: true }).click(),
    ]);
    const warning = samPage.locator('[data-live-stale]');
    await warning.getByText('Changed by Ana Agent, reload', { exact: false }).waitFor({ timeout: 10_000 });
    await unfoldAction(samPage, 'Add note');
    await samPage.getByRole('textbox', { name: 'Internal note' }).fill('Looks fine to me.');
    const posts: string[] = [];
    samPage.on('request', (request) => {
      if (request.method() === 'POST') posts.push(request.url());
    });
    await samPage.getByRole('button', { name: 'Add note', exact: true }).click();
    await expect(warning.evaluate((node) => node === document.activeElement)).resolves.toBe(true);
    expect(posts).toEqual([]);
    // Reloading clears it and the action goes through.
    await Promise.all([samPage.waitForLoadState('load'), warning.getByRole('link', { name: 'reload' }).click()]);
    await expect(samPage.locator('[data-live-stale]').isHidden()).resolves.toBe(true);

    expect(unexpected(anaBrowser.problems, t.baseUrl!, [])).toEqual([]);
    expect(unexpected(samBrowser.problems, t.baseUrl!, [])).toEqual([]);
  });

  it('lets a supervisor bulk-release three appeals; the one changed since the queue showed it is reported skipped', async () => {
    const references = (await Promise.all([file(), file(), file()])).map((filed) => filed.reference);
    const review = t.get(AppealReviewService);
    const asAna = { id: ana.id, role: ana.role };
    for (const reference of references) await review.claim(asAna, reference, await versionOf(t, asAna, reference));
    const samPage = await signedIn(samBrowser, sam);
    await samPage.goto(`${t.baseUrl}/agent/appeals?status=open`);
    for (const reference of references) await samPage.getByLabel(`Select ${reference}`).check();

    // Ana writes on the third while it is selected: its row is re-rendered, still selected, with the version Sam saw.
    await review.addNote(asAna, references[2], await versionOf(t, asAna, references[2]), { body: 'on it' });
    await row(samPage, references[2]).and(samPage.locator('.live-updated')).waitFor({ timeout: 10_000 });
    await expect(samPage.getByLabel(`Select ${references[2]}`).isChecked()).resolves.toBe(true);

    await Promise.all([
      samPage.waitForURL(`${t.baseUrl}/agent/appeals?status=open`),
      samPage.getByRole('button', { name: 'Release', exact: true }).click(),
    ]);
    const summary = await samPage.locator('main [role="status"], main [role="alert"]').first().textContent();
    expect(summary).toContain('2 of 3 released.');
    expect(summary).toContain(`${references[2]} skipped:`);
    await expect(row(samPage, references[0]).locator('.badge').first().textContent()).resolves.toBe('Submitted');
    expect(unexpected(samBrowser.problems, t.baseUrl!, [])).toEqual([]);
  });

  it("inserts a canned reply in the appeal's language (zh-CN) and sends it", async () => {
    const review = t.get(AppealReviewService);
    await t.get(CannedRepliesService).create(
      { id: sam.id, role: sam.role },
      {
        title: '请补充发票',
        locale: 'zh-CN',
        body: '{{fullName}}您好：请上传最近一张发票，以便我们处理申诉 {{reference}}。',
      },
    );
    await t
      .get(CannedRepliesService)
      .create({ id: sam.id, role: sam.role }, { title: 'Invoice please', locale: 'en', body: 'Please send an invoice.' });
    const account = await createAccount(t);
    const filed = await fileAppeal(t, smtp, {
      account: { uid: account.uid },
      locale: 'zh-CN',
      evidence: { fullName: '韩梅梅', description: '手机丢失，旧邮箱已停用。' },
    });
    const asAna = { id: ana.id, role: ana.role };
    await review.claim(asAna, filed.reference, await versionOf(t, asAna, filed.reference));

    const page = await signedIn(anaBrowser, ana);
    await page.goto(`${t.baseUrl}/agent/appeals/${filed.reference}`);
    await expect(page.getByRole('link', { name: 'Invoice please' }).count()).resolves.toBe(0);
    const url = page.url();
    await unfoldAction(page, 'Request information');
    await page.locator('form[action$="/request-info"]').getByRole('link', { name: '请补充发票' }).click();
    expect(page.url()).toBe(url);
    const expected = `韩梅梅您好：请上传最近一张发票，以便我们处理申诉 ${filed.reference}。`;
    await expect(page.locator('#request-info-message').inputValue()).resolves.toBe(expected);
    await Promise.all([
      page.waitForURL(`${t.baseUrl}/agent/appeals/${filed.reference}`),
      page.getByRole('button', { name: 'Request information', exact: true }).click(),
    ]);
    await expect(page.locator('main [role="status"]').first().textContent()).resolves.toContain('emailed');
    await smtp.waitForMessage(
      () => smtp.to(filed.contactEmail).some((message) => message.template === 'appeal-info-requested' && message.text.includes(expected)),
      15_000,
      'the canned reply by email',
    );
    expect(unexpected(anaBrowser.problems, t.baseUrl!, [])).toEqual([]);
  });

  it('walks the queue with the keyboard, opens and claims an appeal, and lists the keys on ?', async () => {
    const references = [(await file()).reference, (await file()).reference];
    const page = await signedIn(anaBrowser, ana);
    await page.goto(`${t.baseUrl}/agent/appeals?status=submitted`);
    const current = () => page.locator('tr.is-current').getAttribute('data-reference');
    const order = await page.locator('tr[data-reference]').evaluateAll((all) => all.map((row) => row.getAttribute('data-reference')));
    const first = order.indexOf(references[0]);
    await page.keyboard.press('j');
    await expect(current()).resolves.toBe(order[0]);
    for (let i = 0; i < first; i += 1) await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    await expect(current()).resolves.toBe(references[0]);

    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect(help.isVisible()).resolves.toBe(true);
    await expect(help.textContent()).resolves.toContain('next appeal in the queue');
    await page.keyboard.press('Escape');
    await expect(help.isVisible()).resolves.toBe(false);

    await Promise.all([page.waitForURL(`${t.baseUrl}/agent/appeals/${references[0]}`), page.keyboard.press('Enter')]);
    await Promise.all([page.waitForURL(`${t.baseUrl}/agent/appeals/${references[0]}`), page.keyboard.press('c')]);
    await expect(page.locator('main [role="status"]').first().textContent()).resolves.toContain(`You hold ${references[0]} now`);
    expect(unexpected(anaBrowser.problems, t.baseUrl!, [])).toEqual([]);
  });
});
