import supertest from 'supertest';
import { createAgent, signInAgent } from '../support/agents';
import { createTestApp, TestApp } from '../support/test-app';

/** What helmet sets by default, besides the CSP (HSTS only behind https). */
const HELMET_DEFAULTS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

/** The CSP as directive → sources. */
function csp(response: supertest.Response): Map<string, string[]> {
  const header = response.headers['content-security-policy'];
  expect(header).toEqual(expect.any(String));
  return new Map(
    String(header)
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...sources]) => [name, sources]),
  );
}

/** Helmet's headers, and a CSP that runs scripts from this origin only: nothing inline, nothing evaluated. */
function expectStrict(response: supertest.Response, styles: string[] = ["'self'"]): void {
  expect(response.headers).toMatchObject(HELMET_DEFAULTS);
  expect(response.headers['x-powered-by']).toBeUndefined();
  const policy = csp(response);
  expect(policy.get('default-src')).toEqual(["'self'"]);
  expect(policy.get('script-src')).toEqual(["'self'"]);
  expect(policy.get('style-src')).toEqual(styles);
  expect(policy.get('object-src')).toEqual(["'none'"]);
  expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
  expect(policy.get('form-action')).toEqual(["'self'"]);
  expect(String(response.headers['content-security-policy'])).not.toContain('unsafe-eval');
}

/** docs/security.md: helmet defaults plus a strict Content-Security-Policy without inline scripts, on pages, the API and problem documents. */
describe('Security headers', () => {
  let t: TestApp;
  let https: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ workers: false });
    https = await createTestApp({ workers: false, env: { PUBLIC_BASE_URL: 'https://accounts.example.test' } });
  });

  afterAll(async () => {
    await https.close();
    await t.close();
  });

  it('sends them with every kind of answer: pages, error pages, API JSON, problem documents, static files', async () => {
    const answers = {
      landing: await t.http.get('/').expect(200),
      signInPage: await t.http.get('/agent/login').expect(200),
      errorPage: await t.http.get('/nowhere').set('Accept', 'text/html').expect(404),
      json: await t.http.get('/health/live').expect(200),
      problem: await t.http.get('/api/v1/account').expect(401),
      notFound: await t.http.get('/api/v1/nothing-here').expect(404),
      problemType: await t.http.get('/problems/validation-failed').set('Accept', 'text/html').expect(200),
      stylesheet: await t.http.get('/static/css/app.css').expect(200),
    };
    expect(answers.problem.headers['content-type']).toMatch(/^application\/problem\+json/);
    for (const [name, response] of Object.entries(answers)) {
      try {
        expectStrict(response);
      } catch (error) {
        throw new Error(`${name}: ${(error as Error).message}`);
      }
      // No HSTS over plain http: it would pin a development host to https.
      expect(response.headers['strict-transport-security']).toBeUndefined();
    }
    for (const page of [answers.landing, answers.signInPage, answers.errorPage, answers.problemType]) {
      expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)/);
      expect(page.text).not.toContain('style=');
    }
  });

  it('keeps the strict CSP on back-office pages and loosens styles only for Bull Board and the API docs', async () => {
    const agentClient = await signInAgent(t, await createAgent(t));
    const supervisorClient = await signInAgent(t, await createAgent(t, { role: 'supervisor' }));
    const page = await agentClient.get('/agent').expect(200);
    expectStrict(page);
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(page.text).not.toContain('style=');
    // Third-party UIs with inline styles: still no inline script.
    expectStrict(await supervisorClient.get('/agent/queues').expect(200), ["'self'", "'unsafe-inline'"]);
    expectStrict(await t.http.get('/api/docs').expect(200), ["'self'", "'unsafe-inline'"]);
  });

  it('adds HSTS and upgrade-insecure-requests when PUBLIC_BASE_URL is https', async () => {
    for (const response of [await https.http.get('/').expect(200), await https.http.get('/api/v1/account').expect(401)]) {
      expectStrict(response);
      expect(response.headers['strict-transport-security']).toMatch(/^max-age=\d{7,}; includeSubDomains$/);
      expect(csp(response).has('upgrade-insecure-requests')).toBe(true);
    }
  });
});
