import { randomUUID } from 'node:crypto';
import supertest from 'supertest';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { pageVersion, postForm } from '../support/agent-pages';
import { createAgent, signInAgent } from '../support/agents';
import { fileAppeal, FiledAppeal, PNG } from '../support/appeals';
import { api, bearer, createAccount, uniqueEmail } from '../support/factories';
import { csrfOf } from '../support/html';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';

const HOSTILE = `<script>alert(1)</script>{{constructor.constructor('alert(2)')()}}`;
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;{{constructor.constructor(&#x27;alert(2)&#x27;)()}}';

/** Nothing of `HOSTILE` that a browser would run: no script element of it, no inline script or style at all. */
function expectInert(html: string): void {
  expect(html).not.toContain('<script>alert(1)');
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
  expect(html).not.toContain('style=');
}

/**
 * docs/security.md: a description with `<script>` and `{{` renders escaped in every back-office page
 * and every email. Every email template is rendered with hostile values for each variable by
 * src/modules/notifications/template-renderer.spec.ts; here hostile text goes the whole way, from
 * the person or the agent to the pages and the messages that show it.
 */
describe('Hostile text in pages and emails', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let agentClient: supertest.Agent;
  let filed: FiledAppeal;

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, env: { TRUST_PROXY: 'loopback' } });
    ({ smtp } = t);
    agentClient = await signInAgent(t, await createAgent(t, { name: 'Ana Agent' }));
    const account = await createAccount(t);
    filed = await fileAppeal(t, smtp, {
      account: { uid: account.uid },
      evidence: { fullName: HOSTILE, description: `I lost my phone. ${HOSTILE}`, usualRegion: HOSTILE },
    });
  });

  afterAll(() => t.close());

  /** The email of `template` to the appeal's contact, once it has arrived. */
  const emailOf = async (template: string) => {
    await smtp.waitForMessage(() => smtp.to(filed.contactEmail).some((message) => message.template === template), 10_000, template);
    return smtp.to(filed.contactEmail).find((message) => message.template === template)!;
  };

  it('renders a hostile description, name, messages, notes and file name escaped on the queue and the appeal', async () => {
    await api(t)
      .post(`/api/v1/appeals/${filed.reference}/messages`)
      .set(bearer(filed.accessToken))
      .send({ body: `Hello ${HOSTILE}` })
      .expect(201);
    await postForm(agentClient, `/agent/appeals/${filed.reference}/claim`, {
      version: await pageVersion(agentClient, filed.reference),
    }).then((response) => expect(response.status).toBe(303));
    await postForm(agentClient, `/agent/appeals/${filed.reference}/notes`, {
      version: await pageVersion(agentClient, filed.reference),
      body: `Note ${HOSTILE}`,
    });
    // Uploads neutralise names (no markup survives); a row written some other way must still render as text.
    const upload = await api(t)
      .post(`/api/v1/appeals/${filed.reference}/attachments`)
      .set(bearer(filed.accessToken))
      .attach('file', PNG, `${HOSTILE}.png`)
      .expect(201);
    expect(upload.body.filename).not.toMatch(/[<>{}]/);
    await t.dataSource.query(
      `INSERT INTO appeal_attachments (id, appeal_id, filename, content_type, size, sha256, created_at) SELECT $1, id, $2, 'image/png', 1, repeat('0', 64), now() FROM appeals WHERE reference = $3`,
      [randomUUID(), `${HOSTILE}.png`.slice(0, 120), filed.reference],
    );
    await postForm(agentClient, `/agent/appeals/${filed.reference}/request-info`, {
      version: await pageVersion(agentClient, filed.reference),
      message: `Question ${HOSTILE}`,
    }).then((response) => expect(response.status).toBe(303));

    const detail = await agentClient.get(`/agent/appeals/${filed.reference}`).expect(200);
    const queue = await agentClient.get(`/agent/appeals?q=${encodeURIComponent(HOSTILE)}`).expect(200);
    const listed = await agentClient.get(`/agent/appeals?q=${filed.reference}`).expect(200);
    for (const html of [detail.text, queue.text, listed.text]) expectInert(html);
    expect(listed.text).toContain(`href="/agent/appeals/${filed.reference}"`);
    expect(queue.text).toContain(`value="${ESCAPED}"`);
    for (const text of [`I lost my phone. ${ESCAPED}`, `Hello ${ESCAPED}`, `Note ${ESCAPED}`, `Question ${ESCAPED}`, `${ESCAPED}.png`])
      expect(detail.text).toContain(text);
    expect(detail.text).toContain(`<dt>Full name</dt><dd>${ESCAPED}</dd>`);

    // A failed form echoes what was typed, escaped.
    const echoed = await postForm(agentClient, `/agent/appeals/${filed.reference}/reject`, {
      version: await pageVersion(agentClient, filed.reference),
      reason: HOSTILE,
      message: '',
    });
    expect(echoed.status).toBe(400);
    expect(echoed.text).toContain(`name="reason"`);
    expectInert(echoed.text);
    expect(echoed.text).toContain(`>${ESCAPED}</textarea>`);

    // The question reaches the person's email escaped in HTML, verbatim and unevaluated in text.
    const email = await emailOf('appeal-info-requested');
    expect(email.html).not.toContain('<script>alert(1)');
    expect(email.html).toContain(`Question ${ESCAPED}`);
    expect(email.text).toContain(`Question ${HOSTILE}`);
  });

  it('sends a hostile rejection message escaped', async () => {
    const rejected = await postForm(agentClient, `/agent/appeals/${filed.reference}/reject`, {
      version: await pageVersion(agentClient, filed.reference),
      reason: `Reason ${HOSTILE}`,
      message: `Sorry ${HOSTILE}`,
    });
    expect(rejected.status).toBe(303);
    const detail = await agentClient.get(`/agent/appeals/${filed.reference}`).expect(200);
    expectInert(detail.text);
    expect(detail.text).toContain(`Reason ${ESCAPED}`);
    const email = await emailOf('appeal-rejected');
    expect(`${email.subject}\n${email.html}`).not.toContain('<script>alert(1)');
    expect(email.html).toContain(`Sorry ${ESCAPED}`);
    expect(email.text).toContain(`Sorry ${HOSTILE}`);
  });

  it('renders an account display name, a notification error and a reason in the audit log escaped', async () => {
    const created = await t
      .get(AccountsService)
      .create(
        { logonEmail: uniqueEmail('xss'), password: 'correct horse battery staple 42', displayName: HOSTILE },
        { actor: { type: 'system' } },
      );
    const lookup = await agentClient.get(`/agent/accounts?q=${created.uid}`).expect(200);
    const detail = await agentClient.get(`/agent/accounts/${created.uid}`).expect(200);
    for (const html of [lookup.text, detail.text]) {
      expectInert(html);
      expect(html).toContain(ESCAPED);
    }
    await t.dataSource.query(
      `INSERT INTO notifications (id, template, channel, recipient, locale, payload, status, priority, attempts, last_error, account_uid)
       VALUES ($1, 'password-changed', 'email', 'owner@example.com', 'en', '{"data": {}, "sealed": null}', 'dead', 'normal', 8, $2, $3)`,
      [randomUUID(), `SMTP 550 ${HOSTILE}`, created.uid],
    );
    const notifications = await agentClient.get('/agent/notifications').expect(200);
    expectInert(notifications.text);
    expect(notifications.text).toContain(`SMTP 550 ${ESCAPED}`);

    // A reason typed by an agent lands in the audit log, shown on the audit page and the account's security events.
    await postForm(agentClient, `/agent/accounts/${created.uid}/revoke-sessions`, { reason: `Reason ${HOSTILE}` }).then((response) =>
      expect(response.status).toBe(303),
    );
    const audit = await agentClient.get('/agent/audit').expect(200);
    const events = await agentClient.get(`/agent/accounts/${created.uid}`).expect(200);
    for (const html of [audit.text, events.text]) {
      expectInert(html);
      expect(html).toContain(`Reason ${ESCAPED}`);
    }
  });

  it('does not echo a search query unescaped', async () => {
    const response = await agentClient.get(`/agent/accounts?q=${encodeURIComponent('<script>x</script>@example.com')}`).expect(200);
    expect(response.text).not.toContain('<script>x</script>');
    expect(csrfOf(response.text)).toMatch(/^[0-9a-f]+\.[0-9a-f]+$/);
  });
});
