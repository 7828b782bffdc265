import supertest from 'supertest';
import { AppealMaintenanceService } from '../../src/modules/appeals/appeal-maintenance.service';
import { AppealDetailService } from '../../src/modules/appeals/appeal-detail.service';
import { Appeal } from '../../src/modules/appeals/entities/appeal.entity';
import { ACTION_SPECS } from '../../src/modules/appeals/appeal-detail-view';
import { appealActionForms, flashOf, pageVersion, postForm } from '../support/agent-pages';
import { createAgent, pageToken, signInAgent, TestAgent } from '../support/agents';
import { fileAppeal, FiledAppeal, PDF, PNG } from '../support/appeals';
import { api, bearer, createAccount, uniqueEmail } from '../support/factories';
import { unescapeHtml } from '../support/html';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';

describe('Back-office appeal pages', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let agent: TestAgent;
  let otherAgent: TestAgent;
  let supervisor: TestAgent;
  let otherSupervisor: TestAgent;
  let agentClient: supertest.Agent;
  let otherAgentClient: supertest.Agent;
  let supervisorClient: supertest.Agent;
  let otherSupervisorClient: supertest.Agent;

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, env: { TRUST_PROXY: 'loopback' } });
    ({ smtp } = t);
    [agent, otherAgent, supervisor, otherSupervisor] = await Promise.all([
      createAgent(t, { name: 'Ana Agent' }),
      createAgent(t, { name: 'Otto Agent' }),
      createAgent(t, { role: 'supervisor', name: 'Sam Supervisor' }),
      createAgent(t, { role: 'supervisor', name: 'Sue Supervisor' }),
    ]);
    [agentClient, otherAgentClient, supervisorClient, otherSupervisorClient] = await Promise.all(
      [agent, otherAgent, supervisor, otherSupervisor].map((who) => signInAgent(t, who)),
    );
  });

  afterAll(() => t.close());

  /** An appeal naming a fresh account by UID and logon email (3 open appeals per identifier would stop a shared one). */
  async function file(
    options: { phone?: string; evidence?: Record<string, unknown> } = {},
  ): Promise<FiledAppeal & { uid: string; logonEmail: string }> {
    const account = await createAccount(t, { securePhone: options.phone });
    const filed = await fileAppeal(t, smtp, { account: { uid: account.uid, logonEmail: account.logonEmail }, evidence: options.evidence });
    return { ...filed, uid: account.uid, logonEmail: account.logonEmail };
  }
  const row = (reference: string) => t.dataSource.getRepository(Appeal).findOneByOrFail({ reference });
  const act = async (client: supertest.Agent, reference: string, path: string, fields: Record<string, string> = {}) =>
    postForm(client, `/agent/appeals/${reference}/${path}`, { version: await pageVersion(client, reference), ...fields });
  const buttons = async (client: supertest.Agent, reference: string) =>
    appealActionForms((await client.get(`/agent/appeals/${reference}`).expect(200)).text, reference).map((form) => form.button);
  const queueRows = (html: string) =>
    [...html.matchAll(/<a class="mono" href="\/agent\/appeals\/(AP-[A-Z2-7]{10})">/g)].map((match) => match[1]);
  const auditActions = async (reference: string) =>
    (
      (await t.dataSource.query(`SELECT action FROM audit_events WHERE subject_type = 'appeal' AND subject_id = $1 ORDER BY seq`, [
        reference,
      ])) as { action: string }[]
    ).map((event) => event.action);

  describe('queue', () => {
    it('says so when no appeal is open', async () => {
      const page = await agentClient.get('/agent/appeals').expect(200);
      expect(page.text).toContain('<title>Appeals · Account Center</title>');
      expect(page.text).toContain('No open appeals.');
      expect(page.text).toMatch(/<a href="\/agent\/appeals" aria-current="page">Appeals<\/a>/);
    });

    it('lists appeals with their status, masked contact, unmatched flag, SLA badges and who holds them', async () => {
      const matched = await file();
      const unmatched = await fileAppeal(t, smtp, { account: { uid: `9${String(Date.now()).padStart(15, '0')}` } });
      await act(agentClient, matched.reference, 'claim').then((response) => expect(response.status).toBe(303));
      // One appeal past its first-response deadline (flagged by the SLA job), one due within the hour.
      await t.dataSource.query(`UPDATE appeals SET first_response_due_at = now() - interval '1 minute' WHERE reference = $1`, [
        unmatched.reference,
      ]);
      await t.get(AppealMaintenanceService).flagSlaBreaches();
      await t.dataSource.query(`UPDATE appeals SET first_response_due_at = now() + interval '50 minutes' WHERE reference = $1`, [
        matched.reference,
      ]);

      const page = await agentClient.get('/agent/appeals').expect(200);
      const rowOf = (reference: string) =>
        new RegExp(
          `<tr data-reference="${reference}"[^>]*>[\\s\\S]*?<td class="nowrap"><a class="mono" href="/agent/appeals/${reference}">[\\s\\S]*?</tr>`,
        ).exec(page.text)?.[0] ?? '';
      expect(rowOf(matched.reference)).toContain('<span class="badge badge-info">In review</span>');
      expect(rowOf(matched.reference)).toContain(`${matched.contactEmail[0]}***@example.com`);
      expect(rowOf(matched.reference)).toContain('New logon email');
      expect(rowOf(matched.reference)).toContain('<span class="badge badge-warning">Due soon</span>');
      expect(rowOf(matched.reference)).toContain('Ana Agent');
      expect(rowOf(matched.reference)).toContain('Matched');
      expect(rowOf(unmatched.reference)).toContain('<span class="badge badge-info">Submitted</span>');
      expect(rowOf(unmatched.reference)).toContain('>Unmatched</span>');
      expect(rowOf(unmatched.reference)).toContain('<span class="badge badge-danger">SLA breached</span>');
      expect(page.text).not.toContain(matched.contactEmail);
    });

    it('filters by status, mine and SLA breach, and searches by reference, email, UID and phone', async () => {
      const mine = await file({ phone: '+8613700000123' });
      const other = await file();
      await act(otherAgentClient, mine.reference, 'claim');
      await t.dataSource.query(`UPDATE appeals SET sla_breached = true WHERE reference = $1`, [other.reference]);
      const listed = async (query: string) => queueRows((await otherAgentClient.get(`/agent/appeals?${query}`).expect(200)).text);

      await expect(listed('mine=1')).resolves.toEqual([mine.reference]);
      await expect(listed('status=in_review')).resolves.toEqual(expect.arrayContaining([mine.reference]));
      await expect(listed('status=in_review')).resolves.not.toContain(other.reference);
      await expect(listed('status=open')).resolves.toEqual(expect.arrayContaining([mine.reference, other.reference]));
      await expect(listed('sla=breached')).resolves.toContain(other.reference);
      await expect(listed('sla=breached')).resolves.not.toContain(mine.reference);
      await expect(listed(`q=${mine.reference.toLowerCase()}`)).resolves.toEqual([mine.reference]);
      await expect(listed(`q=${encodeURIComponent(mine.contactEmail.toUpperCase())}`)).resolves.toEqual([mine.reference]);
      await expect(listed(`q=${mine.uid}`)).resolves.toEqual([mine.reference]);
      await expect(listed(`q=${encodeURIComponent(mine.logonEmail)}`)).resolves.toEqual([mine.reference]);
      await expect(listed(`status=rejected&q=${mine.reference}`)).resolves.toEqual([]);
      // Filters the form sends empty count as absent; the form shows what is applied.
      const page = await otherAgentClient.get(`/agent/appeals?q=${mine.reference}&status=&sla=breached&mine=`).expect(200);
      expect(queueRows(page.text)).toEqual([]);
      expect(page.text).toContain(`value="${mine.reference}"`);
      expect(page.text).toContain('name="sla" value="breached" checked');
      expect(page.text).toContain(`No appeal matches these filters and the search “${mine.reference}”.`);
      expect(page.text).toContain(
        '<a href="/agent/appeals">Show the open appeals</a> or <a href="/agent/appeals?status=all">every appeal</a>',
      );
      const tabs = await otherAgentClient.get('/agent/appeals?status=open').expect(200);
      expect(unescapeHtml(tabs.text)).toContain('<a href="/agent/appeals?status=open" aria-current="page">Open</a>');
    });

    it('leaves a lapsed lease out of "mine": the appeal is anyone\'s to claim again', async () => {
      const lapsed = await file();
      const live = await file();
      await act(otherAgentClient, lapsed.reference, 'claim');
      await act(otherAgentClient, live.reference, 'claim');
      await t.dataSource.query(`UPDATE appeals SET lease_expires_at = now() - interval '1 second' WHERE reference = $1`, [
        lapsed.reference,
      ]);
      const mine = queueRows((await otherAgentClient.get('/agent/appeals?mine=1').expect(200)).text);
      expect(mine).toContain(live.reference);
      expect(mine).not.toContain(lapsed.reference);
    });

    it('pages 50 appeals at a time, oldest first in the view of all appeals, with a next link carrying the cursor', async () => {
      const bulk = uniqueEmail('bulk');
      await t.dataSource.query(
        `INSERT INTO appeals (id, reference, access_token_hash, status, version, contact_email, locale, account_match, changes, evidence, created_at, updated_at)
         SELECT gen_random_uuid(), 'AP-' || lpad(translate(upper(to_hex(n)), '0189', 'QRST'), 10, 'Z'), repeat('0', 64), 'submitted', 1, $1, 'en', 'unmatched',
                '{"resetPassword": true}', '{"fullName": "x", "description": "y"}', now() - interval '1 day' + n * interval '1 millisecond', now()
           FROM generate_series(1, 120) AS n`,
        [bulk],
      );
      const seen: string[] = [];
      let href: string | undefined = `/agent/appeals?status=all&q=${encodeURIComponent(bulk)}`;
      const pages: number[] = [];
      while (href) {
        const page: supertest.Response = await agentClient.get(href).expect(200);
        const references = queueRows(page.text);
        pages.push(references.length);
        seen.push(...references);
        if (pages.length > 1)
          expect(unescapeHtml(page.text)).toContain(`<a href="/agent/appeals?status=all&q=${encodeURIComponent(bulk)}">First page</a>`);
        const next = /<a href="([^"]+)" rel="next">Next 50 appeals<\/a>/.exec(page.text)?.[1];
        href = next && unescapeHtml(next);
        if (href) expect(href).toMatch(/^\/agent\/appeals\?status=all&q=[^&]+&after=[\w-]+$/);
      }
      expect(pages).toEqual([50, 50, 20]);
      const filed: { reference: string }[] = await t.dataSource.query(
        `SELECT reference FROM appeals WHERE contact_email = $1 ORDER BY created_at, id`,
        [bulk],
      );
      expect(seen).toEqual(filed.map((appeal) => appeal.reference));
    });

    it('refuses a bad filter or an edited cursor beside its field, 400', async () => {
      const status = await agentClient.get('/agent/appeals?status=shut').expect(400);
      expect(status.text).toContain('<p class="field-error" id="status-error">Choose open, closed, all or one of:');
      const sort = await agentClient.get('/agent/appeals?sort=soonest').expect(400);
      expect(sort.text).toContain('<p class="field-error" id="sort-error">Choose one of: deadline, newest, oldest.');
      const cursor = await agentClient.get('/agent/appeals?after=garbage').expect(400);
      expect(cursor.text).toContain('This page link is out of date or was changed.');
      const json = await agentClient.get('/agent/appeals?sla=late').set('Accept', 'text/html').expect(400);
      expect(json.text).toContain('id="sla-error">The only SLA filter is breached.');
    });
  });

  describe('detail', () => {
    it('shows the account snapshot masked, the checklist and score, files, the thread, notes, history, the lease and the SLA', async () => {
      const filed = await file({
        phone: '+8613700000456',
        evidence: {
          fullName: 'Grace Hopper',
          description: 'Lost my phone on a train.',
          idDocumentType: 'passport',
          idDocumentLast4: '1234',
          usualRegion: 'cn-hangzhou',
        },
      });
      const upload = await api(t)
        .post(`/api/v1/appeals/${filed.reference}/attachments`)
        .set(bearer(filed.accessToken))
        .attach('file', PDF, 'statement.pdf')
        .expect(201);
      await api(t)
        .post(`/api/v1/appeals/${filed.reference}/messages`)
        .set(bearer(filed.accessToken))
        .send({ body: 'Any news?' })
        .expect(201);
      await act(agentClient, filed.reference, 'claim');
      await act(agentClient, filed.reference, 'notes', { body: 'Phone on record matches the filing.' });

      const page = await agentClient.get(`/agent/appeals/${filed.reference}`).expect(200);
      const html = page.text;
      expect(html).toContain(`<title>Appeal ${filed.reference} · Account Center</title>`);
      expect(html).toContain('<span class="badge badge-info">In review</span>');
      expect(html).toContain(`<a class="mono" href="/agent/accounts/${filed.uid}">${filed.uid}</a>`);
      expect(html).toContain(`${filed.logonEmail[0]}***@example.com`);
      expect(html).toContain('+86 137****0456');
      for (const secret of [filed.logonEmail, filed.contactEmail, '+8613700000456']) expect(html).not.toContain(secret);
      const detail = await t.get(AppealDetailService).detail(agent, filed.reference);
      expect(html).toContain(`${detail.checklist.score} / 100</strong>`);
      expect(html).toContain(`threshold ${detail.checklist.threshold}`);
      expect(html).toContain('<td>UID</td><td><span class="badge badge-success">match</span>');
      expect(html).toContain('<td>Identity document</td><td><span class="badge badge-neutral">unknown</span>');
      // The checklist names facts in words, not by their API names.
      expect(html).toContain('<td>Full name</td>');
      expect(html).not.toMatch(/<td[^>]*>(evidence|account)\.\w+<\/td>/);
      expect(html).toContain(`<form method="post" action="/agent/appeals/${filed.reference}/facts"`);
      expect(html).toContain(`<a href="/agent/appeals/${filed.reference}/attachments/${upload.body.id}" download>statement.pdf</a>`);
      expect(html).toMatch(/The person · [^<]+<\/p><p class="pre-wrap">Any news\?<\/p>/);
      expect(html).toMatch(/Ana Agent · [^<]+<\/p><p class="pre-wrap">Phone on record matches the filing.<\/p>/);
      expect(html).toMatch(/<td class="mono">appeal\.note_added<\/td><td class="small">Ana Agent<\/td>/);
      expect(html).toMatch(/<td class="mono">appeal\.filed<\/td><td class="small">public<\/td>/);
      expect(html).toMatch(/<dt>Claimed by<\/dt>\s*<dd>Ana Agent, until \d{4}-\d\d-\d\d \d\d:\d\d UTC \((29|30) min left\)<\/dd>/);
      expect(html).toContain(`due ${detail.sla.firstResponseDueAt!.toISOString().replace('T', ' ').slice(0, 16)} UTC`);
      expect(html).toContain('The evidence score');

      // The holder records their check of the owner facts; the checklist and score count it.
      expect((await act(agentClient, filed.reference, 'facts', { idDocument: 'match', usualRegion: 'mismatch' })).status).toBe(303);
      const checked = (await agentClient.get(`/agent/appeals/${filed.reference}`).expect(200)).text;
      expect(checked).toContain('<td>Identity document</td><td><span class="badge badge-success">match</span>');
      expect(checked).toContain('<td>Usual region</td><td><span class="badge badge-danger">mismatch</span>');
      const after = await t.get(AppealDetailService).detail(agent, filed.reference);
      expect(after.checklist.score).toBe(detail.checklist.score + 25 - 10);
      // Another agent, not holding the appeal, is not offered the form.
      expect((await otherAgentClient.get(`/agent/appeals/${filed.reference}`).expect(200)).text).not.toContain(
        `/agent/appeals/${filed.reference}/facts`,
      );
    });

    it('offers exactly the actions the role and the state allow, each a form with the CSRF token, the version and its fields', async () => {
      const filed = await file();
      const formsFor = async (client: supertest.Agent) =>
        appealActionForms((await client.get(`/agent/appeals/${filed.reference}`).expect(200)).text, filed.reference);
      const version = String((await row(filed.reference)).version);
      expect(await formsFor(agentClient)).toEqual([
        { action: `/agent/appeals/${filed.reference}/claim`, button: 'Claim', version, hasCsrf: true, fields: [] },
        { action: `/agent/appeals/${filed.reference}/notes`, button: 'Add note', version, hasCsrf: true, fields: ['body'] },
      ]);
      await act(agentClient, filed.reference, 'claim');
      const held = String((await row(filed.reference)).version);
      expect(await formsFor(agentClient)).toEqual(
        [
          ['claim', 'Claim', []],
          ['release', 'Release', []],
          ['notes', 'Add note', ['body']],
          ['request-info', 'Request information', ['message']],
          ['approve', 'Approve', ['rationale']],
          ['reject', 'Reject', ['reason', 'message']],
        ].map(([path, button, fields]) => ({
          action: `/agent/appeals/${filed.reference}/${path}`,
          button,
          version: held,
          hasCsrf: true,
          fields,
        })),
      );
      await expect(buttons(otherAgentClient, filed.reference)).resolves.toEqual(['Add note']);
      await expect(buttons(supervisorClient, filed.reference)).resolves.toEqual(['Take over', 'Add note']);

      await act(agentClient, filed.reference, 'approve', { rationale: 'Identifiers match the records.' });
      await expect(buttons(agentClient, filed.reference)).resolves.toEqual(['Add note']);
      await expect(buttons(supervisorClient, filed.reference)).resolves.toEqual(['Add note', 'Confirm approval', 'Reject']);
      // The page offers what the workflow allows, for every viewer.
      for (const [who, client] of [
        [agent, agentClient],
        [supervisor, supervisorClient],
      ] as const) {
        const allowed = (await t.get(AppealDetailService).detail(who, filed.reference)).actions.map((action) => ACTION_SPECS[action].label);
        await expect(buttons(client, filed.reference)).resolves.toEqual(allowed);
      }
    });

    it('shows the approver that another supervisor must confirm, the scheduled time and the threshold', async () => {
      const filed = await file();
      await act(supervisorClient, filed.reference, 'claim');
      const claimed = await supervisorClient.get(`/agent/appeals/${filed.reference}`).expect(200);
      expect(claimed.text).toMatch(/The evidence score \d+ (is below|meets) the threshold of 60/);
      await act(supervisorClient, filed.reference, 'approve', { rationale: 'Both identifiers match.' });
      const waiting = await supervisorClient.get(`/agent/appeals/${filed.reference}`).expect(200);
      expect(waiting.text).toContain('awaiting confirmation by a supervisor other than Sam Supervisor');
      expect(waiting.text).toContain('Rationale: Both identifiers match.');
      expect(appealActionForms(waiting.text, filed.reference).map((form) => form.button)).toEqual(['Add note']);
      await act(otherSupervisorClient, filed.reference, 'second-approve');
      const scheduled = await agentClient.get(`/agent/appeals/${filed.reference}`).expect(200);
      const { scheduledFor } = await row(filed.reference);
      expect(scheduled.text).toContain(
        `<dt>Scheduled for</dt><dd>${scheduledFor!.toISOString().replace('T', ' ').slice(0, 16)} UTC <span class="muted">(cooling-off`,
      );
      expect(scheduled.text).toContain('confirmed by Sue Supervisor');
    });

    it('reveals the contact details on a POST, once, and records the read', async () => {
      const filed = await file();
      const page = await postForm(agentClient, `/agent/appeals/${filed.reference}/reveal`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(`<strong class="revealed">${filed.contactEmail}</strong>`);
      expect(page.text).toContain(`<strong class="revealed">${filed.logonEmail}</strong>`);
      await expect(auditActions(filed.reference)).resolves.toContain('appeal.contacts_revealed');
      const again = await agentClient.get(`/agent/appeals/${filed.reference}`).expect(200);
      expect(again.text).not.toContain(filed.contactEmail);
      await agentClient.get('/agent/appeals/AP-AAAAAAAAAA').expect(404);
    });
  });

  describe('actions', () => {
    it('claims, notes, asks for information, approves and confirms: each a 303 to the appeal with a message', async () => {
      const filed = await file();
      const claim = await act(agentClient, filed.reference, 'claim');
      expect([claim.status, claim.headers.location]).toEqual([303, `/agent/appeals/${filed.reference}`]);
      const afterClaim = await agentClient.get(`/agent/appeals/${filed.reference}`).expect(200);
      expect(flashOf(afterClaim.text)).toBe(`You hold ${filed.reference} now: other agents cannot act on it while your claim lasts.`);
      await expect(row(filed.reference)).resolves.toMatchObject({ status: 'in_review', leaseAgentId: agent.id });

      await expect(act(agentClient, filed.reference, 'notes', { body: 'Called the old employer.' })).resolves.toMatchObject({
        status: 303,
      });
      await expect(
        act(agentClient, filed.reference, 'request-info', { message: 'Please upload the invoice of your last payment.' }),
      ).resolves.toMatchObject({ status: 303 });
      await expect(row(filed.reference)).resolves.toMatchObject({ status: 'awaiting_customer' });
      await smtp.waitForMessage(
        () => smtp.to(filed.contactEmail).some((message) => message.template === 'appeal-info-requested'),
        10_000,
        'the question to the person',
      );
      await api(t)
        .post(`/api/v1/appeals/${filed.reference}/messages`)
        .set(bearer(filed.accessToken))
        .send({ body: 'Attached.' })
        .expect(201);
      await api(t)
        .post(`/api/v1/appeals/${filed.reference}/attachments`)
        .set(bearer(filed.accessToken))
        .attach('file', PNG, 'invoice.png')
        .expect(201);

      const approve = await act(agentClient, filed.reference, 'approve', { rationale: 'Invoice matches.' });
      expect(approve.status).toBe(303);
      expect(flashOf((await agentClient.get(`/agent/appeals/${filed.reference}`)).text)).toBe(
        'Approved. A supervisor other than you must confirm the approval.',
      );
      const confirm = await act(supervisorClient, filed.reference, 'second-approve', { rationale: 'Agreed.' });
      expect([confirm.status, confirm.headers.location]).toEqual([303, `/agent/appeals/${filed.reference}`]);
      await expect(row(filed.reference)).resolves.toMatchObject({ status: 'scheduled', approvedBy: agent.id, confirmedBy: supervisor.id });
      await expect(auditActions(filed.reference)).resolves.toEqual(
        expect.arrayContaining([
          'appeal.claimed',
          'appeal.note_added',
          'appeal.info_requested',
          'appeal.approved',
          'appeal.approval_confirmed',
        ]),
      );
    });

    it('releases, lets a supervisor take over, rejects with a reason and a message, and reopens an objected appeal', async () => {
      const filed = await file({ phone: '+8613700000789' });
      await act(agentClient, filed.reference, 'claim');
      await expect(act(agentClient, filed.reference, 'release')).resolves.toMatchObject({ status: 303 });
      await expect(row(filed.reference)).resolves.toMatchObject({ status: 'submitted', leaseAgentId: null });
      await act(agentClient, filed.reference, 'claim');
      await expect(act(supervisorClient, filed.reference, 'takeover')).resolves.toMatchObject({ status: 303 });
      await expect(row(filed.reference)).resolves.toMatchObject({ leaseAgentId: supervisor.id });
      await expect(
        act(supervisorClient, filed.reference, 'reject', {
          reason: 'Documents do not match.',
          message: 'We could not confirm who you are.',
        }),
      ).resolves.toMatchObject({ status: 303 });
      await expect(row(filed.reference)).resolves.toMatchObject({ status: 'rejected', rejectionReason: 'Documents do not match.' });
      await smtp.waitForMessage(
        () => smtp.to(filed.contactEmail).some((message) => message.template === 'appeal-rejected'),
        10_000,
        'the rejection',
      );

      // Scheduled, then the former logon email objects through the link it was sent.
      const objected = await file();
      await act(agentClient, objected.reference, 'claim');
      await act(agentClient, objected.reference, 'approve', { rationale: 'Matches.' });
      await act(supervisorClient, objected.reference, 'second-approve');
      await smtp.waitForMessage(
        () => smtp.to(objected.logonEmail).some((message) => message.template === 'appeal-objection'),
        10_000,
        'the objection link',
      );
      const link = /\/appeal\/object\/([\w-]+)/.exec(
        smtp.to(objected.logonEmail).find((message) => message.template === 'appeal-objection')!.text,
      )![1];
      await api(t).post(`/api/v1/appeal-objections/${link}`).expect(200);
      await expect(buttons(supervisorClient, objected.reference)).resolves.toEqual(['Add note', 'Reopen']);
      await expect(act(supervisorClient, objected.reference, 'reopen')).resolves.toMatchObject({ status: 303 });
      await expect(row(objected.reference)).resolves.toMatchObject({ status: 'submitted' });
    });

    it('refuses a stale version with 409, changes nothing, and explains it with a link back', async () => {
      const filed = await file();
      const seen = await pageVersion(agentClient, filed.reference);
      await act(otherAgentClient, filed.reference, 'notes', { body: 'Someone else was here first.' });
      const before = await row(filed.reference);
      const stale = await postForm(agentClient, `/agent/appeals/${filed.reference}/claim`, { version: seen });
      expect(stale.status).toBe(409);
      expect(stale.text).toContain('<h1>Someone else changed this first</h1>');
      expect(stale.text).toContain(
        `<a class="btn btn-primary" href="/agent/appeals/${filed.reference}">Back to appeal ${filed.reference}</a>`,
      );
      await expect(row(filed.reference)).resolves.toEqual(before);
      const json = await agentClient
        .post(`/agent/appeals/${filed.reference}/claim`)
        .send({ _csrf: await pageToken(agentClient, '/agent/appeals'), version: seen });
      expect(json.body).toMatchObject({ status: 409, code: 'STALE_VERSION' });
    });

    it('refuses with 403 what the role or the state does not allow, the approver confirming their own approval included; nothing changes', async () => {
      const filed = await file();
      await act(agentClient, filed.reference, 'claim');
      const refused = async (client: supertest.Agent, path: string, fields: Record<string, string> = {}) => {
        const before = await row(filed.reference);
        const response = await act(client, filed.reference, path, fields);
        expect([path, response.status]).toEqual([path, 403]);
        expect(response.text).toContain(`href="/agent/appeals/${filed.reference}">Back to appeal ${filed.reference}</a>`);
        await expect(row(filed.reference)).resolves.toEqual(before);
        return response;
      };
      // Role: takeover and reopen are a supervisor's; confirming is a supervisor's.
      await refused(otherAgentClient, 'takeover');
      // State: an appeal in review cannot be reopened or confirmed; one not claimed cannot be decided.
      await refused(supervisorClient, 'reopen');
      await refused(supervisorClient, 'second-approve');
      await act(agentClient, filed.reference, 'release');
      await refused(agentClient, 'approve', { rationale: 'x' });
      await act(supervisorClient, filed.reference, 'claim');
      await act(supervisorClient, filed.reference, 'approve', { rationale: 'Identifiers match.' });
      const own = await refused(supervisorClient, 'second-approve');
      expect(own.text).toContain('Another supervisor must confirm: you approved this appeal yourself.');
      await refused(agentClient, 'second-approve');
      await expect(act(otherSupervisorClient, filed.reference, 'second-approve')).resolves.toMatchObject({ status: 303 });
      await refused(agentClient, 'claim');
    });

    it('shows a form error beside its field with what was typed, and changes nothing', async () => {
      const filed = await file();
      const emptyNote = await act(agentClient, filed.reference, 'notes', { body: '   ' });
      expect(emptyNote.status).toBe(400);
      expect(emptyNote.text).toContain('<p class="field-error" id="notes-body-error">The note must not be empty.</p>');
      expect(emptyNote.text).toMatch(
        /<textarea id="notes-body" name="body"[^>]* aria-describedby="notes-body-hint notes-body-error" aria-invalid="true">/,
      );

      await act(agentClient, filed.reference, 'claim');
      const before = await row(filed.reference);
      const half = await act(agentClient, filed.reference, 'reject', { reason: 'Looks forged.', message: '' });
      expect(half.status).toBe(400);
      expect(half.text).toContain('<p class="field-error" id="reject-message-error">The message must not be empty.</p>');
      expect(half.text).toMatch(/<textarea id="reject-reason" name="reason"[^>]*>Looks forged.<\/textarea>/);
      await expect(row(filed.reference)).resolves.toEqual(before);

      // Below the threshold (an unknown name and contact score nothing), an approval needs a rationale.
      const weak = await fileAppeal(t, smtp, { account: { uid: (await createAccount(t)).uid } });
      await act(agentClient, weak.reference, 'claim');
      const bare = await act(agentClient, weak.reference, 'approve', { rationale: '' });
      expect(bare.status).toBe(400);
      expect(bare.text).toMatch(
        /<p class="field-error" id="approve-rationale-error">The rationale is required: the evidence score \d+ is below 60.<\/p>/,
      );
      await expect(row(weak.reference)).resolves.toMatchObject({ status: 'in_review' });

      const noVersion = await postForm(agentClient, `/agent/appeals/${filed.reference}/claim`);
      expect(noVersion.status).toBe(400);
    });

    it('answers 404 for an unknown appeal, with a way back to the queue', async () => {
      const response = await postForm(agentClient, '/agent/appeals/AP-AAAAAAAAAA/claim', { version: 1 });
      expect(response.status).toBe(404);
      expect(response.text).toContain('<a class="btn btn-primary" href="/agent/appeals">Back to the appeal queue</a>');
    });

    it('refuses an action posted without its CSRF token: 403, nothing changes', async () => {
      const filed = await file();
      const before = await row(filed.reference);
      const response = await agentClient
        .post(`/agent/appeals/${filed.reference}/claim`)
        .type('form')
        .set('Accept', 'text/html')
        .send({ version: before.version });
      expect(response.status).toBe(403);
      expect(response.text).toContain('The form has expired');
      await expect(row(filed.reference)).resolves.toEqual(before);
    });
  });

  describe('attachments', () => {
    it('downloads as an attachment with a safe file name, the stored type and nosniff, and records the view', async () => {
      const filed = await file();
      const upload = await api(t)
        .post(`/api/v1/appeals/${filed.reference}/attachments`)
        .set(bearer(filed.accessToken))
        .attach('file', PNG, '../../etc/my "id" card.png')
        .expect(201);
      const response = await agentClient.get(`/agent/appeals/${filed.reference}/attachments/${upload.body.id}`).expect(200);
      expect(response.headers['content-type']).toBe('image/png');
      expect(response.headers['content-disposition']).toBe(`attachment; filename="${upload.body.filename}"`);
      expect(upload.body.filename).not.toMatch(/[/\\"]/);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(Buffer.compare(response.body as Buffer, PNG)).toBe(0);
      await expect(auditActions(filed.reference)).resolves.toContain('appeal.attachment_viewed');

      await agentClient.get(`/agent/appeals/${filed.reference}/attachments/00000000-0000-4000-8000-000000000000`).expect(404);
      const other = await file();
      await agentClient.get(`/agent/appeals/${other.reference}/attachments/${upload.body.id}`).expect(404);
    });
  });

  describe('dashboard', () => {
    it('shows appeals by status, SLA breaches and the median response times as SVG charts, each linking to the filtered queue', async () => {
      const page = await agentClient.get('/agent').expect(200);
      const html = unescapeHtml(page.text);
      const panel = (id: string) =>
        new RegExp(`<section class="card panel[^"]*" aria-labelledby="${id}-heading">[\\s\\S]*?</section>`).exec(html)?.[0] ?? '';
      const counts: { status: string; count: number }[] = await t.dataSource.query(
        `SELECT status, count(*)::int AS count FROM appeals GROUP BY status`,
      );

      const byStatus = panel('appeals-by-status');
      expect(byStatus).toContain('<h2 id="appeals-by-status-heading">Appeals by status</h2>');
      expect(byStatus).toContain('<svg class="chart"');
      for (const { status } of counts) expect(byStatus).toContain(`<a href="/agent/appeals?status=${status}">`);
      expect(byStatus).toContain(`>Scheduled (${counts.find((entry) => entry.status === 'scheduled')!.count})</a>`);
      expect(byStatus).toContain('<a href="/agent/appeals?status=open">Open appeals</a>');

      const sla = panel('appeals-sla');
      const [{ breached }] = await t.dataSource.query(`SELECT count(*)::int AS breached FROM appeals WHERE sla_breached`);
      expect(sla).toContain(`<dt>Breached now</dt><dd>${breached}</dd>`);
      expect(sla).toContain('<a href="/agent/appeals?sla=breached">Breached appeals</a>');

      const times = panel('appeals-response-times');
      expect(times).toContain('Median response times, last 30 days');
      expect(times).toContain('<svg class="chart"');
      expect(times).toMatch(/<dt>First response<\/dt><dd>\d+ min<\/dd>/);
      expect(times).toMatch(/<dt>Resolution<\/dt><dd>\d+ min<\/dd>/);
      // The appeals panels come first.
      expect(html.indexOf('appeals-by-status-heading')).toBeLessThan(html.indexOf('notification-failures-heading'));
    });
  });

  describe('sign-in', () => {
    it('sends a browser without a session to the sign-in form', async () => {
      for (const path of [
        '/agent/appeals',
        '/agent/appeals/AP-AAAAAAAAAA',
        '/agent/appeals/AP-AAAAAAAAAA/attachments/00000000-0000-4000-8000-000000000000',
      ]) {
        await api(t).get(path).expect(303).expect('Location', '/agent/login');
      }
    });
  });
});
