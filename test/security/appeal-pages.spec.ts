import { randomUUID } from 'node:crypto';
import supertest from 'supertest';
import { Appeal } from '../../src/modules/appeals/entities/appeal.entity';
import { ACTION_SPECS } from '../../src/modules/backoffice/appeal-views';
import { pageVersion, postForm } from '../support/agent-pages';
import { createAgent, pageToken, signInAgent, TestAgent } from '../support/agents';
import { fileAppeal, FiledAppeal, PNG } from '../support/appeals';
import { api, bearer, createAccount } from '../support/factories';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';

const HOSTILE = `<script>alert(1)</script>{{constructor.constructor('alert(2)')()}}`;
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;{{constructor.constructor(&#x27;alert(2)&#x27;)()}}';

describe('Back-office appeal pages: security', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let agent: TestAgent;
  let agentClient: supertest.Agent;
  let filed: FiledAppeal;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    t = await createTestApp({ env: { SMTP_URL: smtp.url, TRUST_PROXY: 'loopback' } });
    agent = await createAgent(t, { name: 'Ana Agent' });
    agentClient = await signInAgent(t, agent);
    const account = await createAccount(t);
    filed = await fileAppeal(t, smtp, { account: { uid: account.uid }, evidence: { fullName: HOSTILE, description: `I lost my phone. ${HOSTILE}`, usualRegion: HOSTILE } });
  });

  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  const row = () => t.dataSource.getRepository(Appeal).findOneByOrFail({ reference: filed.reference });

  it('refuses every appeal action and the reveal without a valid CSRF token, and changes nothing', async () => {
    const before = await row();
    const otherBrowser = await signInAgent(t, agent);
    const foreignToken = await pageToken(otherBrowser, '/agent/appeals');
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
    await expect(row()).resolves.toEqual(before);
    const reads: { count: number }[] = await t.dataSource.query(`SELECT count(*)::int AS count FROM audit_events WHERE action = 'appeal.contacts_revealed'`);
    expect(reads).toEqual([{ count: 0 }]);
  });

  it('renders a hostile description, name, messages, notes and file name escaped on the queue and the appeal', async () => {
    await api(t).post(`/api/v1/appeals/${filed.reference}/messages`).set(bearer(filed.accessToken)).send({ body: `Hello ${HOSTILE}` }).expect(201);
    await postForm(agentClient, `/agent/appeals/${filed.reference}/claim`, { version: await pageVersion(agentClient, filed.reference) }).then((response) => expect(response.status).toBe(303));
    await postForm(agentClient, `/agent/appeals/${filed.reference}/notes`, { version: await pageVersion(agentClient, filed.reference), body: `Note ${HOSTILE}` });
    // Uploads neutralise names (no markup survives); a row written some other way must still render as text.
    const upload = await api(t).post(`/api/v1/appeals/${filed.reference}/attachments`).set(bearer(filed.accessToken)).attach('file', PNG, `${HOSTILE}.png`).expect(201);
    expect(upload.body.filename).not.toMatch(/[<>{}]/);
    await t.dataSource.query(`INSERT INTO appeal_attachments (id, appeal_id, filename, content_type, size, sha256, created_at) SELECT $1, id, $2, 'image/png', 1, repeat('0', 64), now() FROM appeals WHERE reference = $3`, [
      randomUUID(),
      `${HOSTILE}.png`.slice(0, 120),
      filed.reference,
    ]);
    await postForm(agentClient, `/agent/appeals/${filed.reference}/request-info`, { version: await pageVersion(agentClient, filed.reference), message: `Question ${HOSTILE}` }).then((response) =>
      expect(response.status).toBe(303),
    );

    const detail = await agentClient.get(`/agent/appeals/${filed.reference}`).expect(200);
    const queue = await agentClient.get(`/agent/appeals?q=${encodeURIComponent(HOSTILE)}`).expect(200);
    const listed = await agentClient.get(`/agent/appeals?q=${filed.reference}`).expect(200);
    for (const html of [detail.text, queue.text, listed.text]) {
      expect(html).not.toContain('<script>alert(1)');
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
      expect(html).not.toContain('style=');
    }
    expect(listed.text).toContain(`href="/agent/appeals/${filed.reference}"`);
    expect(queue.text).toContain(`value="${ESCAPED}"`);
    for (const text of [`I lost my phone. ${ESCAPED}`, `Hello ${ESCAPED}`, `Note ${ESCAPED}`, `Question ${ESCAPED}`, `${ESCAPED}.png`]) expect(detail.text).toContain(text);
    expect(detail.text).toContain(`<dt>Full name</dt><dd>${ESCAPED}</dd>`);

    // A failed form echoes what was typed, escaped.
    const echoed = await postForm(agentClient, `/agent/appeals/${filed.reference}/reject`, { version: await pageVersion(agentClient, filed.reference), reason: HOSTILE, message: '' });
    expect(echoed.status).toBe(400);
    expect(echoed.text).toContain(`name="reason"`);
    expect(echoed.text).not.toContain('<script>alert(1)');
    expect(echoed.text).toContain(`>${ESCAPED}</textarea>`);

    // The question reaches the person's email escaped too.
    await smtp.waitForMessage(() => smtp.to(filed.contactEmail).some((message) => message.template === 'appeal-info-requested'), 10_000, 'the question');
    const email = smtp.to(filed.contactEmail).find((message) => message.template === 'appeal-info-requested')!;
    expect(email.html).not.toContain('<script>alert(1)');
  });

  it('serves a file only as a download, with its stored type, sniffing off and nothing runnable', async () => {
    const upload = await api(t).post(`/api/v1/appeals/${filed.reference}/attachments`).set(bearer(filed.accessToken)).attach('file', PNG, '..\\..\\evil".png').expect(201);
    const response = await agentClient.get(`/agent/appeals/${filed.reference}/attachments/${upload.body.id}`).expect(200);
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="[^"\\/]+\.png"$/);
    expect(response.headers['content-type']).toBe('image/png');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
  });
});
