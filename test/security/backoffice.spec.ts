import { randomUUID } from 'node:crypto';
import supertest from 'supertest';
import { QueueName } from '../../src/infrastructure/queues/queue-names';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { createAgent, csrfOf, pageToken, signInAgent, TestAgent } from '../support/agents';
import { createAccount, TestAccount } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

/** Every POST route under /agent the app registers, as Express sees them. */
function agentPostRoutes(t: TestApp): string[] {
  const express = t.app.getHttpAdapter().getInstance() as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } };
  return express.router.stack.flatMap((layer) => (layer.route?.methods.post && layer.route.path.startsWith('/agent') ? [layer.route.path] : [])).sort();
}

describe('Back-office security', () => {
  let t: TestApp;
  let admin: TestAgent;
  let supervisor: TestAgent;
  let agent: TestAgent;
  let adminClient: supertest.Agent;
  let agentClient: supertest.Agent;
  let supervisorClient: supertest.Agent;
  let account: TestAccount;

  beforeAll(async () => {
    t = await createTestApp({ workers: false });
    [admin, supervisor, agent] = await Promise.all([createAgent(t, { role: 'admin' }), createAgent(t, { role: 'supervisor' }), createAgent(t, { role: 'agent' })]);
    [adminClient, supervisorClient, agentClient] = await Promise.all([signInAgent(t, admin), signInAgent(t, supervisor), signInAgent(t, agent)]);
    account = await createAccount(t, { securePhone: '+8613812345678' });
  });

  afterAll(async () => {
    await t.close();
  });

  describe('CSRF', () => {
    const concrete = (path: string) =>
      path
        .replace(':uid', account.uid)
        .replace(':reference', 'AP-AAAAAAAAAA')
        .replace(':id/retry', `${randomUUID()}/retry`)
        .replace(':id', agent.id);

    it('knows every POST route of the back-office', () => {
      expect(agentPostRoutes(t)).toEqual([
        '/agent/accounts/:uid/freeze',
        '/agent/accounts/:uid/reveal',
        '/agent/accounts/:uid/revoke-sessions',
        '/agent/accounts/:uid/unfreeze',
        '/agent/appeals/:reference/approve',
        '/agent/appeals/:reference/claim',
        '/agent/appeals/:reference/notes',
        '/agent/appeals/:reference/reject',
        '/agent/appeals/:reference/release',
        '/agent/appeals/:reference/reopen',
        '/agent/appeals/:reference/request-info',
        '/agent/appeals/:reference/reveal',
        '/agent/appeals/:reference/second-approve',
        '/agent/appeals/:reference/takeover',
        '/agent/login',
        '/agent/logout',
        '/agent/me',
        '/agent/notifications/:id/retry',
        '/agent/team',
        '/agent/team/:id/deactivate',
        '/agent/team/:id/reactivate',
      ]);
    });

    it('refuses every POST without a token, with a token of another session, or with a forged one: 403 CSRF_INVALID', async () => {
      const otherSessionToken = await pageToken(agentClient, '/agent');
      for (const route of agentPostRoutes(t)) {
        const path = concrete(route);
        const fields = { reason: 'csrf test', version: '1', body: 'x', message: 'x', rationale: 'x', field: 'logonEmail', action: 'change-password', email: 'x@example.com', password: 'x', name: 'x', role: 'agent' };
        for (const _csrf of [undefined, otherSessionToken, 'f'.repeat(64) + '.' + 'a'.repeat(64)]) {
          const response = await adminClient
            .post(path)
            .type('form')
            .set('Accept', 'text/html')
            .send({ ...fields, ...(_csrf ? { _csrf } : {}) });
          expect([path, response.status]).toEqual([path, 403]);
          expect(response.text).toContain('The form has expired');
        }
        const json = await adminClient.post(path).send({ reason: 'csrf test' });
        expect(json.body).toMatchObject({ status: 403, code: 'CSRF_INVALID' });
      }
      // Nothing happened: the account is still active, the agent still signed in.
      await expect(t.get(AccountsService).get(account.uid)).resolves.toMatchObject({ status: 'active' });
      await agentClient.get('/agent').expect(200);
      await adminClient.get('/agent').expect(200);
    });

    it('refuses a sign-in form posted without the token of its pre-session', async () => {
      const client = supertest.agent(t.app.getHttpServer());
      await client.post('/agent/login').type('form').send({ email: agent.email, password: agent.password }).expect(403);
      // A token without its cookie (another browser's) is no better.
      const token = await pageToken(supertest.agent(t.app.getHttpServer()), '/agent/login');
      await client.post('/agent/login').type('form').send({ _csrf: token, email: agent.email, password: agent.password }).expect(403);
    });

    it('binds tokens to the session: the sign-in form token stops working once signed in', async () => {
      const client = supertest.agent(t.app.getHttpServer());
      const loginToken = await pageToken(client, '/agent/login');
      await client.post('/agent/login').type('form').send({ _csrf: loginToken, email: agent.email, password: agent.password }).expect(303);
      await client.post('/agent/logout').type('form').send({ _csrf: loginToken }).expect(403);
      const sessionToken = await pageToken(client, '/agent');
      await client.post('/agent/logout').type('form').send({ _csrf: sessionToken }).expect(303);
    });
  });

  describe('roles', () => {
    it('refuses agents the supervisor and admin pages and actions with 403, whatever the buttons show', async () => {
      for (const path of ['/agent/queues', '/agent/queues/api/queues', '/agent/team']) {
        const response = await agentClient.get(path).set('Accept', 'text/html');
        expect([path, response.status]).toEqual([path, 403]);
      }
      const csrf = await pageToken(agentClient, '/agent');
      await agentClient.post('/agent/team').type('form').send({ _csrf: csrf, email: 'new@example.com', name: 'New', role: 'admin', password: 'a long enough password 1' }).expect(403);
      await agentClient.post(`/agent/team/${supervisor.id}/deactivate`).type('form').send({ _csrf: csrf }).expect(403);
      await t.get(AccountsService).setStatus(t.dataSource.manager, account.uid, 'frozen');
      const refused = await agentClient.post(`/agent/accounts/${account.uid}/unfreeze`).type('form').set('Accept', 'text/html').send({ _csrf: csrf, reason: 'agent tries' });
      expect(refused.status).toBe(403);
      // The error page keeps the back-office navigation.
      expect(refused.text).toContain('href="/agent/accounts"');
      await expect(t.get(AccountsService).get(account.uid)).resolves.toMatchObject({ status: 'frozen' });
      await t.get(AccountsService).setStatus(t.dataSource.manager, account.uid, 'active');
    });

    it('lets supervisors open Bull Board but not the team page', async () => {
      const board = await supervisorClient.get('/agent/queues').expect(200);
      expect(board.text).toContain('<base href="/agent/queues/"');
      const queues = await supervisorClient.get('/agent/queues/api/queues').expect(200);
      // Every queue of the service, each read-only.
      expect((queues.body as { queues: { name: string; readOnlyMode: boolean }[] }).queues.map((queue) => [queue.name, queue.readOnlyMode]).sort()).toEqual(
        Object.values(QueueName)
          .sort()
          .map((name) => [name, true]),
      );
      await supervisorClient.get('/agent/team').expect(403);
      await adminClient.get('/agent/team').expect(200);
      await adminClient.get('/agent/queues').expect(200);
    });

    it('sends anyone without a session from Bull Board to the sign-in form', async () => {
      await supertest(t.app.getHttpServer()).get('/agent/queues').expect(303).expect('Location', '/agent/login');
      await supertest(t.app.getHttpServer()).get('/agent/queues/api/queues').expect(303).expect('Location', '/agent/login');
    });
  });

  describe('headers', () => {
    it('keeps the strict CSP on back-office pages and loosens styles only for Bull Board', async () => {
      const page = await agentClient.get('/agent').expect(200);
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.headers['content-security-policy']).toContain("style-src 'self';");
      expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
      expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)/);
      expect(page.text).not.toContain('style=');
      const board = await supervisorClient.get('/agent/queues').expect(200);
      expect(board.headers['content-security-policy']).toContain("style-src 'self' 'unsafe-inline'");
      expect(board.headers['content-security-policy']).toContain("script-src 'self'");
      expect(board.headers['content-security-policy']).not.toMatch(/script-src[^;]*unsafe-inline/);
    });
  });

  describe('XSS', () => {
    const hostile = `<script>alert(1)</script>{{constructor.constructor('alert(2)')()}}`;

    it('renders an account display name and a notification error escaped', async () => {
      const created = await t.get(AccountsService).create({ logonEmail: `xss-${Date.now()}@example.com`, password: 'correct horse battery staple 42', displayName: hostile }, { actor: { type: 'system' } });
      const lookup = await agentClient.get(`/agent/accounts?q=${created.uid}`).expect(200);
      const detail = await agentClient.get(`/agent/accounts/${created.uid}`).expect(200);
      for (const html of [lookup.text, detail.text]) {
        expect(html).not.toContain('<script>alert(1)');
        expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;{{constructor.constructor(&#x27;alert(2)&#x27;)()}}');
      }
      await t.dataSource.query(
        `INSERT INTO notifications (id, template, channel, recipient, locale, payload, status, priority, attempts, last_error, account_uid)
         VALUES ($1, 'password-changed', 'email', 'owner@example.com', 'en', '{"data": {}, "sealed": null}', 'dead', 'normal', 8, $2, $3)`,
        [randomUUID(), `SMTP 550 ${hostile}`, created.uid],
      );
      const notifications = await agentClient.get('/agent/notifications').expect(200);
      expect(notifications.text).not.toContain('<script>alert(1)');
      expect(notifications.text).toContain('SMTP 550 &lt;script&gt;alert(1)&lt;/script&gt;{{constructor');
    });

    it('does not echo a search query unescaped', async () => {
      const response = await agentClient.get(`/agent/accounts?q=${encodeURIComponent('<script>x</script>@example.com')}`).expect(200);
      expect(response.text).not.toContain('<script>x</script>');
      expect(csrfOf(response.text)).toMatch(/^[0-9a-f]+\.[0-9a-f]+$/);
    });
  });
});
