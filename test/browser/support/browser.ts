import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';

/** Flags that keep Chromium off the network it cannot reach on the development machines. */
export const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) throw new Error(`Chromium not found at ${path}: apt-get install -y chromium, or set CHROMIUM_PATH.`);
  return path;
}

export interface BrowserSession {
  readonly context: BrowserContext;
  /** Console errors, page errors and 4xx/5xx answers seen so far, as text. */
  readonly problems: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * A fresh Chromium with its own profile. Every page it opens reports console errors, uncaught
 * exceptions and failed responses into `problems`, so a test can insist there were none.
 */
export async function openBrowser(): Promise<BrowserSession> {
  const profile = mkdtempSync(join(tmpdir(), 'ac-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath(), headless: true, args: FLAGS });
  const problems: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.request().method()} ${response.url()}`);
    });
  };
  context.on('page', watch);
  context.pages().forEach(watch);
  return {
    context,
    problems,
    newPage: () => context.newPage(),
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * One Chromium for a describe block, by its hooks: opened before the block's tests, its cookies
 * and problems cleared before each test, closed after them. Read it inside tests only.
 */
export function useBrowser(): BrowserSession {
  let session: BrowserSession | undefined;
  const current = (): BrowserSession => {
    if (!session) throw new Error('useBrowser(): the browser opens in beforeAll; read it inside tests');
    return session;
  };
  beforeAll(async () => {
    session = await openBrowser();
  });
  beforeEach(async () => {
    await current().context.clearCookies();
    current().problems.length = 0;
  });
  afterAll(async () => {
    await session?.close();
  });
  return {
    get context() {
      return current().context;
    },
    get problems() {
      return current().problems;
    },
    newPage: () => current().newPage(),
    close: () => current().close(),
  };
}

/** The problems left once the answers a step expected (`403 GET /agent/team`...) and Chromium's console echo of them are taken out. */
export function unexpected(problems: string[], baseUrl: string, expected: string[]): string[] {
  const statuses = new Set(expected.map((answer) => answer.split(' ')[0]));
  const left = problems.map((problem) => problem.replace(baseUrl, '')).filter((problem) => !expected.includes(problem));
  return left.filter(
    (problem) =>
      ![...statuses].some(
        (status) =>
          problem === `console: Failed to load resource: the server responded with a status of ${status} (${STATUS_TEXT[status] ?? ''})`,
      ),
  );
}

const STATUS_TEXT: Record<string, string> = {
  '400': 'Bad Request',
  '401': 'Unauthorized',
  '403': 'Forbidden',
  '404': 'Not Found',
  '409': 'Conflict',
  '410': 'Gone',
  '422': 'Unprocessable Entity',
  '423': 'Locked',
  '429': 'Too Many Requests',
};

/** Signs in to the back-office through its form, from a visit to /agent that lands on it. */
export async function signInAgentPage(page: Page, baseUrl: string, who: { email: string; password: string }): Promise<void> {
  await page.goto(`${baseUrl}/agent`);
  expect(new URL(page.url()).pathname).toBe('/agent/login');
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await Promise.all([page.waitForURL(`${baseUrl}/agent`), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
}

/**
 * Opens the fold of an appeal's action (a form with fields is folded under its name, in a
 * `<details>`), as an agent clicks its summary; nothing to do when the action has no fold or it
 * is open already.
 */
export async function unfoldAction(page: Page, action: string): Promise<void> {
  const fold = page.locator('details.appeal-action-fold').filter({
    has: page.locator('summary', { hasText: new RegExp(`^\\s*${action.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }),
  });
  if (!(await fold.count())) return;
  if (await fold.first().evaluate((node) => (node as HTMLDetailsElement).open)) return;
  await fold.first().locator('summary').click();
}
