import { randomUUID } from 'node:crypto';
import { Passkey } from '../../src/modules/accounts/entities/passkey.entity';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { AppealPortalService } from '../../src/modules/appeals/appeal-portal.service';
import { AppealReviewService } from '../../src/modules/appeals/appeal-review.service';
import { Appeal } from '../../src/modules/appeals/entities/appeal.entity';
import { AppealAttachment } from '../../src/modules/appeals/entities/appeal-attachment.entity';
import { PasswordReset } from '../../src/modules/appeals/entities/password-reset.entity';
import { appealBody, createAgent, fileAppeal, FiledAppeal, PNG, uploadAttachment, versionOf } from '../support/appeals';
import { api, bearer, controlClock, createAccount, DEFAULT_PASSWORD, signIn, uniqueEmail, uniqueIp } from '../support/factories';
import { SmsSink } from '../support/sms-sink';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const NEW_PASSWORD = 'violet meadow lantern quietly 8217';

describe('Appeals (public API and the whole path)', () => {
  let smtp: SmtpSink;
  let sms: SmsSink;
  let t: TestApp;
  let review: AppealReviewService;
  let clock: { advance(ms: number): void };

  beforeAll(async () => {
    t = await createTestApp({
      smtp: true,
      sms: true,
      env: {
        TRUST_PROXY: 'loopback',
        APPEAL_COOLING_OFF: '2s',
        PUBLIC_BASE_URL: 'https://accounts.example.com',
      },
    });
    ({ smtp, sms } = t);
    review = t.get(AppealReviewService);
    clock = controlClock(t);
  });

  afterAll(() => t.close());

  const status = (filed: FiledAppeal) => api(t).get(`/api/v1/appeals/${filed.reference}`).set(bearer(filed.accessToken));
  const linkIn = (text: string, path: string) => {
    const match = new RegExp(`https://accounts\\.example\\.com${path}/([A-Za-z0-9_-]{43})`).exec(text);
    if (!match) throw new Error(`no ${path} link in: ${text.slice(0, 300)}`);
    return match[1];
  };
  const upload = (filed: FiledAppeal, content: Buffer, filename: string, contentType?: string) =>
    uploadAttachment(t, filed, content, filename, contentType);

  it('takes a person with neither phone nor email from filing to a new logon email, a new password and a sign-in', async () => {
    const owner = await createAccount(t, { securePhone: '+8613800000001' });
    await t.dataSource.manager.insert(Passkey, {
      id: randomUUID(),
      accountUid: owner.uid,
      credentialId: `credential-of-${owner.uid}`,
      publicKey: Buffer.from('not a key'),
      counter: 0,
      transports: ['internal'],
      name: 'Old phone',
    });
    const contactEmail = uniqueEmail('new-home');
    const filed = await fileAppeal(t, smtp, {
      account: { uid: owner.uid, logonEmail: owner.logonEmail },
      changes: { logonEmail: contactEmail, resetPassword: true },
      contactEmail,
    });
    expect(filed.reference).toMatch(/^AP-[A-Z2-7]{10}$/);
    await smtp.latest(filed.contactEmail, 'appeal-received');
    const filedBody = (await status(filed).expect(200)).body;
    expect(filedBody).toEqual({
      reference: filed.reference,
      status: 'submitted',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      requestedChanges: { logonEmail: filed.contactEmail, resetPassword: true },
      messages: [],
    });

    const uploaded = await upload(filed, PNG, 'passport.png', 'image/png').expect(201);
    expect(uploaded.body).toEqual({ id: expect.any(String), filename: 'passport.png', size: PNG.length, contentType: 'image/png' });

    const agent = await createAgent(t, 'agent');
    const supervisor = await createAgent(t, 'supervisor');
    await review.claim(agent, filed.reference, await versionOf(t, agent, filed.reference));
    await review.requestInfo(agent, filed.reference, await versionOf(t, agent, filed.reference), {
      message: 'Which region did you usually sign in from?',
    });
    const asked = await smtp.latest(filed.contactEmail, 'appeal-info-requested');
    expect(asked.text).toContain('Which region did you usually sign in from?');
    expect((await status(filed).expect(200)).body).toMatchObject({
      status: 'awaiting_customer',
      messages: [{ from: 'agent', body: 'Which region did you usually sign in from?' }],
    });

    await api(t)
      .post(`/api/v1/appeals/${filed.reference}/messages`)
      .set(bearer(filed.accessToken))
      .send({ body: 'Mostly Hangzhou.' })
      .expect(201);
    const answered = (await status(filed).expect(200)).body;
    expect(answered.status).toBe('in_review');
    expect(answered.messages.map((message: { from: string }) => message.from)).toEqual(['agent', 'customer']);
    expect(JSON.stringify(answered)).not.toContain(agent.name);

    // UID and former email match: 50 points, under the threshold of 60, so a rationale is needed.
    await expect(review.approve(agent, filed.reference, await versionOf(t, agent, filed.reference), {})).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await review.approve(agent, filed.reference, await versionOf(t, agent, filed.reference), {
      rationale: 'Passport photo matches the name on the payment record.',
    });
    expect((await status(filed).expect(200)).body.status).toBe('pending_second_approval');
    await review.confirmApproval(supervisor, filed.reference, await versionOf(t, supervisor, filed.reference), {});

    const scheduled = (await status(filed).expect(200)).body;
    expect(scheduled).toMatchObject({ status: 'scheduled', scheduledFor: expect.any(String) });
    await smtp.latest(filed.contactEmail, 'appeal-scheduled');
    const objectionEmail = await smtp.latest(owner.logonEmail, 'appeal-objection');
    const objectionSms = await sms.latest('+8613800000001', 'appeal-objection');
    expect(linkIn(objectionEmail.text, '/appeal/object')).not.toBe(linkIn(objectionSms.body, '/appeal/object'));

    await waitFor(async () => (await status(filed)).body.status === 'completed', {
      timeoutMs: 15_000,
      description: 'the cooling-off to end and the change to apply',
    });
    const account = await t.get(AccountsService).get(owner.uid);
    expect(account).toMatchObject({ logonEmail: filed.contactEmail, securePhone: null, status: 'active' });
    // Every passkey goes with the recovery.
    expect(await t.dataSource.manager.countBy(Passkey, { accountUid: owner.uid })).toBe(0);
    await api(t)
      .post('/api/v1/sessions')
      .set('X-Forwarded-For', uniqueIp())
      .send({ login: owner.logonEmail, password: DEFAULT_PASSWORD })
      .expect(401);

    const completed = await smtp.latest(filed.contactEmail, 'appeal-completed');
    const token = linkIn(completed.text, '/reset-password');
    await api(t).post(`/api/v1/password-resets/${token}`).send({ newPassword: 'short' }).expect(422);
    await expect(api(t).post(`/api/v1/password-resets/${token}`).send({ newPassword: NEW_PASSWORD }).expect(200)).resolves.toMatchObject({
      body: { uid: owner.uid },
    });
    await api(t)
      .post(`/api/v1/password-resets/${token}`)
      .send({ newPassword: `${NEW_PASSWORD} again` })
      .expect(404);
    // Told like every new password, at the logon email the appeal gave, with its "this wasn't me" link.
    expect(linkIn((await smtp.latest(filed.contactEmail, 'password-changed')).text, '/secure/revert')).toEqual(expect.any(String));
    await expect(signIn(t, filed.contactEmail, NEW_PASSWORD)).resolves.toEqual(expect.any(String));
  });

  it('stops a scheduled appeal when a former contact objects, and tells the person', async () => {
    const owner = await createAccount(t, { securePhone: '+8613800000002' });
    const filed = await fileAppeal(t, smtp, { account: { securePhone: owner.securePhone }, changes: { securePhone: '+8613800000003' } });
    const agent = await createAgent(t, 'agent');
    const supervisor = await createAgent(t, 'supervisor');
    await review.claim(agent, filed.reference, await versionOf(t, agent, filed.reference));
    await review.approve(agent, filed.reference, await versionOf(t, agent, filed.reference), { rationale: 'Called the person back.' });
    await review.confirmApproval(supervisor, filed.reference, await versionOf(t, supervisor, filed.reference));

    const objection = linkIn((await sms.latest('+8613800000002', 'appeal-objection')).body, '/appeal/object');
    await expect(api(t).post(`/api/v1/appeal-objections/${objection}`).expect(200)).resolves.toMatchObject({
      body: { status: 'objected' },
    });
    await api(t).post(`/api/v1/appeal-objections/${objection}`).expect(404);
    const other = linkIn((await smtp.latest(owner.logonEmail, 'appeal-objection')).text, '/appeal/object');
    await api(t).post(`/api/v1/appeal-objections/${other}`).expect(404);
    await api(t)
      .post(`/api/v1/appeal-objections/${'x'.repeat(43)}`)
      .expect(404);

    const closed = await smtp.latest(filed.contactEmail, 'appeal-closed');
    expect(closed.text).toContain('objected');
    expect((await status(filed).expect(200)).body.status).toBe('objected');
    await api(t)
      .post(`/api/v1/appeals/${filed.reference}/messages`)
      .set(bearer(filed.accessToken))
      .send({ body: 'Please?' })
      .expect(409)
      .expect((res) => expect(res.body.code).toBe('APPEAL_CLOSED'));
    // Long after the cooling-off, nothing was applied.
    await expect(t.get(AccountsService).get(owner.uid)).resolves.toMatchObject({ securePhone: '+8613800000002' });
  });

  it('rejects with a message to the person and no change', async () => {
    const owner = await createAccount(t);
    const filed = await fileAppeal(t, smtp, { account: { uid: owner.uid } });
    const agent = await createAgent(t, 'agent');
    await review.claim(agent, filed.reference, await versionOf(t, agent, filed.reference));
    await review.reject(agent, filed.reference, await versionOf(t, agent, filed.reference), {
      reason: 'No evidence at all',
      message: 'We could not link you to this account.',
    });
    expect((await smtp.latest(filed.contactEmail, 'appeal-rejected')).text).toContain('We could not link you to this account.');
    const body = (await status(filed).expect(200)).body;
    expect(body).toMatchObject({ status: 'rejected', messages: [{ from: 'agent', body: 'We could not link you to this account.' }] });
    expect(JSON.stringify(body)).not.toContain('No evidence at all');
    await upload(filed, PNG, 'late.png')
      .expect(409)
      .expect((res) => expect(res.body.code).toBe('APPEAL_CLOSED'));
  });

  it('lets the person cancel, also while scheduled, and never applies a cancelled appeal', async () => {
    const owner = await createAccount(t);
    const submitted = await fileAppeal(t, smtp, { account: { uid: owner.uid } });
    await expect(
      api(t).post(`/api/v1/appeals/${submitted.reference}/cancel`).set(bearer(submitted.accessToken)).expect(200),
    ).resolves.toMatchObject({ body: { status: 'cancelled' } });
    expect((await smtp.latest(submitted.contactEmail, 'appeal-closed')).text).toContain('cancelled');
    await api(t)
      .post(`/api/v1/appeals/${submitted.reference}/cancel`)
      .set(bearer(submitted.accessToken))
      .expect(409)
      .expect((res) => expect(res.body.code).toBe('APPEAL_CLOSED'));

    const scheduled = await fileAppeal(t, smtp, { account: { uid: owner.uid } });
    const agent = await createAgent(t, 'agent');
    const supervisor = await createAgent(t, 'supervisor');
    await review.claim(agent, scheduled.reference, await versionOf(t, agent, scheduled.reference));
    await review.approve(agent, scheduled.reference, await versionOf(t, agent, scheduled.reference), { rationale: 'ok' });
    await review.confirmApproval(supervisor, scheduled.reference, await versionOf(t, supervisor, scheduled.reference));
    await api(t).post(`/api/v1/appeals/${scheduled.reference}/cancel`).set(bearer(scheduled.accessToken)).expect(200);
    await expect(t.dataSource.getRepository(Appeal).findOneByOrFail({ reference: scheduled.reference })).resolves.toMatchObject({
      status: 'cancelled',
    });
    await expect(t.get(AccountsService).get(owner.uid)).resolves.toMatchObject({ logonEmail: owner.logonEmail });
  });

  describe('attachments', () => {
    let filed: FiledAppeal;

    beforeAll(async () => {
      const owner = await createAccount(t);
      filed = await fileAppeal(t, smtp, { account: { uid: owner.uid } });
    });

    it('takes at most 5 files (409 ATTACHMENT_LIMIT)', async () => {
      const count = await t.dataSource
        .getRepository(AppealAttachment)
        .countBy({ appealId: (await t.dataSource.getRepository(Appeal).findOneByOrFail({ reference: filed.reference })).id });
      for (let n = count; n < 5; n += 1) await upload(filed, PNG, `extra-${n}.png`).expect(201);
      await upload(filed, PNG, 'sixth.png')
        .expect(409)
        .expect((res) => expect(res.body.code).toBe('ATTACHMENT_LIMIT'));
    });

    it('answers 404 to a wrong token before reading the file, 400 without a file, and 415 to a body that is not multipart', async () => {
      await api(t).post(`/api/v1/appeals/${filed.reference}/attachments`).set(bearer('wrong')).attach('file', PNG, 'x.png').expect(404);
      await api(t).post(`/api/v1/appeals/${filed.reference}/attachments`).set(bearer(filed.accessToken)).expect(400);
      await api(t).post(`/api/v1/appeals/${filed.reference}/attachments`).set(bearer(filed.accessToken)).send({}).expect(415);
    });
  });

  describe('filing rules', () => {
    it('answers 404 alike to an unknown reference, a wrong token and no token', async () => {
      const owner = await createAccount(t);
      const filed = await fileAppeal(t, smtp, { account: { uid: owner.uid } });
      const answers = await Promise.all([
        api(t).get('/api/v1/appeals/AP-AAAAAAAAAA').set(bearer(filed.accessToken)),
        api(t).get(`/api/v1/appeals/${filed.reference}`).set(bearer('not-the-token')),
        api(t).get(`/api/v1/appeals/${filed.reference}`),
        api(t).post(`/api/v1/appeals/${filed.reference}/cancel`),
      ]);
      expect(answers.map((answer) => [answer.status, answer.body.code])).toEqual(Array(4).fill([404, 'NOT_FOUND']));
    });

    it('refuses a new logon email other than the verified contact (422) without using up the code', async () => {
      const owner = await createAccount(t);
      const contactEmail = uniqueEmail('contact');
      const ip = uniqueIp();
      const body = await appealBody(t, smtp, {
        contactEmail,
        ip,
        account: { uid: owner.uid },
        changes: { logonEmail: uniqueEmail('someone-else') },
      });
      await api(t)
        .post('/api/v1/appeals')
        .set('X-Forwarded-For', ip)
        .send(body)
        .expect(422)
        .expect((res) => expect(res.body.code).toBe('CONTACT_MISMATCH'));
      await api(t)
        .post('/api/v1/appeals')
        .set('X-Forwarded-For', ip)
        .send({ ...body, changes: { logonEmail: contactEmail.toUpperCase().replace('@EXAMPLE.COM', '@example.com') } })
        .expect(201);
      await api(t)
        .post('/api/v1/appeals')
        .set('X-Forwarded-For', ip)
        .send({ ...body, changes: { resetPassword: true } })
        .expect(409)
        .expect((res) => expect(res.body.code).toBe('VERIFICATION_USED'));
    });

    it('answers contact code errors as verification does', async () => {
      const owner = await createAccount(t);
      const contactEmail = uniqueEmail('contact');
      const ip = uniqueIp();
      const body = await appealBody(t, smtp, { contactEmail, ip, account: { uid: owner.uid } });
      const code = (body.contactVerification as { code: string }).code;
      const wrong = {
        ...body,
        contactVerification: { ...(body.contactVerification as object), code: code === '000000' ? '111111' : '000000' },
      };
      await api(t)
        .post('/api/v1/appeals')
        .set('X-Forwarded-For', ip)
        .send(wrong)
        .expect(400)
        .expect((res) => expect(res.body).toMatchObject({ code: 'VERIFICATION_CODE_INVALID', attemptsRemaining: 4 }));
      await api(t).post('/api/v1/appeals').set('X-Forwarded-For', ip).send(body).expect(201);
    });

    it('validates the body: account named, a change asked, fields well formed', async () => {
      const ip = uniqueIp();
      const body = await appealBody(t, smtp, { contactEmail: uniqueEmail('contact'), ip, account: {} });
      const errors = async (payload: object) =>
        (await api(t).post('/api/v1/appeals').set('X-Forwarded-For', ip).send(payload).expect(400)).body.errors.map(
          (error: { field: string }) => error.field,
        );
      await expect(errors(body)).resolves.toEqual(['account']);
      await expect(
        errors({ ...body, account: { uid: '12' }, changes: { securePhone: '138' }, evidence: { fullName: '' } }),
      ).resolves.toEqual(expect.arrayContaining(['account.uid', 'changes.securePhone', 'evidence.fullName', 'evidence.description']));
      await expect(errors({ ...body, account: { uid: '1234567890123456' }, changes: { resetPassword: false } })).resolves.toEqual([
        'changes',
      ]);
      await expect(errors({ ...body, extra: true })).resolves.toEqual(['extra']);
    });

    it('limits contact codes to 5 an hour per email (429 with Retry-After)', async () => {
      const email = uniqueEmail('codes');
      for (let n = 0; n < 5; n += 1)
        await api(t).post('/api/v1/appeals/contact-verifications').set('X-Forwarded-For', uniqueIp()).send({ email }).expect(201);
      const refused = await api(t)
        .post('/api/v1/appeals/contact-verifications')
        .set('X-Forwarded-For', uniqueIp())
        .send({ email })
        .expect(429);
      expect(refused.body.code).toBe('RATE_LIMITED');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('limits contact codes to 20 an hour per IP', async () => {
      const ip = uniqueIp();
      for (let n = 0; n < 20; n += 1)
        await api(t)
          .post('/api/v1/appeals/contact-verifications')
          .set('X-Forwarded-For', ip)
          .send({ email: uniqueEmail('ip') })
          .expect(201);
      await api(t)
        .post('/api/v1/appeals/contact-verifications')
        .set('X-Forwarded-For', ip)
        .send({ email: uniqueEmail('ip') })
        .expect(429);
    });

    it('limits filings to 5 a day per IP and per contact email, refusing without using up the code', async () => {
      const owner = await createAccount(t);
      const ip = uniqueIp();
      for (let n = 0; n < 5; n += 1) {
        await fileAppeal(t, smtp, { account: { uid: owner.uid }, ip });
        if (n % 2 === 1) await t.dataSource.query(`UPDATE appeals SET status = 'cancelled' WHERE claimed_uid = $1`, [owner.uid]);
      }
      const body = await appealBody(t, smtp, { contactEmail: uniqueEmail('contact'), ip, account: { uid: owner.uid } });
      const refused = await api(t).post('/api/v1/appeals').set('X-Forwarded-For', ip).send(body).expect(429);
      expect(refused.body.code).toBe('RATE_LIMITED');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(86_000);
      // From another address the same verification still works: the refusal did not use it.
      await t.dataSource.query(`UPDATE appeals SET status = 'cancelled' WHERE claimed_uid = $1`, [owner.uid]);
      await api(t).post('/api/v1/appeals').set('X-Forwarded-For', uniqueIp()).send(body).expect(201);

      const contactEmail = uniqueEmail('busy-contact');
      for (let n = 0; n < 5; n += 1) {
        // Past the hour of 5 contact codes per email, still within the day of 5 filings.
        if (n === 4) clock.advance(61 * 60_000);
        await fileAppeal(t, smtp, { account: { uid: owner.uid }, contactEmail });
        await t.dataSource.query(`UPDATE appeals SET status = 'cancelled' WHERE claimed_uid = $1`, [owner.uid]);
      }
      const again = await appealBody(t, smtp, { contactEmail, ip: uniqueIp(), account: { uid: owner.uid } });
      await api(t).post('/api/v1/appeals').set('X-Forwarded-For', uniqueIp()).send(again).expect(429);
    });

    it('allows 3 open appeals per identifier as typed, alike for an account and for none', async () => {
      const owner = await createAccount(t);
      for (const uid of [owner.uid, '8888888888888888']) {
        for (let n = 0; n < 3; n += 1) await fileAppeal(t, smtp, { account: { uid } });
        const body = await appealBody(t, smtp, { contactEmail: uniqueEmail('contact'), ip: uniqueIp(), account: { uid } });
        const refused = await api(t).post('/api/v1/appeals').set('X-Forwarded-For', uniqueIp()).send(body).expect(429);
        expect(refused.body.code).toBe('RATE_LIMITED');
      }
    });

    it('counts the limits across concurrent filings: 5 at once for one identifier open 3', async () => {
      const owner = await createAccount(t);
      const bodies = await Promise.all(
        Array.from({ length: 5 }, async () => {
          const ip = uniqueIp();
          return {
            ip,
            body: await appealBody(t, smtp, { contactEmail: uniqueEmail('race'), ip, account: { logonEmail: owner.logonEmail } }),
          };
        }),
      );
      const answers = await Promise.all(bodies.map(({ ip, body }) => api(t).post('/api/v1/appeals').set('X-Forwarded-For', ip).send(body)));
      expect(answers.map((answer) => answer.status).sort()).toEqual([201, 201, 201, 429, 429]);
    });
  });

  it('never shows internal notes or agent names on the status page', async () => {
    const owner = await createAccount(t);
    const filed = await fileAppeal(t, smtp, { account: { uid: owner.uid } });
    const agent = await createAgent(t, 'agent', 'Agent Smith-Internal');
    await review.addNote(agent, filed.reference, await versionOf(t, agent, filed.reference), { body: 'internal: looks like fraud' });
    const body = JSON.stringify((await status(filed).expect(200)).body);
    expect(body).not.toContain('internal: looks like fraud');
    expect(body).not.toContain('Agent Smith-Internal');
  });

  it('serves the portal through the service for the pages, with the same answers', async () => {
    const owner = await createAccount(t);
    const filed = await fileAppeal(t, smtp, { account: { uid: owner.uid } });
    const portal = t.get(AppealPortalService);
    await expect(portal.status({ reference: filed.reference, accessToken: filed.accessToken })).resolves.toMatchObject({
      status: 'submitted',
    });
    await expect(portal.status({ reference: filed.reference, accessToken: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('issues reset links that expire after 24 hours', async () => {
    const owner = await createAccount(t);
    const filed = await fileAppeal(t, smtp, { account: { uid: owner.uid }, changes: { resetPassword: true } });
    const agent = await createAgent(t, 'agent');
    const supervisor = await createAgent(t, 'supervisor');
    await review.claim(agent, filed.reference, await versionOf(t, agent, filed.reference));
    await review.approve(agent, filed.reference, await versionOf(t, agent, filed.reference), { rationale: 'ok' });
    await review.confirmApproval(supervisor, filed.reference, await versionOf(t, supervisor, filed.reference));
    const token = linkIn((await smtp.latest(filed.contactEmail, 'appeal-completed', 15_000)).text, '/reset-password');
    await t.dataSource.getRepository(PasswordReset).update({ accountUid: owner.uid }, { expiresAt: new Date(Date.now() - 1) });
    await api(t).post(`/api/v1/password-resets/${token}`).send({ newPassword: NEW_PASSWORD }).expect(404);
    // The account kept its logon email (only a reset was asked) and lost every session.
    await expect(t.get(AccountsService).get(owner.uid)).resolves.toMatchObject({ logonEmail: owner.logonEmail });
  });
});
