import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { CHALLENGE_RULES } from '../../src/modules/challenges/challenge-limits';
import { ChallengeAccount, CodeChallengesService, IssueChallenge } from '../../src/modules/challenges/code-challenges.service';
import { CodeChallenge } from '../../src/modules/challenges/entities/code-challenge.entity';
import { VerificationTokensService } from '../../src/modules/challenges/verification-tokens.service';
import { controlClock, createAccount } from '../support/factories';
import { SmsSink } from '../support/sms-sink';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';

describe(CodeChallengesService.name, () => {
  let smtp: SmtpSink;
  let sms: SmsSink;
  let t: TestApp;
  let challenges: CodeChallengesService;
  let clock: ReturnType<typeof controlClock>;

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, sms: true });
    ({ smtp, sms } = t);
    challenges = t.get(CodeChallengesService);
    clock = controlClock(t);
  });

  afterAll(() => t.close());

  async function account(phone?: string): Promise<ChallengeAccount> {
    const created = await createAccount(t, { securePhone: phone });
    return { uid: created.uid, logonEmail: created.logonEmail, securePhone: phone ?? null, locale: 'en' };
  }

  const sessionId = randomUUID();

  function byEmail(owner: ChallengeAccount): IssueChallenge {
    return {
      kind: 'verification',
      method: 'email',
      account: owner,
      sessionId,
      purpose: 'change_password',
      destination: owner.logonEmail,
      message: { template: 'verification-code', locale: 'en', variables: { purpose: 'change_password' } },
    };
  }

  const issue = (request: IssueChallenge) => t.dataSource.transaction((manager) => challenges.issue(manager, request));
  const scope = (owner: ChallengeAccount) => ({ kind: 'verification' as const, accountUid: owner.uid, sessionId });
  const verify = (challenge: CodeChallenge, code: string, owner: ChallengeAccount, onSuccess = async () => 'verified') =>
    challenges.verify(challenge.id, code, scope(owner), { account: owner, onSuccess });
  const wrong = (code: string) => (code === '000000' ? '111111' : '000000');

  it('sends a 6-digit code that verifies once; the second use answers 409', async () => {
    const owner = await account();
    const challenge = await issue(byEmail(owner));
    const code = await smtp.codeFor(owner.logonEmail, 'verification-code');
    expect(code).toMatch(/^\d{6}$/);
    const row = await t.dataSource.getRepository(CodeChallenge).findOneByOrFail({ id: challenge.id });
    expect(row.codeHmac).toMatch(/^[0-9a-f]{64}$/);
    expect(row.codeHmac).not.toContain(code);

    await expect(verify(challenge, code, owner)).resolves.toBe('verified');
    await expect(verify(challenge, code, owner)).rejects.toMatchObject({ code: 'VERIFICATION_USED' });
  });

  it('counts wrong codes down to 0, then locks the challenge even for the right code', async () => {
    const owner = await account();
    const challenge = await issue(byEmail(owner));
    const code = await smtp.codeFor(owner.logonEmail);
    for (let remaining = 4; remaining >= 0; remaining -= 1) {
      await expect(verify(challenge, wrong(code), owner)).rejects.toMatchObject({
        code: 'VERIFICATION_CODE_INVALID',
        extras: { attemptsRemaining: remaining },
      });
    }
    await expect(verify(challenge, code, owner)).rejects.toMatchObject({ code: 'VERIFICATION_LOCKED' });
  });

  it('answers 410 once the code has expired, and 404 to another account or session', async () => {
    const owner = await account();
    const other = await account();
    const challenge = await issue(byEmail(owner));
    const code = await smtp.codeFor(owner.logonEmail);
    await expect(challenges.verify(challenge.id, code, scope(other), { onSuccess: async () => 'no' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      challenges.verify(challenge.id, code, { ...scope(owner), sessionId: randomUUID() }, { onSuccess: async () => 'no' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    clock.advance(t.config.verification.codeTtlMs + 1);
    await expect(verify(challenge, code, owner)).rejects.toMatchObject({ code: 'VERIFICATION_EXPIRED' });
  });

  it('resends after the cooldown with a new code that voids the old one, at most 5 sends in all', async () => {
    const owner = await account();
    const challenge = await issue(byEmail(owner));
    const first = await smtp.codeFor(owner.logonEmail);
    await expect(challenges.resend(challenge.id, scope(owner), { account: owner })).rejects.toMatchObject({
      code: 'RESEND_TOO_SOON',
      retryAfterSeconds: 60,
    });

    let latest = first;
    for (let send = 2; send <= CHALLENGE_RULES.sendsPerChallenge; send += 1) {
      clock.advance(t.config.verification.resendCooldownMs);
      const before = smtp.to(owner.logonEmail).length;
      const resent = await challenges.resend(challenge.id, scope(owner), { account: owner });
      expect(resent.sends).toBe(send);
      await smtp.waitForMessage(() => smtp.to(owner.logonEmail).length > before);
      latest = await smtp.codeFor(owner.logonEmail);
    }
    clock.advance(t.config.verification.resendCooldownMs);
    await expect(challenges.resend(challenge.id, scope(owner), { account: owner })).rejects.toMatchObject({ code: 'RATE_LIMITED' });

    if (latest !== first) await expect(verify(challenge, first, owner)).rejects.toMatchObject({ code: 'VERIFICATION_CODE_INVALID' });
    await expect(verify(challenge, latest, owner)).resolves.toBe('verified');
  });

  it('sends by SMS to the secure phone', async () => {
    const owner = await account('+8613900000101');
    const challenge = await issue({ ...byEmail(owner), method: 'sms', destination: owner.securePhone });
    const code = await sms.codeFor('+8613900000101', 'verification-code');
    await expect(verify(challenge, code, owner)).resolves.toBe('verified');
  });

  it('allows 10 sends an hour per account across challenges, with Retry-After beyond', async () => {
    const owner = await account();
    // Time stands still while the sends are made: on a busy machine they take seconds, and the wait counts from the first.
    clock.freeze();
    try {
      for (let i = 0; i < CHALLENGE_RULES.accountSendsPerHour; i += 1) await issue(byEmail(owner));
      await expect(issue(byEmail(owner))).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 3600 });
      clock.advance(CHALLENGE_RULES.windowMs);
      await expect(issue(byEmail(owner))).resolves.toBeInstanceOf(CodeChallenge);
    } finally {
      clock.thaw();
    }
  });

  it('locks verification for the account after 20 failures in an hour, across new challenges, and tells the owner', async () => {
    const owner = await account('+8613900000102');
    let failures = 0;
    while (failures < CHALLENGE_RULES.accountFailuresPerHour) {
      clock.advance(CHALLENGE_RULES.windowMs / 100); // sends stay under their own limit
      const challenge = await issue({ ...byEmail(owner), destination: owner.logonEmail });
      for (
        let i = 0;
        i < CHALLENGE_RULES.attemptsPerChallenge && failures < CHALLENGE_RULES.accountFailuresPerHour;
        i += 1, failures += 1
      ) {
        await expect(verify(challenge, 'not-a-code', owner)).rejects.toMatchObject({ code: 'VERIFICATION_CODE_INVALID' });
      }
    }
    await expect(issue(byEmail(owner))).rejects.toMatchObject({ code: 'VERIFICATION_LOCKED', retryAfterSeconds: 3600 });
    await smtp.latest(owner.logonEmail, 'verification-locked');
    await sms.latest('+8613900000102', 'verification-locked');
    const events = await t.dataSource.query(`SELECT action FROM audit_events WHERE subject_id = $1 AND action = 'verification.locked'`, [
      owner.uid,
    ]);
    expect(events).toHaveLength(1);

    clock.advance(CHALLENGE_RULES.accountLockMs);
    await expect(issue(byEmail(owner))).resolves.toBeInstanceOf(CodeChallenge);
  });

  it('never yields a success from wrong codes, and exactly one from 10 concurrent right ones', async () => {
    const owner = await account();
    const challenge = await issue(byEmail(owner));
    const code = await smtp.codeFor(owner.logonEmail);
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => verify(challenge, code, owner)));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes) {
      // Right codes waiting on the winner find the challenge used, never out of attempts.
      if (outcome.status === 'rejected') expect((outcome.reason as { code: string }).code).toBe('VERIFICATION_USED');
    }
  });

  it('makes decoys that send nothing and accept no code', async () => {
    const before = smtp.messages.length;
    const decoy = await issue({ kind: 'password_recovery', method: 'email', destination: null });
    const answer = challenges.verify(decoy.id, '123456', { kind: 'password_recovery' }, { onSuccess: async () => 'no' });
    await expect(answer).rejects.toMatchObject({ code: 'VERIFICATION_CODE_INVALID', extras: { attemptsRemaining: 4 } });
    expect(smtp.messages.length).toBe(before);
  });

  it('checks TOTP challenges through the caller and never sends them', async () => {
    const owner = await account();
    const challenge = await issue({ ...byEmail(owner), method: 'totp', destination: null, message: undefined });
    expect(challenge.sends).toBe(0);
    await expect(challenges.resend(challenge.id, scope(owner), { account: owner })).rejects.toMatchObject({ code: 'METHOD_UNAVAILABLE' });
    const checkTotp = async (code: string) => code === '424242';
    await expect(
      challenges.verify(challenge.id, '000000', scope(owner), { account: owner, checkTotp, onSuccess: async () => 'ok' }),
    ).rejects.toMatchObject({
      code: 'VERIFICATION_CODE_INVALID',
    });
    await expect(
      challenges.verify(challenge.id, '424242', scope(owner), { account: owner, checkTotp, onSuccess: async () => 'ok' }),
    ).resolves.toBe('ok');
  });

  it('runs onSuccess in the transaction that marks the challenge used: a failure there leaves it usable', async () => {
    const owner = await account();
    const challenge = await issue(byEmail(owner));
    const code = await smtp.codeFor(owner.logonEmail);
    const failing = async () => {
      throw new Error('the change failed');
    };
    await expect(challenges.verify(challenge.id, code, scope(owner), { account: owner, onSuccess: failing })).rejects.toThrow(
      'the change failed',
    );
    await expect(verify(challenge, code, owner)).resolves.toBe('verified');
  });
});

describe(VerificationTokensService.name, () => {
  let t: TestApp;
  let tokens: VerificationTokensService;

  beforeAll(async () => {
    t = await createTestApp({ workers: false });
    tokens = t.get(VerificationTokensService);
  });

  afterAll(() => t.close());

  const inTransaction = <T>(work: (manager: EntityManager) => Promise<T>) => t.dataSource.transaction(work);

  it('is used once, only by its account, session and purpose, and only before it expires', async () => {
    const { uid } = await createAccount(t);
    const binding = { accountUid: uid, sessionId: randomUUID(), purpose: 'change_password' };
    const { token } = await inTransaction((manager) => tokens.issue(manager, binding));
    for (const wrong of [{ purpose: 'change_email' }, { sessionId: randomUUID() }, { accountUid: '1000000000000001' }]) {
      await expect(inTransaction((manager) => tokens.consume(manager, token, { ...binding, ...wrong }))).rejects.toMatchObject({
        code: 'VERIFICATION_TOKEN_INVALID',
      });
    }
    await expect(inTransaction((manager) => tokens.consume(manager, token, binding))).resolves.toEqual({ method: null });
    await expect(inTransaction((manager) => tokens.consume(manager, token, binding))).rejects.toMatchObject({
      code: 'VERIFICATION_TOKEN_INVALID',
    });

    const { token: late } = await inTransaction((manager) => tokens.issue(manager, binding));
    controlClock(t).advance(t.config.verification.tokenTtlMs);
    await expect(inTransaction((manager) => tokens.consume(manager, late, binding))).rejects.toMatchObject({
      code: 'VERIFICATION_TOKEN_INVALID',
    });
  });

  it('stays valid when the change it authorises rolls back', async () => {
    const { uid } = await createAccount(t);
    const binding = { accountUid: uid, sessionId: randomUUID(), purpose: 'change_email' };
    const { token } = await inTransaction((manager) => tokens.issue(manager, binding));
    await expect(
      inTransaction(async (manager) => {
        await tokens.consume(manager, token, binding);
        throw new Error('409 EMAIL_IN_USE');
      }),
    ).rejects.toThrow('409');
    await expect(inTransaction((manager) => tokens.consume(manager, token, binding))).resolves.toEqual({ method: null });
  });
});
