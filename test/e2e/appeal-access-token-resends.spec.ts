import supertest from 'supertest';
import { fileAppeal, FiledAppeal, openAppealStatus } from '../support/appeals';
import { api, bearer, createAccount, uniqueEmail, uniqueIp } from '../support/factories';
import { csrfOf } from '../support/html';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';

describe('Appeal access-token resends (POST /api/v1/appeals/access-token-resends)', () => {
  let smtp: SmtpSink;
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, env: { TRUST_PROXY: 'loopback' } });
    ({ smtp } = t);
  });

  afterAll(() => t.close());

  const file = async (): Promise<FiledAppeal> => fileAppeal(t, smtp, { account: { uid: (await createAccount(t)).uid } });
  const resend = (body: Record<string, unknown>, ip = uniqueIp()) =>
    api(t).post('/api/v1/appeals/access-token-resends').set('X-Forwarded-For', ip).send(body);
  const status = (reference: string, token: string) => api(t).get(`/api/v1/appeals/${reference}`).set(bearer(token));
  /** Messages written to the outbox for `to`, sent or not: what the sink has not received yet counts too. */
  const queued = async (to: string) =>
    Number(
      (
        (await t.dataSource.query(
          `SELECT count(*)::int AS n FROM notifications WHERE template = 'appeal-access-token' AND lower(recipient) = lower($1)`,
          [to],
        )) as { n: number }[]
      )[0].n,
    );
  const tokenIn = (text: string) => {
    const match = /^([A-Za-z0-9_-]{43})$/m.exec(text);
    if (!match) throw new Error(`no access token in: ${text.slice(0, 300)}`);
    return match[1];
  };

  it('answers alike whether or not the reference and email match, and emails a fresh token only on a match', async () => {
    const filed = await file();
    const other = await file();
    const answers = await Promise.all([
      resend({ reference: filed.reference, email: other.contactEmail }),
      resend({ reference: 'AP-AAAAAAAAAA', email: filed.contactEmail }),
      resend({ reference: 'not-a-reference', email: filed.contactEmail }),
    ]);
    const matched = await resend({ reference: filed.reference, email: filed.contactEmail.toUpperCase() });
    for (const answer of [...answers, matched]) {
      expect(answer.status).toBe(202);
      expect(answer.body).toEqual({});
      expect(answer.headers['content-type']).toBe(matched.headers['content-type']);
    }

    const message = await smtp.latest(filed.contactEmail, 'appeal-access-token');
    expect(message.subject).toBe(`A new access token for your appeal ${filed.reference}`);
    expect(message.text).toContain('The token you had before no longer works.');
    expect(message.text).toContain(`${t.config.http.publicBaseUrl}/appeal/status`);
    expect(await queued(filed.contactEmail)).toBe(1);
    expect(await queued(other.contactEmail)).toBe(0);

    const fresh = tokenIn(message.text);
    expect(message.html).toContain(fresh);
    await status(filed.reference, filed.accessToken).expect(404);
    await expect(status(filed.reference, fresh).expect(200)).resolves.toMatchObject({ body: { reference: filed.reference } });
    // The other appeal kept its token.
    await status(other.reference, other.accessToken).expect(200);

    const audit = (await t.dataSource.query(
      `SELECT action, actor_type FROM audit_events WHERE subject_type = 'appeal' AND subject_id = $1 AND action = 'appeal.access_token_reissued'`,
      [filed.reference],
    )) as unknown[];
    expect(audit).toHaveLength(1);
    const outbox = (await t.dataSource.query(
      `SELECT payload::text AS payload FROM notifications WHERE template = 'appeal-access-token'`,
    )) as { payload: string }[];
    expect(outbox.map((row) => row.payload).join('\n')).not.toContain(fresh);
  });

  it('refuses a body without both fields, as every API body is checked', async () => {
    const missing = await resend({ reference: 'AP-AAAAAAAAAA' }).expect(400);
    expect(missing.body.code).toBe('VALIDATION_FAILED');
    expect(new Set(missing.body.errors.map((error: { field: string }) => error.field))).toEqual(new Set(['email']));
  });

  it('limits resends like contact codes: 5 an hour per email and 20 per IP, matched or not', async () => {
    const filed = await file();
    for (let n = 1; n <= 5; n += 1) await resend({ reference: 'AP-AAAAAAAAAA', email: filed.contactEmail }).expect(202);
    const limited = await resend({ reference: filed.reference, email: filed.contactEmail }).expect(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Refused before any lookup: the token still works and nothing was sent.
    await status(filed.reference, filed.accessToken).expect(200);
    expect(await queued(filed.contactEmail)).toBe(0);

    const ip = uniqueIp();
    for (let n = 1; n <= 20; n += 1) await resend({ reference: 'AP-AAAAAAAAAA', email: uniqueEmail('nobody') }, ip).expect(202);
    await resend({ reference: 'AP-AAAAAAAAAA', email: uniqueEmail('nobody') }, ip).expect(429);
  });

  it('is offered on the status page as "Lost your access token?", with the same answer either way', async () => {
    const filed = await file();
    const browser = supertest.agent(t.app.getHttpServer());
    const ip = uniqueIp();
    const form = await browser.get('/appeal/status').set('X-Forwarded-For', ip).expect(200);
    expect(form.text).toContain('Lost your access token?');
    const post = (fields: Record<string, string>) =>
      browser.post('/appeal/status/access-token').type('form').set('Accept', 'text/html').set('X-Forwarded-For', ip).send(fields);

    await post({ reference: filed.reference, email: filed.contactEmail }).expect(403);
    const empty = await post({ _csrf: csrfOf(form.text), reference: '', email: '' }).expect(400);
    expect(empty.text).toContain('<p class="field-error" id="resend-reference-error">Enter the reference of your appeal.</p>');

    await post({ _csrf: csrfOf(form.text), reference: filed.reference, email: uniqueEmail('stranger') })
      .expect(303)
      .expect('Location', '/appeal/status');
    const afterMiss = await browser.get('/appeal/status').set('X-Forwarded-For', ip).expect(200);
    await post({ _csrf: csrfOf(afterMiss.text), reference: filed.reference, email: filed.contactEmail })
      .expect(303)
      .expect('Location', '/appeal/status');
    const afterHit = await browser.get('/appeal/status').set('X-Forwarded-For', ip).expect(200);
    const flash = (html: string) => /<div class="alert alert-info" role="status">([^<]*)<\/div>/.exec(html)?.[1];
    expect(flash(afterMiss.text)).toMatch(/^If the reference and the email match an appeal/);
    expect(flash(afterHit.text)).toBe(flash(afterMiss.text));
    const fresh = tokenIn((await smtp.latest(filed.contactEmail, 'appeal-access-token')).text);
    await status(filed.reference, fresh).expect(200);
  });

  it('asks again for the token when the one a browser holds was replaced', async () => {
    const filed = await file();
    const browser = await openAppealStatus(t, filed);
    await expect(browser.get('/appeal/status').expect(200)).resolves.toMatchObject({
      text: expect.stringContaining('data-status="submitted"'),
    });

    await resend({ reference: filed.reference, email: filed.contactEmail }).expect(202);
    const again = await browser.get('/appeal/status').expect(200);
    expect(again.text).toContain('<h1>Follow your appeal</h1>');
    expect(again.text).toContain('This browser held an access token that no longer opens the appeal. Enter the newest one.');
    expect(String(again.headers['set-cookie'])).toMatch(/ac_appeal=;/);
  });
});
