import supertest from 'supertest';
import { Clock } from '../../src/common/clock';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { AppealCompletionService } from '../../src/modules/appeals/appeal-completion.service';
import { AppealReviewService } from '../../src/modules/appeals/appeal-review.service';
import { Appeal } from '../../src/modules/appeals/entities/appeal.entity';
import { AuditService } from '../../src/modules/audit/audit.service';
import { appealActionForms } from '../support/agent-pages';
import { createAgent as createPageAgent, signInAgent } from '../support/agents';
import { createAgent, fileAppeal, FiledAppeal, versionOf } from '../support/appeals';
import { api, controlClock, createAccount, TestAccount, uniqueEmail } from '../support/factories';
import { SmsSink } from '../support/sms-sink';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';
import { csrfOf } from '../support/html';

const DAY = 86_400_000;

/**
 * A hijacker who moved the logon email to their mailbox receives the objection link: their
 * objection must not veto the real owner's appeal. An objection by a contact that replaced
 * another within 30 days before the filing is recorded (202, status unchanged), holds the
 * appeal, is shown to the agents, and a supervisor upholds or dismisses it.
 */
describe('Objections by a recently replaced contact', () => {
  let smtp: SmtpSink;
  let sms: SmsSink;
  let t: TestApp;
  let review: AppealReviewService;
  let completion: AppealCompletionService;
  let clock: { advance(ms: number): void };
  let agent: Awaited<ReturnType<typeof createAgent>>;
  let supervisor: Awaited<ReturnType<typeof createAgent>>;
  let deciding: Awaited<ReturnType<typeof createAgent>>;

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, sms: true, env: { TRUST_PROXY: 'loopback' } });
    ({ smtp, sms } = t);
    review = t.get(AppealReviewService);
    completion = t.get(AppealCompletionService);
    clock = controlClock(t);
    [agent, supervisor, deciding] = await Promise.all([
      createAgent(t, 'agent'),
      createAgent(t, 'supervisor'),
      createAgent(t, 'supervisor'),
    ]);
  });

  afterAll(() => t.close());

  const row = (filed: FiledAppeal) => t.dataSource.getRepository(Appeal).findOneByOrFail({ reference: filed.reference });
  const linkIn = (text: string) => /\/appeal\/object\/([A-Za-z0-9_-]{43})/.exec(text)![1];

  /** The owner's account, whose logon email a hijacker replaced with theirs `daysBefore` the filing; the owner's appeal scheduled. */
  async function hijackedThenAppealed(
    daysBefore: number,
  ): Promise<{ owner: TestAccount; hijackerEmail: string; filed: FiledAppeal; appeal: Appeal }> {
    const owner = await createAccount(t, { securePhone: `+86137${String(Date.now()).slice(-8)}` });
    const hijackerEmail = uniqueEmail('hijacker');
    await t.dataSource.transaction((manager) => t.get(AccountsService).setLogonEmail(manager, owner.uid, hijackerEmail));
    await t.dataSource.query(`UPDATE former_contacts SET replaced_at = $2 WHERE account_uid = $1`, [
      owner.uid,
      new Date(t.get(Clock).nowMs() - daysBefore * DAY),
    ]);
    const filed = await fileAppeal(t, smtp, { account: { uid: owner.uid, logonEmail: owner.logonEmail } });
    await review.claim(agent, filed.reference, await versionOf(t, agent, filed.reference));
    await review.approve(agent, filed.reference, await versionOf(t, agent, filed.reference), { rationale: 'Invoice and passport match.' });
    await review.confirmApproval(supervisor, filed.reference, await versionOf(t, supervisor, filed.reference));
    return { owner, hijackerEmail, filed, appeal: await row(filed) };
  }

  const objectAs = async (email: string) =>
    api(t).post(`/api/v1/appeal-objections/${linkIn((await smtp.latest(email, 'appeal-objection')).text)}`);

  it('records the objection (202, status unchanged), holds the appeal and shows it to agents; a supervisor dismisses it and the change applies', async () => {
    const { owner, hijackerEmail, filed, appeal } = await hijackedThenAppealed(10);
    const objected = await objectAs(hijackerEmail);
    expect(objected.status).toBe(202);
    expect(objected.body).toEqual({ status: 'scheduled', objection: 'recorded' });
    await expect(row(filed)).resolves.toMatchObject({ status: 'scheduled', objectionRecordedAt: expect.any(Date) });
    expect(smtp.to(filed.contactEmail).some((message) => message.template === 'appeal-closed')).toBe(false);

    // Agents see it; only supervisors get the decision, and the approval's own agent cannot decide.
    const agentPage = await (await signInAgent(t, await createPageAgent(t))).get(`/agent/appeals/${filed.reference}`).expect(200);
    expect(agentPage.text).toContain('data-objection="recorded"');
    expect(appealActionForms(agentPage.text, filed.reference).map((form) => form.button)).not.toContain('Dismiss objection');
    const supervisorPage = await (await signInAgent(t, await createPageAgent(t, { role: 'supervisor' })))
      .get(`/agent/appeals/${filed.reference}`)
      .expect(200);
    expect(appealActionForms(supervisorPage.text, filed.reference).map((form) => form.button)).toEqual(
      expect.arrayContaining(['Uphold objection', 'Dismiss objection']),
    );
    await expect(review.dismissObjection(agent, filed.reference, await versionOf(t, agent, filed.reference))).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });

    // Held: neither the job nor the sweep applies it, however late.
    clock.advance(t.config.appeals.coolingOffMs + DAY);
    await expect(completion.apply(appeal.id)).resolves.toBe('held');
    await expect(completion.applyDue()).resolves.toBe(0);

    await review.dismissObjection(deciding, filed.reference, await versionOf(t, deciding, filed.reference));
    await expect(row(filed)).resolves.toMatchObject({ status: 'scheduled', objectionRecordedAt: null });
    // The dismissal puts the appeal's job back, due at once (the clock is past its cooling-off):
    // whichever of that job and this call comes first applies it, the other finds it done.
    await expect(completion.apply(appeal.id)).resolves.toMatch(/^(applied|not_scheduled)$/);
    await expect(row(filed)).resolves.toMatchObject({ status: 'completed' });
    await expect(t.get(AccountsService).get(owner.uid)).resolves.toMatchObject({ logonEmail: filed.contactEmail });
    const actions = (await t.get(AuditService).list({ subject: { type: 'appeal', id: filed.reference }, limit: 200 })).events.map(
      (event) => event.action,
    );
    expect(actions).toEqual(expect.arrayContaining(['appeal.objection_recorded', 'appeal.objection_dismissed', 'appeal.completed']));
  });

  it('lets a supervisor uphold a recorded objection: objected, the person told, nothing applied', async () => {
    const { owner, hijackerEmail, filed, appeal } = await hijackedThenAppealed(29);
    expect((await objectAs(hijackerEmail)).status).toBe(202);
    await review.upholdObjection(deciding, filed.reference, await versionOf(t, deciding, filed.reference));
    await expect(row(filed)).resolves.toMatchObject({ status: 'objected', objectionRecordedAt: null });
    expect((await smtp.latest(filed.contactEmail, 'appeal-closed')).text).toContain('objected');
    clock.advance(t.config.appeals.coolingOffMs + DAY);
    await expect(completion.apply(appeal.id)).resolves.toBe('not_scheduled');
    await expect(t.get(AccountsService).get(owner.uid)).resolves.toMatchObject({ logonEmail: hijackerEmail });
  });

  it('obeys a contact that replaced another more than 30 days before the filing, and a contact of another kind (200 objected)', async () => {
    const old = await hijackedThenAppealed(31);
    await expect(objectAs(old.hijackerEmail)).resolves.toMatchObject({ status: 200, body: { status: 'objected' } });

    // The email changed lately, the phone did not: the phone's objection stops the appeal.
    const recent = await hijackedThenAppealed(3);
    const link = linkIn((await sms.latest(recent.owner.securePhone!, 'appeal-objection')).body);
    await expect(api(t).post(`/api/v1/appeal-objections/${link}`)).resolves.toMatchObject({ status: 200, body: { status: 'objected' } });
  });

  it('says on the objection page that the objection was recorded', async () => {
    const { hijackerEmail } = await hijackedThenAppealed(5);
    const token = linkIn((await smtp.latest(hijackerEmail, 'appeal-objection')).text);
    const client = supertest.agent(t.app.getHttpServer());
    const form = await client.get(`/appeal/object/${token}`).expect(200);
    const csrf = csrfOf(form.text);
    const page = await client.post(`/appeal/object/${token}`).type('form').send({ _csrf: csrf }).expect(200);
    expect(page.text).toContain('Your objection was recorded');
  });
});
