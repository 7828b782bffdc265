import { createTestApp, TestApp } from '../support/test-app';
import { BrowserSession, openBrowser } from './support/browser';

describe('landing page in Chromium', () => {
  let t: TestApp;
  let browser: BrowserSession;

  beforeAll(async () => {
    t = await createTestApp({ listen: true, workers: false });
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the three ways in, styled, with no console error or failed request', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.baseUrl}/`);
    await expect(page.title()).resolves.toBe('Welcome · Account Center');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Account Center');
    for (const [name, href] of [
      ['Sign in', '/login'],
      ['File an appeal', '/appeal'],
      ['Open the back-office', '/agent'],
    ]) {
      await expect(page.getByRole('link', { name }).getAttribute('href')).resolves.toBe(href);
    }
    // The stylesheet applied: the primary button has the brand colour, not the browser default.
    const background = await page.getByRole('link', { name: 'Sign in' }).evaluate((element) => getComputedStyle(element).backgroundColor);
    expect(background).toBe('rgb(11, 92, 173)');
    expect(browser.problems).toEqual([]);
  });

  it('lets a keyboard user skip to the content first', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.baseUrl}/`);
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Skip to content');
  });

  it('shows the error page for an unknown address', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${t.baseUrl}/no-such-page`);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Not found');
    browser.problems.length = 0;
  });
});
