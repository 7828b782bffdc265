import { Injectable } from '@nestjs/common';

import { answerNoSoonerThan } from '../../../common/answer-floor';
import { hashToken } from '../../../common/crypto/tokens';
import { FlatJsonObject } from '../../../common/json';
import { DomainError, NotFoundError, RateLimitedError } from '../../../common/errors/domain-error';
import { bucket, Limiter } from '../../../infrastructure/limits/limiter';
import { LIMITS } from '../../../infrastructure/limits/limits';
import { CHALLENGE_RULES } from '../../challenges/challenge-limits';
import { VerificationCodeInvalidError, VerificationLockedError } from '../../challenges/challenges.errors';
import { ChallengeScope, CodeChallengesService, IssueChallenge } from '../../challenges/code-challenges.service';
import { CodeChallenge } from '../../challenges/entities/code-challenge.entity';
import { AccountsService, assertNotFrozen } from '../accounts.service';
import { PasswordChangeService } from '../changes/password-change.service';
import { LoginThrottle } from '../login-throttle.service';
import { parseLogin } from '../login';
import { PasswordPolicy } from '../password-policy';
import { RecoveryFailures } from './recovery-failures.service';
import { passwordRecoveryBuckets, RECOVERY_ANSWER_FLOOR_MS } from './recovery-limits';

export const RECOVERY_METHODS = ['email', 'sms'] as const;
export type RecoveryMethod = (typeof RECOVERY_METHODS)[number];

export interface NewPasswordRequest {
  readonly code: string;
  readonly newPassword: string;
}

/** `POST /api/v1/password-recoveries`, as docs/api.md shapes it: the same two keys for every login. */
export interface StartedRecovery {
  readonly recoveryId: string;
  readonly expiresAt: Date;
}

const SCOPE: ChallengeScope = { kind: 'password_recovery' };

/** What every recovery keeps: the login's hash (where its wrong codes count); a decoy also the account the login names, if any. */
interface RecoveryContext {
  readonly accountUid?: string;
  readonly loginHash?: string;
}

/**
 * Forgotten password: a `password-recovery-code` to the logon email or the secure phone, then
 * the code and a new password. Whether the login names an account, and whether the account has
 * the method, never shows: every request gets a challenge (a decoy, which sends nothing and
 * can never be answered, when there is nobody to send to), counted against the same per-login
 * and per-IP allowances in the same Redis round trip, with its row and audit event written in
 * one transaction (a real one adds only its outbox row). The code follows every rule of the
 * verification table, except that wrong codes count in the recovery's own buckets (see
 * RecoveryFailures), never toward the owner's verification lock; the new password is set as a
 * password change sets it, and clears the login's sign-in throttle.
 */
@Injectable()
export class PasswordRecoveryService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly challenges: CodeChallengesService,
    private readonly failures: RecoveryFailures,
    private readonly limiter: Limiter,
    private readonly throttle: LoginThrottle,
    private readonly passwords: PasswordChangeService,
    private readonly policy: PasswordPolicy,
  ) {}

  /** Sends a code when the login is an account's logon email and the account has the method; answers alike either way. */
  start(request: { login: string; method: RecoveryMethod }, ip: string): Promise<StartedRecovery> {
    return answerNoSoonerThan(RECOVERY_ANSWER_FLOOR_MS, () => this.challengeFor(request, ip));
  }

  private async challengeFor(request: { login: string; method: RecoveryMethod }, ip: string): Promise<StartedRecovery> {
    const login = parseLogin(request.login);
    const loginHash = hashToken(login.key);
    // While wrong codes hold this login or address back, every send is refused (429), with or
    // without an account: the locks are checked in the send's own Redis round trip.
    const common = {
      kind: 'password_recovery',
      method: request.method,
      sendLimits: passwordRecoveryBuckets(login.key, ip),
      holdBack: this.failures.holdBack(loginHash, ip),
      ip,
    } as const;
    // A RAM user's password is its administrator's to reset: its login matches no account here.
    const account = login.kind === 'email' ? await this.accounts.findByLogonEmail(login.email) : null;
    const destination = request.method === 'email' ? account?.logonEmail : account?.securePhone;
    if (account && destination) {
      try {
        return viewOf(
          await this.issue({
            ...common,
            account,
            destination,
            context: { loginHash },
            message: { template: 'password-recovery-code', locale: account.locale, variables: {} },
          }),
        );
      } catch (error) {
        // The account's own send allowance or verification lock must not show in the answer:
        // a decoy answers instead (and meets the per-login and per-IP allowances and the
        // wrong-code locks as any request does, so a held-back login still answers 429).
        if (!(error instanceof RateLimitedError || error instanceof VerificationLockedError)) throw error;
      }
    }
    // The account the login names, if any: its owner hears of the decoy's wrong codes too.
    const context: FlatJsonObject = account ? { accountUid: account.uid, loginHash } : { loginHash };
    return viewOf(await this.issue({ ...common, destination: null, context }));
  }

  /**
   * Sets the new password with the code: code errors exactly as in verification (an unknown
   * recovery answers like a wrong code), 422 PASSWORD_POLICY, 423 ACCOUNT_FROZEN once the code
   * is right. Every root session of the account is signed out and the owner is told.
   */
  reset(id: string, request: NewPasswordRequest, ip: string): Promise<{ revokedSessions: number }> {
    // A wrong code for an account's recovery may write its owner a notice; for a login without
    // one it writes nothing: the floor keeps the two alike in time.
    return answerNoSoonerThan(RECOVERY_ANSWER_FLOOR_MS, () => this.resetWithCode(id, request, ip));
  }

  private async resetWithCode(id: string, request: NewPasswordRequest, ip: string): Promise<{ revokedSessions: number }> {
    try {
      // The recovery first: an unknown one answers (and counts the attempt) before any password
      // work. Then the rules that need no account, before the code costs an attempt; the rest
      // need the account, so the right code first.
      const pending = await this.challenges.find(id, SCOPE);
      await this.policy.assertAcceptable(request.newPassword, { logonEmail: '', uid: '' });
      if (!pending.accountUid) return await this.answerDecoy(pending, request.code, ip);
      const account = await this.accounts.get(pending.accountUid);
      const result = await this.challenges.verify(id, request.code, SCOPE, {
        account,
        ip,
        countFailure: () => this.failures.count(loginHashOf(pending), ip, account),
        onSuccess: async (manager, challenge) => {
          assertNotFrozen(account);
          const passwordHash = await this.passwords.acceptableHash(account, request.newPassword);
          const current = await this.accounts.lock(manager, account.uid);
          assertNotFrozen(current);
          const revokedSessions = await this.passwords.apply(manager, current, passwordHash, {
            action: 'account.password_recovered',
            actor: { type: 'public' },
            data: { recoveryId: challenge.id, method: challenge.method },
            ip,
          });
          return { revokedSessions };
        },
      });
      // Whoever guessed at the old password no longer keeps the owner out with it, and the
      // owner's own mistyped codes no longer hold their next recovery back.
      await Promise.all([this.throttle.recordSuccess(parseLogin(account.logonEmail).key), this.failures.clearLogin(loginHashOf(pending))]);
      return result;
    } catch (error) {
      if (error instanceof NotFoundError) throw await this.unknownRecovery(id, ip);
      throw error;
    }
  }

  /**
   * A code for a decoy goes through the same engine (attempts, expiry) and always fails. Its
   * wrong codes count in the recovery's buckets as a real recovery's do, and the owner of the
   * account the login names (it lacked the method, or its own limits refused a code) is told:
   * a decoy never locks an account, and never leaves its owner in the dark.
   */
  private async answerDecoy(decoy: CodeChallenge, code: string, ip: string): Promise<never> {
    // Its code was never sent: a guess that matches it is still a wrong code.
    const onSuccess = (_manager: unknown, challenge: CodeChallenge) =>
      Promise.reject(new VerificationCodeInvalidError(CHALLENGE_RULES.attemptsPerChallenge - challenge.attempts));
    const { accountUid } = decoy.context as RecoveryContext;
    const account = accountUid ? await this.accounts.get(accountUid) : undefined;
    return this.challenges.verify<never>(decoy.id, code, SCOPE, {
      account,
      ip,
      onSuccess,
      countFailure: () => this.failures.count(loginHashOf(decoy), ip, account),
    });
  }

  private issue(request: IssueChallenge): Promise<CodeChallenge> {
    return this.challenges.issueAlone(request);
  }

  /**
   * The answer to a code for a recovery that never existed: a wrong code, with attempts counted
   * down as for a real one (for the lifetime of a code), then locked; it counts against the address.
   */
  private async unknownRecovery(id: string, ip: string): Promise<DomainError> {
    const [[attempts]] = await Promise.all([
      this.limiter.hit([bucket(LIMITS.unknownRecoveryAttempts, hashToken(id))]),
      this.failures.countUnknown(ip),
    ]);
    return attempts.count > CHALLENGE_RULES.attemptsPerChallenge
      ? new VerificationLockedError()
      : new VerificationCodeInvalidError(CHALLENGE_RULES.attemptsPerChallenge - attempts.count);
  }
}

/** Where a recovery's wrong codes count (recoveries started before it was kept count under their id). */
function loginHashOf(challenge: CodeChallenge): string {
  const { loginHash } = challenge.context as RecoveryContext;
  return typeof loginHash === 'string' ? loginHash : hashToken(challenge.id);
}

function viewOf(challenge: CodeChallenge): StartedRecovery {
  return { recoveryId: challenge.id, expiresAt: challenge.expiresAt };
}
