import { Page } from 'playwright-core';
import { createAgent, TestAgent } from '../support/agents';
import { fileAppeal } from '../support/appeals';
import { createAccount } from '../support/factories';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';
import { signInAgentPage, unexpected, useBrowser } from './support/browser';

/** The appeal page's actions folded one at a time, and the queue's default view, on a phone and on a desktop. */
describe('Appeal actions and the default queue in Chromium', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let agent: TestAgent;
  const browser = useBrowser();
  let references: { soonest: string; later: string; closed: string };

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, listen: true });
    ({ smtp } = t);
    agent = await createAgent(t, { name: 'Ana Agent' });
    const file = async () => (await fileAppeal(t, smtp, { account: { uid: (await createAccount(t)).uid } })).reference;
    references = { later: await file(), soonest: await file(), closed: await file() };
    // Filed later, due sooner: the default view puts it first. A closed appeal is not in the default view.
    await t.dataSource.query(
      `UPDATE appeals SET first_response_due_at = now() + interval '1 hour', resolution_due_at = now() + interval '3 days' WHERE reference = $1`,
      [references.soonest],
    );
    await t.dataSource.query(
      `UPDATE appeals SET first_response_due_at = now() + interval '20 hours', resolution_due_at = now() + interval '3 days' WHERE reference = $1`,
      [references.later],
    );
    await t.dataSource.query(
      `UPDATE appeals SET status = 'rejected', first_response_due_at = NULL, resolution_due_at = NULL, closed_at = now() WHERE reference = $1`,
      [references.closed],
    );
  });

  afterAll(() => t?.close());

  const queueOrder = (page: Page) =>
    page.locator('table.queue tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-reference')));

  for (const [name, width, height] of [
    ['390 px phone', 390, 844],
    ['1280 px desktop', 1280, 900],
  ] as const) {
    it(`on a ${name}: the queue lists open appeals by deadline, the appeal's actions are folded and one opens to its form`, async () => {
      const page = await browser.newPage();
      await page.setViewportSize({ width, height });
      await signInAgentPage(page, t.baseUrl!, agent);

      await page.goto(`${t.baseUrl}/agent/appeals`);
      await expect(page.getByRole('heading', { level: 2, name: 'Open appeals, next deadline soonest first' }).isVisible()).resolves.toBe(
        true,
      );
      await expect(queueOrder(page)).resolves.toEqual([references.soonest, references.later]);
      await page.getByLabel('Status').selectOption('all');
      await Promise.all([page.waitForURL(/status=all/), page.getByRole('button', { name: 'Apply' }).click()]);
      await expect(queueOrder(page)).resolves.toEqual([references.later, references.soonest, references.closed]);

      await page.goto(`${t.baseUrl}/agent/appeals/${references.soonest}`);
      await Promise.all([
        page.waitForURL(`${t.baseUrl}/agent/appeals/${references.soonest}`),
        page.getByRole('button', { name: 'Claim', exact: true }).click(),
      ]);
      const folds = page.locator('details.appeal-action-fold[name="appeal-action"]');
      await expect(folds.locator('summary').allTextContents()).resolves.toEqual([
        'Add note',
        'Request information',
        'Approve rationale required',
        'Reject',
      ]);
      await expect(folds.evaluateAll((nodes) => nodes.filter((node) => (node as HTMLDetailsElement).open).length)).resolves.toBe(0);
      // Folded: the forms are in the page but not shown until asked for.
      await expect(page.locator('#reject-reason').isVisible()).resolves.toBe(false);
      await expect(page.getByRole('button', { name: 'Reject', exact: true }).isVisible()).resolves.toBe(false);

      await page.locator('summary', { hasText: /^Reject$/ }).click();
      await expect(page.locator('#reject-reason').isVisible()).resolves.toBe(true);
      await expect(page.locator('#reject-message').isVisible()).resolves.toBe(true);
      await expect(page.getByRole('button', { name: 'Reject', exact: true }).isVisible()).resolves.toBe(true);
      await expect(page.locator('#note-body, #notes-body').isVisible()).resolves.toBe(false);

      // Opening another closes the first (one action at a time), and the approval's need of a rationale shows before submitting.
      await page.locator('summary', { hasText: /^Approve/ }).click();
      await expect(page.locator('#approve-notice').isVisible()).resolves.toBe(true);
      await expect(page.locator('#approve-notice').textContent()).resolves.toMatch(/^This appeal cannot be approved without a rationale: /);
      await expect(page.locator('#reject-reason').isVisible()).resolves.toBe(false);

      // Nothing of the opened form runs past the screen's edge.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      expect(unexpected(browser.problems, t.baseUrl!, [])).toEqual([]);
      browser.problems.length = 0;
      // Leave the appeal for the next viewport's run.
      await Promise.all([
        page.waitForURL(`${t.baseUrl}/agent/appeals/${references.soonest}`),
        page.getByRole('button', { name: 'Release', exact: true }).click(),
      ]);
      // Its live stream ends with it, before the next run signs in again. Closing a page whose next
      // document is still loading can leave Chromium's close unanswered: let the page load first.
      await page.waitForLoadState('load');
      await page.close();
    });
  }
});
