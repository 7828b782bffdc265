import supertest from 'supertest';
import { createAgent, signInAgent } from '../support/agents';
import { api, bearer, createAccount, signIn, uniqueEmail, uniqueIp } from '../support/factories';
import { Inbox } from '../support/inbox';
import { createTestApp, TestApp } from '../support/test-app';
import { totpCode, verificationToken } from '../support/verification';

/** Every GET route the app registers under `prefix`, as Express sees them, with `:params` filled in. */
function getRoutes(t: TestApp, prefix: string): string[] {
  const express = t.app.getHttpAdapter().getInstance() as {
    router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  };
  return express.router.stack
    .flatMap((layer) => (layer.route?.methods.get && layer.route.path.startsWith(prefix) ? [layer.route.path] : []))
    .map((path) => path.replace(/:\w+/g, 'AP-00000000'))
    .sort();
}

const noStore = (response: supertest.Response, what: string) =>
  expect([what, response.headers['cache-control']]).toEqual([what, 'no-store']);

/**
 * quality.md: every signed-in page and every answer that carries a token, code, secret or
 * recovery code sends `Cache-Control: no-store`. /security/totp (the TOTP secret), the recovery
 * codes and the API's session tokens could sit in a browser's or a proxy's cache.
 */
describe('Cache-Control: no-store on signed-in pages and secret-bearing answers', () => {
  let inbox: Inbox;
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ inbox: true, env: { TRUST_PROXY: 'loopback' } });
    ({ inbox } = t);
  });
  afterAll(() => t.close());

  it('on every signed-in page of the Account Center (read from the router)', async () => {
    const account = await createAccount(t);
    const token = await signIn(t, account.logonEmail, account.password);
    const pages = getRoutes(t, '/security');
    expect(pages).toEqual(expect.arrayContaining(['/security', '/security/totp', '/security/sessions']));
    for (const path of pages) noStore(await api(t).get(path).set('Accept', 'text/html').set('Cookie', `ac_session=${token}`), path);
  });

  it('on every page of the back-office (read from the router), signed in as an admin', async () => {
    const admin = await createAgent(t, { role: 'admin' });
    const client = await signInAgent(t, admin);
    // The live event stream never ends: agent-events.spec reads its headers as it opens.
    const pages = getRoutes(t, '/agent').filter((path) => path !== '/agent/events');
    expect(pages.length).toBeGreaterThan(5);
    for (const path of pages) noStore(await client.get(path).set('Accept', 'text/html'), path);
  });

  it('on the API answers that carry a session token, a verification token, a TOTP secret or recovery codes', async () => {
    const account = await createAccount(t);
    const ip = uniqueIp();
    const signedIn = await api(t)
      .post('/api/v1/sessions')
      .set('X-Forwarded-For', ip)
      .set('X-Device-Id', 'caching-device-0123456789')
      .send({ login: account.logonEmail, password: account.password });
    noStore(signedIn, 'sign-in');
    const token = await signIn(t, account.logonEmail, account.password);
    const verification = await verificationToken(t, inbox, token, 'enable_totp', account.logonEmail);
    const enrolled = await api(t).post('/api/v1/account/totp').set(bearer(token)).send({ verificationToken: verification }).expect(200);
    noStore(enrolled, 'TOTP enrolment (secret)');
    const activated = await api(t)
      .post('/api/v1/account/totp/activate')
      .set(bearer(token))
      .send({ code: await totpCode(t, enrolled.body.secret as string) })
      .expect(200);
    expect(activated.body.recoveryCodes).toHaveLength(10);
    noStore(activated, 'TOTP activation (recovery codes)');
    noStore(await api(t).get('/api/v1/account').set(bearer(token)).expect(200), 'account');
    noStore(
      await api(t)
        .post('/api/v1/password-recoveries')
        .set('X-Forwarded-For', uniqueIp())
        .send({ login: uniqueEmail(), method: 'email' })
        .expect(202),
      'recovery',
    );
    noStore(await api(t).get('/api/v1/account').expect(401), 'a problem document');
  });

  it('leaves the static files cacheable', async () => {
    const css = await api(t).get('/static/css/app.css').expect(200);
    expect(css.headers['cache-control']).not.toBe('no-store');
  });
});
