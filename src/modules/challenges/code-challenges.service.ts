import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, IsNull, MoreThan } from 'typeorm';
import { Clock } from '../../common/clock';
import { CryptoService } from '../../common/crypto/crypto.service';
import { constantTimeEqual, randomDigits } from '../../common/crypto/tokens';
import { NotFoundError, RateLimitedError } from '../../common/errors/domain-error';
import { isUuid } from '../../common/validation/is-uuid';
import { RelyingParty, WEBAUTHN_CHALLENGE_TTL_MS } from '../../common/webauthn/relying-party';
import { FlatJsonObject } from '../../common/json';
import { AppConfig } from '../../config/app-config';
import { inOneRoundTrip } from '../../database/one-round-trip';
import { RawEntity, rawEntity } from '../../database/raw-entity';
import { returnedRows } from '../../database/returned-rows';
import { InjectConfig } from '../../config/config.module';
import { AuditService } from '../audit/audit.service';
import { NotificationsService } from '../notifications/notifications.service';
import { CHALLENGE_RULES, ChallengeLimits, HoldBack, SendBucket } from './challenge-limits';
import {
  MethodUnavailableError,
  ResendTooSoonError,
  VerificationCodeInvalidError,
  VerificationExpiredError,
  VerificationLockedError,
  VerificationUsedError,
} from './challenges.errors';
import { ChallengeKind, ChallengeMessage, ChallengeMethod, CodeChallenge } from './entities/code-challenge.entity';
import { Locale } from '../../common/locales';

/** The account a challenge belongs to: its limits apply, and its contacts hear of a lock. */
export interface ChallengeAccount {
  readonly uid: string;
  readonly logonEmail: string;
  readonly securePhone: string | null;
  readonly locale: Locale;
  /** The zone its messages print times in; null: the locale's. */
  readonly timeZone?: string | null;
}

export interface IssueChallenge {
  readonly kind: ChallengeKind;
  readonly method: ChallengeMethod;
  readonly account?: ChallengeAccount;
  readonly sessionId?: string;
  readonly purpose?: string;
  /**
   * Where the code goes (email or E.164 phone). Null with `sms`/`email` makes a decoy: a
   * challenge that behaves like the others but sends nothing and can never be answered (for
   * answers that must not reveal whether a login exists).
   */
  readonly destination?: string | null;
  readonly message?: ChallengeMessage;
  readonly context?: FlatJsonObject;
  /** Allowances beside the account's (per contact email, per IP...). */
  readonly sendLimits?: readonly SendBucket[];
  /** Who asked, for the audit log. */
  readonly ip?: string;
  /** Locks of the caller's that refuse the send, checked with the allowances in one round trip. */
  readonly holdBack?: HoldBack;
}

/** Which challenges a caller may touch: another account's or session's challenge is "not found". */
export interface ChallengeScope {
  readonly kind: ChallengeKind;
  readonly accountUid?: string;
  readonly sessionId?: string;
  /** For challenges without an account, e.g. an appeal's contact verification: matched against `context`. */
  readonly context?: FlatJsonObject;
}

export interface VerifyOptions<T> {
  readonly account?: ChallengeAccount;
  /**
   * For TOTP challenges: whether `code` is a valid, unused step (or recovery code) for the account.
   * It runs in the transaction that holds the challenge's row (`manager`): anything it writes goes through it.
   */
  readonly checkTotp?: (code: string, manager: EntityManager) => Promise<boolean>;
  /**
   * For passkey challenges: whether the assertion (`answer`, as JSON) signs the challenge's
   * current WebAuthn challenge (`context.webauthnChallenge`) with one of the account's passkeys.
   * It runs in the transaction that holds the challenge's row.
   */
  readonly checkPasskey?: (answer: unknown, webauthnChallenge: string, manager: EntityManager) => Promise<boolean>;
  /** Runs in the transaction that marks the challenge used; its result is returned. */
  readonly onSuccess: (manager: EntityManager, challenge: CodeChallenge) => Promise<T>;
  readonly sendLimits?: readonly SendBucket[];
  readonly ip?: string;
  /**
   * Counts a wrong code in place of the account's failure count, for flows that anyone who
   * knows a login can start (recovery): their failures must never lock the owner's sign-in or
   * verification. The account's lock still answers first.
   */
  readonly countFailure?: () => Promise<void>;
}

/** One counted attempt: no open challenge to count it on, a wrong code, or the right one. */
type Attempt =
  | { readonly outcome: 'closed' }
  | { readonly outcome: 'wrong'; readonly attempts: number }
  | { readonly outcome: 'matched'; readonly challenge: CodeChallenge };

/**
 * Code challenges, whatever they guard (identity verification, sign-in from a new device, a new
 * email or phone, password recovery, an appeal's contact email), with every rule of the
 * verification table: 6 digits from the CSPRNG stored as an HMAC, a lifetime, 5 attempts counted
 * before comparing, resends with a cooldown and a cap, and per-account limits on sends and on
 * failures (the latter locking verification for an hour) that no new challenge resets.
 */
@Injectable()
export class CodeChallengesService {
  private readonly row: RawEntity<CodeChallenge>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly limits: ChallengeLimits,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
    private readonly crypto: CryptoService,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {
    this.row = rawEntity(dataSource, CodeChallenge, 'c');
  }

  /**
   * Creates a challenge and sends its code in a transaction of its own. Its writes (the
   * challenge, the outbox row, the audit event) reach PostgreSQL in one round trip.
   */
  issueAlone(request: IssueChallenge): Promise<CodeChallenge> {
    return inOneRoundTrip(this.dataSource, (manager) => this.issue(manager, request));
  }

  /** Creates a challenge and sends its code, in the caller's transaction. */
  async issue(manager: EntityManager, request: IssueChallenge): Promise<CodeChallenge> {
    const sends = request.method === 'sms' || request.method === 'email';
    if (sends)
      await this.limits.takeSend(
        this.buckets(request.account, request.sendLimits, Boolean(request.destination)),
        request.account?.uid,
        manager,
        request.holdBack,
      );
    else if (request.account) await this.limits.assertNotLocked(request.account.uid);

    const now = this.clock.now();
    const id = randomUUID();
    const code = randomDigits(6);
    const challenge = Object.assign(new CodeChallenge(), {
      id,
      kind: request.kind,
      accountUid: request.account?.uid ?? null,
      sessionId: request.sessionId ?? null,
      purpose: request.purpose ?? null,
      method: request.method,
      destination: request.destination ?? null,
      codeHmac: sends ? this.codeHmac(id, code) : null,
      message: request.message ?? null,
      context: request.method === 'passkey' ? { ...request.context, webauthnChallenge: RelyingParty.challenge() } : (request.context ?? {}),
      attempts: 0,
      sends: sends ? 1 : 0,
      expiresAt: new Date(now.getTime() + (request.method === 'passkey' ? WEBAUTHN_CHALLENGE_TTL_MS : this.config.verification.codeTtlMs)),
      resendAvailableAt: sends ? new Date(now.getTime() + this.config.verification.resendCooldownMs) : null,
      usedAt: null,
      cancelledAt: null,
      createdAt: now,
      updatedAt: now,
    } satisfies CodeChallenge);
    await this.row.insert(manager, challenge);
    await this.send(manager, challenge, code);
    await this.audit.record(manager, {
      action: 'challenge.created',
      actor: request.account ? { type: 'account', id: request.account.uid } : { type: 'public' },
      subject: request.account ? { type: 'account', id: request.account.uid } : { type: 'challenge', id },
      data: { challengeId: id, kind: request.kind, method: request.method, purpose: request.purpose ?? null },
      ip: request.ip,
    });
    return challenge;
  }

  /** Loads a challenge the caller may see, or 404; `forUpdate` locks its row for the caller's transaction. */
  async find(
    id: string,
    scope: ChallengeScope,
    manager: EntityManager = this.dataSource.manager,
    forUpdate = false,
  ): Promise<CodeChallenge> {
    const challenge = isUuid(id)
      ? await manager.findOne(CodeChallenge, { where: { id }, lock: forUpdate ? { mode: 'pessimistic_write' } : undefined })
      : null;
    if (!challenge || !inScope(challenge, scope) || challenge.cancelledAt) throw new NotFoundError('There is no such verification.');
    return challenge;
  }

  /**
   * The newest challenge of a session's `kind` that is neither used nor cancelled (and, with
   * `liveAt`, not expired then): the change or enrolment the session has in progress.
   */
  async latestOpen(
    scope: { kind: ChallengeKind; accountUid: string; sessionId: string },
    options: { liveAt?: Date } = {},
  ): Promise<CodeChallenge | undefined> {
    const challenge = await this.dataSource.manager.findOne(CodeChallenge, {
      where: {
        kind: scope.kind,
        accountUid: scope.accountUid,
        sessionId: scope.sessionId,
        usedAt: IsNull(),
        cancelledAt: IsNull(),
        ...(options.liveAt ? { expiresAt: MoreThan(options.liveAt) } : {}),
      },
      order: { createdAt: 'DESC' },
    });
    return challenge ?? undefined;
  }

  /**
   * Sends a new code for the challenge (the old one stops working) with a new lifetime; attempts
   * are not reset. 60 s apart at most, 5 sends in all.
   */
  async resend(
    id: string,
    scope: ChallengeScope,
    options: { account?: ChallengeAccount; sendLimits?: readonly SendBucket[] } = {},
  ): Promise<CodeChallenge> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.find(id, scope, manager, true);
      if (current.usedAt) throw new VerificationUsedError();
      if (current.method === 'totp')
        throw new MethodUnavailableError('Authenticator codes are not sent: read the current one from your app.');
      if (current.method === 'passkey') throw new MethodUnavailableError('Nothing is sent for a passkey: use it again.');
      if (current.attempts >= CHALLENGE_RULES.attemptsPerChallenge) throw new VerificationLockedError();
      if (options.account) await this.limits.assertNotLocked(options.account.uid);
      const now = this.clock.nowMs();
      if (current.sends >= CHALLENGE_RULES.sendsPerChallenge) {
        throw new RateLimitedError(
          Math.max(1, Math.ceil((current.expiresAt.getTime() - now) / 1000)),
          'No more codes can be sent for this verification: start a new one.',
        );
      }
      if (current.resendAvailableAt && now < current.resendAvailableAt.getTime()) {
        throw new ResendTooSoonError(Math.ceil((current.resendAvailableAt.getTime() - now) / 1000));
      }
      await this.limits.takeSend(this.buckets(options.account, options.sendLimits, Boolean(current.destination)), undefined, manager);
      const code = randomDigits(6);
      Object.assign(current, {
        codeHmac: this.codeHmac(id, code),
        sends: current.sends + 1,
        expiresAt: new Date(now + this.config.verification.codeTtlMs),
        resendAvailableAt: new Date(now + this.config.verification.resendCooldownMs),
      });
      await manager.query(
        `UPDATE code_challenges SET code_hmac = $2, sends = $3, expires_at = $4, resend_available_at = $5, updated_at = now() WHERE id = $1`,
        [id, current.codeHmac, current.sends, current.expiresAt, current.resendAvailableAt],
      );
      await this.send(manager, current, code);
      return current;
    });
  }

  /**
   * Checks a code. The answer, when several apply, is the first of: 409 used, 423 locked (the
   * challenge's 5 attempts, or the account's lock), 410 expired, 400 wrong (with
   * `attemptsRemaining`). The attempt is counted before the code is compared, so concurrent
   * guesses cannot exceed the allowance; a right code marks the challenge used and runs
   * `onSuccess` in the same transaction. Counting locks the challenge's row until that
   * transaction ends: a concurrent attempt waits, then finds the challenge used (409) rather than
   * out of attempts (423), and the right code yields one success however many requests carry it.
   */
  async verify<T>(id: string, code: unknown, scope: ChallengeScope, options: VerifyOptions<T>): Promise<T> {
    await this.assertAccountUnlocked(id, scope, options);
    const verdict = await this.dataSource.transaction(async (manager) => {
      const attempt = await this.attempt(manager, id, code, scope, options, { use: true });
      if (attempt.outcome !== 'matched') return attempt;
      const { challenge } = attempt;
      // A code checked by its HMAC was marked used by the statement that counted it; a TOTP
      // challenge, checked here, is marked now.
      const marked = challenge.usedAt
        ? [challenge]
        : returnedRows(
            await manager.query(
              `UPDATE code_challenges SET used_at = now(), updated_at = now() WHERE id = $1 AND used_at IS NULL RETURNING id`,
              [id],
            ),
          );
      if (!marked.length) throw new VerificationUsedError();
      const result = await options.onSuccess(manager, challenge);
      await this.audit.record(manager, {
        action: 'challenge.verified',
        actor: challenge.accountUid ? { type: 'account', id: challenge.accountUid } : { type: 'public' },
        subject: challenge.accountUid ? { type: 'account', id: challenge.accountUid } : { type: 'challenge', id },
        data: { challengeId: id, kind: challenge.kind, method: challenge.method, purpose: challenge.purpose },
        ip: options.ip,
      });
      return { outcome: 'verified', result } as const;
    });
    if (verdict.outcome === 'verified') return verdict.result;
    return this.refuse(id, scope, verdict, options);
  }

  /**
   * Checks a code without using the challenge up, for a form that asks for the code a step
   * before the one that uses it (the appeal form). It counts an attempt like `verify`, with the
   * same answers, so checking first gives no extra guesses.
   */
  async check(
    id: string,
    code: string,
    scope: ChallengeScope,
    options: Pick<VerifyOptions<unknown>, 'account' | 'checkTotp' | 'ip'> = {},
  ): Promise<void> {
    await this.assertAccountUnlocked(id, scope, options);
    const verdict = await this.dataSource.transaction((manager) => this.attempt(manager, id, code, scope, options));
    if (verdict.outcome !== 'matched') await this.refuse(id, scope, verdict, options);
  }

  /** The account's failure lock answers first (409 still, for a challenge already used). */
  private async assertAccountUnlocked(id: string, scope: ChallengeScope, options: Pick<VerifyOptions<unknown>, 'account'>): Promise<void> {
    if (!options.account) return;
    const lockedMs = await this.limits.lockedForMs(options.account.uid);
    if (lockedMs > 0) {
      if ((await this.find(id, scope)).usedAt) throw new VerificationUsedError();
      throw new VerificationLockedError(Math.ceil(lockedMs / 1000));
    }
  }

  /**
   * Counts an attempt (locking the row, through `manager`) and compares the code. With `use`, a
   * code sent by email or SMS is compared by the counting statement itself, which marks the
   * challenge used when its HMAC matches: one round trip for the count, the comparison and the
   * mark, under the same row lock.
   */
  private async attempt(
    manager: EntityManager,
    id: string,
    code: unknown,
    scope: ChallengeScope,
    options: Pick<VerifyOptions<unknown>, 'checkTotp' | 'checkPasskey'>,
    { use = false }: { use?: boolean } = {},
  ): Promise<Attempt> {
    // An answer that is no string (a passkey's assertion) matches no code's HMAC.
    const hmac = use ? (typeof code === 'string' ? this.codeHmac(id, code) : '') : undefined;
    const challenge = await this.countAttempt(manager, id, scope, hmac);
    if (!challenge) return { outcome: 'closed' };
    if (challenge.usedAt) return { outcome: 'matched', challenge };
    // A code sent by email or SMS was compared by the counting statement; TOTP and passkeys are checked here.
    if (use && challenge.method !== 'totp' && challenge.method !== 'passkey') return { outcome: 'wrong', attempts: challenge.attempts };
    if (!(await this.matches(manager, challenge, code, options))) {
      // Each WebAuthn challenge is answered once: a failed assertion gets a new one, with a new lifetime.
      if (challenge.method === 'passkey') await this.renewWebAuthnChallenge(manager, challenge);
      return { outcome: 'wrong', attempts: challenge.attempts };
    }
    return { outcome: 'matched', challenge };
  }

  /**
   * The error for an attempt that did not match, once its transaction has ended: when the count
   * touched no open challenge, the challenge as it is says why; a wrong code stays counted and
   * counts toward the account's failures (kept in Redis).
   */
  private async refuse(
    id: string,
    scope: ChallengeScope,
    attempt: Exclude<Attempt, { outcome: 'matched' }>,
    options: Pick<VerifyOptions<unknown>, 'account' | 'ip' | 'countFailure'>,
  ): Promise<never> {
    if (attempt.outcome === 'closed') {
      const current = await this.find(id, scope);
      if (current.usedAt) throw new VerificationUsedError();
      if (current.attempts >= CHALLENGE_RULES.attemptsPerChallenge) throw new VerificationLockedError();
      throw new VerificationExpiredError();
    }
    if (options.countFailure) await options.countFailure();
    else if (options.account) {
      const { lockedNow } = await this.limits.recordFailure(options.account.uid);
      if (lockedNow) await this.announceLock(options.account, options.ip);
    }
    throw new VerificationCodeInvalidError(CHALLENGE_RULES.attemptsPerChallenge - attempt.attempts);
  }

  /**
   * Counts an attempt at a challenge in scope that is open (not cancelled, used, out of
   * attempts or expired) and returns it as it is after the count; undefined when there is none.
   * With `useWithHmac`, the same statement marks it used when its code's HMAC is that one.
   */
  private async countAttempt(
    manager: EntityManager,
    id: string,
    scope: ChallengeScope,
    useWithHmac?: string,
  ): Promise<CodeChallenge | undefined> {
    if (!isUuid(id)) return undefined;
    const params: unknown[] = [id, scope.kind, CHALLENGE_RULES.attemptsPerChallenge, this.clock.now()];
    // used_at IS NULL is in the WHERE: a code that does not match leaves it NULL.
    const use = useWithHmac === undefined ? '' : `, used_at = CASE WHEN c.code_hmac = $${params.push(useWithHmac)} THEN now() END`;
    const where = ['c.id = $1', 'c.kind = $2', 'c.cancelled_at IS NULL', 'c.used_at IS NULL', 'c.attempts < $3', 'c.expires_at > $4'];
    if (scope.accountUid !== undefined) where.push(`c.account_uid = $${params.push(scope.accountUid)}`);
    if (scope.sessionId !== undefined) where.push(`c.session_id = $${params.push(scope.sessionId)}`);
    if (scope.context && Object.keys(scope.context).length)
      where.push(`c.context @> $${params.push(JSON.stringify(scope.context))}::jsonb`);
    const [row] = returnedRows<Record<string, unknown>>(
      await manager.query(
        `UPDATE code_challenges c SET attempts = attempts + 1, updated_at = now()${use} WHERE ${where.join(' AND ')} RETURNING ${this.row.columns}`,
        params,
      ),
    );
    return row ? this.row.read(row) : undefined;
  }

  /** Cancels a challenge still open (a pending change withdrawn); 404 when there is none. */
  async cancel(manager: EntityManager, id: string, scope: ChallengeScope): Promise<void> {
    const challenge = await this.find(id, scope, manager);
    if (challenge.usedAt) throw new NotFoundError('There is no such verification.');
    await manager.query(`UPDATE code_challenges SET cancelled_at = $2, updated_at = now() WHERE id = $1`, [id, this.clock.now()]);
  }

  /**
   * Cancels the account's challenges still open, of the given kinds (all kinds when none are
   * given), through the caller's transaction: a new pending change replaces the one before, and
   * a frozen account keeps none. Returns how many.
   */
  async cancelOpen(manager: EntityManager, accountUid: string, kinds: readonly ChallengeKind[] = []): Promise<number> {
    const cancelled = returnedRows(
      await manager.query(
        `UPDATE code_challenges SET cancelled_at = $2, updated_at = now()
          WHERE account_uid = $1 AND used_at IS NULL AND cancelled_at IS NULL AND expires_at > $2 AND (cardinality($3::text[]) = 0 OR kind = ANY($3))
          RETURNING id`,
        [accountUid, this.clock.now(), kinds],
      ),
    );
    return cancelled.length;
  }

  /** Milliseconds until the account's verification lock ends (0 when it is not locked). */
  lockedForMs(accountUid: string): Promise<number> {
    return this.limits.lockedForMs(accountUid);
  }

  private buckets(account: ChallengeAccount | undefined, extra: readonly SendBucket[] = [], sendsSomething = true): SendBucket[] {
    // A decoy sends nothing, so it takes nothing from the account; it still counts against the
    // caller's own allowances (per IP...), exactly as a real send would.
    return [...(account && sendsSomething ? [this.limits.accountSends(account.uid)] : []), ...extra];
  }

  private async send(manager: EntityManager, challenge: CodeChallenge, code: string): Promise<void> {
    if ((challenge.method !== 'sms' && challenge.method !== 'email') || !challenge.destination || !challenge.message) return;
    const { template, locale, variables, appealId } = challenge.message;
    await this.notifications.notify(manager, {
      template,
      channel: challenge.method,
      to: challenge.destination,
      locale,
      variables: { ...variables, code, expiresInMinutes: Math.ceil(this.config.verification.codeTtlMs / 60_000) },
      accountUid: challenge.accountUid ?? undefined,
      appealId,
    });
  }

  private async matches(
    manager: EntityManager,
    challenge: CodeChallenge,
    answer: unknown,
    checks: Pick<VerifyOptions<unknown>, 'checkTotp' | 'checkPasskey'>,
  ): Promise<boolean> {
    if (challenge.method === 'passkey') {
      const current = challenge.context.webauthnChallenge;
      return checks.checkPasskey && typeof current === 'string' ? checks.checkPasskey(answer, current, manager) : false;
    }
    if (typeof answer !== 'string') return false;
    if (challenge.method === 'totp') return checks.checkTotp ? checks.checkTotp(answer, manager) : false;
    return challenge.codeHmac !== null && constantTimeEqual(this.codeHmac(challenge.id, answer), challenge.codeHmac);
  }

  /** A new WebAuthn challenge (and 5 minutes) for a passkey challenge whose assertion failed. */
  private async renewWebAuthnChallenge(manager: EntityManager, challenge: CodeChallenge): Promise<void> {
    challenge.context = { ...challenge.context, webauthnChallenge: RelyingParty.challenge() };
    challenge.expiresAt = new Date(this.clock.nowMs() + WEBAUTHN_CHALLENGE_TTL_MS);
    await manager.query(`UPDATE code_challenges SET context = $2, expires_at = $3, updated_at = now() WHERE id = $1`, [
      challenge.id,
      JSON.stringify(challenge.context),
      challenge.expiresAt,
    ]);
  }

  /**
   * A WebAuthn ceremony outside an identity verification (a passkey sign-in, a registration):
   * a random challenge, kept 5 minutes, answered once. `purpose` names the ceremony; `context`
   * holds what it must know again (the account, the session, the agent...).
   */
  async issueWebAuthn(request: {
    purpose: string;
    accountUid?: string;
    sessionId?: string;
    context?: FlatJsonObject;
  }): Promise<{ id: string; webauthnChallenge: string; expiresAt: Date }> {
    const now = this.clock.now();
    const challenge = Object.assign(new CodeChallenge(), {
      id: randomUUID(),
      kind: 'webauthn',
      accountUid: request.accountUid ?? null,
      sessionId: request.sessionId ?? null,
      purpose: request.purpose,
      method: 'passkey',
      destination: null,
      codeHmac: null,
      message: null,
      context: { ...request.context, webauthnChallenge: RelyingParty.challenge() },
      attempts: 0,
      sends: 0,
      expiresAt: new Date(now.getTime() + WEBAUTHN_CHALLENGE_TTL_MS),
      resendAvailableAt: null,
      usedAt: null,
      cancelledAt: null,
      createdAt: now,
      updatedAt: now,
    } satisfies CodeChallenge);
    await this.row.insert(this.dataSource.manager, challenge);
    return { id: challenge.id, webauthnChallenge: String(challenge.context.webauthnChallenge), expiresAt: challenge.expiresAt };
  }

  /**
   * Uses up a WebAuthn ceremony of `purpose` (matching `scope`), whatever comes of its answer:
   * its context, or undefined when it is unknown, used, expired or not the caller's.
   */
  async consumeWebAuthn(
    id: string,
    purpose: string,
    scope: { accountUid?: string; sessionId?: string; context?: FlatJsonObject } = {},
  ): Promise<FlatJsonObject | undefined> {
    if (!isUuid(id)) return undefined;
    const params: unknown[] = [id, purpose, this.clock.now()];
    const where = [`kind = 'webauthn'`, 'id = $1', 'purpose = $2', 'used_at IS NULL', 'cancelled_at IS NULL', 'expires_at > $3'];
    if (scope.accountUid !== undefined) where.push(`account_uid = $${params.push(scope.accountUid)}`);
    if (scope.sessionId !== undefined) where.push(`session_id = $${params.push(scope.sessionId)}`);
    if (scope.context && Object.keys(scope.context).length) where.push(`context @> $${params.push(JSON.stringify(scope.context))}::jsonb`);
    const [row] = returnedRows<{ context: FlatJsonObject }>(
      await this.dataSource.query(
        `UPDATE code_challenges SET used_at = now(), updated_at = now() WHERE ${where.join(' AND ')} RETURNING context`,
        params,
      ),
    );
    return row?.context;
  }

  private codeHmac(id: string, code: string): string {
    return this.crypto.hmac(`${id}:${code}`);
  }

  /** The account's 20th failure in an hour: verification locked for an hour, and its owner told by email and SMS. */
  private async announceLock(account: ChallengeAccount, ip?: string): Promise<void> {
    const at = this.clock.now();
    const variables = {
      uid: account.uid,
      at: at.toISOString(),
      unlockAt: new Date(at.getTime() + CHALLENGE_RULES.accountLockMs).toISOString(),
    };
    await this.dataSource.transaction(async (manager) => {
      await this.notifications.notify(manager, {
        template: 'verification-locked',
        channel: 'email',
        to: account.logonEmail,
        locale: account.locale,
        timeZone: account.timeZone,
        variables,
        accountUid: account.uid,
      });
      if (account.securePhone) {
        await this.notifications.notify(manager, {
          template: 'verification-locked',
          channel: 'sms',
          to: account.securePhone,
          locale: account.locale,
          timeZone: account.timeZone,
          variables,
          accountUid: account.uid,
        });
      }
      await this.audit.record(manager, {
        action: 'verification.locked',
        actor: { type: 'system' },
        subject: { type: 'account', id: account.uid },
        data: { failuresPerHour: CHALLENGE_RULES.accountFailuresPerHour, lockSeconds: CHALLENGE_RULES.accountLockMs / 1000 },
        ip,
      });
    });
  }
}

function inScope(challenge: CodeChallenge, scope: ChallengeScope): boolean {
  if (challenge.kind !== scope.kind) return false;
  if (scope.accountUid !== undefined && challenge.accountUid !== scope.accountUid) return false;
  if (scope.sessionId !== undefined && challenge.sessionId !== scope.sessionId) return false;
  return Object.entries(scope.context ?? {}).every(([key, value]) => challenge.context[key] === value);
}
