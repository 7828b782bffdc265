import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { TotpService } from '../../src/modules/accounts/totp.service';
import { api, bearer, createAccount, signIn } from '../support/factories';
import { Inbox } from '../support/inbox';
import { createTestApp, TestApp } from '../support/test-app';
import { verificationToken } from '../support/verification';
import { waitFor } from '../support/wait-for';
import { DrillWaits, recordDrill } from './support/drill-report';
import { DrillRedis, DrillResources, inParallel, tally } from './support/drill-servers';

/**
 * Drill 1 (docs/reliability.md): Redis stops while 200 changes are made: 100 accounts confirm a new logon
 * email, 100 others change their password. Each change either commits (its notices are in the
 * outbox) or answers 503 and commits nothing; once Redis is back, every notice of every committed
 * change arrives. Redis runs with append-only persistence, as the embedded default and
 * docker-compose run it.
 */
const PER_KIND = 100;
const NEW_PASSWORD = 'a fresh and long passphrase 7';
const NOTICES = ['logon-email-changed', 'logon-email-added', 'password-changed'];

type Change = 'email' | 'password';

interface Prepared {
  readonly change: Change;
  readonly uid: string;
  readonly token: string;
  /** Email changes: the pending change and the code sent to the new address. */
  readonly changeId?: string;
  readonly emailCode?: string;
  /** Password changes: the verification token. */
  readonly verification?: string;
}

describe('Drill 1: Redis stops while 200 password and email changes are made', () => {
  const resources = new DrillResources();
  let t: TestApp;
  let inbox: Inbox;
  let redis: DrillRedis;

  beforeAll(async () => {
    redis = resources.add(await DrillRedis.start({ persistent: true }), (server) => server.close());
    inbox = resources.add(await Inbox.start(), (sinks) => sinks.stop());
    t = resources.add(await createTestApp({ env: { ...inbox.env, REDIS_URL: redis.url, OUTBOX_SWEEP_INTERVAL: '1s' } }), (app) =>
      app.close(),
    );
  });

  afterAll(() => resources.release());

  const makeChange = (p: Prepared) =>
    p.change === 'email'
      ? api(t).post(`/api/v1/account/email-change/${p.changeId}/confirm`).set(bearer(p.token)).send({ code: p.emailCode })
      : api(t).post('/api/v1/account/password').set(bearer(p.token)).send({ verificationToken: p.verification, newPassword: NEW_PASSWORD });

  /** An account signed in, verified by TOTP, and for an email change with the change started and its code read from the new address. */
  async function prepare(change: Change, index: number): Promise<Prepared> {
    const account = await createAccount(t);
    const secret = t.get(TotpService).newSecret();
    await t.dataSource.transaction((manager) => t.get(AccountsService).setTotpSecret(manager, account.uid, secret));
    const token = await signIn(t, account.logonEmail, account.password);
    if (change === 'password') {
      return {
        change,
        uid: account.uid,
        token,
        verification: await verificationToken(t, inbox, token, 'change_password', { totpSecret: secret }),
      };
    }
    const newEmail = `moved-${index}-${account.uid}@example.org`;
    const verification = await verificationToken(t, inbox, token, 'change_email', { totpSecret: secret });
    const { result, code } = await inbox.codeAfter(newEmail, 'email-change-code', () =>
      api(t).post('/api/v1/account/email-change').set(bearer(token)).send({ verificationToken: verification, newEmail }).expect(202),
    );
    return { change, uid: account.uid, token, changeId: result.body.changeId as string, emailCode: code };
  }

  it('commits every change or answers 503 and commits nothing; every notice arrives once Redis is back', async () => {
    // Email and password changes interleaved, so that both meet Redis up and down.
    const changes = Array.from({ length: 2 * PER_KIND }, (_, index): [Change, number] => [index % 2 ? 'password' : 'email', index]);
    const prepared = await inParallel(changes, 8, ([change, index]) => prepare(change, index));

    // The changes, 16 at a time; Redis stops once a fifth of them has been answered.
    const answers = new Map<string, number>();
    let stopped: Promise<void> | undefined;
    let downAt = Infinity;
    let answeredWhileDown = 0;
    await inParallel(prepared, 16, async (p) => {
      const sentAt = Date.now();
      answers.set(p.uid, (await makeChange(p)).status);
      if (sentAt >= downAt) answeredWhileDown += 1;
      if (!stopped && answers.size >= prepared.length / 5) stopped = redis.down().then(() => void (downAt = Date.now()));
    });
    await stopped;
    const answersOf = (change: Change) => prepared.filter((p) => p.change === change).map((p) => answers.get(p.uid)!);
    const during = { email: statusCounts(answersOf('email')), password: statusCounts(answersOf('password')) };

    // What a 503 left behind: the account as it was, and no notice.
    const refused = prepared.filter((p) => answers.get(p.uid) === 503);
    const uidsOf = (change: Change) => refused.filter((p) => p.change === change).map((p) => p.uid);
    const [unchanged] = await t.dataSource.query(
      `SELECT (SELECT count(*)::int FROM accounts WHERE uid = ANY($1) AND logon_email LIKE 'moved-%') AS "emailsMoved",
              (SELECT count(*)::int FROM accounts WHERE uid = ANY($2) AND password_changed_at > created_at) AS "passwordsChanged",
              (SELECT count(*)::int FROM notifications WHERE account_uid = ANY($3) AND template = ANY($4)) AS notices`,
      [uidsOf('email'), uidsOf('password'), refused.map((p) => p.uid), NOTICES],
    );

    await redis.up();
    await waitFor(async () => (await api(t).get('/health/ready')).status === 200, {
      timeoutMs: 30_000,
      description: 'readiness once Redis is back',
    });
    // A refused change, made again once Redis is back, goes through: the 503 used nothing up.
    for (const p of refused) answers.set(p.uid, (await makeChange(p)).status);

    const ids: string[] = (await t.dataSource.query(`SELECT id FROM notifications WHERE template = ANY($1)`, [NOTICES])).map(
      (row: { id: string }) => row.id,
    );
    const received = () =>
      inbox.smtp.messages.filter((message) => NOTICES.includes(message.template)).map((message) => message.notificationId);
    const waits = new DrillWaits();
    await waits.settle(
      waitFor(() => tally(ids, received()).lost === 0, {
        timeoutMs: 90_000,
        intervalMs: 250,
        description: 'every notice to arrive',
      }),
    );
    const result = tally(ids, received());
    recordDrill({
      drill: '1 redis-stop',
      caused: result.caused,
      delivered: result.delivered,
      duplicates: result.duplicates,
      lost: result.lost,
      note: waits.note(
        `${answeredWhileDown} made with Redis down; answers: email ${JSON.stringify(during.email)}, password ${JSON.stringify(during.password)}; each 503 committed nothing and went through when made again`,
      ),
    });

    expect(answeredWhileDown).toBeGreaterThan(0);
    expect(Object.keys({ ...during.email, ...during.password }).filter((status) => status !== '200' && status !== '503')).toEqual([]);
    expect(unchanged).toEqual({ emailsMoved: 0, passwordsChanged: 0, notices: 0 });
    expect(statusCounts([...answers.values()])).toEqual({ 200: 2 * PER_KIND });
    // Every change committed: two notices of the email change, one of the password change.
    expect(result.caused).toBe(3 * PER_KIND);
    expect(result.missing).toEqual([]);
    await waitFor(
      async () =>
        (await t.dataSource.query(`SELECT 1 FROM notifications WHERE template = ANY($1) AND status <> 'sent'`, [NOTICES])).length === 0,
      {
        description: 'every notice marked sent',
      },
    );
  });
});

/** How many answers had each status, e.g. `{ "200": 61, "503": 39 }`. */
function statusCounts(answers: readonly number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const status of answers) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}
