import supertest from 'supertest';
import { AuditService } from '../../src/modules/audit/audit.service';
import { api, bearer, createAccount, createRamUser, KNOWN_DEVICE_ID, signIn, trustDevice, uniqueIp } from '../support/factories';
import { csrfOf } from '../support/html';
import { createTestApp, TestApp } from '../support/test-app';

const setCookies = (response: supertest.Response): string[] => ([] as string[]).concat(response.headers['set-cookie'] ?? []);

/**
 * The JSON API took the pages' session cookie and form bodies without a CSRF check, so another
 * site could act as a signed-in browser, and sign a browser in as the attacker (login CSRF) with
 * a form posted to /api/v1/sessions. `/api/**` now reads and sets no cookie and takes JSON bodies
 * only (415 UNSUPPORTED_MEDIA_TYPE otherwise, the attachment upload excepted; no body, no
 * Content-Type needed), while the pages keep their CSRF tokens. And keys that every object
 * answers to (`__proto__`, `constructor`, `prototype`, `toString`) were accepted silently: they
 * answer 400 VALIDATION_FAILED, as unknown properties do.
 */
describe('The JSON API: cookie-free, JSON-only, no prototype keys', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ workers: false, env: { TRUST_PROXY: 'loopback' } });
  });
  afterAll(() => t.close());

  const signInRequest = (ip = uniqueIp()) => api(t).post('/api/v1/sessions').set('X-Forwarded-For', ip).set('X-Device-Id', KNOWN_DEVICE_ID);

  it('refuses a form posted to /api/v1/sessions from another site (login CSRF): 415, no cookie, no session', async () => {
    const attacker = await createAccount(t);
    const ip = uniqueIp();
    await trustDevice(t, attacker.uid, KNOWN_DEVICE_ID, ip);
    const before = (await t.get(AuditService).list({ subject: { type: 'account', id: attacker.uid } })).events.length;
    for (const [type, body] of [
      [
        'application/x-www-form-urlencoded',
        `login=${encodeURIComponent(attacker.logonEmail)}&password=${encodeURIComponent(attacker.password)}`,
      ],
      ['text/plain', JSON.stringify({ login: attacker.logonEmail, password: attacker.password })],
      ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="login"\r\n\r\n${attacker.logonEmail}\r\n--x--\r\n`],
      ['application/xml', '<login/>'],
    ]) {
      const answer = await signInRequest(ip).set('Content-Type', type).set('Origin', 'https://evil.example').send(body).expect(415);
      expect(answer.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', status: 415 });
      expect(answer.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(setCookies(answer)).toEqual([]);
    }
    const after = (await t.get(AuditService).list({ subject: { type: 'account', id: attacker.uid } })).events.length;
    expect(after).toBe(before);
    // The same sign-in as JSON works, and still sets no cookie.
    const json = await signInRequest(ip).send({ login: attacker.logonEmail, password: attacker.password }).expect(201);
    expect(setCookies(json)).toEqual([]);
  });

  it('reads no cookie: a session cookie or a device cookie opens nothing under /api', async () => {
    const account = await createAccount(t);
    const token = await signIn(t, account.logonEmail, account.password);
    await api(t).get('/api/v1/account').set(bearer(token)).expect(200);
    const byCookie = await api(t).get('/api/v1/account').set('Cookie', `ac_session=${token}`).expect(401);
    expect(byCookie.body).toMatchObject({ code: 'UNAUTHENTICATED' });
    // Nothing under /api sets or clears a cookie, signing out included.
    const signOut = await api(t).delete('/api/v1/sessions/current').set(bearer(token)).set('Cookie', `ac_session=${token}`).expect(204);
    expect(setCookies(signOut)).toEqual([]);
    const failed = await signInRequest()
      .set('Cookie', 'ac_device=cookie-device-0123456789')
      .send({ login: account.logonEmail, password: 'wrong password entirely' })
      .expect(401);
    expect(setCookies(failed)).toEqual([]);
  });

  it('needs no Content-Type for a request without a body', async () => {
    const account = await createAccount(t);
    const token = await signIn(t, account.logonEmail, account.password);
    const empty = await api(t).post('/api/v1/sessions').set('X-Forwarded-For', uniqueIp()).set('Content-Length', '0').expect(400);
    expect(empty.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    await api(t).get('/api/v1/sessions').set(bearer(token)).expect(200);
    await api(t).delete('/api/v1/sessions/current').set(bearer(token)).expect(204);
  });

  it('takes multipart only at the attachment upload, and JSON nowhere there', async () => {
    const json = await api(t).post('/api/v1/appeals/AP-NOTHING/attachments').send({ file: 'x' }).expect(415);
    expect(json.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    const multipart = await api(t).post('/api/v1/appeals/AP-NOTHING/attachments').attach('file', Buffer.from('x'), 'a.png');
    expect(multipart.status).not.toBe(415);
    await api(t).post('/api/v1/appeals/AP-NOTHING/messages').attach('file', Buffer.from('x'), 'a.png').expect(415);
  });

  it('keeps the CSRF token of the pages: a form without it is refused, one with it signs in', async () => {
    const account = await createAccount(t);
    const ram = await createRamUser(t, account.uid);
    const browser = supertest.agent(t.app.getHttpServer()).set('Accept', 'text/html');
    const form = await browser.get('/login').expect(200);
    await browser.post('/login').type('form').send({ login: ram.login, password: ram.password }).expect(403);
    const signedIn = await browser
      .post('/login')
      .type('form')
      .send({ _csrf: csrfOf(form.text), login: ram.login, password: ram.password })
      .expect(303);
    expect(setCookies(signedIn).some((cookie) => cookie.startsWith('ac_session='))).toBe(true);
  });

  it.each(['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'])(
    'answers a %s key, at the top or nested, with 400 VALIDATION_FAILED',
    async (key) => {
      const top = `{"login":"someone@example.com","password":"a long enough password","${key}":{"polluted":true}}`;
      const answer = await signInRequest().set('Content-Type', 'application/json').send(top).expect(400);
      expect(answer.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: expect.arrayContaining([{ field: key, message: expect.any(String) }]),
      });
      const nested = `{"fullName":"Ada","${key}":"x"}`;
      const filing = await api(t)
        .post('/api/v1/appeals')
        .set('X-Forwarded-For', uniqueIp())
        .set('Content-Type', 'application/json')
        .send(`{"evidence":${nested}}`)
        .expect(400);
      expect(filing.body.errors).toEqual(expect.arrayContaining([{ field: `evidence.${key}`, message: expect.any(String) }]));
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );
});
