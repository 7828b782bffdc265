import supertest from 'supertest';
import { createAgent, pageToken, signInAgent, TestAgent } from '../support/agents';
import { fileAppeal } from '../support/appeals';
import { createAccount } from '../support/factories';
import { unescapeHtml } from '../support/html';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';

describe('Back-office papercuts', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let admin: TestAgent;
  let adminClient: supertest.Agent;

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, env: { TRUST_PROXY: 'loopback' } });
    ({ smtp } = t);
    admin = await createAgent(t, { role: 'admin', name: 'Ada Admin' });
    adminClient = await signInAgent(t, admin);
  });

  afterAll(() => t?.close());

  const footerOf = (html: string) => /<footer[\s\S]*<\/footer>/.exec(html)?.[0] ?? '';

  it('keeps the public links out of the back-office footer, and on the public pages', async () => {
    for (const path of ['/agent', '/agent/team', '/agent/login']) {
      const client = path === '/agent/login' ? supertest(t.app.getHttpServer()) : adminClient;
      const footer = footerOf((await client.get(path).set('Accept', 'text/html').expect(200)).text);
      expect([path, footer]).toEqual([path, expect.stringContaining('site-footer')]);
      expect([path, footer.includes('href="/appeal"'), footer.includes('href="/api/docs"')]).toEqual([path, false, false]);
    }
    const publicFooter = footerOf((await supertest(t.app.getHttpServer()).get('/appeal').set('Accept', 'text/html').expect(200)).text);
    expect(publicFooter).toContain('href="/appeal"');
    expect(publicFooter).toContain('href="/api/docs"');
  });

  it('asks before deactivating an agent, on a page that needs no script', async () => {
    const bo = await createAgent(t, { name: 'Bo <Agent>' });
    const team = (await adminClient.get('/agent/team').expect(200)).text;
    // The team page only links to the question; no form there deactivates.
    expect(team).toContain(
      `<a class="btn btn-danger" href="/agent/team/${bo.id}/deactivate" aria-label="Deactivate Bo &lt;Agent&gt;…">Deactivate…</a>`,
    );
    expect(team).not.toContain(`action="/agent/team/${bo.id}/deactivate"`);
    const question = await adminClient.get(`/agent/team/${bo.id}/deactivate`).expect(200);
    expect(question.text).toContain('<h1>Deactivate Bo &lt;Agent&gt;?</h1>');
    expect(question.text).toContain(`<form method="post" action="/agent/team/${bo.id}/deactivate">`);
    expect(question.text).toContain('<a href="/agent/team">Cancel</a>');
    expect(question.text).not.toContain('<script>');
    // Opening the question changes nothing.
    expect((await t.dataSource.query(`SELECT active FROM agents WHERE id = $1`, [bo.id]))[0].active).toBe(true);
    const csrf = await pageToken(adminClient, `/agent/team/${bo.id}/deactivate`);
    await adminClient
      .post(`/agent/team/${bo.id}/deactivate`)
      .type('form')
      .send({ _csrf: csrf })
      .expect(303)
      .expect('Location', '/agent/team');
    expect((await t.dataSource.query(`SELECT active FROM agents WHERE id = $1`, [bo.id]))[0].active).toBe(false);
    // Admins only, like the rest of the team page.
    const agentClient = await signInAgent(t, await createAgent(t));
    await agentClient.get(`/agent/team/${admin.id}/deactivate`).set('Accept', 'text/html').expect(403);
  });

  it("lists the account's appeals on the account page, linked to each appeal", async () => {
    const owner = await createAccount(t);
    const other = await createAccount(t);
    const first = await fileAppeal(t, smtp, { account: { uid: owner.uid } });
    const second = await fileAppeal(t, smtp, { account: { logonEmail: owner.logonEmail } });
    const elsewhere = await fileAppeal(t, smtp, { account: { uid: other.uid } });
    const html = unescapeHtml((await adminClient.get(`/agent/accounts/${owner.uid}`).expect(200)).text);
    const section = /<section[^>]*aria-labelledby="account-appeals-heading">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    for (const reference of [first.reference, second.reference])
      expect(section).toContain(`<a href="/agent/appeals/${reference}">${reference}</a>`);
    expect(section).not.toContain(elsewhere.reference);
    const empty = await createAccount(t);
    expect((await adminClient.get(`/agent/accounts/${empty.uid}`).expect(200)).text).toContain('No appeal names or matched this account.');
  });
});
