import supertest from 'supertest';
import { AppealReviewService } from '../../src/modules/appeals/appeal-review.service';
import { createAgent, versionOf } from '../support/appeals';
import { createAccount, uniqueEmail, uniqueIp } from '../support/factories';
import { csrfOf, unescapeHtml } from '../support/html';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';

const HOSTILE = '<script>alert(1)</script>{{constructor}}';
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;{{constructor}}';

describe('Appeal pages and emails: hostile text stays text', () => {
  let smtp: SmtpSink;
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, env: { TRUST_PROXY: 'loopback' } });
    ({ smtp } = t);
  });

  afterAll(() => t.close());

  it('escapes a hostile description, name and messages on every appeal page and in every email the appeal causes', async () => {
    const owner = await createAccount(t);
    const contact = uniqueEmail('contact');
    const ip = uniqueIp();
    const client = supertest.agent(t.app.getHttpServer());
    const get = (path: string) => client.get(path).set('Accept', 'text/html').set('X-Forwarded-For', ip);
    const post = (path: string, fields: Record<string, string>) =>
      client.post(path).type('form').set('Accept', 'text/html').set('X-Forwarded-For', ip).send(fields);
    const hidden = (html: string, name: string) =>
      unescapeHtml(new RegExp(`name="${name.replace('.', '\\.')}" value="([^"]*)"`).exec(html)?.[1] ?? '');
    const pages: string[] = [];

    const start = await get('/appeal').expect(200);
    const codePage = await post('/appeal', { _csrf: csrfOf(start.text), step: 'send-code', email: contact }).expect(200);
    const code = await smtp.codeFor(contact, 'appeal-contact-code');
    const form = await post('/appeal', {
      _csrf: csrfOf(codePage.text),
      step: 'check-code',
      email: contact,
      'contactVerification.id': hidden(codePage.text, 'contactVerification.id'),
      'contactVerification.code': code,
    }).expect(200);
    const fields = {
      _csrf: csrfOf(form.text),
      step: 'file',
      email: contact,
      'contactVerification.id': hidden(form.text, 'contactVerification.id'),
      'contactVerification.code': hidden(form.text, 'contactVerification.code'),
      'account.uid': owner.uid,
      'changes.resetPassword': 'true',
      'evidence.fullName': HOSTILE,
      'evidence.description': `I lost my phone. ${HOSTILE}`,
      'evidence.usualRegion': HOSTILE,
    };
    // Refused once (a bad amount): the form comes back with what was typed, escaped.
    const again = await post('/appeal', { ...fields, 'evidence.lastPaymentAmount': HOSTILE }).expect(400);
    pages.push(again.text);
    expect(again.text).toContain(`>I lost my phone. ${ESCAPED}</textarea>`);
    const filed = await post('/appeal', fields).expect(200);
    pages.push(filed.text);
    const reference = /id="appeal-reference">(AP-[A-Z2-7]{10})</.exec(filed.text)![1];

    const agent = await createAgent(t, 'agent');
    const review = t.get(AppealReviewService);
    await review.claim(agent, reference, await versionOf(t, agent, reference));
    await review.requestInfo(agent, reference, await versionOf(t, agent, reference), { message: `Please explain: ${HOSTILE}` });
    const status = await get('/appeal/status').expect(200);
    await post('/appeal/status/messages', { _csrf: csrfOf(status.text), body: `My answer: ${HOSTILE}` }).expect(303);
    const answered = await get('/appeal/status').expect(200);
    pages.push(answered.text);
    expect(answered.text).toContain(`<dd class="pre-wrap" id="appeal-description">I lost my phone. ${ESCAPED}</dd>`);
    expect(answered.text).toContain(`<dd>${ESCAPED}</dd>`);
    expect(answered.text).toContain(`<p class="pre-wrap">Please explain: ${ESCAPED}</p>`);
    expect(answered.text).toContain(`<p class="pre-wrap">My answer: ${ESCAPED}</p>`);
    pages.push((await get('/appeal/uploads').expect(200)).text);
    pages.push((await get('/appeal/status/cancel').expect(200)).text);
    for (const page of pages) {
      expect(page).not.toContain('<script>alert(1)</script>');
      // The layout loads the site's one static script and no other (CSP would refuse an inline one anyway).
      expect(page.replace('<script src="/static/js/pages.js" defer></script>', '')).not.toMatch(/<script/i);
    }

    // Every email to the contact so far: codes, received, the agent's question.
    const asked = await smtp.latest(contact, 'appeal-info-requested');
    expect(asked.html).toContain(`Please explain: ${ESCAPED}`);
    expect(asked.text).toContain(`Please explain: ${HOSTILE}`);
    const emails = smtp.to(contact);
    expect(emails.map((email) => email.template).sort()).toEqual(['appeal-contact-code', 'appeal-info-requested', 'appeal-received']);
    for (const email of emails) {
      expect(email.html).not.toContain('<script>alert(1)</script>');
      expect(email.html).not.toContain('[object');
      expect(email.text).not.toContain('function Object()');
    }
  });
});
