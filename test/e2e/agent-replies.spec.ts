import supertest from 'supertest';
import { AppealReviewService } from '../../src/modules/appeals/appeal-review.service';
import { AppealMessage } from '../../src/modules/appeals/entities/appeal-message.entity';
import { Appeal } from '../../src/modules/appeals/entities/appeal.entity';
import { createAgent, pageToken, signInAgent, TestAgent } from '../support/agents';
import { flashOf } from '../support/agent-pages';
import { fileAppeal, versionOf } from '../support/appeals';
import { createAccount } from '../support/factories';
import { unescapeHtml } from '../support/html';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';

describe('Canned replies (/agent/replies)', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let ana: TestAgent;
  let sam: TestAgent;
  let anaClient: supertest.Agent;
  let samClient: supertest.Agent;

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, env: { TRUST_PROXY: 'loopback' } });
    ({ smtp } = t);
    [ana, sam] = await Promise.all([
      createAgent(t, { name: 'Ana <Agent>' }),
      createAgent(t, { role: 'supervisor', name: 'Sam Supervisor' }),
    ]);
    [anaClient, samClient] = await Promise.all([signInAgent(t, ana), signInAgent(t, sam)]);
  });

  afterAll(() => t?.close());

  const post = async (client: supertest.Agent, path: string, fields: Record<string, string>) => {
    const csrf = await pageToken(client, '/agent/replies');
    return client
      .post(path)
      .type('form')
      .set('Accept', 'text/html')
      .send({ _csrf: csrf, ...fields });
  };
  const replyId = async (title: string) =>
    ((await t.dataSource.query(`SELECT id FROM canned_replies WHERE title = $1`, [title])) as { id: string }[])[0]?.id;

  it('lets every agent read the replies and only supervisors change them', async () => {
    await anaClient.get('/agent/replies').expect(200);
    const refused = await post(anaClient, '/agent/replies', { title: 'Nope', locale: 'en', body: 'Hello' });
    expect([refused.status, refused.text]).toEqual([403, expect.stringContaining('supervisor role')]);
    const saved = await post(samClient, '/agent/replies', { title: 'Greeting', locale: 'en', body: 'Hello {{fullName}}' });
    expect([saved.status, saved.headers.location]).toEqual([303, '/agent/replies']);
    const id = await replyId('Greeting');
    await expect(post(anaClient, `/agent/replies/${id}`, { title: 'X', locale: 'en', body: 'Y' }).then((r) => r.status)).resolves.toBe(403);
    await expect(post(anaClient, `/agent/replies/${id}/delete`, {}).then((r) => r.status)).resolves.toBe(403);
    const changed = await post(samClient, `/agent/replies/${id}`, { title: 'Greeting', locale: 'en', body: 'Hi {{fullName}}' });
    expect(changed.status).toBe(303);
    await expect(post(samClient, `/agent/replies/${id}/delete`, {}).then((r) => r.status)).resolves.toBe(303);
    await expect(replyId('Greeting')).resolves.toBeUndefined();
    const audit = await t.dataSource.query(
      `SELECT action FROM audit_events WHERE subject_type = 'canned_reply' AND subject_id = $1 ORDER BY seq`,
      [id],
    );
    expect(audit.map((row: { action: string }) => row.action)).toEqual([
      'canned_reply.created',
      'canned_reply.updated',
      'canned_reply.deleted',
    ]);
  });

  it('refuses, beside the field, a body with a variable outside the fixed list', async () => {
    const refused = await post(samClient, '/agent/replies', { title: 'Bad', locale: 'en', body: 'Dear {{contactEmail}}' });
    expect(refused.status).toBe(400);
    expect(unescapeHtml(refused.text)).toContain(
      '<p class="field-error" id="reply-new-body-error">{{contactEmail}} is not a variable a reply may use: use {{reference}}, {{fullName}}, {{agentName}}.</p>',
    );
    await expect(replyId('Bad')).resolves.toBeUndefined();
  });

  it("offers the replies in the appeal's language on the request-information and rejection forms, rendered and escaped", async () => {
    await post(samClient, '/agent/replies', {
      title: 'Need invoice (en)',
      locale: 'en',
      body: 'Dear {{fullName}}, please send an invoice.',
    });
    await post(samClient, '/agent/replies', {
      title: '需要发票',
      locale: 'zh-CN',
      body: '{{fullName}}您好，关于申诉 {{reference}}，请提供最近一张发票。——{{agentName}}',
    });
    const owner = await createAccount(t);
    const filed = await fileAppeal(t, smtp, {
      account: { uid: owner.uid },
      locale: 'zh-CN',
      evidence: { fullName: '<b>李雷</b>', description: 'Lost my phone and my old mailbox.' },
    });
    const asAna = { id: ana.id, role: ana.role };
    await t.get(AppealReviewService).claim(asAna, filed.reference, await versionOf(t, asAna, filed.reference));

    const page = await anaClient.get(`/agent/appeals/${filed.reference}`).expect(200);
    const html = page.text;
    expect(html).toContain('需要发票');
    expect(html).not.toContain('Need invoice (en)');
    // Offered on both forms, never raw HTML from the person's name or the agent's.
    const links = [...html.matchAll(/<a href="([^"]+)" data-reply-field="([^"]+)" data-reply-text="([^"]*)">需要发票<\/a>/g)];
    expect(links.map((link) => link[2]).sort()).toEqual(['reject-message', 'request-info-message']);
    expect(html).not.toContain('<b>李雷</b>');
    expect(html).not.toContain('Ana <Agent>');
    const expected = `<b>李雷</b>您好，关于申诉 ${filed.reference}，请提供最近一张发票。——Ana <Agent>`;
    expect(unescapeHtml(links[0][3])).toBe(expected);

    // Without the script: the link reloads the page with the form's field filled; then the message goes out as is.
    const filled = await anaClient
      .get(unescapeHtml(links.find((link) => link[2] === 'request-info-message')![1]).split('#')[0])
      .expect(200);
    const textarea = /<textarea id="request-info-message"[^>]*>([^<]*)<\/textarea>/.exec(filled.text)![1];
    expect(unescapeHtml(textarea)).toBe(expected);
    const version = /name="version" value="(\d+)"/.exec(filled.text)![1];
    const csrf = await pageToken(anaClient, '/agent/appeals');
    const sent = await anaClient
      .post(`/agent/appeals/${filed.reference}/request-info`)
      .type('form')
      .set('Accept', 'text/html')
      .send({ _csrf: csrf, version, message: unescapeHtml(textarea) })
      .expect(303);
    expect(flashOf((await anaClient.get(sent.headers.location).expect(200)).text)).toContain('emailed');
    const appeal = await t.dataSource.getRepository(Appeal).findOneByOrFail({ reference: filed.reference });
    const messages = await t.dataSource.getRepository(AppealMessage).findBy({ appealId: appeal.id, author: 'agent' });
    expect(messages.map((message) => message.body)).toEqual([expected]);
  });
});
