import supertest from 'supertest';
import { Appeal } from '../../src/modules/appeals/entities/appeal.entity';
import { Account } from '../../src/modules/accounts/entities/account.entity';
import { pageVersion } from '../support/agent-pages';
import { backOfficeSession, createAgent } from '../support/agents';
import { fileAppeal, FiledAppeal } from '../support/appeals';
import { api, bearer, createAccount, signIn, uniqueEmail } from '../support/factories';
import { Inbox } from '../support/inbox';
import { createTestApp, TestApp } from '../support/test-app';
import { verificationToken } from '../support/verification';
import { recordDrill } from './support/drill-report';

const ROUNDS = 3;

/** One answer of a scenario: which request, and its status. */
interface Answered {
  readonly what: string;
  readonly status: number;
  readonly body: string;
}

/**
 * Drill 11 (quality.md): deadlocks and serialisation failures. Three scenarios, each racing
 * requests that lock the same rows from different sides, over HTTP on two app instances that
 * share one database: a freeze while the account's codes are confirmed (a confirmation locks
 * its challenge, then the account; a freeze takes them in the same order), a confirmation of
 * an approval while the person cancels the appeal, and two supervisors bulk-rejecting the same
 * appeals in opposite orders. Never a 5xx: one lock order avoids the deadlocks, and a
 * transaction PostgreSQL still picks as a victim (40P01) or fails to serialise (40001) runs again.
 */
describe('Drill 11: deadlocks and serialisation', () => {
  let inbox: Inbox;
  let a: TestApp;
  let b: TestApp;
  let agentSide: { client: supertest.Agent; csrf: string };
  let supervisors: { client: supertest.Agent; csrf: string }[];
  let approver: Awaited<ReturnType<typeof createAgent>>;

  beforeAll(async () => {
    inbox = await Inbox.start();
    a = await createTestApp({ env: { ...inbox.env, TRUST_PROXY: 'loopback' } });
    b = await createTestApp({ sharing: a, workers: false });
    const agent = await createAgent(a, { role: 'agent' });
    approver = await createAgent(a, { role: 'agent' });
    const [first, second] = await Promise.all([createAgent(a, { role: 'supervisor' }), createAgent(a, { role: 'supervisor' })]);
    agentSide = await backOfficeSession(b, agent);
    supervisors = [await backOfficeSession(a, first), await backOfficeSession(b, second)];
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await inbox?.stop();
  });

  const post = (side: { client: supertest.Agent; csrf: string }, path: string, body: string | Record<string, string | number>) =>
    side.client
      .post(path)
      .type('form')
      .set('Accept', 'text/html')
      .send(typeof body === 'string' ? `_csrf=${encodeURIComponent(side.csrf)}&${body}` : { _csrf: side.csrf, ...body });
  const answered =
    (what: string) =>
    (response: supertest.Response): Answered => ({ what, status: response.status, body: response.text.slice(0, 300) });
  const deadlocks = async () =>
    Number((await a.dataSource.query(`SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()`))[0].deadlocks);

  /** An account with an email change and an identity verification waiting for their codes; then the codes confirmed while an agent freezes it. */
  async function freezeWhileConfirming(): Promise<Answered[]> {
    const owner = await createAccount(a);
    const token = await signIn(a, owner.logonEmail, owner.password);
    const newEmail = uniqueEmail('moving');
    const verified = await verificationToken(a, inbox, token, 'change_email', owner.logonEmail);
    const change = await inbox.codeAfter(newEmail, 'email-change-code', () =>
      api(a).post('/api/v1/account/email-change').set(bearer(token)).send({ verificationToken: verified, newEmail }).expect(202),
    );
    const check = await inbox.codeAfter(owner.logonEmail, 'verification-code', () =>
      api(a).post('/api/v1/verifications').set(bearer(token)).send({ purpose: 'change_password', method: 'email' }).expect(201),
    );
    const changeId = (change.result.body as { changeId: string }).changeId;
    const verificationId = (check.result.body as { id: string }).id;
    return Promise.all([
      api(a)
        .post(`/api/v1/account/email-change/${changeId}/confirm`)
        .set(bearer(token))
        .send({ code: change.code })
        .then(answered('email change confirmed')),
      api(b)
        .post(`/api/v1/verifications/${verificationId}/verify`)
        .set(bearer(token))
        .send({ code: check.code })
        .then(answered('code verified')),
      post(agentSide, `/agent/accounts/${owner.uid}/freeze`, { reason: 'drill 11' }).then(answered('freeze')),
    ]).then(async (answers) => {
      const account = await a.dataSource.getRepository(Account).findOneByOrFail({ uid: owner.uid });
      if (account.status !== 'frozen') answers.push({ what: 'freeze', status: 0, body: `account ${account.status} after the freeze` });
      return answers;
    });
  }

  /** An approved appeal confirmed by a supervisor while the person cancels it (the owner's own stop comes later; a cancel locks the same row). */
  async function confirmWhileCancelling(): Promise<Answered[]> {
    const owner = await createAccount(a);
    const filed: FiledAppeal = await fileAppeal(a, inbox.smtp, { account: { uid: owner.uid, logonEmail: owner.logonEmail } });
    const approverSide = await backOfficeSession(a, approver);
    await post(approverSide, `/agent/appeals/${filed.reference}/claim`, {
      version: await pageVersion(approverSide.client, filed.reference),
    }).expect(303);
    await post(approverSide, `/agent/appeals/${filed.reference}/approve`, {
      version: await pageVersion(approverSide.client, filed.reference),
      rationale: 'Drill.',
    }).expect(303);
    const version = await pageVersion(supervisors[0].client, filed.reference);
    const answers = await Promise.all([
      post(supervisors[0], `/agent/appeals/${filed.reference}/second-approve`, { version }).then(answered('confirm approval')),
      api(b).post(`/api/v1/appeals/${filed.reference}/cancel`).set(bearer(filed.accessToken)).then(answered('cancel')),
    ]);
    const appeal = await a.dataSource.getRepository(Appeal).findOneByOrFail({ reference: filed.reference });
    if (appeal.status !== 'cancelled')
      answers.push({ what: 'cancel', status: 0, body: `appeal ${appeal.status}: the cancel must win before or after the confirmation` });
    return answers;
  }

  /** Two supervisors reject the same flood as duplicates at once, in opposite orders: each appeal once. */
  async function bulkBothWays(): Promise<Answered[]> {
    const owner = await createAccount(a);
    const references: string[] = [];
    for (let n = 0; n < 3; n += 1) references.push((await fileAppeal(a, inbox.smtp, { account: { uid: owner.uid } })).reference);
    const form = (order: string[]) => `action=reject_duplicate&${order.map((reference) => `references=${reference}`).join('&')}`;
    const answers = await Promise.all([
      post(supervisors[0], '/agent/appeals/bulk', form(references)).then(answered('bulk reject_duplicate')),
      post(supervisors[1], '/agent/appeals/bulk', form([...references].reverse())).then(answered('bulk reject_duplicate, reversed')),
    ]);
    const rejected: { count: number }[] = await a.dataSource.query(
      `SELECT count(*)::int AS count FROM audit_events WHERE action = 'appeal.rejected' AND subject_type = 'appeal' AND subject_id = ANY($1)`,
      [references],
    );
    if (rejected[0].count !== references.length)
      answers.push({ what: 'bulk', status: 0, body: `${rejected[0].count} rejections of ${references.length} appeals` });
    return answers;
  }

  it('never answers 5xx when freezes, confirmations, cancels and bulk actions race for the same rows', async () => {
    const before = await deadlocks();
    const answers: Answered[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      answers.push(...(await freezeWhileConfirming()));
      answers.push(...(await confirmWhileCancelling()));
      answers.push(...(await bulkBothWays()));
    }
    const faults = answers
      .filter((answer) => answer.status >= 500 || answer.status === 0)
      .map((answer) => `${answer.what}: ${answer.status} ${answer.body}`);
    recordDrill({
      drill: '11 deadlocks',
      caused: answers.length,
      delivered: answers.length - faults.length,
      duplicates: 0,
      lost: faults.length,
      note: `${ROUNDS} rounds of a freeze racing two code confirmations, a confirmation racing a cancel, two bulk rejections in opposite orders, on 2 app instances; deadlocks PostgreSQL reported meanwhile: ${(await deadlocks()) - before}`,
    });
    expect(faults).toEqual([]);
    expect(answers.filter((answer) => answer.what.startsWith('bulk')).every((answer) => answer.status === 303)).toBe(true);
  });
});
