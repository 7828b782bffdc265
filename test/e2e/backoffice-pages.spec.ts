import { randomUUID } from 'node:crypto';
import supertest from 'supertest';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { AGENT_PASSWORD, createAgent, pageToken, signInAgent, TestAgent } from '../support/agents';
import { api, bearer, createAccount, createRamUser, signIn, TestAccount } from '../support/factories';
import { sequenceAudit } from '../support/audit';
import { createTestApp, TestApp } from '../support/test-app';

describe('Back-office pages', () => {
  let t: TestApp;
  let agent: TestAgent;
  let supervisor: TestAgent;
  let agentClient: supertest.Agent;
  let supervisorClient: supertest.Agent;

  beforeAll(async () => {
    // No workers: outbox rows stay where the pages put them.
    t = await createTestApp({ workers: false, env: { TRUST_PROXY: 'loopback' } });
    [agent, supervisor] = await Promise.all([createAgent(t, { name: 'Ana' }), createAgent(t, { role: 'supervisor', name: 'Sam' })]);
    [agentClient, supervisorClient] = await Promise.all([signInAgent(t, agent), signInAgent(t, supervisor)]);
  });

  afterAll(async () => {
    await t.close();
  });

  const post = async (client: supertest.Agent, path: string, fields: Record<string, string> = {}) => {
    const csrf = await pageToken(client, '/agent');
    return client
      .post(path)
      .type('form')
      .set('Accept', 'text/html')
      .send({ _csrf: csrf, ...fields });
  };
  const auditRows = async (uid: string, action: string) =>
    (await t.dataSource.query(
      `SELECT actor_type, actor_id, data FROM audit_events WHERE subject_type = 'account' AND subject_id = $1 AND action = $2 ORDER BY seq`,
      [uid, action],
    )) as {
      actor_type: string;
      actor_id: string;
      data: Record<string, unknown>;
    }[];

  describe('accounts', () => {
    let account: TestAccount;
    let userToken: string;

    beforeEach(async () => {
      account = await createAccount(t, { securePhone: '+8613812345678' });
      await createRamUser(t, account.uid, 'ops-bot');
      userToken = await signIn(t, account.logonEmail, account.password);
    });

    it('finds an account by UID, by email in any case, and by secure phone', async () => {
      for (const q of [account.uid, account.logonEmail.toUpperCase(), '+86 138 1234 5678']) {
        const page = await agentClient.get(`/agent/accounts?q=${encodeURIComponent(q)}`).expect(200);
        expect([q, page.text.includes(`href="/agent/accounts/${account.uid}"`)]).toEqual([q, true]);
        expect(page.text).not.toContain(account.logonEmail);
      }
      const none = await agentClient.get('/agent/accounts?q=nobody%40example.com').expect(200);
      expect(none.text).toContain('No account matches “nobody@example.com”.');
      const invalid = await agentClient.get('/agent/accounts?q=hello').expect(200);
      expect(invalid.text).toContain('<p class="field-error" id="q-error">Enter a 16-digit UID');
    });

    it('shows the account with masked contacts, RAM users, sessions, devices and security events', async () => {
      const page = await agentClient.get(`/agent/accounts/${account.uid}`).expect(200);
      expect(page.text).toContain(`<title>Account ${account.uid} · Account Center</title>`);
      expect(page.text).toContain(`${account.logonEmail[0]}***@example.com`);
      expect(page.text).toContain('+86 138****5678');
      expect(page.text).not.toContain(account.logonEmail);
      expect(page.text).not.toContain('+8613812345678');
      expect(page.text).toContain(`ops-bot@${account.uid}`);
      expect(page.text).toContain('<td>root</td>');
      expect(page.text).toContain('sign_in.succeeded');
      expect(page.text).toContain('ram_user.created');
      await agentClient.get('/agent/accounts/0000000000000000').expect(404);
    });

    it('reveals a contact on request and writes the read into the audit log', async () => {
      const page = await post(agentClient, `/agent/accounts/${account.uid}/reveal`, { field: 'logonEmail' });
      expect(page.status).toBe(200);
      expect(page.text).toContain(`<strong class="revealed">${account.logonEmail}</strong>`);
      await expect(auditRows(account.uid, 'account.contact_revealed')).resolves.toEqual([
        { actor_type: 'agent', actor_id: agent.id, data: { field: 'logonEmail' } },
      ]);
    });

    it('signs every session out, with the reason in the audit log; without a reason nothing happens', async () => {
      const missing = await post(agentClient, `/agent/accounts/${account.uid}/revoke-sessions`, { reason: '  ' });
      expect(missing.status).toBe(400);
      expect(missing.text).toContain('<p class="field-error" id="revoke-reason-error">Give a reason: it goes into the audit log.</p>');
      await api(t).get('/api/v1/account').set(bearer(userToken)).expect(200);

      const done = await post(agentClient, `/agent/accounts/${account.uid}/revoke-sessions`, { reason: 'Owner called: phone stolen' });
      expect(done.status).toBe(303);
      expect(done.headers.location).toBe(`/agent/accounts/${account.uid}`);
      await api(t).get('/api/v1/account').set(bearer(userToken)).expect(401);
      await expect(auditRows(account.uid, 'account.sessions_revoked')).resolves.toEqual([
        { actor_type: 'agent', actor_id: agent.id, data: { reason: 'Owner called: phone stolen', revokedSessions: 1 } },
      ]);
      const page = await agentClient.get(`/agent/accounts/${account.uid}`).expect(200);
      expect(page.text).toContain('1 session was signed out.');
      expect(page.text).toContain('No active session.');
    });

    it('freezes (sessions revoked, owner told) and only a supervisor unfreezes', async () => {
      const frozen = await post(agentClient, `/agent/accounts/${account.uid}/freeze`, { reason: 'Suspicious sign-ins' });
      expect(frozen.status).toBe(303);
      await expect(t.get(AccountsService).get(account.uid)).resolves.toMatchObject({ status: 'frozen' });
      await api(t).get('/api/v1/account').set(bearer(userToken)).expect(401);
      const notices = await t.dataSource.query(`SELECT template, channel, recipient, payload FROM notifications WHERE account_uid = $1`, [
        account.uid,
      ]);
      expect(notices).toEqual([
        {
          template: 'account-frozen',
          channel: 'email',
          recipient: account.logonEmail,
          payload: { data: { uid: account.uid, at: expect.any(String), reason: 'support' }, sealed: null },
        },
      ]);
      await expect(auditRows(account.uid, 'account.frozen')).resolves.toEqual([
        {
          actor_type: 'agent',
          actor_id: agent.id,
          data: { reason: 'support', note: 'Suspicious sign-ins', revokedSessions: 1, forgottenDevices: 0 },
        },
      ]);
      await api(t)
        .post('/api/v1/sessions')
        .set('X-Forwarded-For', '198.51.200.1')
        .send({ login: account.logonEmail, password: account.password })
        .expect(423);

      const page = await agentClient.get(`/agent/accounts/${account.uid}`).expect(200);
      expect(page.text).toContain('Only a supervisor can unfreeze this account.');
      expect((await post(agentClient, `/agent/accounts/${account.uid}/freeze`, { reason: 'again' })).status).toBe(403);
      expect((await post(agentClient, `/agent/accounts/${account.uid}/unfreeze`, { reason: 'agent tries' })).status).toBe(403);

      const unfrozen = await post(supervisorClient, `/agent/accounts/${account.uid}/unfreeze`, { reason: 'Owner verified by appeal' });
      expect(unfrozen.status).toBe(303);
      await expect(t.get(AccountsService).get(account.uid)).resolves.toMatchObject({ status: 'active' });
      await expect(auditRows(account.uid, 'account.unfrozen')).resolves.toEqual([
        { actor_type: 'agent', actor_id: supervisor.id, data: { reason: 'Owner verified by appeal' } },
      ]);
    });
  });

  describe('notifications', () => {
    const insert = async (status: string, lastError: string | null = 'SMTP answered 550') => {
      const id = randomUUID();
      await t.dataSource.query(
        `INSERT INTO notifications (id, template, channel, recipient, locale, payload, status, priority, attempts, last_error)
         VALUES ($1, 'totp-changed', 'email', 'owner@example.com', 'en', '{"data": {}, "sealed": null}', $2, 'normal', 8, $3)`,
        [id, status, lastError],
      );
      return id;
    };

    it('lists dead and retrying messages by default, masked, and retries one from the page', async () => {
      const dead = await insert('dead');
      const failed = await insert('failed');
      await insert('sent', null);
      const page = await agentClient.get('/agent/notifications').expect(200);
      expect(page.text).toContain(`/agent/notifications/${dead}/retry`);
      expect(page.text).toContain(`/agent/notifications/${failed}/retry`);
      expect(page.text).toContain('o***@example.com');
      expect(page.text).not.toContain('owner@example.com');
      expect(page.text).toMatch(/<a href="\/agent\/notifications" aria-current="page">Failed and dead<\/a>/);

      const retried = await post(agentClient, `/agent/notifications/${dead}/retry`, { view: 'dead' });
      expect(retried.status).toBe(303);
      expect(retried.headers.location).toBe('/agent/notifications?status=dead');
      // Reset and enqueued again (no worker runs here to send it).
      await expect(t.dataSource.query('SELECT status, attempts FROM notifications WHERE id = $1', [dead])).resolves.toEqual([
        { status: 'queued', attempts: 0 },
      ]);
      const audit = await t.dataSource.query(
        `SELECT actor_type, actor_id FROM audit_events WHERE action = 'notification.retried' AND subject_id = $1`,
        [dead],
      );
      expect(audit).toEqual([{ actor_type: 'agent', actor_id: agent.id }]);
      const after = await agentClient.get('/agent/notifications?status=dead').expect(200);
      expect(after.text).toContain('The message was queued for delivery again.');
      expect(after.text).not.toContain(`/agent/notifications/${dead}/retry`);

      expect((await post(agentClient, `/agent/notifications/${dead}/retry`)).status).toBe(403);
      await agentClient.get('/agent/notifications?status=bogus').expect(400);
    });

    it('pages through one status by cursor', async () => {
      await t.dataSource.query(`DELETE FROM notifications WHERE status = 'queued'`);
      for (let n = 0; n < 51; n += 1) await insert('queued', null);
      const first = await agentClient.get('/agent/notifications?status=queued').expect(200);
      const links = [...first.text.matchAll(/href="([^"]+)"/g)].map((match) => match[1].replace(/&#x3D;/g, '=').replace(/&amp;/g, '&'));
      const next = links.find((href) => href.startsWith('/agent/notifications?status=queued&after='))!;
      const second = await agentClient.get(next).expect(200);
      expect((second.text.match(/<td class="mono">totp-changed<\/td>/g) ?? []).length).toBe(1);
      expect(second.text).not.toContain('Next page');
    });
  });

  describe('audit log', () => {
    it('shows the latest verification without recomputing it, and lets a supervisor run a new one that names the first broken event', async () => {
      await sequenceAudit(t);
      const verifyNow = async (client: supertest.Agent, status: number) => {
        const csrf = await pageToken(client, '/agent');
        return client.post('/agent/audit/verify').type('form').set('Accept', 'text/html').send({ _csrf: csrf }).expect(status);
      };
      expect((await verifyNow(supervisorClient, 303)).headers.location).toBe('/agent/audit');
      const ok = await agentClient.get('/agent/audit').expect(200);
      expect(ok.text).toMatch(/The log verifies: \d+ events and \d+ signed checkpoints recomputed/);
      expect(ok.text).not.toContain('Verify the log now');
      await verifyNow(agentClient, 403);

      const [{ seq, leaf }] = await t.dataSource.query(
        `SELECT e.seq, l.leaf_index AS leaf FROM audit_events e JOIN audit_leaves l ON l.event_id = e.seq WHERE e.action = 'agent.signed_in' ORDER BY l.leaf_index LIMIT 1`,
      );
      await t.dataSource.transaction(async (manager) => {
        await manager.query('SET LOCAL session_replication_role = replica');
        await manager.query(`UPDATE audit_events SET data = '{"tampered": true}' WHERE seq = $1`, [seq]);
      });
      // A view shows the stored result: it does not read the whole log again.
      expect((await agentClient.get('/agent/audit').expect(200)).text).toMatch(/The log verifies/);
      await verifyNow(supervisorClient, 303);
      const broken = await supervisorClient.get('/agent/audit').expect(200);
      expect(broken.text).toContain(`The log is altered at seq ${leaf}: event ${seq} does not match its leaf hash.`);
      expect(broken.text).toContain('role="alert"');
      expect(broken.text).toContain('Verify the log now');
      await agentClient.get('/agent/audit?before=abc').expect(400);
    });
  });

  describe('team and me', () => {
    it('lets an admin add an agent, with each problem beside its field', async () => {
      const admin = await createAgent(t, { role: 'admin' });
      const client = await signInAgent(t, admin);
      const invalid = await post(client, '/agent/team', { email: 'not an email', name: '', role: 'boss', password: 'password' });
      expect(invalid.status).toBe(400);
      for (const [id, text] of [
        ['new-email', 'Enter an email address'],
        ['new-name', 'Enter a name'],
        ['new-role', 'Choose agent, supervisor or admin.'],
      ]) {
        expect(invalid.text).toContain(`<p class="field-error" id="${id}-error">${text}`);
      }
      const weak = await post(client, '/agent/team', { email: 'kim@example.com', name: 'Kim', role: 'supervisor', password: 'password' });
      expect(weak.text).toContain('<p class="field-error" id="new-password-error">');
      expect(weak.text).toContain('value="kim@example.com"');
      const created = await post(client, '/agent/team', {
        email: 'kim@example.com',
        name: 'Kim',
        role: 'supervisor',
        password: AGENT_PASSWORD,
      });
      expect(created.status).toBe(303);
      // A supervisor made here signs in once a second admin agrees.
      const kim = await t.dataSource.query(`SELECT id FROM agents WHERE email = 'kim@example.com'`);
      const secondAdmin = await signInAgent(t, await createAgent(t, { role: 'admin' }));
      expect((await post(secondAdmin, `/agent/team/${kim[0].id}/approve`)).status).toBe(303);
      await signInAgent(t, { id: '', email: 'kim@example.com', name: 'Kim', role: 'supervisor', password: AGENT_PASSWORD });
      const duplicate = await post(client, '/agent/team', {
        email: 'KIM@example.com',
        name: 'Kim 2',
        role: 'agent',
        password: AGENT_PASSWORD,
      });
      expect(duplicate.status).toBe(409);
      expect(duplicate.text).toContain('Another agent has this email address.');
      const self = await post(client, `/agent/team/${admin.id}/deactivate`);
      expect(self.status).toBe(403);
    });

    it('changes the own password under the policy and signs the other sessions out', async () => {
      const me = await createAgent(t);
      const client = await signInAgent(t, me);
      const other = await signInAgent(t, me);
      const wrong = await post(client, '/agent/me', {
        action: 'change-password',
        currentPassword: 'not it',
        newPassword: 'another long passphrase here',
      });
      expect(wrong.status).toBe(400);
      expect(wrong.text).toContain('<p class="field-error" id="current-password-error">This is not your current password.</p>');
      const identity = await post(client, '/agent/me', {
        action: 'change-password',
        currentPassword: me.password,
        newPassword: `${me.email} plus more words`,
      });
      expect(identity.text).toContain('Do not use your email address in the password.');
      const same = await post(client, '/agent/me', { action: 'change-password', currentPassword: me.password, newPassword: me.password });
      expect(same.text).toContain('Choose a password different from your current one.');
      const done = await post(client, '/agent/me', {
        action: 'change-password',
        currentPassword: me.password,
        newPassword: 'amber comet under seven bridges',
      });
      expect(done.status).toBe(303);
      await client.get('/agent/me').expect(200);
      await other.get('/agent').expect(303);
      await signInAgent(t, { ...me, password: 'amber comet under seven bridges' });
    });
  });

  describe('dashboard', () => {
    it('draws notification failures by template and sign-ins per hour as SVG with text alternatives', async () => {
      await t.dataSource.query(
        `INSERT INTO notifications (id, template, channel, recipient, locale, payload, status, priority, attempts, last_error)
         VALUES ($1, 'verification-locked', 'sms', '+8613812345678', 'en', '{"data": {}, "sealed": null}', 'dead', 'normal', 8, 'webhook 400')`,
        [randomUUID()],
      );
      const page = await agentClient.get('/agent').expect(200);
      expect(page.text).toContain('<h2 id="notification-failures-heading">Notification failures, last 24 hours</h2>');
      // Drawn at phone size (360 units), scaled to its card.
      expect(page.text).toContain('<svg class="chart" viewBox="0 0 360');
      expect(page.text).toContain('aria-labelledby="notification-failures-title notification-failures-desc"');
      expect(page.text).toContain('<text class="chart-label" x="136"');
      // The picture shortens a long label; the table for screen readers keeps it whole.
      expect(page.text).toContain('>verification-loc…</text>');
      expect(page.text).toContain('<td>verification-locked (sms)</td>');
      expect(page.text).toContain('<h2 id="sign-in-activity-heading">Account sign-ins, last 24 hours</h2>');
      expect(page.text).toMatch(/<polyline class="line" points="[\d., ]+"><\/polyline>/);
      expect(page.text).toContain('<caption>Account sign-ins per hour</caption>');
    });
  });
});
