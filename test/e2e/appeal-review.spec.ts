import { JobQueue } from '../../src/infrastructure/queues/job-queue.service';
import { QueueName } from '../../src/infrastructure/queues/queue-names';
import { AuditService } from '../../src/modules/audit/audit.service';
import { AppealDetailService } from '../../src/modules/appeals/appeal-detail.service';
import { AppealQueueService } from '../../src/modules/appeals/appeal-queue.service';
import { AppealSensitiveReadsService } from '../../src/modules/appeals/appeal-sensitive-reads.service';
import { AppealStatisticsService } from '../../src/modules/appeals/appeal-statistics.service';
import { AppealReviewService } from '../../src/modules/appeals/appeal-review.service';
import { Appeal } from '../../src/modules/appeals/entities/appeal.entity';
import { createAgent, fileAppeal, FiledAppeal, PNG, versionOf } from '../support/appeals';
import { api, bearer, controlClock, createAccount, METRICS_AUTH, METRICS_TOKEN, TestAccount, uniqueEmail } from '../support/factories';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';

type Agent = Awaited<ReturnType<typeof createAgent>>;

describe('Appeal review (the service layer of the back-office pages)', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let review: AppealReviewService;
  let queue: AppealQueueService;
  let clock: { advance(ms: number): void };
  let owner: TestAccount;
  let agent: Agent;
  let otherAgent: Agent;
  let supervisor: Agent;
  let otherSupervisor: Agent;

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, env: { TRUST_PROXY: 'loopback', METRICS_TOKEN } });
    ({ smtp } = t);
    review = t.get(AppealReviewService);
    queue = t.get(AppealQueueService);
    clock = controlClock(t);
    owner = await createAccount(t, { securePhone: '+8613700000001' });
    [agent, otherAgent, supervisor, otherSupervisor] = await Promise.all([
      createAgent(t, 'agent'),
      createAgent(t, 'agent'),
      createAgent(t, 'supervisor'),
      createAgent(t, 'supervisor'),
    ]);
  });

  afterAll(() => t.close());

  /** An appeal for a fresh account (3 open appeals per identifier would stop a shared one), or for `account`. */
  const file = async (account?: { uid?: string; logonEmail?: string; securePhone?: string }) => {
    const fresh = account ? undefined : await createAccount(t);
    return fileAppeal(t, smtp, { account: account ?? { uid: fresh!.uid, logonEmail: fresh!.logonEmail } });
  };
  const row = (filed: FiledAppeal) => t.dataSource.getRepository(Appeal).findOneByOrFail({ reference: filed.reference });
  const version = (who: Agent, filed: FiledAppeal) => versionOf(t, who, filed.reference);
  const events = async (filed: FiledAppeal, action: string) =>
    (await t.get(AuditService).list({ subject: { type: 'appeal', id: filed.reference }, limit: 200 })).events.filter(
      (event) => event.action === action,
    );

  async function claimed(): Promise<FiledAppeal> {
    const filed = await file();
    await review.claim(agent, filed.reference, await version(agent, filed));
    return filed;
  }

  it('refuses a stale version with 409 and changes nothing', async () => {
    const filed = await file();
    const seen = await version(agent, filed);
    await review.addNote(otherAgent, filed.reference, seen, { body: 'first look' });
    const before = await row(filed);
    await expect(review.claim(agent, filed.reference, seen)).rejects.toMatchObject({ code: 'STALE_VERSION' });
    await expect(row(filed)).resolves.toEqual(before);
  });

  it('increments the version on every action, notes included', async () => {
    const filed = await file();
    const start = await version(agent, filed);
    await expect(review.addNote(agent, filed.reference, start, { body: 'a note' })).resolves.toMatchObject({
      version: start + 1,
      status: 'submitted',
    });
    await expect(review.claim(agent, filed.reference, start + 1)).resolves.toMatchObject({ version: start + 2, status: 'in_review' });
    await expect(review.release(agent, filed.reference, start + 2)).resolves.toMatchObject({ version: start + 3, status: 'submitted' });
  });

  it('gives one lease to two agents claiming at once', async () => {
    const filed = await file();
    const seen = await version(agent, filed);
    const results = await Promise.allSettled([review.claim(agent, filed.reference, seen), review.claim(otherAgent, filed.reference, seen)]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((result) => result.status === 'rejected')).toMatchObject({ reason: { code: 'STALE_VERSION' } });
    const appeal = await row(filed);
    expect([agent.id, otherAgent.id]).toContain(appeal.leaseAgentId);
    await expect(events(filed, 'appeal.claimed')).resolves.toHaveLength(1);
  });

  it('keeps the lease exclusive until it lapses; a supervisor may take it over, logged', async () => {
    const filed = await claimed();
    await expect(review.claim(otherAgent, filed.reference, await version(otherAgent, filed))).rejects.toMatchObject({ code: 'LEASE_HELD' });
    await expect(
      review.requestInfo(otherAgent, filed.reference, await version(otherAgent, filed), { message: 'hi' }),
    ).rejects.toMatchObject({ code: 'LEASE_HELD' });
    await expect(review.takeOver(agent, filed.reference, await version(agent, filed))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await review.takeOver(supervisor, filed.reference, await version(supervisor, filed));
    await expect(events(filed, 'appeal.taken_over')).resolves.toMatchObject([{ actorId: supervisor.id, data: { tookOverFrom: agent.id } }]);

    clock.advance(t.config.appeals.leaseMs + 1_000);
    await expect(review.claim(otherAgent, filed.reference, await version(otherAgent, filed))).resolves.toMatchObject({
      status: 'in_review',
    });
    await expect(row(filed)).resolves.toMatchObject({ leaseAgentId: otherAgent.id });
  });

  it('needs a claim before deciding', async () => {
    const filed = await file();
    await expect(review.approve(agent, filed.reference, await version(agent, filed), { rationale: 'x' })).rejects.toMatchObject({
      code: 'TRANSITION_NOT_ALLOWED',
    });
    const claimedOne = await claimed();
    clock.advance(t.config.appeals.leaseMs + 1_000);
    await expect(review.release(otherAgent, claimedOne.reference, await version(otherAgent, claimedOne))).rejects.toMatchObject({
      code: 'TRANSITION_NOT_ALLOWED',
    });
  });

  it('refuses the approver confirming their own approval, and an agent confirming at all', async () => {
    const filed = await file();
    await review.claim(supervisor, filed.reference, await version(supervisor, filed));
    await review.approve(supervisor, filed.reference, await version(supervisor, filed), { rationale: 'Strong evidence.' });
    await expect(review.confirmApproval(supervisor, filed.reference, await version(supervisor, filed))).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(review.confirmApproval(agent, filed.reference, await version(agent, filed))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(review.confirmApproval(otherSupervisor, filed.reference, await version(otherSupervisor, filed))).resolves.toMatchObject({
      status: 'scheduled',
    });
  });

  it('makes exactly one transition of 20 concurrent approvals', async () => {
    const filed = await claimed();
    const seen = await version(agent, filed);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => review.approve(agent, filed.reference, seen, { rationale: 'Matches the records.' })),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((result) => result.status === 'rejected').map((result) => (result as PromiseRejectedResult).reason.code)).toEqual(
      Array(19).fill('STALE_VERSION'),
    );
    await expect(row(filed)).resolves.toMatchObject({ status: 'pending_second_approval', version: seen + 1 });
    await expect(events(filed, 'appeal.approved')).resolves.toHaveLength(1);
  });

  it('approves only an appeal that names one account', async () => {
    const filed = await file({ uid: '7777777777777777' });
    await review.claim(agent, filed.reference, await version(agent, filed));
    await expect(review.approve(agent, filed.reference, await version(agent, filed), { rationale: 'x' })).rejects.toMatchObject({
      code: 'TRANSITION_NOT_ALLOWED',
    });
    await expect(
      review.reject(agent, filed.reference, await version(agent, filed), { reason: 'No such account', message: 'We found no account.' }),
    ).resolves.toMatchObject({ status: 'rejected' });
  });

  it('lets a supervisor reopen an objected appeal, and nobody act on a closed one but by notes', async () => {
    const filed = await claimed();
    await review.approve(agent, filed.reference, await version(agent, filed), { rationale: 'ok' });
    await review.confirmApproval(supervisor, filed.reference, await version(supervisor, filed));
    await t.dataSource.query(`UPDATE appeals SET status = 'objected' WHERE reference = $1`, [filed.reference]);
    await expect(review.reopen(agent, filed.reference, await version(agent, filed))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(review.claim(agent, filed.reference, await version(agent, filed))).rejects.toMatchObject({
      code: 'TRANSITION_NOT_ALLOWED',
    });
    await review.addNote(agent, filed.reference, await version(agent, filed), { body: 'The former owner objected by SMS.' });
    await expect(review.reopen(supervisor, filed.reference, await version(supervisor, filed))).resolves.toMatchObject({
      status: 'submitted',
    });
    await expect(row(filed)).resolves.toMatchObject({ approvedBy: null, scheduledFor: null, closedAt: null });
  });

  describe('detail', () => {
    it('shows masked contacts, the checklist and score, the thread with names, notes, history and exactly the allowed actions', async () => {
      const filed = await fileAppeal(t, smtp, {
        account: { uid: owner.uid, securePhone: owner.securePhone },
        evidence: {
          fullName: 'Someone',
          description: 'Lost it all',
          idDocumentType: 'passport',
          idDocumentLast4: '1234',
          usualRegion: 'cn-hangzhou',
        },
      });
      await api(t)
        .post(`/api/v1/appeals/${filed.reference}/attachments`)
        .set(bearer(filed.accessToken))
        .attach('file', PNG, 'id.png')
        .expect(201);
      await api(t).post(`/api/v1/appeals/${filed.reference}/messages`).set(bearer(filed.accessToken)).send({ body: 'Hello?' }).expect(201);
      await review.claim(agent, filed.reference, await version(agent, filed));
      await review.addNote(agent, filed.reference, await version(agent, filed), { body: 'Phone matches.' });

      const detail = await t.get(AppealDetailService).detail(agent, filed.reference);
      expect(detail).toMatchObject({
        status: 'in_review',
        accountMatch: 'matched',
        maskedContactEmail: expect.stringMatching(/^c\*\*\*@example\.com$/),
        claimed: { uid: owner.uid, maskedSecurePhone: '+86 137****0001' },
        account: {
          uid: owner.uid,
          maskedLogonEmail: expect.stringMatching(/^o\*\*\*@example\.com$/),
          maskedSecurePhone: '+86 137****0001',
          totpEnabled: false,
          status: 'active',
        },
        attachments: [{ filename: 'id.png', contentType: 'image/png', size: PNG.length, purged: false }],
        thread: [{ from: 'customer', body: 'Hello?', agent: null }],
        notes: [{ body: 'Phone matches.', agent: { id: agent.id, name: agent.name } }],
        lease: { agent: { id: agent.id, name: agent.name }, live: true },
        actions: ['claim', 'release', 'note', 'request_info', 'approve', 'reject'],
      });
      expect(JSON.stringify(detail)).not.toContain(owner.logonEmail);
      expect(detail.checklist).toEqual({
        score: 8,
        threshold: 60,
        rationaleRequired: true,
        items: [
          { fact: 'account.uid', verdict: 'match', weight: 4, comparedWith: expect.any(String) },
          { fact: 'account.securePhone', verdict: 'match', weight: 4, comparedWith: expect.any(String) },
          { fact: 'evidence.fullName', verdict: 'unknown', weight: 3, comparedWith: expect.any(String) },
          { fact: 'contactEmail', verdict: 'unknown', weight: 5, comparedWith: expect.any(String) },
          { fact: 'evidence.idDocument', verdict: 'unknown', weight: 25, comparedWith: expect.stringContaining('checked by an agent') },
          { fact: 'evidence.usualRegion', verdict: 'unknown', weight: 10, comparedWith: expect.stringContaining('checked by an agent') },
        ],
      });
      expect(detail.factChecks).toEqual({
        allowed: true,
        given: [
          { fact: 'idDocument', verdict: 'unknown' },
          { fact: 'usualRegion', verdict: 'unknown' },
        ],
      });

      // The holder records their check of the owner facts: they weigh far above the identifiers.
      await expect(
        review.checkFacts(otherAgent, filed.reference, await version(otherAgent, filed), { idDocument: 'match' }),
      ).rejects.toMatchObject({ code: 'LEASE_HELD' });
      await expect(review.checkFacts(agent, filed.reference, await version(agent, filed), { lastPayment: 'match' })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
      await review.checkFacts(agent, filed.reference, await version(agent, filed), { idDocument: 'match', usualRegion: 'match' });
      await expect(t.get(AppealDetailService).detail(agent, filed.reference)).resolves.toMatchObject({
        checklist: { score: 43, rationaleRequired: true },
      });
      await expect(events(filed, 'appeal.facts_checked')).resolves.toMatchObject([
        { actorId: agent.id, data: { checks: { idDocument: 'match', usualRegion: 'match' } } },
      ]);
      await review.addNote(agent, filed.reference, await version(agent, filed), { body: 'Phone matches.' });
      expect(detail.history.map((event) => event.action)).toEqual([
        'appeal.note_added',
        'appeal.claimed',
        'appeal.customer_message_added',
        'appeal.attachment_added',
        'appeal.filed',
      ]);
      expect((await t.get(AppealDetailService).detail(agent, filed.reference)).history.map((event) => event.action).slice(0, 2)).toEqual([
        'appeal.note_added',
        'appeal.facts_checked',
      ]);
      expect(detail.history[0].actor).toEqual({ type: 'agent', id: agent.id, name: agent.name });

      await expect(t.get(AppealDetailService).detail(otherAgent, filed.reference)).resolves.toMatchObject({ actions: ['note'] });
      await expect(t.get(AppealDetailService).detail(supervisor, filed.reference)).resolves.toMatchObject({
        actions: ['takeover', 'note'],
      });
    });

    it('serves an attachment and audits the view; reveals contacts only with an audit event', async () => {
      const filed = await file();
      const uploaded = await api(t)
        .post(`/api/v1/appeals/${filed.reference}/attachments`)
        .set(bearer(filed.accessToken))
        .attach('file', PNG, 'proof.png')
        .expect(201);
      await expect(t.get(AppealSensitiveReadsService).downloadAttachment(agent, filed.reference, uploaded.body.id)).resolves.toEqual({
        filename: 'proof.png',
        contentType: 'image/png',
        size: PNG.length,
        content: PNG,
      });
      await expect(events(filed, 'appeal.attachment_viewed')).resolves.toMatchObject([
        { actorId: agent.id, data: { attachmentId: uploaded.body.id } },
      ]);
      await expect(
        t.get(AppealSensitiveReadsService).downloadAttachment(agent, filed.reference, '00000000-0000-4000-8000-000000000000'),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });

      await expect(t.get(AppealSensitiveReadsService).revealContacts(agent, filed.reference)).resolves.toMatchObject({
        contactEmail: filed.contactEmail,
        claimedEmail: expect.stringContaining('@example.com'),
      });
      await expect(events(filed, 'appeal.contacts_revealed')).resolves.toHaveLength(1);
    });
  });

  describe('queue', () => {
    it('filters by status, mine and SLA breach, searches by reference, email, UID and phone, and pages by 50 with a cursor', async () => {
      const person = await createAccount(t, { securePhone: '+8613700000099' });
      const contactEmail = uniqueEmail('queue-contact');
      const mine = await fileAppeal(t, smtp, { account: { uid: person.uid }, contactEmail });
      const byPhone = await fileAppeal(t, smtp, { account: { securePhone: '+8613700000099' } });
      await review.claim(otherAgent, mine.reference, await version(otherAgent, mine));

      const references = async (filters: Parameters<AppealQueueService['list']>[1]) =>
        (await queue.list(otherAgent, filters)).items.map((item) => item.reference);
      await expect(references({ mine: true })).resolves.toEqual(expect.arrayContaining([mine.reference]));
      await expect(references({ mine: true })).resolves.not.toContain(byPhone.reference);
      await expect(references({ status: 'in_review', q: mine.reference.toLowerCase() })).resolves.toEqual([mine.reference]);
      await expect(references({ q: contactEmail.toUpperCase().replace('@EXAMPLE.COM', '@example.com') })).resolves.toEqual([
        mine.reference,
      ]);
      // The UID as typed, or the account the appeal matched (the phone named the same account).
      await expect(references({ q: person.uid })).resolves.toEqual([mine.reference, byPhone.reference]);
      await expect(references({ q: '+8613700000099' })).resolves.toEqual([byPhone.reference]);
      await expect(references({ q: 'not searchable' })).resolves.toEqual([]);
      await expect(references({ status: 'open', q: byPhone.reference })).resolves.toEqual([byPhone.reference]);
      await expect(references({ status: 'rejected', q: byPhone.reference })).resolves.toEqual([]);

      await t.dataSource.query(`UPDATE appeals SET sla_breached = true WHERE reference = $1`, [byPhone.reference]);
      await expect(references({ sla: 'breached' })).resolves.toEqual([byPhone.reference]);

      const first = (await queue.list(otherAgent, { q: mine.reference })).items[0];
      expect(first).toMatchObject({
        status: 'in_review',
        accountMatch: 'matched',
        leaseHolder: { id: otherAgent.id, name: otherAgent.name },
        maskedContactEmail: expect.stringContaining('***'),
      });

      await t.dataSource.query(
        `INSERT INTO appeals (id, reference, access_token_hash, status, version, contact_email, locale, account_match, changes, evidence, created_at, updated_at)
         SELECT gen_random_uuid(), 'AP-' || lpad(translate(upper(to_hex(n)), '0189', 'QRST'), 10, 'Z'), repeat('0', 64), 'submitted', 1, 'bulk@example.com', 'en', 'unmatched',
                '{"resetPassword": true}', '{"fullName": "x", "description": "y"}', now() + n * interval '1 millisecond', now()
           FROM generate_series(1, 120) AS n`,
      );
      const seen = new Set<string>();
      let after: string | undefined;
      let pages = 0;
      do {
        const page = await queue.list(otherAgent, { q: 'bulk@example.com', ...(after ? { after } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(50);
        page.items.forEach((item) => seen.add(item.reference));
        after = page.next ?? undefined;
        pages += 1;
      } while (after);
      expect([seen.size, pages]).toEqual([120, 3]);
      await expect(queue.list(otherAgent, { after: 'garbage' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });

  it('counts appeals by status, SLA breaches and the median times over 30 days', async () => {
    const filed = await claimed();
    await review.requestInfo(agent, filed.reference, await version(agent, filed), { message: 'More please' });
    const stats = await t.get(AppealStatisticsService).dashboard();
    expect(stats.byStatus.awaiting_customer).toBeGreaterThanOrEqual(1);
    expect(Object.keys(stats.byStatus)).toHaveLength(10);
    expect(stats.daily).toHaveLength(30);
    expect(stats.medianFirstResponseMs).toEqual(expect.any(Number));
    expect(stats.daily[29].firstResponses).toBeGreaterThanOrEqual(1);
    expect(stats.slaBreaches).toEqual({
      openNow: expect.any(Number),
      firstResponseLast30Days: expect.any(Number),
      resolutionLast30Days: expect.any(Number),
    });
    const metrics = await api(t).get('/metrics').set(METRICS_AUTH).expect(200);
    expect(metrics.text).toMatch(new RegExp(`^appeals\\{status="awaiting_customer"\\} ${stats.byStatus.awaiting_customer}$`, 'm'));
  });
});

describe('Appeal review without four eyes (APPEAL_FOUR_EYES=false)', () => {
  let smtp: SmtpSink;
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, env: { TRUST_PROXY: 'loopback', APPEAL_FOUR_EYES: 'false' } });
    ({ smtp } = t);
  });

  afterAll(() => t.close());

  it('schedules on the first approval, with the objection notices and the delayed job', async () => {
    const owner = await createAccount(t);
    const filed = await fileAppeal(t, smtp, { account: { uid: owner.uid } });
    const agent = await createAgent(t, 'agent');
    const review = t.get(AppealReviewService);
    await review.claim(agent, filed.reference, await versionOf(t, agent, filed.reference));
    await expect(
      review.approve(agent, filed.reference, await versionOf(t, agent, filed.reference), { rationale: 'Known customer.' }),
    ).resolves.toMatchObject({ status: 'scheduled' });
    await smtp.latest(owner.logonEmail, 'appeal-objection');
    await smtp.latest(filed.contactEmail, 'appeal-scheduled');
    const appeal = await t.dataSource.getRepository(Appeal).findOneByOrFail({ reference: filed.reference });
    expect(appeal).toMatchObject({ approvedBy: agent.id, confirmedBy: null, leaseAgentId: null, scheduledFor: expect.any(Date) });
    await expect(t.get(JobQueue).queue(QueueName.Appeals).getJobState(appeal.id)).resolves.toBe('delayed');
  });
});
