import { generate } from 'otplib';
import supertest from 'supertest';
import { AgentSignInLockout } from '../../src/modules/agents/agent-sign-in-lockout.service';
import { AGENT_PASSWORD, createAgent, pageToken, signInAgent, TestAgent } from '../support/agents';
import { controlClock, uniqueEmail } from '../support/factories';
import { csrfOf } from '../support/html';
import { createTestApp, TestApp } from '../support/test-app';

describe('Back-office sign-in and sessions', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ workers: false });
  });

  afterAll(async () => {
    await t.close();
  });

  const browser = () => supertest.agent(t.app.getHttpServer());
  const attempt = async (client: supertest.Agent, fields: Record<string, string>) => {
    // The token first: the agent attaches its cookies when the request is created.
    const csrf = await pageToken(client, '/agent/login');
    return client
      .post('/agent/login')
      .type('form')
      .send({ _csrf: csrf, ...fields });
  };
  const auditActions = async (agentId: string): Promise<string[]> =>
    (
      (await t.dataSource.query(`SELECT action FROM audit_events WHERE subject_type = 'agent' AND subject_id = $1 ORDER BY seq`, [
        agentId,
      ])) as { action: string }[]
    ).map((row) => row.action);

  it('signs an agent in with a Strict, HttpOnly cookie scoped to /agent and lands on the dashboard', async () => {
    const agent = await createAgent(t, { name: 'Lin' });
    const client = browser();
    const form = await client.get('/agent/login').expect(200);
    expect(form.text).toContain('<form method="post" action="/agent/login"');
    const response = await client
      .post('/agent/login')
      .type('form')
      .send({ _csrf: csrfOf(form.text), email: agent.email.toUpperCase(), password: agent.password })
      .expect(303)
      .expect('Location', '/agent');
    const cookie = String(response.headers['set-cookie']);
    expect(cookie).toMatch(/ac_agent=[A-Za-z0-9_-]{43}; Path=\/agent; Expires=[^;]+; HttpOnly; SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/);
    const dashboard = await client.get('/agent').expect(200);
    expect(dashboard.text).toContain('<title>Dashboard · Account Center</title>');
    expect(dashboard.text).toContain('Lin · Agent');
    expect(dashboard.text).toMatch(/<a href="\/agent" aria-current="page">Dashboard<\/a>/);
    // Queues and Team are not offered to an agent.
    expect(dashboard.text).not.toContain('href="/agent/queues"');
    expect(dashboard.text).not.toContain('href="/agent/team"');
    await expect(auditActions(agent.id)).resolves.toEqual(['agent.created', 'agent.signed_in']);
  });

  it('answers a wrong password and an unknown email alike: 401 and the form with the error beside the password', async () => {
    const agent = await createAgent(t);
    const wrong = await attempt(browser(), { email: agent.email, password: 'not the password at all' });
    const unknown = await attempt(browser(), { email: uniqueEmail('nobody'), password: 'not the password at all' });
    for (const response of [wrong, unknown]) {
      expect(response.status).toBe(401);
      expect(response.text).toContain('<p class="field-error" id="password-error">The email or password is not correct.</p>');
      expect(response.text).toContain('aria-describedby="password-error"');
    }
    await expect(auditActions(agent.id)).resolves.toEqual(['agent.created', 'agent.sign_in_failed']);
  });

  it('asks for the fields left empty without counting a failure', async () => {
    const response = await attempt(browser(), { email: '', password: '' });
    expect(response.status).toBe(400);
    expect(response.text).toContain('Enter your email address.');
    expect(response.text).toContain('Enter your password.');
  });

  it('locks an email for 15 minutes after five failures, the right password included, known or not', async () => {
    const agent = await createAgent(t);
    const stranger = uniqueEmail('stranger');
    for (let n = 1; n <= 5; n += 1) {
      await attempt(browser(), { email: agent.email, password: `wrong password ${n}` }).then((response) =>
        expect(response.status).toBe(401),
      );
      await attempt(browser(), { email: stranger, password: `wrong password ${n}` }).then((response) => expect(response.status).toBe(401));
    }
    const locked = await attempt(browser(), { email: agent.email, password: agent.password });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(14 * 60);
    expect(locked.text).toContain('Too many failed sign-in attempts. Try again in 15 minutes.');
    await expect(attempt(browser(), { email: stranger, password: 'anything' })).resolves.toMatchObject({ status: 429 });
    await expect(auditActions(agent.id)).resolves.toContain('agent.sign_in_locked');

    // The lock is shared state (Redis, with its TTL), whatever the case of the email; other agents are not affected.
    await expect(t.get(AgentSignInLockout).lockedFor(agent.email.toUpperCase(), '127.0.0.1')).resolves.toBeGreaterThan(14 * 60_000);
    await signInAgent(t, await createAgent(t));
  });

  it('clears the failure count on success, so failures must be in a row', async () => {
    const agent = await createAgent(t);
    for (let n = 1; n <= 4; n += 1) await attempt(browser(), { email: agent.email, password: `wrong ${n}` });
    await signInAgent(t, agent);
    for (let n = 1; n <= 4; n += 1) await attempt(browser(), { email: agent.email, password: `wrong again ${n}` });
    await signInAgent(t, agent);
  });

  describe('with TOTP', () => {
    let agent: TestAgent;
    let secret: string;

    beforeAll(async () => {
      agent = await createAgent(t, { name: 'Totp Tester' });
      const client = await signInAgent(t, agent);
      const page = await client.get('/agent/me').expect(200);
      secret = /<code class="secret">([A-Z2-7]+)<\/code>/.exec(page.text)![1];
      expect(page.text).toContain(`otpauth://totp/Account%20Center%20back-office:${encodeURIComponent(agent.email)}?secret&#x3D;${secret}`);
      expect(page.text).toMatch(/<figure class="qr"[^>]*><svg /);
      const enrolment = /name="enrolment" value="([^"]+)"/.exec(page.text)![1];
      const wrong = await client
        .post('/agent/me')
        .type('form')
        .send({ _csrf: csrfOf(page.text), action: 'enable-totp', enrolment, code: '000000' })
        .expect(400);
      expect(wrong.text).toContain('This code is not correct.');
      // The same secret is offered again, so an app that scanned it still works.
      expect(wrong.text).toContain(`<code class="secret">${secret}</code>`);
      await client
        .post('/agent/me')
        .type('form')
        .send({ _csrf: csrfOf(page.text), action: 'enable-totp', enrolment, code: await generate({ secret }) })
        .expect(303)
        .expect('Location', '/agent/me');
      const after = await client.get('/agent/me').expect(200);
      expect(after.text).toContain('Your authenticator app is set up');
      await expect(auditActions(agent.id)).resolves.toContain('agent.totp_enabled');
    });

    it('asks for the code after the right password, beside the code field', async () => {
      const response = await attempt(browser(), { email: agent.email, password: agent.password });
      expect(response.status).toBe(401);
      expect(response.text).toContain('<p class="field-error" id="totp-error">Enter the 6-digit code from your authenticator app.</p>');
      const current = await generate({ secret });
      const wrong = await attempt(browser(), {
        email: agent.email,
        password: agent.password,
        totp: current === '123456' ? '654321' : '123456',
      });
      expect(wrong.status).toBe(401);
      expect(wrong.text).toContain('This code is not correct.');
    });

    it('signs in with the current code, and accepts each code once', async () => {
      // Activation used the current step's code: move a minute on, to a step of its own.
      const clock = controlClock(t);
      clock.advance(60_000);
      const code = await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 60 });
      await signInAgent(t, agent, code);
      const replay = await attempt(browser(), { email: agent.email, password: agent.password, totp: code });
      expect(replay.status).toBe(401);
      clock.advance(-60_000);
    });
  });

  it('ends the session on sign-out and after the idle timeout', async () => {
    const agent = await createAgent(t);
    const client = await signInAgent(t, agent);
    const csrf = await pageToken(client, '/agent');
    await client.post('/agent/logout').type('form').send({ _csrf: csrf }).expect(303).expect('Location', '/agent/login');
    await client.get('/agent').expect(303).expect('Location', '/agent/login');
    const login = await client.get('/agent/login').expect(200);
    expect(login.text).toContain('You have signed out.');

    const idle = await signInAgent(t, agent);
    const clock = controlClock(t);
    clock.advance(29 * 60_000);
    await idle.get('/agent').expect(200);
    clock.advance(31 * 60_000);
    await idle.get('/agent').expect(303).expect('Location', '/agent/login');
    clock.advance(-60 * 60_000);
  });

  it('ends the sessions of a deactivated agent at once and refuses their sign-in', async () => {
    const admin = await createAgent(t, { role: 'admin' });
    const agent = await createAgent(t, { name: 'Leaving' });
    const agentClient = await signInAgent(t, agent);
    await agentClient.get('/agent').expect(200);

    const adminClient = await signInAgent(t, admin);
    const csrf = await pageToken(adminClient, '/agent/team');
    await adminClient
      .post(`/agent/team/${agent.id}/deactivate`)
      .type('form')
      .send({ _csrf: csrf })
      .expect(303)
      .expect('Location', '/agent/team');
    await agentClient.get('/agent').expect(303).expect('Location', '/agent/login');
    const refused = await attempt(browser(), { email: agent.email, password: AGENT_PASSWORD });
    expect(refused.status).toBe(401);
    expect(refused.text).toContain('This back-office account is deactivated. Ask an administrator.');
    await expect(auditActions(agent.id)).resolves.toEqual(expect.arrayContaining(['agent.deactivated']));

    await adminClient.post(`/agent/team/${agent.id}/reactivate`).type('form').send({ _csrf: csrf }).expect(303);
    await signInAgent(t, agent);
  });
});
