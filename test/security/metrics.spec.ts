import { loadConfig } from '../../src/config/app-config';
import { ConfigError } from '../../src/config/config-error';
import { api, createAccount, METRICS_AUTH, METRICS_TOKEN, uniqueEmail, uniqueIp } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

/**
 * `/metrics` told whether an account exists: `notifications_sent_total{template="password-recovery-code"}`
 * moved for known logins only. It is served on the one HTTP port only with `Authorization: Bearer
 * $METRICS_TOKEN` (401 without or with a wrong token), and not at all (404) when METRICS_TOKEN is unset.
 */
describe('/metrics behind METRICS_TOKEN', () => {
  let off: TestApp;
  let on: TestApp;

  beforeAll(async () => {
    off = await createTestApp({ workers: false });
    on = await createTestApp({ env: { METRICS_TOKEN } });
  });
  afterAll(async () => {
    await on.close();
    await off.close();
  });

  it('answers 404 NOT_FOUND when METRICS_TOKEN is unset, with or without a token', async () => {
    const bare = await api(off).get('/metrics').expect(404);
    expect(bare.body).toMatchObject({ code: 'NOT_FOUND' });
    await api(off).get('/metrics').set(METRICS_AUTH).expect(404);
    expect(JSON.stringify(bare.body)).not.toMatch(/notifications_sent_total|http_request_duration/);
  });

  it('answers 401 UNAUTHENTICATED without the bearer token or with a wrong one, and never shows a counter', async () => {
    const account = await createAccount(on);
    await api(on)
      .post('/api/v1/password-recoveries')
      .set('X-Forwarded-For', uniqueIp())
      .send({ login: account.logonEmail, method: 'email' })
      .expect(202);
    await api(on)
      .post('/api/v1/password-recoveries')
      .set('X-Forwarded-For', uniqueIp())
      .send({ login: uniqueEmail('nobody'), method: 'email' })
      .expect(202);
    for (const headers of [
      {},
      { Authorization: 'Bearer wrong-token-0123456789abcdefgh' },
      { Authorization: `Bearer ${METRICS_TOKEN}x` },
      { Authorization: METRICS_TOKEN },
      { Cookie: `metrics=${METRICS_TOKEN}` },
    ]) {
      const answer = await api(on).get('/metrics').set(headers).expect(401);
      expect(answer.body).toMatchObject({ code: 'UNAUTHENTICATED' });
      expect(answer.text).not.toMatch(/notifications_sent_total|http_request_duration/);
    }
  });

  it('serves the Prometheus text with the token', async () => {
    const text = await waitFor(async () => {
      const answer = await api(on)
        .get('/metrics')
        .set(METRICS_AUTH)
        .expect(200)
        .expect('Content-Type', /text\/plain/);
      return /^notifications_sent_total\{/m.test(answer.text) ? answer.text : undefined;
    });
    expect(text).toMatch(/^# TYPE http_request_duration_seconds histogram$/m);
  });

  it('refuses to start with a METRICS_TOKEN shorter than 24 characters', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'short-token', APP_SECRET: '5e'.repeat(32) })).toThrow(ConfigError);
    expect(() => loadConfig({ METRICS_TOKEN: 'short-token', APP_SECRET: '5e'.repeat(32) })).toThrow(/METRICS_TOKEN/);
  });
});
