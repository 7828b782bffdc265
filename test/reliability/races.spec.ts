import supertest from 'supertest';
import { AuditService } from '../../src/modules/audit/audit.service';
import { Account } from '../../src/modules/accounts/entities/account.entity';
import { Appeal } from '../../src/modules/appeals/entities/appeal.entity';
import { pageVersion } from '../support/agent-pages';
import { backOfficeSession, createAgent } from '../support/agents';
import { fileAppeal } from '../support/appeals';
import { api, bearer, createAccount, signIn, uniqueEmail } from '../support/factories';
import { Inbox } from '../support/inbox';
import { createTestApp, TestApp } from '../support/test-app';
import { verificationToken } from '../support/verification';
import { problemFault } from './support/answers';
import { recordDrill } from './support/drill-report';

/** One race: every attempt's answer, and whether the race ended as it must. */
interface RaceOutcome {
  readonly race: string;
  readonly attempts: number;
  /** Attempts answered as required: the one winner, and losers refused with the expected problem. */
  readonly asRequired: number;
  /** Winners beyond the one allowed. */
  readonly extraWinners: number;
  /** What went wrong, if anything: more or fewer winners, an unexpected answer, a second effect. */
  readonly faults: string[];
}

const ROUNDS = 3;

/**
 * Drill 6 (docs/reliability.md): races, with real concurrency over HTTP as the clients make them, split
 * across two app instances on one database and one Redis (`sharing`): the back-office pages for
 * approvals and claims, the JSON API for email changes and verifications. Each race runs a few
 * rounds, and besides the answers the drill checks the effect happened once (rows, audit events).
 */
describe('Drill 6: races', () => {
  let inbox: Inbox;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    inbox = await Inbox.start();
    a = await createTestApp({ env: { ...inbox.env, TRUST_PROXY: 'loopback' } });
    b = await createTestApp({ sharing: a, workers: false });
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await inbox?.stop();
  });

  const apps = () => [a, b];
  const appeal = (reference: string) => a.dataSource.getRepository(Appeal).findOneByOrFail({ reference });
  const auditCount = async (reference: string, action: string) =>
    (await a.get(AuditService).list({ subject: { type: 'appeal', id: reference }, limit: 200 })).events.filter(
      (event) => event.action === action,
    ).length;

  /** An appeal for a fresh account (three open appeals per identifier would stop a shared one). */
  async function newAppeal(): Promise<string> {
    const owner = await createAccount(a);
    return (await fileAppeal(a, inbox.smtp, { account: { uid: owner.uid, logonEmail: owner.logonEmail } })).reference;
  }

  const post = (side: { client: supertest.Agent; csrf: string }, path: string, fields: Record<string, string | number>) =>
    side.client
      .post(path)
      .type('form')
      .set('Accept', 'text/html')
      .send({ _csrf: side.csrf, ...fields });

  /** Sorts answers into the winners (`won`) and the rest, each loser checked against `refused`. */
  function judge(
    race: string,
    responses: supertest.Response[],
    won: (r: supertest.Response) => boolean,
    refused: (r: supertest.Response) => string | undefined,
  ): RaceOutcome {
    const winners = responses.filter(won).length;
    const faults = responses
      .filter((response) => !won(response))
      .flatMap((response) => {
        const why = refused(response);
        return why ? [`${race}: a loser answered ${response.status}: ${why}`] : [];
      });
    const losersRefusedRightly = responses.length - winners - faults.length;
    if (winners !== 1) faults.push(`${race}: ${winners} winners`);
    return {
      race,
      attempts: responses.length,
      asRequired: Math.min(winners, 1) + losersRefusedRightly,
      extraWinners: Math.max(0, winners - 1),
      faults,
    };
  }

  const conflictPage = (response: supertest.Response) => (response.status === 409 ? undefined : `status ${response.status}`);
  const problem = (status: number, code: string) => (response: supertest.Response) =>
    response.status !== status
      ? `status ${response.status} ${response.text.slice(0, 200)}`
      : problemFault({ status: response.status, contentType: String(response.headers['content-type'] ?? ''), body: response.text }, code);

  async function approvals(approver: Awaited<ReturnType<typeof createAgent>>): Promise<RaceOutcome> {
    const reference = await newAppeal();
    const sides = await Promise.all(apps().map((t) => backOfficeSession(t, approver)));
    await post(sides[0], `/agent/appeals/${reference}/claim`, { version: await pageVersion(sides[0].client, reference) }).expect(303);
    const version = await pageVersion(sides[0].client, reference);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        post(sides[n % 2], `/agent/appeals/${reference}/approve`, { version, rationale: 'Matches the records on file.' }),
      ),
    );
    const outcome = judge('20 approvals', responses, (response) => response.status === 303, conflictPage);
    const row = await appeal(reference);
    if (row.status !== 'pending_second_approval' || row.version !== version + 1)
      outcome.faults.push(`20 approvals: appeal ${row.status} at version ${row.version}, expected one step from ${version}`);
    const approved = await auditCount(reference, 'appeal.approved');
    if (approved !== 1) outcome.faults.push(`20 approvals: ${approved} appeal.approved events`);
    return outcome;
  }

  async function claims(
    first: Awaited<ReturnType<typeof createAgent>>,
    second: Awaited<ReturnType<typeof createAgent>>,
  ): Promise<RaceOutcome> {
    const reference = await newAppeal();
    const sides = [await backOfficeSession(a, first), await backOfficeSession(b, second)];
    const version = await pageVersion(sides[0].client, reference);
    const responses = await Promise.all(sides.map((side) => post(side, `/agent/appeals/${reference}/claim`, { version })));
    const outcome = judge('2 claims', responses, (response) => response.status === 303, conflictPage);
    const row = await appeal(reference);
    const winner = responses[0].status === 303 ? first : second;
    if (row.leaseAgentId !== winner.id || row.status !== 'in_review')
      outcome.faults.push(`2 claims: lease held by ${row.leaseAgentId}, status ${row.status}`);
    const claimed = await auditCount(reference, 'appeal.claimed');
    if (claimed !== 1) outcome.faults.push(`2 claims: ${claimed} appeal.claimed events`);
    // The loser, reloading the page, still finds the lease taken.
    const loser = sides[responses[0].status === 303 ? 1 : 0];
    const again = await post(loser, `/agent/appeals/${reference}/claim`, { version: await pageVersion(loser.client, reference) });
    if (again.status !== 409) outcome.faults.push(`2 claims: the loser's fresh claim answered ${again.status}, not 409 LEASE_HELD`);
    return outcome;
  }

  async function emailClaims(): Promise<RaceOutcome> {
    const newEmail = uniqueEmail('contested');
    const owners = await Promise.all([createAccount(a), createAccount(a)]);
    const changes: { token: string; changeId: string; code: string }[] = [];
    for (const owner of owners) {
      const token = await signIn(a, owner.logonEmail, owner.password);
      const verified = await verificationToken(a, inbox, token, 'change_email', owner.logonEmail);
      const { result, code } = await inbox.codeAfter(newEmail, 'email-change-code', () =>
        api(a).post('/api/v1/account/email-change').set(bearer(token)).send({ verificationToken: verified, newEmail }).expect(202),
      );
      changes.push({ token, changeId: (result.body as { changeId: string }).changeId, code });
    }
    const responses = await Promise.all(
      changes.map((change, n) =>
        api(apps()[n])
          .post(`/api/v1/account/email-change/${change.changeId}/confirm`)
          .set(bearer(change.token))
          .send({ code: change.code }),
      ),
    );
    const outcome = judge('2 accounts, one email', responses, (response) => response.status === 200, problem(409, 'EMAIL_IN_USE'));
    const holders = await a.dataSource
      .getRepository(Account)
      .createQueryBuilder('account')
      .where('lower(account.logonEmail) = lower(:newEmail)', { newEmail })
      .getCount();
    if (holders !== 1) outcome.faults.push(`2 accounts, one email: ${holders} accounts hold ${newEmail}`);
    return outcome;
  }

  async function verifies(): Promise<RaceOutcome> {
    const owner = await createAccount(a);
    const token = await signIn(a, owner.logonEmail, owner.password);
    const { result, code } = await inbox.codeAfter(owner.logonEmail, 'verification-code', () =>
      api(a).post('/api/v1/verifications').set(bearer(token)).send({ purpose: 'change_password', method: 'email' }).expect(201),
    );
    const id = (result.body as { id: string }).id;
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        api(apps()[n % 2])
          .post(`/api/v1/verifications/${id}/verify`)
          .set(bearer(token))
          .send({ code }),
      ),
    );
    const outcome = judge(
      '10 verifies',
      responses,
      (response) => response.status === 200 && typeof response.body.verificationToken === 'string',
      problem(409, 'VERIFICATION_USED'),
    );
    return outcome;
  }

  it('lets exactly one of each race win, across two app instances', async () => {
    const [agent, otherAgent] = await Promise.all([createAgent(a, { role: 'agent' }), createAgent(a, { role: 'agent' })]);
    const outcomes: RaceOutcome[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      outcomes.push(await approvals(agent));
      outcomes.push(await claims(round % 2 ? agent : otherAgent, round % 2 ? otherAgent : agent));
      outcomes.push(await emailClaims());
      outcomes.push(await verifies());
    }

    const faults = outcomes.flatMap((outcome) => outcome.faults);
    const attempts = outcomes.reduce((sum, outcome) => sum + outcome.attempts, 0);
    const asRequired = outcomes.reduce((sum, outcome) => sum + outcome.asRequired, 0);
    recordDrill({
      drill: '6 races',
      caused: attempts,
      delivered: asRequired,
      duplicates: outcomes.reduce((sum, outcome) => sum + outcome.extraWinners, 0),
      lost: attempts - asRequired,
      note: `concurrent attempts over HTTP on 2 app instances; ${outcomes.length} races (${ROUNDS} rounds of 20 approvals, 2 claims, 2 accounts for one email, 10 verifies), each one winner and the rest 409`,
    });

    expect(faults).toEqual([]);
    expect(outcomes).toHaveLength(4 * ROUNDS);
  });
});
