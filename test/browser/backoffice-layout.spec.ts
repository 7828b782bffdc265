import { chromium, Page } from 'playwright-core';
import { createAgent, TestAgent } from '../support/agents';
import { seedDecidedAppeals } from '../support/appeals';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';
import { chromiumPath, FLAGS, signInAgentPage, unexpected, useBrowser } from './support/browser';

/** The back-office pages with charts or wide tables, as an admin sees them (every nav entry). */
const PAGES = ['/agent', '/agent/reports?from=2026-11-23&to=2026-12-06', '/agent/audit', '/agent/team'];

describe('Back-office layout on a phone and on a laptop', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let admin: TestAgent;
  const browser = useBrowser();

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, listen: true });
    ({ smtp } = t);
    admin = await createAgent(t, { role: 'admin', name: 'Adaline Administrator-Longname' });
    await seedDecidedAppeals(t, smtp, admin.id);
  });

  afterAll(() => t?.close());

  /** Every chart label's rendered font size in CSS pixels (its font size times the viewBox scaling). */
  const chartTextSizes = (page: Page) =>
    page.locator('svg.chart text, svg.sla-chart text').evaluateAll((texts) =>
      texts.map((text) => {
        const svg = (text as SVGTextElement).ownerSVGElement!;
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        return { text: text.textContent, px: Math.round(parseFloat(getComputedStyle(text).fontSize) * scale * 10) / 10 };
      }),
    );

  it('keeps every page inside a 390 px screen, with chart text at least 11 px', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await signInAgentPage(page, t.baseUrl!, admin);
    for (const path of PAGES) {
      await page.goto(`${t.baseUrl}${path}`);
      const widths = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        inner: window.innerWidth,
        // What sticks out, when something does: the elements whose right edge passes the screen's, innermost first.
        wider: Array.from(document.body.querySelectorAll('*'))
          .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5)
          .reverse()
          .slice(0, 4)
          .map(
            (element) =>
              `${element.tagName.toLowerCase()}.${Array.from(element.classList).join('.')} ${Math.round(element.getBoundingClientRect().right)}`,
          ),
      }));
      expect([path, widths.scroll <= widths.inner, widths]).toEqual([path, true, widths]);
      const sizes = await chartTextSizes(page);
      if (path === '/agent' || path.startsWith('/agent/reports')) expect([path, sizes.length > 0]).toEqual([path, true]);
      const smallest = sizes.reduce((least, size) => (size.px < least.px ? size : least), { text: '', px: Infinity });
      expect([path, smallest.px >= 11, smallest]).toEqual([path, true, smallest]);
    }
    expect(unexpected(browser.problems, t.baseUrl!, [])).toEqual([]);
  });

  it('shows the whole header of an admin on one row at 1280 px', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await signInAgentPage(page, t.baseUrl!, admin);
    for (const path of PAGES) {
      await page.goto(`${t.baseUrl}${path}`);
      const nav = page.getByRole('navigation', { name: 'Main' });
      await expect(nav.getByRole('link').count()).resolves.toBe(10);
      for (const link of await nav.getByRole('link').all()) await expect(link.isVisible()).resolves.toBe(true);
      // One row: the header is no taller than its tallest item plus its padding, and every item shares a line.
      const rows = await page.locator('.site-header-inner').evaluate((inner) => {
        const items = Array.from(inner.querySelectorAll('.brand, .nav a, .sign-out')).map((item) => item.getBoundingClientRect());
        const style = getComputedStyle(inner);
        return {
          height: inner.getBoundingClientRect().height,
          oneRow: Math.max(parseFloat(style.minHeight), ...items.map((item) => item.height)),
          tops: [...new Set(items.map((item) => Math.round(item.top + item.height / 2)))],
        };
      });
      expect([path, rows.height <= rows.oneRow + 1, rows]).toEqual([path, true, rows]);
      expect([path, Math.max(...rows.tops) - Math.min(...rows.tops) <= 2, rows.tops]).toEqual([path, true, rows.tops]);
      await expect(page.getByText('Menu', { exact: true }).isVisible()).resolves.toBe(false);
    }
  });

  it('folds the navigation into a menu that opens without script at 390 px', async () => {
    // A browser of its own, with script off: the menu must open without it.
    const noScript = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: FLAGS });
    const context = await noScript.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    try {
      await signInAgentPage(page, t.baseUrl!, admin);
      const nav = page.getByRole('navigation', { name: 'Main' });
      const team = nav.getByRole('link', { name: 'Team', exact: true });
      await expect(team.isVisible()).resolves.toBe(false);
      const header = await page.locator('.site-header').boundingBox();
      expect(header!.height).toBeLessThan(80);
      await page.locator('.site-header summary').click();
      await expect(team.isVisible()).resolves.toBe(true);
      await Promise.all([page.waitForURL(`${t.baseUrl}/agent/team`), team.click()]);
      const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
      expect(widths.scroll).toBeLessThanOrEqual(widths.inner);
    } finally {
      await noScript.close();
    }
  });
});
