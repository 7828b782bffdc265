import supertest from 'supertest';
import { Clock } from '../../src/common/clock';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { AppealDetailService } from '../../src/modules/appeals/appeal-detail.service';
import { AppealReviewService } from '../../src/modules/appeals/appeal-review.service';
import { Appeal } from '../../src/modules/appeals/entities/appeal.entity';
import { AuditService } from '../../src/modules/audit/audit.service';
import { createAgent as createPageAgent, signInAgent } from '../support/agents';
import { appealBody, createAgent, fileAppeal, versionOf } from '../support/appeals';
import {
  api,
  bearer,
  createAccount,
  createRamUser,
  DEFAULT_PASSWORD,
  signIn,
  TestAccount,
  uniqueEmail,
  uniqueIp,
  uniquePhone,
} from '../support/factories';
import { csrfOf } from '../support/html';
import { Inbox } from '../support/inbox';
import { createTestApp, TestApp } from '../support/test-app';
import { verificationToken } from '../support/verification';

const DAY = 86_400_000;
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const CHROME_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/**
 * The owner's shield (docs/owners-shield.md): an appeal against an account alerts its contacts at
 * filing; the signed-in owner lists the open appeals and stops one with a verification of purpose
 * `stop_appeal`, or has the stop recorded for a supervisor when the account's security settings
 * changed shortly before the filing; the security activity read from the audit log, and "this
 * wasn't me".
 */
describe("The owner's shield", () => {
  let inbox: Inbox;
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ inbox: true, env: { TRUST_PROXY: 'loopback' } });
    ({ inbox } = t);
  });

  afterAll(() => t.close());

  const row = (reference: string) => t.dataSource.getRepository(Appeal).findOneByOrFail({ reference });
  const linkIn = (text: string) => /\/appeal\/object\/([A-Za-z0-9_-]{43})/.exec(text)![1];
  const outbox = async (template: string, appealReference: string): Promise<number> => {
    const [{ count }] = (await t.dataSource.query(
      `SELECT count(*)::int AS count FROM notifications n JOIN appeals a ON a.id = n.appeal_id WHERE n.template = $1 AND a.reference = $2`,
      [template, appealReference],
    )) as { count: number }[];
    return count;
  };

  async function owner(options: { phone?: boolean; totp?: boolean } = {}): Promise<{ account: TestAccount; token: string }> {
    const account = await createAccount(t, { securePhone: options.phone === false ? undefined : uniquePhone() });
    if (options.totp) await t.dataSource.transaction((manager) => t.get(AccountsService).setTotpSecret(manager, account.uid, TOTP_SECRET));
    return { account, token: await signIn(t, account.logonEmail, account.password) };
  }

  const against = (account: TestAccount) => fileAppeal(t, inbox.smtp, { account: { uid: account.uid, logonEmail: account.logonEmail } });
  const stop = (token: string, reference: string, verification: string) =>
    api(t).post(`/api/v1/account/appeals/${reference}/stop`).set(bearer(token)).send({ verificationToken: verification });

  describe('alert at filing', () => {
    it('sends appeal-filed-alert to the logon email and the secure phone, each with a single-use link that stops the appeal', async () => {
      const { account } = await owner();
      const filed = await against(account);
      const email = await inbox.latest(account.logonEmail, 'appeal-filed-alert');
      const sms = await inbox.latest(account.securePhone!, 'appeal-filed-alert');
      expect(email.text).toContain(filed.reference);
      expect(email.text).toMatch(/^https?:\/\/\S+\/appeal\/object\/[A-Za-z0-9_-]{43}$/m);
      expect(sms.text).toMatch(/\/appeal\/object\/[A-Za-z0-9_-]{43}/);
      expect(linkIn(email.text)).not.toBe(linkIn(sms.text));
      // Not to the person who filed it.
      expect(inbox.received(filed.contactEmail, 'appeal-filed-alert')).toEqual([]);

      // The link works before any agent has looked at the appeal: its page says so, its button stops it.
      const client = supertest.agent(t.app.getHttpServer());
      const page = await client.get(`/appeal/object/${linkIn(email.text)}`).expect(200);
      expect(page.text).toContain('data-objection-stage="filed"');
      await expect(api(t).post(`/api/v1/appeal-objections/${linkIn(email.text)}`)).resolves.toMatchObject({
        status: 200,
        body: { status: 'objected' },
      });
      await expect(row(filed.reference)).resolves.toMatchObject({ status: 'objected' });
      expect((await inbox.latest(filed.contactEmail, 'appeal-closed')).text).toContain(filed.reference);
      // Single use, and the appeal is closed for the other link too.
      await api(t)
        .post(`/api/v1/appeal-objections/${linkIn(email.text)}`)
        .expect(404);
      await api(t)
        .post(`/api/v1/appeal-objections/${linkIn(sms.text)}`)
        .expect(404);
    });

    it('alerts nobody for an appeal that matches no account or several, and answers all three alike', async () => {
      const { account } = await owner();
      const shared = uniquePhone();
      await createAccount(t, { securePhone: shared });
      await createAccount(t, { securePhone: shared });
      const cases = {
        matched: { uid: account.uid },
        unmatched: { uid: '9999999999999999', logonEmail: uniqueEmail('nobody') },
        ambiguous: { securePhone: shared },
      };
      const answers: Record<string, { status: number; keys: string[]; ms: number; reference: string }> = {};
      for (const [kind, identifiers] of Object.entries(cases)) {
        const ip = uniqueIp();
        const body = await appealBody(t, inbox.smtp, { contactEmail: uniqueEmail('filer'), ip, account: identifiers });
        const started = Date.now();
        const response = await api(t).post('/api/v1/appeals').set('X-Forwarded-For', ip).send(body);
        answers[kind] = {
          status: response.status,
          keys: Object.keys(response.body as object).sort(),
          ms: Date.now() - started,
          reference: response.body.reference as string,
        };
      }
      for (const answer of Object.values(answers)) {
        expect(answer).toMatchObject({ status: 201, keys: ['accessToken', 'reference', 'status'] });
        // Every filing waits out the same floor, so the alert's extra writes do not show in the time.
        expect(answer.ms).toBeGreaterThanOrEqual(100);
      }
      // The alert is written in the filing's transaction: the outbox says at once whether there is one.
      await expect(outbox('appeal-filed-alert', answers.matched.reference)).resolves.toBe(2);
      await expect(outbox('appeal-filed-alert', answers.unmatched.reference)).resolves.toBe(0);
      await expect(outbox('appeal-filed-alert', answers.ambiguous.reference)).resolves.toBe(0);
      await expect(row(answers.ambiguous.reference)).resolves.toMatchObject({ accountMatch: 'ambiguous' });
    });
  });

  describe('open appeals in the account, and the stop', () => {
    it('lists the open appeals against the account, contact masked, and only those', async () => {
      const { account, token } = await owner();
      const filed = await against(account);
      const other = await owner();
      await against(other.account);
      const listed = await api(t).get('/api/v1/account/appeals').set(bearer(token)).expect(200);
      expect(listed.body).toEqual({
        appeals: [
          {
            reference: filed.reference,
            status: 'submitted',
            requestedChanges: ['logonEmail'],
            filedAt: expect.any(String),
            contactEmail: expect.stringMatching(/^c\*+@example\.com$/),
          },
        ],
      });
    });

    it('stops an appeal with a TOTP code: objected, the person told and shown it closed, the agents shown who and how; a supervisor may reopen', async () => {
      const { account, token } = await owner({ totp: true });
      const filed = await against(account);
      const verification = await verificationToken(t, inbox, token, 'stop_appeal', { totpSecret: TOTP_SECRET });
      const stopped = await stop(token, filed.reference, verification).expect(200);
      expect(stopped.body).toEqual({ status: 'objected' });

      expect((await inbox.latest(filed.contactEmail, 'appeal-closed')).text).toContain(filed.reference);
      const status = await api(t).get(`/api/v1/appeals/${filed.reference}`).set(bearer(filed.accessToken)).expect(200);
      expect(status.body.status).toBe('objected');
      expect((await api(t).get('/api/v1/account/appeals').set(bearer(token)).expect(200)).body).toEqual({ appeals: [] });
      // The token is used up; the appeal is closed: 404.
      await stop(token, filed.reference, verification).expect(404);

      const history = (await t.get(AuditService).list({ subject: { type: 'appeal', id: filed.reference } })).events;
      expect(history.find((event) => event.action === 'appeal.stopped_by_owner')).toMatchObject({
        actorType: 'account',
        actorId: account.uid,
        data: expect.objectContaining({ method: 'totp', from: 'submitted', to: 'objected' }),
      });
      const supervisor = await signInAgent(t, await createPageAgent(t, { role: 'supervisor' }));
      const page = await supervisor.get(`/agent/appeals/${filed.reference}`).expect(200);
      expect(page.text).toContain('data-owner-stop="stopped"');
      expect(page.text).toContain('data-method="totp"');
      expect(page.text).toContain('a code from the authenticator app');

      const review = t.get(AppealReviewService);
      const deciding = await createAgent(t, 'supervisor');
      await review.reopen(deciding, filed.reference, await versionOf(t, deciding, filed.reference));
      await expect(row(filed.reference)).resolves.toMatchObject({ status: 'submitted' });
    });

    it('stops an appeal with an email code, and one already approved and scheduled', async () => {
      const { account, token } = await owner({ phone: false });
      const filed = await against(account);
      const agent = await createAgent(t, 'agent');
      const confirming = await createAgent(t, 'supervisor');
      const review = t.get(AppealReviewService);
      await review.claim(agent, filed.reference, await versionOf(t, agent, filed.reference));
      await review.approve(agent, filed.reference, await versionOf(t, agent, filed.reference), { rationale: 'Passport matches.' });
      if ((await row(filed.reference)).status === 'pending_second_approval')
        await review.confirmApproval(confirming, filed.reference, await versionOf(t, confirming, filed.reference));
      const listed = await api(t).get('/api/v1/account/appeals').set(bearer(token)).expect(200);
      expect(listed.body.appeals[0]).toMatchObject({ reference: filed.reference, status: 'scheduled', scheduledFor: expect.any(String) });

      const verification = await verificationToken(t, inbox, token, 'stop_appeal', account.logonEmail);
      await expect(stop(token, filed.reference, verification)).resolves.toMatchObject({ status: 200, body: { status: 'objected' } });
      const detail = await t.get(AppealDetailService).detail(agent, filed.reference);
      expect(detail.history.find((event) => event.action === 'appeal.stopped_by_owner')?.data).toMatchObject({ method: 'email' });
      await expect(row(filed.reference)).resolves.toMatchObject({ status: 'objected' });
    });

    it('records the stop (202, status unchanged) when the password changed in the 30 days before the filing; a supervisor decides', async () => {
      const { account, token: first } = await owner({ phone: false });
      // A password change through the API (it signs every session out).
      const change = await verificationToken(t, inbox, first, 'change_password', account.logonEmail);
      await api(t)
        .post('/api/v1/account/password')
        .set(bearer(first))
        .send({ verificationToken: change, newPassword: 'a brand new passphrase 77' })
        .expect(200);
      const token = await signIn(t, account.logonEmail, 'a brand new passphrase 77');
      const filed = await against(account);

      const verification = await verificationToken(t, inbox, token, 'stop_appeal', account.logonEmail);
      const recorded = await stop(token, filed.reference, verification);
      expect(recorded.status).toBe(202);
      expect(recorded.body).toEqual({ status: 'submitted', objection: 'recorded' });
      await expect(row(filed.reference)).resolves.toMatchObject({ status: 'submitted', objectionRecordedAt: expect.any(Date) });
      expect(inbox.received(filed.contactEmail, 'appeal-closed')).toEqual([]);

      const supervisor = await signInAgent(t, await createPageAgent(t, { role: 'supervisor' }));
      const page = await supervisor.get(`/agent/appeals/${filed.reference}`).expect(200);
      expect(page.text).toContain('data-owner-stop="recorded"');
      expect(page.text).toContain('data-method="email"');
      const deciding = await createAgent(t, 'supervisor');
      await t.get(AppealReviewService).upholdObjection(deciding, filed.reference, await versionOf(t, deciding, filed.reference));
      await expect(row(filed.reference)).resolves.toMatchObject({ status: 'objected', objectionRecordedAt: null });
      expect((await inbox.latest(filed.contactEmail, 'appeal-closed')).text).toContain(filed.reference);
    });

    it('records the stop after a logon email change 29 days before the filing, and obeys it after one 31 days before', async () => {
      const accounts = t.get(AccountsService);
      const changedDaysBefore = async (days: number) => {
        const { account, token } = await owner({ phone: false, totp: true });
        const moved = uniqueEmail('moved');
        await t.dataSource.transaction((manager) => accounts.setLogonEmail(manager, account.uid, moved));
        await t.dataSource.query(`UPDATE former_contacts SET replaced_at = $2 WHERE account_uid = $1`, [
          account.uid,
          new Date(t.get(Clock).nowMs() - days * DAY),
        ]);
        const filed = await against({ ...account, logonEmail: moved });
        const verification = await verificationToken(t, inbox, token, 'stop_appeal', { totpSecret: TOTP_SECRET });
        return stop(token, filed.reference, verification);
      };
      await expect(changedDaysBefore(29)).resolves.toMatchObject({ status: 202, body: { objection: 'recorded' } });
      await expect(changedDaysBefore(31)).resolves.toMatchObject({ status: 200, body: { status: 'objected' } });
    });
  });

  describe('security of the stop', () => {
    it("answers 404 for another account's appeal, an unknown reference and a closed appeal", async () => {
      const { token, account } = await owner({ totp: true });
      const other = await owner();
      const theirs = await against(other.account);
      const verification = await verificationToken(t, inbox, token, 'stop_appeal', { totpSecret: TOTP_SECRET });
      await stop(token, theirs.reference, verification).expect(404);
      await stop(token, 'AP-AAAAAAAAAA', verification).expect(404);
      await stop(token, 'not-a-reference', verification).expect(404);
      await expect(row(theirs.reference)).resolves.toMatchObject({ status: 'submitted' });

      const mine = await against(account);
      await api(t).post(`/api/v1/appeals/${mine.reference}/cancel`).set(bearer(mine.accessToken)).expect(200);
      await stop(token, mine.reference, verification).expect(404);
    });

    it('refuses a token of another purpose, of another session, and no token (403 / 400), changing nothing', async () => {
      const { account, token } = await owner({ phone: false });
      const filed = await against(account);
      const wrongPurpose = await verificationToken(t, inbox, token, 'change_password', account.logonEmail);
      await expect(stop(token, filed.reference, wrongPurpose)).resolves.toMatchObject({
        status: 403,
        body: { code: 'VERIFICATION_TOKEN_INVALID' },
      });
      const otherSession = await signIn(t, account.logonEmail, DEFAULT_PASSWORD);
      const theirs = await verificationToken(t, inbox, otherSession, 'stop_appeal', account.logonEmail);
      await expect(stop(token, filed.reference, theirs)).resolves.toMatchObject({
        status: 403,
        body: { code: 'VERIFICATION_TOKEN_INVALID' },
      });
      await api(t).post(`/api/v1/account/appeals/${filed.reference}/stop`).set(bearer(token)).send({}).expect(400);
      await expect(row(filed.reference)).resolves.toMatchObject({ status: 'submitted' });
    });

    it('refuses RAM users (403 ROOT_ACCOUNT_REQUIRED) and requests without a session (401)', async () => {
      const { account } = await owner();
      const filed = await against(account);
      const ram = await createRamUser(t, account.uid);
      const ramToken = await signIn(t, ram.login, ram.password);
      await expect(api(t).get('/api/v1/account/appeals').set(bearer(ramToken))).resolves.toMatchObject({
        status: 403,
        body: { code: 'ROOT_ACCOUNT_REQUIRED' },
      });
      await expect(stop(ramToken, filed.reference, 'x'.repeat(43))).resolves.toMatchObject({
        status: 403,
        body: { code: 'ROOT_ACCOUNT_REQUIRED' },
      });
      await expect(
        api(t).post('/api/v1/verifications').set(bearer(ramToken)).send({ purpose: 'stop_appeal', method: 'email' }),
      ).resolves.toMatchObject({ status: 403 });
      await expect(api(t).get('/api/v1/account/activity').set(bearer(ramToken))).resolves.toMatchObject({ status: 403 });
      await api(t).get('/api/v1/account/appeals').expect(401);
      await expect(row(filed.reference)).resolves.toMatchObject({ status: 'submitted' });
    });
  });

  describe('security activity', () => {
    type Event = {
      id: string;
      type: string;
      at: string;
      ip: string | null;
      network: string | null;
      device?: { label: string };
      current?: true;
    };
    const activity = async (token: string, before?: string): Promise<{ events: Event[]; next?: string }> =>
      (
        await api(t)
          .get('/api/v1/account/activity')
          .query(before ? { before } : {})
          .set(bearer(token))
          .expect(200)
      ).body;

    it('lists a failed sign-in from another network with its device, and marks the current session', async () => {
      const { account, token } = await owner();
      await api(t)
        .post('/api/v1/sessions')
        .set('X-Forwarded-For', '203.0.113.77')
        .set('User-Agent', CHROME_ON_WINDOWS)
        .send({ login: account.logonEmail, password: 'not the password at all' })
        .expect(401);
      const filed = await against(account);
      const { events } = await activity(token);
      expect(events.map((event) => event.type)).toEqual(['appeal_filed', 'sign_in_failed', 'sign_in']);
      expect(events[1]).toEqual({
        id: expect.stringMatching(/^\d+$/),
        type: 'sign_in_failed',
        at: expect.any(String),
        ip: '203.0.113.77',
        network: '203.0.113.0/24',
        device: { label: 'Chrome on Windows' },
      });
      expect(events[2]).toMatchObject({ type: 'sign_in', current: true, network: expect.stringMatching(/\/24$/) });
      // The filer's address is not shown to whoever is signed in (it may be the real owner appealing against a hijacker).
      expect(events[0]).toMatchObject({ type: 'appeal_filed', ip: null, network: null });
      expect(JSON.stringify(events)).not.toContain(filed.ip);
      expect(events.filter((event) => event.current)).toHaveLength(1);
      // Newest first.
      expect([...events].sort((a, b) => b.at.localeCompare(a.at))).toEqual(events);
    });

    it('pages 50 at a time by a cursor, newest first, over the last 90 days only', async () => {
      const { account, token } = await owner();
      const now = t.get(Clock).nowMs();
      // 120 sign-in failures over the last 60 days, and 30 older than 90 days.
      await t.dataSource.query(
        `INSERT INTO audit_events (created_at, action, actor_type, subject_type, subject_id, data, ip, nonce)
         SELECT to_timestamp(($2::bigint - n::bigint * 43200000) / 1000.0), 'sign_in.failed', 'public', 'account', $1, '{"reason":"wrong_password"}'::jsonb, '192.0.2.' || n % 250, md5(n::text)
           FROM generate_series(1, 120) AS n
         UNION ALL
         SELECT to_timestamp(($2::bigint - (91 + n) * 86400000::bigint) / 1000.0), 'sign_in.failed', 'public', 'account', $1, '{}'::jsonb, '192.0.2.1', md5(n::text)
           FROM generate_series(1, 30) AS n`,
        [account.uid, now],
      );
      const first = await activity(token);
      expect(first.events).toHaveLength(50);
      expect(first.next).toEqual(expect.any(String));
      const second = await activity(token, first.next);
      expect(second.events).toHaveLength(50);
      const third = await activity(token, second.next);
      // 120 failures and this session's sign-in.
      expect(third.events).toHaveLength(21);
      expect(third.next).toBeUndefined();
      const all = [...first.events, ...second.events, ...third.events];
      expect(new Set(all.map((event) => event.id)).size).toBe(121);
      expect(all.map((event) => event.at)).toEqual([...all.map((event) => event.at)].sort().reverse());
      expect(Math.min(...all.map((event) => Date.parse(event.at)))).toBeGreaterThan(now - 90 * DAY);

      await expect(api(t).get('/api/v1/account/activity').query({ before: 'garbage' }).set(bearer(token))).resolves.toMatchObject({
        status: 400,
        body: { code: 'VALIDATION_FAILED', errors: [{ field: 'before' }] },
      });
    });

    it('reads a page on the (subject, created_at) index, however many years of events the account has', async () => {
      const { account } = await owner();
      await t.dataSource.query(
        `INSERT INTO audit_events (created_at, action, actor_type, subject_type, subject_id, data, ip, nonce)
         SELECT now() - n * interval '1 hour', 'sign_in.failed', 'public', 'account', $1, '{}', '192.0.2.1', md5(n::text)
           FROM generate_series(1, 30000) AS n`,
        [account.uid],
      );
      await t.dataSource.query('ANALYZE audit_events');
      const plan = (await t.dataSource.query(
        `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)
         SELECT seq FROM audit_events
          WHERE subject_type = 'account' AND subject_id = $1 AND created_at >= now() - interval '90 days' AND action = ANY($2)
            AND (created_at, seq) < (now() - interval '30 days', 9223372036854775807)
          ORDER BY created_at DESC, seq DESC LIMIT 51`,
        [account.uid, ['sign_in.failed', 'sign_in.succeeded']],
      )) as { 'QUERY PLAN': [{ Plan: Record<string, unknown> }] }[];
      const text = JSON.stringify(plan[0]['QUERY PLAN'][0].Plan);
      expect(text).toContain('audit_events_subject_created_idx');
      expect(text).not.toContain('Seq Scan');
      expect(text).not.toContain('"Sort"');
      // Only the page's rows are read, not the account's 30 000 events.
      const scan = /"Actual Rows":(\d+)/g;
      const rows = [...text.matchAll(scan)].map((match) => Number(match[1]));
      expect(Math.max(...rows)).toBeLessThanOrEqual(51);
    });

    it('"this wasn\'t me" signs every other session out, forgets every trusted device, sends account-secured, and 404s for another account', async () => {
      const { account, token } = await owner();
      const other = await signIn(t, account.logonEmail, account.password, { deviceId: 'another-device-0123456789' });
      const { events } = await activity(token);
      const answered = await api(t).post(`/api/v1/account/activity/${events[0].id}/not-me`).set(bearer(token)).expect(200);
      expect(answered.body).toEqual({ revokedSessions: 1, forgottenDevices: 2 });
      await api(t).get('/api/v1/account').set(bearer(other)).expect(401);
      await api(t).get('/api/v1/account').set(bearer(token)).expect(200);
      expect((await api(t).get('/api/v1/devices').set(bearer(token)).expect(200)).body).toEqual({ devices: [] });
      expect((await inbox.latest(account.logonEmail, 'account-secured')).text).toContain('/security/password');
      expect((await inbox.latest(account.securePhone!, 'account-secured')).text).toContain(account.uid);
      expect((await activity(token)).events[0]).toMatchObject({ type: 'account_secured', current: true });

      const stranger = await owner();
      await api(t).post(`/api/v1/account/activity/${events[0].id}/not-me`).set(bearer(stranger.token)).expect(404);
      await api(t).post('/api/v1/account/activity/not-an-id/not-me').set(bearer(token)).expect(404);
    });
  });
  describe('pages', () => {
    const browser = () => supertest.agent(t.app.getHttpServer()).set('Accept', 'text/html').set('X-Forwarded-For', uniqueIp());
    const submit = async (client: supertest.Agent, from: string, action: string, fields: Record<string, string> = {}) => {
      const page = await client.get(from).expect(200);
      return client
        .post(action)
        .type('form')
        .send({ _csrf: csrfOf(page.text), ...fields });
    };

    it('shows a banner per open appeal on /security, verifies the identity for stop_appeal, then stops it from /security/appeals', async () => {
      const account = await createAccount(t, { securePhone: uniquePhone() });
      const client = browser();
      const { code } = await inbox.codeAfter(account.securePhone!, 'sign-in-code', () =>
        submit(client, '/login', '/login', { login: account.logonEmail, password: account.password }),
      );
      await submit(client, '/login/verify', '/login/verify', { code }).then((response) => expect(response.status).toBe(303));
      const filed = await against(account);
      const overview = await client.get('/security').expect(200);
      expect(overview.text).toContain(`data-appeal-banner="${filed.reference}"`);
      expect(overview.text).toMatch(/href="\/security\/verify\?purpose(=|&#x3D;)stop_appeal"/);

      const before = await client.get('/security/appeals').expect(200);
      expect(before.text).toContain('data-stop-verify');
      expect(before.text).not.toContain(`/security/appeals/${filed.reference}/stop`);

      const { result, code: verifyCode } = await inbox.codeAfter(account.securePhone!, 'verification-code', () =>
        submit(client, '/security/verify?purpose=stop_appeal', '/security/verify', { purpose: 'stop_appeal', method: 'sms' }),
      );
      const codePage = result.headers.location as string;
      const id = /[?&]id=([0-9a-f-]{36})/.exec(codePage)![1];
      const verified = await submit(client, codePage, '/security/verify/code', { purpose: 'stop_appeal', id, code: verifyCode });
      expect([verified.status, verified.headers.location]).toEqual([303, '/security/appeals']);

      const appeals = await client.get('/security/appeals').expect(200);
      expect(appeals.text).toContain(`action="/security/appeals/${filed.reference}/stop"`);
      const stopped = await submit(client, '/security/appeals', `/security/appeals/${filed.reference}/stop`);
      expect([stopped.status, stopped.headers.location]).toEqual([303, '/security/appeals']);
      const after = await client.get('/security/appeals').expect(200);
      expect(after.text).toContain(`Appeal ${filed.reference} was stopped.`);
      expect(after.text).toContain('data-no-appeals');
      await expect(row(filed.reference)).resolves.toMatchObject({ status: 'objected' });
      expect((await client.get('/security').expect(200)).text).not.toContain('data-appeal-banner');

      const activity = await client.get('/security/activity').expect(200);
      expect(activity.text).toContain('data-type="appeal_stopped"');
      expect(activity.text).toContain('data-type="appeal_filed"');
    });
  });
});
