import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { SessionsService } from '../../src/modules/accounts/sessions.service';
import { fileAppeal, EVIDENCE } from '../support/appeals';
import { ADMIN_TOKEN, api, bearer, createAccount, signIn, uniqueEmail, uniqueIp } from '../support/factories';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';
import { Answer, problemFault, send } from './support/answers';
import { bodies, pathValue, queries, WireBody } from './support/bad-input';
import { recordDrill } from './support/drill-report';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** How an endpoint is called when its input is right, so fuzzed input reaches its validation. */
interface Endpoint {
  readonly method: Method;
  /** As the OpenAPI document writes it: `{id}` for a path parameter. */
  readonly path: string;
  /** `session`: a root session of an account of the endpoint's own; `fresh`: a new one for every case (the endpoint may revoke it). */
  readonly auth: 'none' | 'session' | 'fresh' | 'admin' | 'appeal';
  /** A valid body, the starting point of the mutations; none: the endpoint takes no body. */
  readonly body?: Parameters<typeof bodies>[0];
  readonly multipart?: boolean;
}

const CASES = Number(process.env.BAD_INPUT_CASES ?? 500);
const SEED = Number(process.env.BAD_INPUT_SEED ?? Date.now() % 2 ** 31);
const PARALLEL = 6;

const token = 'a'.repeat(43);
const password = 'a fresh and long passphrase 7';

/**
 * Every JSON endpoint of docs/api.md (and the attachment upload beside them). The drill fails when the
 * app's OpenAPI document lists one this table lacks; endpoints of docs/api.md the app does not serve yet
 * are fuzzed all the same (their 404 must be a problem document too) and named in the report.
 */
const ENDPOINTS: readonly Endpoint[] = [
  { method: 'POST', path: '/api/v1/sessions', auth: 'none', body: { login: 'owner@example.com', password } },
  { method: 'POST', path: '/api/v1/sessions/secondary', auth: 'none', body: { challengeId: randomUUID(), code: '123456' } },
  { method: 'POST', path: '/api/v1/sessions/secondary/resend', auth: 'none', body: { challengeId: randomUUID() } },
  { method: 'POST', path: '/api/v1/sessions/secondary/method', auth: 'none', body: { challengeId: randomUUID(), method: 'email' } },
  { method: 'POST', path: '/api/v1/sessions/passkey-options', auth: 'none', body: {} },
  {
    method: 'POST',
    path: '/api/v1/sessions/passkey',
    auth: 'none',
    body: {
      challengeId: randomUUID(),
      credential: {
        id: 'AAAA',
        rawId: 'AAAA',
        type: 'public-key',
        response: { clientDataJSON: 'AAAA', authenticatorData: 'AAAA', signature: 'AAAA', userHandle: 'AAAA' },
      },
    },
  },
  { method: 'GET', path: '/api/v1/sessions', auth: 'session' },
  { method: 'DELETE', path: '/api/v1/sessions', auth: 'fresh' },
  { method: 'DELETE', path: '/api/v1/sessions/current', auth: 'fresh' },
  { method: 'DELETE', path: '/api/v1/sessions/{id}', auth: 'fresh' },
  { method: 'GET', path: '/api/v1/devices', auth: 'session' },
  { method: 'DELETE', path: '/api/v1/devices/{id}', auth: 'session' },
  { method: 'GET', path: '/api/v1/account', auth: 'session' },
  { method: 'PATCH', path: '/api/v1/account', auth: 'session', body: { locale: 'zh-CN' } },
  { method: 'POST', path: '/api/v1/verifications', auth: 'session', body: { purpose: 'change_password', method: 'email' } },
  { method: 'POST', path: '/api/v1/verifications/{id}/resend', auth: 'session' },
  { method: 'POST', path: '/api/v1/verifications/{id}/verify', auth: 'session', body: { code: '123456' } },
  { method: 'POST', path: '/api/v1/account/password', auth: 'session', body: { verificationToken: token, newPassword: password } },
  {
    method: 'POST',
    path: '/api/v1/account/email-change',
    auth: 'session',
    body: { verificationToken: token, newEmail: 'new@example.com' },
  },
  { method: 'POST', path: '/api/v1/account/email-change/{changeId}/resend', auth: 'session' },
  { method: 'POST', path: '/api/v1/account/email-change/{changeId}/confirm', auth: 'session', body: { code: '123456' } },
  { method: 'DELETE', path: '/api/v1/account/email-change/{changeId}', auth: 'session' },
  { method: 'POST', path: '/api/v1/account/phone-change', auth: 'session', body: { verificationToken: token, newPhone: '+8613812345678' } },
  { method: 'POST', path: '/api/v1/account/phone-change/{changeId}/resend', auth: 'session' },
  { method: 'POST', path: '/api/v1/account/phone-change/{changeId}/confirm', auth: 'session', body: { code: '123456' } },
  { method: 'DELETE', path: '/api/v1/account/phone-change/{changeId}', auth: 'session' },
  { method: 'POST', path: '/api/v1/account/totp', auth: 'session', body: { verificationToken: token } },
  { method: 'POST', path: '/api/v1/account/totp/activate', auth: 'session', body: { code: '123456' } },
  { method: 'DELETE', path: '/api/v1/account/totp', auth: 'session', body: { verificationToken: token } },
  { method: 'GET', path: '/api/v1/account/passkeys', auth: 'session' },
  { method: 'POST', path: '/api/v1/account/passkeys/registration-options', auth: 'session', body: { verificationToken: token } },
  {
    method: 'POST',
    path: '/api/v1/account/passkeys',
    auth: 'session',
    body: {
      registrationId: randomUUID(),
      name: 'Laptop',
      credential: { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: 'AAAA', attestationObject: 'AAAA' } },
    },
  },
  { method: 'PATCH', path: '/api/v1/account/passkeys/{id}', auth: 'session', body: { name: 'Laptop' } },
  { method: 'DELETE', path: '/api/v1/account/passkeys/{id}', auth: 'session', body: { verificationToken: token } },
  { method: 'GET', path: '/api/v1/account/activity', auth: 'session' },
  { method: 'POST', path: '/api/v1/account/activity/{id}/not-me', auth: 'fresh' },
  { method: 'GET', path: '/api/v1/account/appeals', auth: 'session' },
  { method: 'POST', path: '/api/v1/account/appeals/{reference}/stop', auth: 'session', body: { verificationToken: token } },
  { method: 'POST', path: '/api/v1/security-reverts/{token}', auth: 'none' },
  { method: 'POST', path: '/api/v1/password-recoveries', auth: 'none', body: { login: 'owner@example.com', method: 'email' } },
  { method: 'POST', path: '/api/v1/password-recoveries/{id}/reset', auth: 'none', body: { code: '123456', newPassword: password } },
  { method: 'POST', path: '/api/v1/logon-email-reminders', auth: 'none', body: { securePhone: '+8613812345678' } },
  { method: 'POST', path: '/api/v1/appeals/contact-verifications', auth: 'none', body: { email: 'contact@example.com' } },
  {
    method: 'POST',
    path: '/api/v1/appeals',
    auth: 'none',
    body: {
      contactVerification: { id: randomUUID(), code: '123456' },
      account: { uid: '2081536794412356', logonEmail: 'owner@example.com', securePhone: '+8613812345678' },
      changes: { logonEmail: 'contact@example.com', securePhone: '+8613912345678', resetPassword: true, disableTotp: false },
      evidence: {
        ...EVIDENCE,
        idDocumentType: 'passport',
        idDocumentLast4: '4821',
        lastPaymentAmount: '12.50',
        lastPaymentDate: '2025-01-31',
        resourceIds: ['i-123'],
        usualRegion: 'cn-hangzhou',
      },
      locale: 'en',
    },
  },
  {
    method: 'POST',
    path: '/api/v1/appeals/access-token-resends',
    auth: 'none',
    body: { reference: 'AP-7KQ2M4XZ9B', email: 'contact@example.com' },
  },
  { method: 'GET', path: '/api/v1/appeals/{reference}', auth: 'appeal' },
  { method: 'GET', path: '/api/v1/appeals/{reference}/receipt', auth: 'appeal' },
  { method: 'POST', path: '/api/v1/appeals/{reference}/messages', auth: 'appeal', body: { body: 'Here is more.' } },
  { method: 'POST', path: '/api/v1/appeals/{reference}/cancel', auth: 'appeal' },
  { method: 'POST', path: '/api/v1/appeals/{reference}/attachments', auth: 'appeal', multipart: true },
  { method: 'POST', path: '/api/v1/appeal-objections/{token}', auth: 'none' },
  { method: 'POST', path: '/api/v1/password-resets/{token}', auth: 'none', body: { newPassword: password } },
  {
    method: 'POST',
    path: '/api/admin/accounts',
    auth: 'admin',
    body: { logonEmail: 'owner@example.com', password, securePhone: '+8613812345678', displayName: 'Ada', locale: 'en' },
  },
  { method: 'GET', path: '/api/admin/accounts/{uid}', auth: 'admin' },
  { method: 'GET', path: '/api/admin/audit/checkpoint', auth: 'admin' },
  { method: 'GET', path: '/api/admin/audit/events/{seq}', auth: 'admin' },
  { method: 'GET', path: '/api/admin/audit/consistency', auth: 'admin' },
  { method: 'POST', path: '/api/admin/accounts/{uid}/ram-users', auth: 'admin', body: { loginName: 'deploy', password } },
  {
    method: 'POST',
    path: '/api/admin/sessions',
    auth: 'admin',
    body: { uid: '2081536794412356', principal: { type: 'ram_role', name: 'ops' } },
  },
  {
    method: 'POST',
    path: '/api/admin/agents',
    auth: 'admin',
    body: { email: 'agent@example.com', name: 'Agent', role: 'agent', password },
  },
];

const key = (endpoint: { method: string; path: string }) => `${endpoint.method} ${endpoint.path}`;

interface Case {
  readonly params: Record<string, string>;
  readonly query: string;
  readonly body: WireBody | undefined;
  readonly forgedAuthorization: string | undefined;
  /** Client headers the sign-in and the throttles read; mostly sane. */
  readonly forwardedFor: string | undefined;
  readonly deviceId: string | undefined;
}

/**
 * Drill 8 (docs/reliability.md): bad input. fast-check makes CASES requests for every endpoint (bodies
 * mutated from a valid one, any JSON, malformed and oddly encoded bodies, strange path parameters
 * and query strings) and sends them, with valid credentials, to a listening app: no answer may be
 * a 5xx, every refusal is an `application/problem+json` document with type, title, status and code,
 * and none shows a stack trace or another internal.
 */
describe('Drill 8: bad input', () => {
  let smtp: SmtpSink;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    // Logging at error level: a passing run logs nothing, and a 500 prints its stack beside the drill's failure.
    t = await createTestApp({
      listen: true,
      env: { SMTP_URL: smtp.url, TRUST_PROXY: 'loopback', ADMIN_API_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'error' },
    });
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  /** A root session of `uid` made as sign-in makes one, without the password hash's cost. */
  const newSession = async (uid: string) =>
    (await t.dataSource.transaction((manager) => t.get(SessionsService).create(manager, { type: 'root', uid }))).token;

  /** Credentials and real path values for one endpoint, on data of its own (a revocation or lock in one never reaches another). */
  async function fixtureFor(
    endpoint: Endpoint,
  ): Promise<{ authorization: () => Promise<string | undefined>; real: Record<string, string> }> {
    const real: Record<string, string> = {};
    if (endpoint.auth === 'admin') {
      real.uid = (await createAccount(t)).uid;
      real.seq = '0';
      return { authorization: async () => `Bearer ${ADMIN_TOKEN}`, real };
    }
    if (endpoint.auth === 'appeal') {
      const filed = await fileAppeal(t, smtp, { account: { logonEmail: uniqueEmail('claimed') } });
      real.reference = filed.reference;
      return { authorization: async () => `Bearer ${filed.accessToken}`, real };
    }
    if (endpoint.path === '/api/v1/password-recoveries/{id}/reset') {
      const owner = await createAccount(t);
      real.id = (
        await api(t)
          .post('/api/v1/password-recoveries')
          .set('X-Forwarded-For', uniqueIp())
          .send({ login: owner.logonEmail, method: 'email' })
          .expect(202)
      ).body.recoveryId as string;
    }
    if (endpoint.auth === 'none') return { authorization: async () => undefined, real };
    const account = await createAccount(t);
    const session = await signIn(t, account.logonEmail, account.password);
    if (endpoint.path.startsWith('/api/v1/verifications/')) {
      real.id = (
        await api(t).post('/api/v1/verifications').set(bearer(session)).send({ purpose: 'change_password', method: 'email' }).expect(201)
      ).body.id as string;
    }
    if (endpoint.auth === 'fresh') return { authorization: async () => `Bearer ${await newSession(account.uid)}`, real };
    return { authorization: async () => `Bearer ${session}`, real };
  }

  function casesFor(endpoint: Endpoint, real: Record<string, string>): fc.Arbitrary<Case> {
    const names = [...endpoint.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
    return fc.record({
      params: fc.record(Object.fromEntries(names.map((name) => [name, pathValue(real[name])]))) as fc.Arbitrary<Record<string, string>>,
      query: queries,
      // fetch sends no body with a GET, and nothing here reads one.
      body: endpoint.method === 'GET' ? fc.constant(undefined) : bodies(endpoint.body, { multipart: endpoint.multipart }),
      // One case in ten forges the credentials; the rest carry valid ones, so the input reaches validation.
      forgedAuthorization: fc.oneof(
        { weight: 9, arbitrary: fc.constant(undefined) },
        {
          weight: 1,
          arbitrary: fc.oneof(
            fc.constant('Bearer'),
            fc.constant('Bearer  '),
            fc.string({ maxLength: 60 }).map((text) => `Bearer ${text}`),
            fc.string({ maxLength: 60 }),
          ),
        },
      ),
      forwardedFor: fc.oneof(
        { weight: 9, arbitrary: fc.constant(undefined) },
        {
          weight: 1,
          arbitrary: fc.oneof(
            fc.string({ maxLength: 60 }),
            fc.ipV6(),
            fc.constantFrom('', 'unknown', '1.2.3.4, , ::1', '999.1.1.1', '::ffff:1.2.3.4', 'x'.repeat(2_000)),
          ),
        },
      ),
      deviceId: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.string({ maxLength: 300 }) }),
    });
  }

  /** Why the answer breaks the rules of this drill; undefined when it keeps them. */
  function fault(answer: Answer): string | undefined {
    if (answer.status === 0) return `no answer (${answer.body})`;
    if (answer.status >= 500) return `status ${answer.status}: ${answer.body.slice(0, 300)}`;
    if (answer.status >= 400) return problemFault(answer);
    return undefined;
  }

  it(`answers ${CASES} bad requests to every JSON endpoint with problem documents, never a 5xx`, async () => {
    const served = await t.http.get('/api/docs-json').expect(200);
    const documented = Object.entries(served.body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => ({ method: method.toUpperCase(), path })))
      .filter((endpoint) => endpoint.path.startsWith('/api/'));
    const listed = new Set(ENDPOINTS.map(key));
    const unlisted = documented.map(key).filter((name) => !listed.has(name));
    const notServed = ENDPOINTS.map(key).filter((name) => !documented.some((endpoint) => key(endpoint) === name));

    let sent = 0;
    const faults: string[] = [];
    const byStatus = new Map<number, number>();
    const run = async (endpoint: Endpoint) => {
      const { authorization, real } = await fixtureFor(endpoint);
      const property = fc.asyncProperty(casesFor(endpoint, real), async (input) => {
        const path = endpoint.path.replace(/\{(\w+)\}/g, (_, name: string) => input.params[name]);
        const headers: Record<string, string> = { 'X-Forwarded-For': input.forwardedFor ?? uniqueIp(), Accept: 'application/json' };
        if (input.deviceId !== undefined) headers['X-Device-Id'] = input.deviceId;
        const auth = input.forgedAuthorization ?? (await authorization());
        if (auth) headers.Authorization = auth;
        if (input.body?.contentType) headers['Content-Type'] = input.body.contentType;
        const answer = await send(`${t.baseUrl}${path}${input.query}`, { method: endpoint.method, headers, body: input.body?.payload });
        sent += 1;
        byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
        const why = fault(answer);
        if (why)
          faults.push(
            `${key(endpoint)} ← ${endpoint.method} ${path}${input.query.slice(0, 80)} [${input.body?.shape ?? 'no body'}]: ${why}`,
          );
        // Every case runs and each fault is counted, rather than stopping at the first one.
        return true;
      });
      const result = await fc.check(property, { numRuns: CASES, seed: SEED });
      if (result.failed && result.errorInstance) faults.push(`${key(endpoint)}: ${String(result.errorInstance)}`);
    };

    const queue = [...ENDPOINTS];
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        for (let endpoint = queue.shift(); endpoint; endpoint = queue.shift()) await run(endpoint);
      }),
    );

    const statuses = [...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, count]) => `${status}×${count}`)
      .join(' ');
    recordDrill({
      drill: '8 bad-input',
      caused: sent,
      delivered: sent - faults.length,
      duplicates: 0,
      lost: faults.length,
      note: `requests to ${ENDPOINTS.length} endpoints, ${CASES} cases each (seed ${SEED}): ${statuses}${notServed.length ? `; not served yet (404 checked): ${notServed.join(', ')}` : ''}`,
    });

    expect(unlisted).toEqual([]);
    expect(faults.slice(0, 20)).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(ENDPOINTS.length * CASES);
  });
});
