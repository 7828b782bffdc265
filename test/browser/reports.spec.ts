import { createAgent } from '../support/agents';
import { seedDecidedAppeals } from '../support/appeals';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';
import { signInAgentPage, unexpected, useBrowser } from './support/browser';

describe('SLA report on a phone', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  const browser = useBrowser();

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, listen: true });
    ({ smtp } = t);
    const decider = await createAgent(t, { name: 'Ana Agent' });
    await seedDecidedAppeals(t, smtp, decider.id);
  });

  afterAll(() => t?.close());

  it('draws the weekly attainment inside a 390 px screen with every label at least 12 px, without script', async () => {
    const supervisor = await createAgent(t, { role: 'supervisor', name: 'Sam Supervisor' });
    const page = await browser.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await signInAgentPage(page, t.baseUrl!, supervisor);
    await page.goto(`${t.baseUrl}/agent/reports?from=2026-11-23&to=2026-12-06`);
    const chart = page.locator('svg.sla-chart');
    await expect(chart.locator('script').count()).resolves.toBe(0);
    const box = await chart.boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    // The rendered height of each label's text, in CSS pixels: the font size after the viewBox scaling.
    const sizes = await chart.locator('text').evaluateAll((texts) =>
      texts.map((text) => {
        const svg = (text as SVGTextElement).ownerSVGElement!;
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        return { text: text.textContent, px: parseFloat(getComputedStyle(text).fontSize) * scale };
      }),
    );
    expect(sizes.map((size) => size.text)).toEqual(['2026-W48', '100%', '2026-W49', '0%']);
    for (const size of sizes) expect([size.text, size.px >= 12, size.px]).toEqual([size.text, true, size.px]);
    expect(unexpected(browser.problems, t.baseUrl!, [])).toEqual([]);
  });
});
