import supertest from 'supertest';
import { AgentsService } from '../../src/modules/agents/agents.service';
import { AuditService } from '../../src/modules/audit/audit.service';
import { AGENT_PASSWORD, createAgent, pageToken, signInAgent, TestAgent } from '../support/agents';
import { flashOf } from '../support/agent-pages';
import { createAccount } from '../support/factories';
import { fieldError, unescapeHtml } from '../support/html';
import { createTestApp, TestApp } from '../support/test-app';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

describe('Back-office audit page and team management', () => {
  let t: TestApp;
  let admin: TestAgent;
  let adminClient: supertest.Agent;

  beforeAll(async () => {
    t = await createTestApp({ workers: false });
    admin = await createAgent(t, { role: 'admin', name: 'Ada Admin' });
    adminClient = await signInAgent(t, admin);
  });

  afterAll(async () => {
    await t?.close();
  });

  /** The audit table's rows as the text of their cells. */
  const rowsOf = (html: string): string[][] =>
    [...(/<table class="audit">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '').matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
      [...row[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) =>
        unescapeHtml(
          cell[1]
            .replace(/<\/(dt|dd)>/g, ' ')
            .replace(/<[^>]+>/g, '')
            .trim(),
        ),
      ),
    );
  const audit = async (query: Record<string, string>, status = 200) =>
    (await adminClient.get('/agent/audit').query(query).set('Accept', 'text/html').expect(status)).text;
  const record = (count: number, subject: string, action: 'account.secured' | 'account.unfrozen', data: Record<string, unknown>) =>
    t.dataSource.transaction(async (manager) => {
      for (let index = 0; index < count; index += 1)
        await t.get(AuditService).record(manager, { action, actor: { type: 'system' }, subject: { type: 'account', id: subject }, data });
    });

  it('names actors and subjects, shows details as pairs without empty values, and filters by actor, action and subject', async () => {
    const account = await createAccount(t);
    const bo = await createAgent(t, { name: 'Bo Agent' });
    await record(1, account.uid, 'account.unfrozen', {
      reason: 'Checked on the phone',
      previousStatus: null,
      note: '',
      revokedSessions: 2,
    });
    const csrf = await pageToken(adminClient, `/agent/team/${bo.id}/role`);
    await adminClient.post(`/agent/team/${bo.id}/role`).type('form').send({ _csrf: csrf, role: 'supervisor' }).expect(303);

    const page = await audit({});
    const rows = rowsOf(page);
    expect(rows.length).toBeGreaterThan(2);
    // No UUID in the actor or subject cells, and no `key: null` text anywhere in the table.
    for (const row of rows) expect([row[3], row[4]]).toEqual([expect.not.stringMatching(UUID), expect.not.stringMatching(UUID)]);
    expect(page).not.toMatch(/: null|>null</);
    const roleChange = rows.find((row) => row[2] === 'agent.role_changed')!;
    expect(roleChange.slice(3)).toEqual([
      `Ada Admin (${admin.email})`,
      `Bo Agent (${bo.email})`,
      expect.anything(),
      // jsonb keeps its members shortest name first.
      'To supervisor From agent Revoked sessions 0 Awaiting approval yes',
    ]);
    const unfrozen = rows.find((row) => row[2] === 'account.unfrozen')!;
    const masked = `${account.logonEmail[0]}***${account.logonEmail.slice(account.logonEmail.indexOf('@'))}`;
    expect(unfrozen.slice(3)).toEqual(['system', masked, expect.anything(), 'Reason Checked on the phone Revoked sessions 2']);
    expect(page).toContain(`<a href="/agent/accounts/${account.uid}">${masked}</a>`);

    // The action filter is a select of the catalogue.
    expect(page).toContain('<option value="agent.role_changed">agent.role_changed</option>');
    const byAction = rowsOf(await audit({ action: 'agent.role_changed' }));
    expect(byAction.map((row) => row[2])).toEqual(['agent.role_changed']);
    const byActor = rowsOf(await audit({ actor: admin.email.toUpperCase() }));
    expect(byActor.length).toBeGreaterThan(0);
    expect(new Set(byActor.map((row) => row[3]))).toEqual(new Set([`Ada Admin (${admin.email})`]));
    const bySubject = rowsOf(await audit({ subject: account.logonEmail }));
    expect(new Set(bySubject.map((row) => row[4]))).toEqual(new Set([masked]));
    expect(bySubject.map((row) => row[2])).toEqual(expect.arrayContaining(['account.unfrozen', 'account.created']));
    expect(rowsOf(await audit({ subject: account.uid, action: 'account.unfrozen', actor: 'system' })).map((row) => row[2])).toEqual([
      'account.unfrozen',
    ]);
    expect(await audit({ subject: account.uid, action: 'agent.role_changed' })).toContain('No events.');
  });

  it('pages 50 events at a time with an "Older events" link that keeps the filters', async () => {
    const account = await createAccount(t);
    await record(57, account.uid, 'account.secured', { revokedSessions: 1 });
    const first = await audit({ subject: account.uid, action: 'account.secured' });
    expect(rowsOf(first)).toHaveLength(50);
    const older = unescapeHtml(/<a href="([^"]+)" rel="next">Older events<\/a>/.exec(first)?.[1] ?? '');
    const url = new URL(older, 'http://x');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      subject: account.uid,
      action: 'account.secured',
      before: expect.stringMatching(/^\d+$/),
    });
    const second = (await adminClient.get(older).expect(200)).text;
    expect(rowsOf(second)).toHaveLength(7);
    expect(second).not.toContain('rel="next"');
    expect(unescapeHtml(second)).toContain(`<a href="/agent/audit?action=account.secured&subject=${account.uid}">Newest events</a>`);
  });

  it('reads each filter through an index that ends with the keyset column', async () => {
    const plan = async (where: string, params: unknown[]) =>
      t.dataSource.transaction(async (manager) => {
        // A small table would be read whole; ask what serves the filter once the table is large.
        await manager.query('SET LOCAL enable_seqscan = off');
        await manager.query('SET LOCAL enable_bitmapscan = off');
        const rows: { 'QUERY PLAN': string }[] = await manager.query(
          `EXPLAIN SELECT * FROM audit_events WHERE ${where} ORDER BY seq DESC LIMIT 51`,
          params,
        );
        return rows.map((row) => row['QUERY PLAN']).join('\n');
      });
    expect(await plan(`action = $1 AND seq < $2`, ['account.secured', '1000000'])).toContain('audit_events_action_seq_idx');
    expect(await plan(`actor_type = $1 AND actor_id = $2`, ['agent', admin.id])).toContain('audit_events_actor_idx');
    expect(await plan(`subject_type IN ('account') AND subject_id = $1`, ['1234567890123456'])).toContain('audit_events_subject_idx');
  });

  it('answers a bad filter with a 400 page that says what is wrong, never a stack', async () => {
    const cases: [Record<string, string> | string, string][] = [
      [{ action: 'account.exploded' }, '"account.exploded" is not an action of the audit log: choose one from the list.'],
      [
        { actor: 'somebody' },
        'Filter the actor by "system", "public", an agent\'s email address, or an account\'s logon email or 16-digit UID.',
      ],
      [{ actor: 'nobody@example.com' }, 'No agent or account has the email address nobody@example.com.'],
      [
        { subject: 'drop table' },
        "Filter the subject by an account's logon email or 16-digit UID, an appeal's reference, or an agent's id.",
      ],
      [{ before: '12abc' }, 'The "Older" link is not a position in the audit log.'],
      ['action=a&action=b', 'Give one action filter of at most 254 characters.'],
    ];
    for (const [query, message] of cases) {
      const response = await adminClient.get('/agent/audit').query(query).set('Accept', 'text/html');
      expect([query, response.status]).toEqual([query, 400]);
      expect(unescapeHtml(response.text)).toContain(`<p>${message}</p>`);
      expect(response.text).not.toMatch(/at [A-Za-z.]+ \(|node_modules|\.ts:\d+/);
    }
  });

  it('changes a role after a confirmation step, a promotion once a second admin approves it, audited, never your own, never the last admin', async () => {
    const cy = await createAgent(t, { name: 'Cy Agent' });
    const cyClient = await signInAgent(t, cy);
    const question = await adminClient.get(`/agent/team/${cy.id}/role`).expect(200);
    expect(question.text).toContain('<h1>Change the role of Cy Agent?</h1>');
    expect(question.text).toContain(`<form method="post" action="/agent/team/${cy.id}/role" novalidate>`);
    expect(question.text).not.toContain('<option value="agent">');
    const rowOf = async (id: string) =>
      (
        (await t.dataSource.query(`SELECT role, awaiting_approval FROM agents WHERE id = $1`, [id])) as {
          role: string;
          awaiting_approval: boolean;
        }[]
      )[0];
    await expect(rowOf(cy.id)).resolves.toEqual({ role: 'agent', awaiting_approval: false });

    const csrf = await pageToken(adminClient, `/agent/team/${cy.id}/role`);
    const bad = await adminClient.post(`/agent/team/${cy.id}/role`).type('form').send({ _csrf: csrf, role: 'owner' }).expect(400);
    expect(fieldError(bad.text, 'new-role')).toBe('Choose agent, supervisor or admin.');

    // A promotion waits for a second admin, like a supervisor created here: Cy is signed out meanwhile.
    const done = await adminClient.post(`/agent/team/${cy.id}/role`).type('form').send({ _csrf: csrf, role: 'supervisor' }).expect(303);
    expect(done.headers.location).toBe('/agent/team');
    expect(flashOf((await adminClient.get('/agent/team').expect(200)).text)).toBe(
      'Cy Agent is now supervisor (was agent); they can sign in again once another admin approves the role here.',
    );
    await expect(rowOf(cy.id)).resolves.toEqual({ role: 'supervisor', awaiting_approval: true });
    const events = async () =>
      t.dataSource.query(`SELECT actor_id, data FROM audit_events WHERE action = 'agent.role_changed' AND subject_id = $1 ORDER BY seq`, [
        cy.id,
      ]);
    await expect(events()).resolves.toEqual([
      { actor_id: admin.id, data: { from: 'agent', to: 'supervisor', awaitingApproval: true, revokedSessions: 1 } },
    ]);
    await cyClient.get('/agent').expect(303).expect('Location', '/agent/login');
    // Not by the admin who asked for it; by another one.
    const approve = async (client: supertest.Agent) => {
      const token = await pageToken(client, '/agent/team');
      const response = await client.post(`/agent/team/${cy.id}/approve`).type('form').set('Accept', 'text/html').send({ _csrf: token });
      return [response.status, response.status === 303 ? '' : unescapeHtml(/<p>([^<]*)<\/p>/.exec(response.text)?.[1] ?? '')];
    };
    await expect(approve(adminClient)).resolves.toEqual([403, 'Another admin must agree: you made Cy Agent supervisor yourself.']);
    await expect(approve(await signInAgent(t, await createAgent(t, { role: 'admin', name: 'Bea Admin' })))).resolves.toEqual([303, '']);
    const supervisorCy = await signInAgent(t, cy);
    await supervisorCy.get('/agent/reports').set('Accept', 'text/html').expect(200);

    // A lower role takes effect at once, on Cy's next page.
    await adminClient.post(`/agent/team/${cy.id}/role`).type('form').send({ _csrf: csrf, role: 'agent' }).expect(303);
    await expect(rowOf(cy.id)).resolves.toEqual({ role: 'agent', awaiting_approval: false });
    await supervisorCy.get('/agent/reports').set('Accept', 'text/html').expect(403);
    expect((await events())[1]).toEqual({ actor_id: admin.id, data: { from: 'supervisor', to: 'agent' } });

    // Not one's own role.
    const own = await adminClient.post(`/agent/team/${admin.id}/role`).type('form').send({ _csrf: csrf, role: 'agent' }).expect(409);
    expect(fieldError(own.text, 'new-role')).toBe('You cannot change your own role; ask another admin.');

    // Two admins demoting each other at once: one of them stays admin.
    const dee = await createAgent(t, { role: 'admin', name: 'Dee Admin' });
    const deeClient = await signInAgent(t, dee);
    const deeCsrf = await pageToken(deeClient, `/agent/team/${admin.id}/role`);
    await t.dataSource.query(`UPDATE agents SET active = false WHERE role = 'admin' AND id NOT IN ($1, $2)`, [admin.id, dee.id]);
    const answers = await Promise.all([
      adminClient.post(`/agent/team/${dee.id}/role`).type('form').send({ _csrf: csrf, role: 'agent' }),
      deeClient.post(`/agent/team/${admin.id}/role`).type('form').send({ _csrf: deeCsrf, role: 'agent' }),
    ]);
    const statuses = answers.map((response) => response.status).sort();
    expect(statuses[0]).toBe(303);
    expect([403, 409]).toContain(statuses[1]);
    const admins: { id: string }[] = await t.dataSource.query(`SELECT id FROM agents WHERE role = 'admin' AND active`);
    expect(admins).toHaveLength(1);

    // The last active admin cannot be demoted, by anyone (here the command line's actor).
    await expect(t.get(AgentsService).changeRole(admins[0].id, 'supervisor', { actor: { type: 'system', id: 'cli' } })).rejects.toThrow(
      /is the last active admin: make another admin first\./,
    );
    // Put the test's admin back for the tests that follow.
    await t.dataSource.query(`UPDATE agents SET role = 'admin' WHERE id = $1`, [admin.id]);
    await t.dataSource.query(`UPDATE agents SET active = true WHERE role = 'admin'`);
  });

  it("resets an agent's password to a temporary one shown once, ends their sessions, and makes them choose a new one first", async () => {
    const di = await createAgent(t, { name: 'Di Agent' });
    const diClient = await signInAgent(t, di);
    await diClient.get('/agent').expect(200);
    const question = await adminClient.get(`/agent/team/${di.id}/reset-password`).expect(200);
    expect(question.text).toContain('<h1>Reset the password of Di Agent?</h1>');
    expect(question.text).toContain(`<form method="post" action="/agent/team/${di.id}/reset-password">`);
    const before: { password_hash: string }[] = await t.dataSource.query(`SELECT password_hash FROM agents WHERE id = $1`, [di.id]);

    const csrf = await pageToken(adminClient, `/agent/team/${di.id}/reset-password`);
    const answer = await adminClient.post(`/agent/team/${di.id}/reset-password`).type('form').send({ _csrf: csrf }).expect(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    const temporary = /<code id="temporary-password">([a-z0-9-]+)<\/code>/.exec(answer.text)?.[1] ?? '';
    expect(temporary).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    const after: { password_hash: string; password_change_required: boolean }[] = await t.dataSource.query(
      `SELECT password_hash, password_change_required FROM agents WHERE id = $1`,
      [di.id],
    );
    expect(after[0].password_change_required).toBe(true);
    expect(after[0].password_hash).not.toBe(before[0].password_hash);
    expect(after[0].password_hash).not.toContain(temporary);
    const [event] = await t.dataSource.query(
      `SELECT actor_id, data FROM audit_events WHERE action = 'agent.password_reset' AND subject_id = $1`,
      [di.id],
    );
    expect(event).toEqual({ actor_id: admin.id, data: { revokedSessions: 1 } });
    // Di's session ended; the old password no longer works.
    await diClient.get('/agent').expect(303).expect('Location', '/agent/login');
    await expect(signInAgent(t, di)).rejects.toThrow();

    // With the temporary password, only the Me page opens until Di chooses a new password there.
    const renewed = await signInAgent(t, { ...di, password: temporary });
    for (const path of ['/agent', '/agent/audit', '/agent/appeals'])
      await renewed.get(path).set('Accept', 'text/html').expect(303).expect('Location', '/agent/me');
    const me = await renewed.get('/agent/me').expect(200);
    expect(me.text).toContain('An admin reset your password.');
    await renewed
      .post('/agent/me')
      .type('form')
      .send({
        _csrf: await pageToken(renewed, '/agent/me'),
        action: 'change-password',
        currentPassword: temporary,
        newPassword: `${AGENT_PASSWORD} again`,
      })
      .expect(303);
    await renewed.get('/agent').expect(200);
    expect(
      (await t.dataSource.query(`SELECT password_change_required FROM agents WHERE id = $1`, [di.id]))[0].password_change_required,
    ).toBe(false);
  });

  it('serves Bull Board with a link back to the back-office, without the third-party font stylesheet its CSP would refuse', async () => {
    const supervisorClient = await signInAgent(t, await createAgent(t, { role: 'supervisor' }));
    for (const path of ['/agent/queues', `/agent/queues/queue/notifications-normal`]) {
      const board = await supervisorClient.get(path).expect(200);
      const csp = String(board.headers['content-security-policy']);
      expect(csp).toContain("font-src 'self';");
      expect(csp).toContain("style-src 'self' 'unsafe-inline';");
      expect(csp).not.toMatch(/googleapis|gstatic/);
      expect(board.text).not.toMatch(/fonts\.googleapis\.com|fonts\.gstatic\.com/);
      expect(board.text).toMatch(/<body class="preload">\n<a id="back-to-backoffice" href="\/agent" style="[^"]+">← Back-office<\/a>/);
      // The board's own menu keeps its link too.
      expect(unescapeHtml(/<script id="__UI_CONFIG__" type="application\/json">([^<]*)<\/script>/.exec(board.text)?.[1] ?? '')).toContain(
        '"miscLinks":[{"text":"Back-office","url":"/agent"}]',
      );
    }
  });

  it('refuses a plain agent and a supervisor both the role change and the password reset (403)', async () => {
    const target = await createAgent(t, { name: 'Ed Agent' });
    for (const role of ['agent', 'supervisor'] as const) {
      const who = await createAgent(t, { role });
      const client = await signInAgent(t, who);
      const csrf = await pageToken(client, '/agent/me');
      for (const path of [`/agent/team/${target.id}/role`, `/agent/team/${target.id}/reset-password`]) {
        await client.get(path).set('Accept', 'text/html').expect(403);
        await client.post(path).type('form').send({ _csrf: csrf, role: 'admin' }).expect(403);
      }
    }
    const [row] = await t.dataSource.query(`SELECT role, password_change_required FROM agents WHERE id = $1`, [target.id]);
    expect(row).toEqual({ role: 'agent', password_change_required: false });
  });
});
