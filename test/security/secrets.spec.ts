import Redis from 'ioredis';
import supertest from 'supertest';
import { generate } from 'otplib';
import { createAgent, signInAgent } from '../support/agents';
import { appealBody } from '../support/appeals';
import { ADMIN_TOKEN, api, bearer, trustDevice, uniqueEmail, uniqueIp, uniquePhone } from '../support/factories';
import { csrfOf } from '../support/html';
import { Inbox } from '../support/inbox';
import { LogCapture } from '../support/log-capture';
import { createTestApp, TestApp } from '../support/test-app';
import { totpCode } from '../support/verification';
import { waitFor } from '../support/wait-for';

/**
 * docs/security.md: no verification code, password, token or TOTP secret appears in logs, job payloads
 * at rest or error bodies. Flows that handle each kind run against an app logging everything
 * (trace) into memory; then the log, every Redis key and value of the app, the outbox rows and
 * every error body are searched for the exact values.
 */
describe('Secrets stay out of logs, job data and error bodies', () => {
  let inbox: Inbox;
  let log: LogCapture;
  let t: TestApp;
  /** Every secret value the flows handled, named for the failure message. */
  const secrets = new Map<string, string>();
  /** Every 4xx/5xx body the flows received. */
  const errorBodies: string[] = [];

  const keep = (name: string, value: string) => {
    expect(value.length).toBeGreaterThanOrEqual(6);
    secrets.set(name, value);
    return value;
  };
  /** Keeps the body of an error answer, and returns the response. */
  const seen = (response: supertest.Response) => {
    if (response.status >= 400) errorBodies.push(response.text);
    return response;
  };

  beforeAll(async () => {
    log = new LogCapture();
    t = await createTestApp({ log, inbox: true, env: { ADMIN_API_TOKEN: ADMIN_TOKEN, TRUST_PROXY: 'loopback' } });
    ({ inbox } = t);
  });

  afterAll(() => t.close());

  it('handles passwords, codes, tokens and TOTP secrets without writing them anywhere', async () => {
    const ip = uniqueIp();
    const deviceId = 'secrets-device-0123456789';
    const logonEmail = uniqueEmail('secrets');
    const securePhone = uniquePhone();
    // The first attempt of each channel fails, so failed deliveries (their errors, logs and retried jobs) are searched too.
    inbox.smtp.respondWith((attempt) => (attempt === 1 ? { code: 451, message: 'Try again later' } : undefined));
    inbox.sms.respondWith((attempt) => (attempt === 1 ? 500 : 200));
    const password = keep('initial password', 'plum orchard whistles softly 4821');

    // Provisioning through the admin API: the password travels in a logged request.
    const created = await api(t)
      .post('/api/admin/accounts')
      .set(bearer(ADMIN_TOKEN))
      .send({ logonEmail, password, securePhone })
      .expect(201);
    const uid = created.body.uid as string;

    // Sign-in: a wrong password, a second factor by SMS from a new device, then a session.
    seen(
      await api(t)
        .post('/api/v1/sessions')
        .set('X-Forwarded-For', ip)
        .send({ login: logonEmail, password: keep('wrong password', 'not the password at all 77') })
        .expect(401),
    );
    const { result: challenged, code: signInCode } = await inbox.codeAfter(securePhone, 'sign-in-code', () =>
      api(t)
        .post('/api/v1/sessions')
        .set('X-Forwarded-For', ip)
        .set('X-Device-Id', deviceId)
        .send({ login: logonEmail, password })
        .expect(202),
    );
    keep('sign-in code', signInCode);
    seen(
      await api(t)
        .post('/api/v1/sessions/secondary')
        .set('X-Forwarded-For', ip)
        .set('X-Device-Id', deviceId)
        .send({ challengeId: challenged.body.challengeId, code: wrongCode(signInCode) })
        .expect(400),
    );
    const signedIn = await api(t)
      .post('/api/v1/sessions/secondary')
      .set('X-Forwarded-For', ip)
      .set('X-Device-Id', deviceId)
      .send({ challengeId: challenged.body.challengeId, code: signInCode })
      .expect(201);
    const session = keep('session token', signedIn.body.token as string);

    // Identity verification by email code: a wrong code, then the right one for a token.
    const verify = async (purpose: string) => {
      const { result, code } = await inbox.codeAfter(logonEmail, 'verification-code', () =>
        api(t).post('/api/v1/verifications').set(bearer(session)).send({ purpose, method: 'email' }).expect(201),
      );
      keep(`${purpose} code`, code);
      seen(
        await api(t)
          .post(`/api/v1/verifications/${result.body.id}/verify`)
          .set(bearer(session))
          .send({ code: wrongCode(code) })
          .expect(400),
      );
      const verified = await api(t).post(`/api/v1/verifications/${result.body.id}/verify`).set(bearer(session)).send({ code }).expect(200);
      return keep(`${purpose} verification token`, verified.body.verificationToken as string);
    };

    // TOTP enrolment: the secret, a wrong code, the activation code and the recovery codes.
    const enrolled = await api(t)
      .post('/api/v1/account/totp')
      .set(bearer(session))
      .send({ verificationToken: await verify('enable_totp') })
      .expect(200);
    const totpSecret = keep('TOTP secret', enrolled.body.secret as string);
    seen(
      await api(t)
        .post('/api/v1/account/totp/activate')
        .set(bearer(session))
        .send({ code: await totpCode(t, totpSecret, 5) })
        .expect(400),
    );
    const activated = await api(t)
      .post('/api/v1/account/totp/activate')
      .set(bearer(session))
      .send({ code: await totpCode(t, totpSecret) })
      .expect(200);
    for (const [index, code] of (activated.body.recoveryCodes as string[]).entries()) keep(`recovery code ${index + 1}`, code);

    // Password change: a new password the policy refuses (its error body), then one it takes.
    const passwordToken = await verify('change_password');
    const refused = seen(
      await api(t)
        .post('/api/v1/account/password')
        .set(bearer(session))
        .send({ verificationToken: passwordToken, newPassword: keep('refused password', `${logonEmail.split('@')[0]}x`) })
        .expect(422),
    );
    expect(refused.body.code).toBe('PASSWORD_POLICY');
    const newPassword = keep('new password', 'quartz lantern meadow drifting 9304');
    await api(t).post('/api/v1/account/password').set(bearer(session)).send({ verificationToken: passwordToken, newPassword }).expect(200);
    seen(await api(t).get('/api/v1/account').set(bearer(session)).expect(401));
    const revert = /\/secure\/revert\/([A-Za-z0-9_-]{43})/.exec((await inbox.latest(logonEmail, 'password-changed')).text)![1];
    keep('revert link token', revert);
    await trustDevice(t, uid, deviceId, ip);
    keep(
      'second session token',
      (
        await api(t)
          .post('/api/v1/sessions')
          .set('X-Forwarded-For', ip)
          .set('X-Device-Id', deviceId)
          .send({ login: logonEmail, password: newPassword })
          .expect(201)
      ).body.token,
    );

    // An appeal: the contact code and the access token.
    const contactEmail = uniqueEmail('contact');
    const body = await appealBody(t, inbox.smtp, { contactEmail, ip: uniqueIp(), account: { uid } });
    keep('contact code', (body.contactVerification as { code: string }).code);
    const filed = await api(t).post('/api/v1/appeals').set('X-Forwarded-For', uniqueIp()).send(body).expect(201);
    keep('appeal access token', filed.body.accessToken as string);
    seen(
      await api(t)
        .get(`/api/v1/appeals/${filed.body.reference}`)
        .set(bearer(`${filed.body.accessToken}x`))
        .expect(404),
    );

    // The back-office: an agent's password, session cookie and TOTP secret.
    const agent = await createAgent(t, { password: keep('agent password', 'silver heron crossing dawn 5521') });
    const client = await signInAgent(t, agent);
    const me = await client.get('/agent/me').expect(200);
    const agentSecret = keep('agent TOTP secret', /<code class="secret">([A-Z2-7]+)<\/code>/.exec(me.text)![1]);
    const enrolment = /name="enrolment" value="([^"]+)"/.exec(me.text)![1];
    await client
      .post('/agent/me')
      .type('form')
      .send({ _csrf: csrfOf(me.text), action: 'enable-totp', enrolment, code: await generate({ secret: agentSecret }) })
      .expect(303);
    const wrongSignIn = supertest.agent(t.app.getHttpServer());
    const form = await wrongSignIn.get('/agent/login').expect(200);
    seen(
      await wrongSignIn
        .post('/agent/login')
        .type('form')
        .send({ _csrf: csrfOf(form.text), email: agent.email, password: keep('wrong agent password', 'not the agent password 12') })
        .expect(401),
    );

    // The revert link last: it freezes the account. Its token sits in the URL, which is logged redacted.
    await api(t).post(`/api/v1/security-reverts/${revert}`).expect(200);
    seen(await api(t).post(`/api/v1/security-reverts/${revert}`).expect(404));

    // Every message sent (codes wiped from the outbox once sent) before anything is searched.
    await waitFor(
      async () => {
        const [{ pending }] = await t.dataSource.query(
          `SELECT count(*)::int AS pending FROM notifications WHERE status NOT IN ('sent', 'dead')`,
        );
        return pending === 0;
      },
      { timeoutMs: 20_000, description: 'every notification sent' },
    );

    expect(secrets.size).toBeGreaterThan(20);
    const places: Record<string, string> = {
      log: log.text,
      redis: await redisContents(t),
      notifications: JSON.stringify(await t.dataSource.query('SELECT payload, last_error FROM notifications')),
      'error bodies': errorBodies.join('\n'),
    };
    // Each place holds what it should, so a search that finds nothing means something.
    expect(places.log).toContain('/api/v1/account/password');
    expect(places.log).toContain('/api/v1/verifications/');
    expect(places.log).toContain('/api/v1/security-reverts/[redacted]');
    expect(places.redis).toContain('deliver-notification');
    expect(places.notifications).toContain(uid);
    expect(errorBodies.length).toBeGreaterThanOrEqual(8);
    expect(inbox.smtp.attempts).toBeGreaterThan(inbox.smtp.messages.length);
    expect(places.log).toMatch(/451 Try again later/);

    const found = [...Object.entries(places)].flatMap(([place, text]) =>
      [...secrets].filter(([, value]) => contains(text, value)).map(([name]) => `${name} in ${place}`),
    );
    expect(found).toEqual([]);
  }, 90_000);
});

/** A 6-digit code other than `code`. */
function wrongCode(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

/** `value` in `text`; a number only as a whole (a code is not the middle of a timestamp). */
function contains(text: string, value: string): boolean {
  if (!/^\d+$/.test(value)) return text.includes(value);
  return new RegExp(`(?<!\\d)${value}(?!\\d)`).test(text);
}

/** Every key of the app's Redis prefix with its value, whatever its type, as text. */
async function redisContents(t: TestApp): Promise<string> {
  const redis = new Redis(t.config.redis.url, { maxRetriesPerRequest: 1 });
  try {
    const lines: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${t.config.redis.prefix}*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        const value =
          type === 'string'
            ? await redis.get(key)
            : type === 'hash'
              ? await redis.hgetall(key)
              : type === 'list'
                ? await redis.lrange(key, 0, -1)
                : type === 'set'
                  ? await redis.smembers(key)
                  : type === 'zset'
                    ? await redis.zrange(key, 0, -1, 'WITHSCORES')
                    : type === 'stream'
                      ? await redis.xrange(key, '-', '+')
                      : type;
        lines.push(`${key} ${JSON.stringify(value)}`);
      }
    } while (cursor !== '0');
    return lines.join('\n');
  } finally {
    redis.disconnect();
  }
}
