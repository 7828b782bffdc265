import supertest from 'supertest';
import { createAgent, signInAgent } from '../support/agents';
import { api, bearer, createAccount, createRamUser, KNOWN_DEVICE_ID, signIn, trustDevice, uniqueIp } from '../support/factories';
import { csrfOf } from '../support/html';
import { Inbox } from '../support/inbox';
import { createTestApp, TestApp } from '../support/test-app';
import { verificationToken } from '../support/verification';

/** The `Set-Cookie` lines of a response. */
const setCookies = (response: supertest.Response): string[] => ([] as string[]).concat(response.headers['set-cookie'] ?? []);
/** The value `name` is set to by a response. */
function cookieValue(response: supertest.Response, name: string): string {
  const line = setCookies(response).find((cookie) => cookie.startsWith(`${name}=`));
  if (!line) throw new Error(`no ${name} cookie in ${JSON.stringify(setCookies(response))}`);
  return line.slice(name.length + 1).split(';')[0];
}
/** The `name=value` pairs a browser would send back after `responses`. */
const cookieHeader = (...responses: supertest.Response[]) =>
  responses
    .flatMap(setCookies)
    .map((cookie) => cookie.split(';')[0])
    .join('; ');

/**
 * docs/security.md: a new token at every sign-in; every session token invalid after a password change;
 * cookies HttpOnly, SameSite, and Secure when PUBLIC_BASE_URL is https.
 */
describe('Session security', () => {
  let inbox: Inbox;
  let t: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ inbox: true, env: { TRUST_PROXY: 'loopback' } });
    ({ inbox } = t);
    second = await createTestApp({ sharing: t, workers: false });
  });

  afterAll(async () => {
    await second.close();
    await t.close();
  });

  /** Whether `token` still opens the account, in either process, by bearer (API) and by cookie (pages; a sign-in page instead answers as 401). */
  const accepted = async (token: string) => {
    const answers = await Promise.all(
      [t, second].flatMap((app) => [
        api(app).get('/api/v1/account').set(bearer(token)),
        api(app).get('/security').set('Accept', 'text/html').set('Cookie', `ac_session=${token}`),
      ]),
    );
    return answers.map((answer) => (answer.status === 200 || answer.status === 401 ? answer.status : 401));
  };
  const agentPage = (app: TestApp, token: string) => supertest(app.app.getHttpServer()).get('/agent').set('Cookie', `ac_agent=${token}`);

  it('issues a new token at every sign-in, whatever session the client already carries', async () => {
    const account = await createAccount(t);
    const tokens = [];
    for (let n = 0; n < 5; n += 1) tokens.push(await signIn(t, account.logonEmail, account.password));
    // Signing in over a session cookie (one planted by someone else, say) never reuses it; the API sets no cookie.
    const ip = uniqueIp();
    const planted = await api(t)
      .post('/api/v1/sessions')
      .set('X-Forwarded-For', ip)
      .set('X-Device-Id', KNOWN_DEVICE_ID)
      .set('Cookie', `ac_session=${tokens[0]}`)
      .send({ login: account.logonEmail, password: account.password })
      .expect(201);
    expect(setCookies(planted)).toEqual([]);
    tokens.push(planted.body.token);
    expect(new Set(tokens).size).toBe(tokens.length);

    const agent = await createAgent(t);
    const agentTokens: string[] = [];
    for (let n = 0; n < 3; n += 1) {
      const client = supertest.agent(t.app.getHttpServer());
      const form = await client.get('/agent/login').expect(200);
      if (agentTokens.length) client.jar.setCookie(`ac_agent=${agentTokens[0]}; Path=/agent`);
      const response = await client
        .post('/agent/login')
        .type('form')
        .send({ _csrf: csrfOf(form.text), email: agent.email, password: agent.password })
        .expect(303);
      agentTokens.push(cookieValue(response, 'ac_agent'));
    }
    expect(new Set(agentTokens).size).toBe(3);
  });

  it('ends every session of the account at a password change, in every process, by bearer and by cookie', async () => {
    const account = await createAccount(t);
    const sessions = [];
    for (const device of ['device-one-0123456789', 'device-two-0123456789', 'device-three-012345678'])
      sessions.push(await signIn(t, account.logonEmail, account.password, { deviceId: device }));
    for (const token of sessions) await expect(accepted(token)).resolves.toEqual([200, 200, 200, 200]);

    const verification = await verificationToken(t, inbox, sessions[0], 'change_password', account.logonEmail);
    await api(second)
      .post('/api/v1/account/password')
      .set(bearer(sessions[0]))
      .send({ verificationToken: verification, newPassword: 'a fresh and long passphrase 7' })
      .expect(200);
    for (const token of sessions) await expect(accepted(token)).resolves.toEqual([401, 401, 401, 401]);
  });

  it('ends every back-office session of an agent at a password change; the browser that changed it goes on with a new one', async () => {
    const agent = await createAgent(t);
    const browsers = [await signInAgent(t, agent), await signInAgent(t, agent), await signInAgent(t, agent)];
    const tokenOf = async (client: supertest.Agent) => {
      const me = await client.get('/agent/me').expect(200);
      return {
        csrf: csrfOf(me.text),
        token: client.jar.getCookie('ac_agent', { domain: '127.0.0.1', path: '/agent', secure: false, script: false })?.value,
      };
    };
    const before = await Promise.all(browsers.map(tokenOf));
    for (const { token } of before) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const changed = await browsers[0]
      .post('/agent/me')
      .type('form')
      .send({
        _csrf: before[0].csrf,
        action: 'change-password',
        currentPassword: agent.password,
        newPassword: 'amber comet under seven bridges',
      })
      .expect(303);
    for (const { token } of before) {
      for (const app of [t, second]) await agentPage(app, token!).expect(303).expect('Location', '/agent/login');
    }
    const renewed = cookieValue(changed, 'ac_agent');
    expect(before.map(({ token }) => token)).not.toContain(renewed);
    await agentPage(second, renewed).expect(200);
    await browsers[0].get('/agent/me').expect(200);
  });

  describe('cookies', () => {
    let https: TestApp;

    beforeAll(async () => {
      https = await createTestApp({ workers: false, env: { PUBLIC_BASE_URL: 'https://accounts.example.test', TRUST_PROXY: 'loopback' } });
    });

    afterAll(async () => {
      await https.close();
    });

    /** Every cookie the API sign-in, the back-office sign-in form, its answer and a flash message set. */
    async function cookiesOf(app: TestApp): Promise<string[]> {
      const account = await createAccount(app);
      const agent = await createAgent(app);
      const ip = uniqueIp();
      await trustDevice(app, account.uid, KNOWN_DEVICE_ID, ip);
      const ram = await createRamUser(app, account.uid);
      const signInForm = await api(app).get('/login').set('Accept', 'text/html').expect(200);
      const sessionSet = await api(app)
        .post('/login')
        .set('X-Forwarded-For', ip)
        .set('Cookie', cookieHeader(signInForm))
        .type('form')
        .send({ _csrf: csrfOf(signInForm.text), login: ram.login, password: ram.password })
        .expect(303);
      // A browser over https would send back Secure cookies; supertest's jar would not, so they are sent by hand.
      const form = await api(app).get('/agent/login').expect(200);
      const login = await api(app)
        .post('/agent/login')
        .set('Cookie', cookieHeader(form))
        .type('form')
        .send({ _csrf: csrfOf(form.text), email: agent.email, password: agent.password })
        .expect(303);
      const page = await api(app).get('/agent/me').set('Cookie', cookieHeader(login)).expect(200);
      const logout = await api(app)
        .post('/agent/logout')
        .set('Cookie', cookieHeader(login, page))
        .type('form')
        .send({ _csrf: csrfOf(page.text) })
        .expect(303);
      const cookies = [signInForm, sessionSet, form, login, page, logout].flatMap(setCookies);
      const names = new Set(cookies.map((cookie) => cookie.split('=')[0]));
      expect([...names].sort()).toEqual(expect.arrayContaining(['ac_session', 'ac_presession', 'ac_agent', 'ac_flash']));
      expect([...names].some((name) => name.endsWith('ac_csrf'))).toBe(true);
      return cookies;
    }

    it('are HttpOnly and SameSite always, and Secure when PUBLIC_BASE_URL is https', async () => {
      for (const cookie of await cookiesOf(https)) {
        expect(cookie).toMatch(/; HttpOnly/);
        expect(cookie).toMatch(/; SameSite=(Strict|Lax)/);
        expect(cookie).toMatch(/; Secure/);
      }
      const csrf = (await api(https).get('/agent/login').expect(200)).headers['set-cookie'];
      expect(String(csrf)).toMatch(/__Host-ac_csrf=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Strict/);

      for (const cookie of await cookiesOf(t)) {
        expect(cookie).toMatch(/; HttpOnly/);
        expect(cookie).toMatch(/; SameSite=(Strict|Lax)/);
        expect(cookie).not.toMatch(/; Secure/);
      }
    });
  });
});
