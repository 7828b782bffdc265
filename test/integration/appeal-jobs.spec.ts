import { JobQueue } from '../../src/infrastructure/queues/job-queue.service';
import { JobName, QueueName } from '../../src/infrastructure/queues/queue-names';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { AppealCompletionService } from '../../src/modules/appeals/appeal-completion.service';
import { AppealMaintenanceService } from '../../src/modules/appeals/appeal-maintenance.service';
import { AppealDetailService } from '../../src/modules/appeals/appeal-detail.service';
import { AppealQueueService } from '../../src/modules/appeals/appeal-queue.service';
import { AppealSensitiveReadsService } from '../../src/modules/appeals/appeal-sensitive-reads.service';
import { AppealReviewService } from '../../src/modules/appeals/appeal-review.service';
import { AppealAttachment } from '../../src/modules/appeals/entities/appeal-attachment.entity';
import { AppealAttachmentContent } from '../../src/modules/appeals/entities/appeal-attachment-content.entity';
import { Appeal } from '../../src/modules/appeals/entities/appeal.entity';
import { AuditService } from '../../src/modules/audit/audit.service';
import { schedules } from '../../src/scheduling/schedules';
import { createAgent, fileAppeal, FiledAppeal, PNG, versionOf } from '../support/appeals';
import { api, bearer, controlClock, createAccount, signIn } from '../support/factories';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The scheduled appeal work, run by calling what the maintenance jobs call, on a clock the test
 * moves. The app's workers deliver mail (the contact codes), but the job schedules run every
 * 10 minutes of real time, so none fires during the test.
 */
describe('Appeal jobs', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let review: AppealReviewService;
  let maintenance: AppealMaintenanceService;
  let completion: AppealCompletionService;
  let clock: { advance(ms: number): void };
  let agent: Awaited<ReturnType<typeof createAgent>>;
  let supervisor: Awaited<ReturnType<typeof createAgent>>;

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, env: { TRUST_PROXY: 'loopback', SCHEDULER_INTERVAL: '10m' } });
    ({ smtp } = t);
    review = t.get(AppealReviewService);
    maintenance = t.get(AppealMaintenanceService);
    completion = t.get(AppealCompletionService);
    clock = controlClock(t);
    agent = await createAgent(t, 'agent');
    supervisor = await createAgent(t, 'supervisor');
  });

  afterAll(() => t.close());

  const row = (filed: FiledAppeal) => t.dataSource.getRepository(Appeal).findOneByOrFail({ reference: filed.reference });
  const version = (filed: FiledAppeal) => versionOf(t, agent, filed.reference);
  const outbox = async (
    template: string,
    appealId?: string,
  ): Promise<{ recipient: string; payload: { data: Record<string, unknown> } }[]> =>
    t.dataSource.query(
      `SELECT recipient, payload FROM notifications WHERE template = $1 ${appealId ? 'AND appeal_id = $2' : ''} ORDER BY created_at`,
      appealId ? [template, appealId] : [template],
    );
  const file = async () => {
    const owner = await createAccount(t, { securePhone: '+8613600000001' });
    return { owner, filed: await fileAppeal(t, smtp, { account: { uid: owner.uid, logonEmail: owner.logonEmail } }) };
  };
  /** Leaves no appeal behind for the next test's sweeps. */
  afterEach(async () => {
    await t.dataSource.query(
      `UPDATE appeals SET status = 'rejected', first_response_due_at = NULL, resolution_due_at = NULL, closed_at = NULL, awaiting_since = NULL`,
    );
  });

  it('registers every appeal job to run every SCHEDULER_INTERVAL', () => {
    const appealJobs = schedules(t.config).filter(
      (schedule) => schedule.job !== JobName.SweepOutbox && schedule.job !== JobName.SequenceAudit,
    );
    expect(appealJobs).toEqual(
      [JobName.ApplyDueAppeals, JobName.WatchAppealSla, JobName.CloseUnansweredAppeals, JobName.PurgeAppealEvidence].map((job) => ({
        job,
        everyMs: 10 * 60_000,
      })),
    );
  });

  it('registers the audit sequencer to run every AUDIT_SEQUENCE_INTERVAL', () => {
    expect(schedules(t.config).filter((schedule) => schedule.job === JobName.SequenceAudit)).toEqual([
      { job: JobName.SequenceAudit, everyMs: t.config.audit.sequenceIntervalMs },
    ]);
  });

  describe('SLA', () => {
    it('flags a missed first response once and sends the digest to every active supervisor', async () => {
      const { filed } = await file();
      await expect(maintenance.flagSlaBreaches()).resolves.toBe(0);
      clock.advance(t.config.appeals.slaFirstResponseMs + 1_000);
      await expect(maintenance.flagSlaBreaches()).resolves.toBe(1);
      await expect(maintenance.flagSlaBreaches()).resolves.toBe(0);
      await expect(row(filed)).resolves.toMatchObject({
        slaBreached: true,
        firstResponseBreachedAt: expect.any(Date),
        resolutionBreachedAt: null,
      });
      const digests = await outbox('sla-breach-digest');
      expect(digests.map((digest) => digest.recipient)).toContain(
        (await t.dataSource.query(`SELECT email FROM agents WHERE id = $1`, [supervisor.id]))[0].email,
      );
      expect(digests.map((digest) => digest.recipient)).not.toContain(
        (await t.dataSource.query(`SELECT email FROM agents WHERE id = $1`, [agent.id]))[0].email,
      );
      expect(digests[digests.length - 1].payload.data).toMatchObject({
        count: 1,
        appeals: [{ reference: filed.reference, breach: 'first_response' }],
      });
      await expect(t.get(AppealQueueService).list(agent, { sla: 'breached', q: filed.reference })).resolves.toMatchObject({
        items: [{ reference: filed.reference, slaBreached: true }],
      });
    });

    it('pauses the resolution clock while awaiting the customer', async () => {
      const { filed } = await file();
      await review.claim(agent, filed.reference, await version(filed));
      await review.requestInfo(agent, filed.reference, await version(filed), { message: 'Which region?' });
      await expect(row(filed)).resolves.toMatchObject({
        firstResponseAt: expect.any(Date),
        firstResponseDueAt: null,
        resolutionDueAt: null,
      });

      clock.advance(5 * DAY);
      await expect(maintenance.flagSlaBreaches()).resolves.toBe(0);
      await api(t)
        .post(`/api/v1/appeals/${filed.reference}/messages`)
        .set(bearer(filed.accessToken))
        .send({ body: 'Hangzhou' })
        .expect(201);
      const resumed = await row(filed);
      expect(resumed.status).toBe('in_review');
      // 72 h from filing, plus the 5 days of waiting.
      expect(resumed.resolutionDueAt!.getTime() - resumed.createdAt.getTime()).toBeGreaterThanOrEqual(
        t.config.appeals.slaResolutionMs + 5 * DAY,
      );

      clock.advance(t.config.appeals.slaResolutionMs - HOUR);
      await expect(maintenance.flagSlaBreaches()).resolves.toBe(0);
      clock.advance(2 * HOUR);
      await expect(maintenance.flagSlaBreaches()).resolves.toBe(1);
      await expect(row(filed)).resolves.toMatchObject({ resolutionBreachedAt: expect.any(Date), slaBreached: true });
    });
  });

  describe('unanswered appeals', () => {
    it('reminds once 2 days before the end, then closes as expired with appeal-closed', async () => {
      const { filed } = await file();
      await review.claim(agent, filed.reference, await version(filed));
      await review.requestInfo(agent, filed.reference, await version(filed), { message: 'Please upload the ID.' });
      const appeal = await row(filed);

      clock.advance(t.config.appeals.customerTimeoutMs - 2 * DAY - HOUR);
      await expect(maintenance.remindUnanswered()).resolves.toBe(0);
      clock.advance(2 * HOUR);
      await expect(maintenance.remindUnanswered()).resolves.toBe(1);
      await expect(maintenance.remindUnanswered()).resolves.toBe(0);
      const [reminder] = await outbox('appeal-reminder', appeal.id);
      expect(reminder).toMatchObject({
        recipient: filed.contactEmail,
        payload: {
          data: {
            reference: filed.reference,
            expiresAt: new Date(appeal.awaitingSince!.getTime() + t.config.appeals.customerTimeoutMs).toISOString(),
          },
        },
      });

      await expect(maintenance.expireUnanswered()).resolves.toBe(0);
      clock.advance(2 * DAY);
      await expect(maintenance.expireUnanswered()).resolves.toBe(1);
      await expect(row(filed)).resolves.toMatchObject({ status: 'expired', closedAt: expect.any(Date), version: appeal.version + 1 });
      await expect(outbox('appeal-closed', appeal.id)).resolves.toMatchObject([
        { recipient: filed.contactEmail, payload: { data: { reason: 'expired' } } },
      ]);
      await api(t)
        .post(`/api/v1/appeals/${filed.reference}/messages`)
        .set(bearer(filed.accessToken))
        .send({ body: 'Too late?' })
        .expect(409);
    });

    it('does not expire an appeal the person answered', async () => {
      const { filed } = await file();
      await review.claim(agent, filed.reference, await version(filed));
      await review.requestInfo(agent, filed.reference, await version(filed), { message: 'Anything else?' });
      clock.advance(DAY);
      await api(t).post(`/api/v1/appeals/${filed.reference}/messages`).set(bearer(filed.accessToken)).send({ body: 'Yes' }).expect(201);
      clock.advance(t.config.appeals.customerTimeoutMs);
      await expect(maintenance.expireUnanswered()).resolves.toBe(0);
      await expect(row(filed)).resolves.toMatchObject({ status: 'in_review' });
    });
  });

  it('purges attachment bytes EVIDENCE_RETENTION after closing and keeps the decision record', async () => {
    const { filed } = await file();
    const uploaded = await api(t)
      .post(`/api/v1/appeals/${filed.reference}/attachments`)
      .set(bearer(filed.accessToken))
      .attach('file', PNG, 'id.png')
      .expect(201);
    await review.claim(agent, filed.reference, await version(filed));
    await review.reject(agent, filed.reference, await version(filed), {
      reason: 'Photo does not show the document',
      message: 'We could not confirm your identity.',
    });

    clock.advance(t.config.appeals.evidenceRetentionMs - HOUR);
    await expect(maintenance.purgeEvidence()).resolves.toBe(0);
    clock.advance(2 * HOUR);
    await expect(maintenance.purgeEvidence()).resolves.toBe(1);
    await expect(maintenance.purgeEvidence()).resolves.toBe(0);

    await expect(t.dataSource.getRepository(AppealAttachmentContent).countBy({ attachmentId: uploaded.body.id })).resolves.toBe(0);
    await expect(t.dataSource.getRepository(AppealAttachment).findOneByOrFail({ id: uploaded.body.id })).resolves.toMatchObject({
      filename: 'id.png',
      sha256: expect.any(String),
      purgedAt: expect.any(Date),
    });
    await expect(row(filed)).resolves.toMatchObject({
      status: 'rejected',
      rejectionReason: 'Photo does not show the document',
      evidencePurgedAt: expect.any(Date),
    });
    await expect(t.get(AppealSensitiveReadsService).downloadAttachment(agent, filed.reference, uploaded.body.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(t.get(AppealDetailService).detail(agent, filed.reference)).resolves.toMatchObject({
      attachments: [{ filename: 'id.png', purged: true }],
    });
  });

  describe('applying the change', () => {
    async function scheduled(changes?: {
      securePhone?: string;
      disableTotp?: boolean;
    }): Promise<{ owner: Awaited<ReturnType<typeof createAccount>>; filed: FiledAppeal; appeal: Appeal }> {
      const owner = await createAccount(t, { securePhone: '+8613600000002' });
      const filed = await fileAppeal(t, smtp, { account: { uid: owner.uid }, ...(changes ? { changes } : {}) });
      await review.claim(agent, filed.reference, await version(filed));
      await review.approve(agent, filed.reference, await version(filed), { rationale: 'Verified by a call.' });
      await review.confirmApproval(supervisor, filed.reference, await version(filed));
      return { owner, filed, appeal: await row(filed) };
    }

    it('makes one change however many times it runs, concurrently or again', async () => {
      const { owner, filed, appeal } = await scheduled();
      const token = await signIn(t, owner.logonEmail, owner.password);
      await expect(completion.apply(appeal.id)).resolves.toBe('not_due');
      clock.advance(t.config.appeals.coolingOffMs + 1_000);
      const outcomes = await Promise.all([completion.apply(appeal.id), completion.apply(appeal.id), completion.apply(appeal.id)]);
      expect(outcomes.sort()).toEqual(['applied', 'not_scheduled', 'not_scheduled']);
      await expect(completion.apply(appeal.id)).resolves.toBe('not_scheduled');

      await expect(t.get(AccountsService).get(owner.uid)).resolves.toMatchObject({ logonEmail: filed.contactEmail, securePhone: null });
      await expect(t.get(AccountsService).formerContacts(owner.uid)).resolves.toHaveLength(2);
      await expect(outbox('appeal-completed', appeal.id)).resolves.toHaveLength(1);
      const events = (await t.get(AuditService).list({ subject: { type: 'appeal', id: filed.reference } })).events.filter(
        (event) => event.action === 'appeal.completed',
      );
      expect(events).toHaveLength(1);
      await api(t).get('/api/v1/account').set(bearer(token)).expect(401);
    });

    it('tells the logon email and secure phone on record before the change what changed (appeal-applied)', async () => {
      const { owner, appeal } = await scheduled();
      clock.advance(t.config.appeals.coolingOffMs + 1_000);
      await expect(completion.apply(appeal.id)).resolves.toBe('applied');
      const applied: { recipient: string; channel: string; payload: { data: Record<string, unknown> } }[] = await t.dataSource.query(
        `SELECT recipient, channel, payload FROM notifications WHERE template = 'appeal-applied' AND account_uid = $1 ORDER BY channel`,
        [owner.uid],
      );
      expect(applied.map((notice) => [notice.channel, notice.recipient])).toEqual([
        ['email', owner.logonEmail],
        ['sms', '+8613600000002'],
      ]);
      expect(applied[0].payload.data).toMatchObject({
        maskedUid: `${owner.uid.slice(0, 4)}********${owner.uid.slice(-4)}`,
        changes: ['logonEmail'],
        securePhoneRemoved: true,
      });
      await smtp.waitForMessage(
        () => smtp.to(owner.logonEmail).some((message) => message.template === 'appeal-applied'),
        15_000,
        'appeal-applied at the former logon email',
      );
    });

    it("rejects with email_in_use, and tells the person, when the new email became another account's during the cooling-off", async () => {
      const { owner, filed, appeal } = await scheduled();
      await createAccount(t, { logonEmail: filed.contactEmail });
      clock.advance(t.config.appeals.coolingOffMs + 1_000);
      await expect(completion.apply(appeal.id)).resolves.toBe('rejected');
      await expect(row(filed)).resolves.toMatchObject({ status: 'rejected', rejectionReason: 'email_in_use', closedAt: expect.any(Date) });
      await expect(t.get(AccountsService).get(owner.uid)).resolves.toMatchObject({
        logonEmail: owner.logonEmail,
        securePhone: '+8613600000002',
      });
      const [rejected] = await outbox('appeal-rejected', appeal.id);
      expect(rejected.recipient).toBe(filed.contactEmail);
      expect(String(rejected.payload.data.message)).toContain('belongs to another account');
      await expect(outbox('appeal-completed', appeal.id)).resolves.toHaveLength(0);
      // Nothing is left to retry: the job, the sweep and a second run find nothing to do.
      await expect(completion.apply(appeal.id)).resolves.toBe('not_scheduled');
      await expect(completion.applyDue()).resolves.toBe(0);
      const events = (await t.get(AuditService).list({ subject: { type: 'appeal', id: filed.reference } })).events.filter(
        (event) => event.action === 'appeal.rejected',
      );
      expect(events).toMatchObject([{ actorType: 'system', data: { from: 'scheduled', to: 'rejected', reason: 'email_in_use' } }]);
    });

    it('applies a due appeal whose job Redis lost, by the scheduled sweep', async () => {
      const { owner, appeal } = await scheduled({ securePhone: '+8613600000003', disableTotp: true });
      await t.dataSource.transaction((manager) => t.get(AccountsService).setTotpSecret(manager, owner.uid, 'JBSWY3DPEHPK3PXP'));
      await t.dataSource.query(`UPDATE accounts SET status = 'frozen' WHERE uid = $1`, [owner.uid]);
      const jobs = t.get(JobQueue).queue(QueueName.Appeals);
      await expect(jobs.getJobState(appeal.id)).resolves.toBe('delayed');
      await jobs.remove(appeal.id);

      await expect(completion.applyDue()).resolves.toBe(0);
      clock.advance(t.config.appeals.coolingOffMs + 1_000);
      await expect(completion.applyDue()).resolves.toBe(1);
      await expect(t.get(AccountsService).get(owner.uid)).resolves.toMatchObject({
        securePhone: '+8613600000003',
        totpSecret: null,
        status: 'active',
      });
      const [completed] = await outbox('appeal-completed', appeal.id);
      expect(completed.payload.data).toMatchObject({ changes: ['securePhone', 'disableTotp'], securePhoneRemoved: false });
    });
  });
});
