import { randomUUID } from 'node:crypto';
import supertest from 'supertest';
import { QueueName } from '../../src/infrastructure/queues/queue-names';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { Appeal } from '../../src/modules/appeals/entities/appeal.entity';
import { ACTION_SPECS } from '../../src/modules/appeals/appeal-detail-view';
import { pageVersion, postForm } from '../support/agent-pages';
import { createAgent, pageToken, signInAgent, TestAgent } from '../support/agents';
import { fileAppeal } from '../support/appeals';
import { SmtpSink } from '../support/smtp-sink';
import { createAccount, TestAccount } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

/** Every route of `method` under /agent the app registers, as Express sees them: a new page or form is covered without a word here. */
function agentRoutes(t: TestApp, method: 'get' | 'post'): string[] {
  const express = t.app.getHttpAdapter().getInstance() as {
    router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  };
  return express.router.stack
    .flatMap((layer) => (layer.route?.methods[method] && layer.route.path.startsWith('/agent') ? [layer.route.path] : []))
    .sort();
}
const agentPostRoutes = (t: TestApp) => agentRoutes(t, 'post');

/**
 * docs/security.md: every POST without a CSRF token answers 403; an agent cannot second-approve their
 * own approval; an agent cannot open /agent/queues or /agent/team; without a session, the sign-in form.
 */
describe('Back-office security', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let admin: TestAgent;
  let supervisor: TestAgent;
  let agent: TestAgent;
  let adminClient: supertest.Agent;
  let agentClient: supertest.Agent;
  let supervisorClient: supertest.Agent;
  let account: TestAccount;

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, env: { TRUST_PROXY: 'loopback' } });
    ({ smtp } = t);
    [admin, supervisor, agent] = await Promise.all([
      createAgent(t, { role: 'admin' }),
      createAgent(t, { role: 'supervisor' }),
      createAgent(t, { role: 'agent' }),
    ]);
    [adminClient, supervisorClient, agentClient] = await Promise.all([
      signInAgent(t, admin),
      signInAgent(t, supervisor),
      signInAgent(t, agent),
    ]);
    account = await createAccount(t, { securePhone: '+8613812345678' });
  });

  afterAll(() => t.close());

  const appealRow = (reference: string) => t.dataSource.getRepository(Appeal).findOneByOrFail({ reference });
  const concrete = (path: string) =>
    path
      .replace(':uid', account.uid)
      .replace(':reference', 'AP-AAAAAAAAAA')
      .replace(':id/retry', `${randomUUID()}/retry`)
      .replace(':id', agent.id);

  describe('CSRF', () => {
    it('knows every POST route of the back-office', () => {
      expect(agentPostRoutes(t)).toEqual([
        '/agent/accounts/:uid/freeze',
        '/agent/accounts/:uid/reveal',
        '/agent/accounts/:uid/revoke-sessions',
        '/agent/accounts/:uid/unfreeze',
        '/agent/appeals/:reference/approve',
        '/agent/appeals/:reference/attachments/:id/show',
        '/agent/appeals/:reference/claim',
        '/agent/appeals/:reference/dismiss-objection',
        '/agent/appeals/:reference/facts',
        '/agent/appeals/:reference/notes',
        '/agent/appeals/:reference/reject',
        '/agent/appeals/:reference/release',
        '/agent/appeals/:reference/reopen',
        '/agent/appeals/:reference/request-info',
        '/agent/appeals/:reference/reveal',
        '/agent/appeals/:reference/second-approve',
        '/agent/appeals/:reference/takeover',
        '/agent/appeals/:reference/uphold-objection',
        '/agent/appeals/bulk',
        '/agent/audit/verify',
        '/agent/login',
        '/agent/login/passkey',
        '/agent/logout',
        '/agent/me',
        '/agent/me/passkeys',
        '/agent/me/passkeys/:id/remove',
        '/agent/me/workload',
        '/agent/notifications/:id/retry',
        '/agent/replies',
        '/agent/replies/:id',
        '/agent/replies/:id/delete',
        '/agent/team',
        '/agent/team/:id/approve',
        '/agent/team/:id/deactivate',
        '/agent/team/:id/reactivate',
        '/agent/team/:id/reset-password',
        '/agent/team/:id/role',
        '/agent/team/:id/workload',
      ]);
    });

    it('refuses every POST without a token, with a token of another session, or with a forged one: 403 CSRF_INVALID', async () => {
      const otherSessionToken = await pageToken(agentClient, '/agent');
      for (const route of agentPostRoutes(t)) {
        const path = concrete(route);
        const fields = {
          reason: 'csrf test',
          version: '1',
          body: 'x',
          message: 'x',
          rationale: 'x',
          field: 'logonEmail',
          action: 'change-password',
          email: 'x@example.com',
          password: 'x',
          name: 'x',
          role: 'agent',
        };
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

    it('refuses every unsafe request to Bull Board without a token (its routes read from its own router): 403 CSRF_INVALID', async () => {
      const board = t.get<{
        getRouter(): { router: { stack: { handle: { stack?: { route?: { path: string; methods: Record<string, boolean> } }[] } }[] } };
      }>('bull_board_adapter');
      const unsafe = board
        .getRouter()
        .router.stack.flatMap((layer) => layer.handle.stack ?? [])
        .flatMap((layer) =>
          layer.route
            ? Object.keys(layer.route.methods)
                .filter((method) => method !== 'get')
                .map((method) => [method, layer.route!.path] as const)
            : [],
        );
      expect(unsafe.length).toBeGreaterThan(10);
      for (const [method, route] of unsafe) {
        const path = `/agent/queues${route.replace(':queueName', QueueName.NotificationsNormal).replace(':jobId', 'x').replace(':jobStatus', 'failed')}`;
        const response = await (adminClient as unknown as Record<string, (url: string) => supertest.Test>)[method](path).send({});
        expect([method, path, response.status, response.body.code]).toEqual([method, path, 403, 'CSRF_INVALID']);
      }
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
    it('refuses every action on a real appeal, and the reveal, without a valid token, and changes nothing', async () => {
      const filed = await fileAppeal(t, smtp, { account: { uid: account.uid } });
      const before = await appealRow(filed.reference);
      const foreignToken = await pageToken(await signInAgent(t, agent), '/agent/appeals');
      const paths = [...Object.values(ACTION_SPECS).map((spec) => spec.path), 'reveal'];
      for (const path of paths) {
        for (const _csrf of [undefined, foreignToken]) {
          const response = await agentClient
            .post(`/agent/appeals/${filed.reference}/${path}`)
            .type('form')
            .set('Accept', 'text/html')
            .send({ version: before.version, body: 'x', message: 'x', rationale: 'x', reason: 'x', ...(_csrf ? { _csrf } : {}) });
          expect([path, response.status]).toEqual([path, 403]);
        }
      }
      await expect(appealRow(filed.reference)).resolves.toEqual(before);
      const reads: { count: number }[] = await t.dataSource.query(
        `SELECT count(*)::int AS count FROM audit_events WHERE action = 'appeal.contacts_revealed'`,
      );
      expect(reads).toEqual([{ count: 0 }]);
    });
  });

  describe('four eyes', () => {
    it('refuses a supervisor confirming their own approval, and an agent confirming at all; another supervisor may', async () => {
      const otherSupervisor = await createAgent(t, { role: 'supervisor' });
      const filed = await fileAppeal(t, smtp, { account: { uid: account.uid } });
      const act = async (client: supertest.Agent, path: string, fields: Record<string, string> = {}) =>
        postForm(client, `/agent/appeals/${filed.reference}/${path}`, { version: await pageVersion(client, filed.reference), ...fields });
      await act(supervisorClient, 'claim').then((response) => expect(response.status).toBe(303));
      await act(supervisorClient, 'approve', { rationale: 'Strong evidence.' }).then((response) => expect(response.status).toBe(303));
      const pending = await appealRow(filed.reference);
      expect(pending.status).toBe('pending_second_approval');

      // The approver's own page offers no confirmation; posting it anyway is refused.
      expect((await supervisorClient.get(`/agent/appeals/${filed.reference}`).expect(200)).text).not.toContain(
        `action="/agent/appeals/${filed.reference}/second-approve"`,
      );
      for (const client of [supervisorClient, agentClient]) {
        const refused = await act(client, 'second-approve');
        expect(refused.status).toBe(403);
      }
      await expect(appealRow(filed.reference)).resolves.toEqual(pending);

      const confirmed = await act(await signInAgent(t, otherSupervisor), 'second-approve');
      expect(confirmed.status).toBe(303);
      await expect(appealRow(filed.reference)).resolves.toMatchObject({ status: 'scheduled' });
    });
  });

  describe('roles', () => {
    it('refuses agents the supervisor and admin pages and actions with 403, whatever the buttons show', async () => {
      for (const path of ['/agent/queues', '/agent/queues/api/queues', '/agent/team']) {
        const response = await agentClient.get(path).set('Accept', 'text/html');
        expect([path, response.status]).toEqual([path, 403]);
      }
      const csrf = await pageToken(agentClient, '/agent');
      await agentClient
        .post('/agent/team')
        .type('form')
        .send({ _csrf: csrf, email: 'new@example.com', name: 'New', role: 'admin', password: 'a long enough password 1' })
        .expect(403);
      await agentClient.post(`/agent/team/${supervisor.id}/deactivate`).type('form').send({ _csrf: csrf }).expect(403);
      await t.get(AccountsService).setStatus(t.dataSource.manager, account.uid, 'frozen');
      const refused = await agentClient
        .post(`/agent/accounts/${account.uid}/unfreeze`)
        .type('form')
        .set('Accept', 'text/html')
        .send({ _csrf: csrf, reason: 'agent tries' });
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
      expect(
        (queues.body as { queues: { name: string; readOnlyMode: boolean }[] }).queues
          .map((queue) => [queue.name, queue.readOnlyMode])
          .sort(),
      ).toEqual(
        Object.values(QueueName)
          .sort()
          .map((name) => [name, true]),
      );
      await supervisorClient.get('/agent/team').expect(403);
      await adminClient.get('/agent/team').expect(200);
      await adminClient.get('/agent/queues').expect(200);
    });

    it('sends anyone without a session from every back-office page to the sign-in form', async () => {
      const pages = agentRoutes(t, 'get');
      expect(pages).toEqual(expect.arrayContaining(['/agent', '/agent/appeals', '/agent/appeals/:reference', '/agent/team', '/agent/me']));
      for (const route of pages) {
        const path = concrete(route);
        const response = await supertest(t.app.getHttpServer()).get(path).set('Accept', 'text/html');
        if (route === '/agent/login') {
          expect(response.status).toBe(200);
          continue;
        }
        expect([path, response.status, response.headers.location]).toEqual([path, 303, '/agent/login']);
      }
      // A revoked or made-up session cookie is no better than none.
      const made = await supertest(t.app.getHttpServer())
        .get('/agent')
        .set('Cookie', `ac_agent=${'x'.repeat(43)}`);
      expect([made.status, made.headers.location]).toEqual([303, '/agent/login']);
    });

    it('sends anyone without a session from Bull Board to the sign-in form', async () => {
      await supertest(t.app.getHttpServer()).get('/agent/queues').expect(303).expect('Location', '/agent/login');
      await supertest(t.app.getHttpServer()).get('/agent/queues/api/queues').expect(303).expect('Location', '/agent/login');
    });
  });
});
