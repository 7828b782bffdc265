import { Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { answerNoSoonerThan } from '../../../common/answer-floor';
import { hashToken } from '../../../common/crypto/tokens';
import { FlatJsonObject } from '../../../common/json';
import { DomainError, NotFoundError, RateLimitedError } from '../../../common/errors/domain-error';
import { AppConfig } from '../../../config/app-config';
import { InjectConfig } from '../../../config/config.module';
import { InjectRedis, RedisKeys } from '../../../infrastructure/redis/redis.module';
import { CHALLENGE_RULES, ChallengeLimits } from '../../verification/challenges/challenge-limits';
import { VerificationCodeInvalidError, VerificationLockedError } from '../../verification/challenges/challenges.errors';
import { ChallengeScope, CodeChallengesService, IssueChallenge } from '../../verification/challenges/code-challenges.service';
import { CodeChallenge } from '../../verification/challenges/entities/code-challenge.entity';
import { AccountsService, assertNotFrozen } from '../accounts.service';
import { PasswordChangeService } from '../changes/password-change.service';
import { parseLogin } from '../login';
import { PasswordPolicy } from '../password-policy';
import { passwordRecoveryBuckets, RECOVERY_ANSWER_FLOOR_MS } from './recovery-limits';

export const RECOVERY_METHODS = ['email', 'sms'] as const;
export type RecoveryMethod = (typeof RECOVERY_METHODS)[number];

export interface NewPasswordRequest {
  readonly code: string;
  readonly newPassword: string;
}

/** `POST /api/v1/password-recoveries`, as api.md shapes it: the same two keys for every login. */
export interface StartedRecovery {
  readonly recoveryId: string;
  readonly expiresAt: Date;
}

const SCOPE: ChallengeScope = { kind: 'password_recovery' };

/** What a decoy keeps: the account the login names, or (no account) the login's hash. */
interface DecoyContext {
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
 * verification table; the new password is set as a password change sets it.
 */
@Injectable()
export class PasswordRecoveryService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly challenges: CodeChallengesService,
    private readonly limits: ChallengeLimits,
    private readonly passwords: PasswordChangeService,
    private readonly policy: PasswordPolicy,
    @InjectRedis() private readonly redis: Redis,
    private readonly keys: RedisKeys,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** Sends a code when the login is an account's logon email and the account has the method; answers alike either way. */
  start(request: { login: string; method: RecoveryMethod }, ip: string): Promise<StartedRecovery> {
    return answerNoSoonerThan(RECOVERY_ANSWER_FLOOR_MS, () => this.challengeFor(request, ip));
  }

  private async challengeFor(request: { login: string; method: RecoveryMethod }, ip: string): Promise<StartedRecovery> {
    const login = parseLogin(request.login);
    const common = { kind: 'password_recovery', method: request.method, sendLimits: passwordRecoveryBuckets(login.key, ip), ip } as const;
    // A RAM user's password is its administrator's to reset: its login matches no account here.
    const account = login.kind === 'email' ? await this.accounts.findByLogonEmail(login.email) : null;
    const destination = request.method === 'email' ? account?.logonEmail : account?.securePhone;
    if (account && destination) {
      try {
        return viewOf(await this.issue({ ...common, account, destination, message: { template: 'password-recovery-code', locale: account.locale, variables: {} } }));
      } catch (error) {
        // The account's own send allowance or verification lock must not show in the answer:
        // a decoy answers instead (and meets the per-login and per-IP allowances as any request does).
        if (!(error instanceof RateLimitedError || error instanceof VerificationLockedError)) throw error;
      }
    }
    // Whose failure count the decoy's wrong codes go to (see `answerDecoy`): the account's when
    // there is one, else the login's (only its hash is kept).
    const context: FlatJsonObject = account ? { accountUid: account.uid } : { loginHash: hashToken(login.key) };
    return viewOf(await this.issue({ ...common, destination: null, context }));
  }

  /**
   * Sets the new password with the code: code errors exactly as in verification (an unknown
   * recovery answers like a wrong code), 422 PASSWORD_POLICY, 423 ACCOUNT_FROZEN once the code
   * is right. Every root session of the account is signed out and the owner is told.
   */
  async reset(id: string, request: NewPasswordRequest, ip: string): Promise<{ revokedSessions: number }> {
    // The rules that need no account are checked before the code costs an attempt; the answer is
    // the same for every recovery, known or not. The rest need the account, so the right code first.
    await this.policy.assertAcceptable(request.newPassword, { logonEmail: '', uid: '' });
    try {
      const pending = await this.challenges.find(id, SCOPE);
      if (!pending.accountUid) return await this.answerDecoy(pending, request.code, ip);
      const account = await this.accounts.get(pending.accountUid);
      return await this.challenges.verify(id, request.code, SCOPE, {
        account,
        ip,
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
    } catch (error) {
      if (error instanceof NotFoundError) throw await this.unknownRecovery(id);
      throw error;
    }
  }

  /**
   * A code for a decoy goes through the same engine (attempts, expiry) and always fails. Its
   * wrong codes count toward the account's failure lock when the login is an account's (the
   * account lacked the method, or its own limits refused a code), else under the login: the 423
   * that 20 failures in an hour bring comes alike to a login with or without an account.
   */
  private async answerDecoy(decoy: CodeChallenge, code: string, ip: string): Promise<never> {
    // Its code was never sent: a guess that matches it is still a wrong code.
    const onSuccess = (_manager: unknown, challenge: CodeChallenge) => Promise.reject(new VerificationCodeInvalidError(CHALLENGE_RULES.attemptsPerChallenge - challenge.attempts));
    const { accountUid, loginHash } = decoy.context as DecoyContext;
    if (accountUid) return this.challenges.verify<never>(decoy.id, code, SCOPE, { account: await this.accounts.get(accountUid), ip, onSuccess });

    const lock = `decoy:${String(loginHash)}`;
    const lockedMs = await this.limits.lockedForMs(lock);
    if (lockedMs > 0) throw new VerificationLockedError(Math.ceil(lockedMs / 1000));
    try {
      return await this.challenges.verify<never>(decoy.id, code, SCOPE, { ip, onSuccess });
    } catch (error) {
      if (error instanceof VerificationCodeInvalidError) await this.limits.recordFailure(lock);
      throw error;
    }
  }

  private issue(request: IssueChallenge): Promise<CodeChallenge> {
    return this.challenges.issueAlone(request);
  }

  /**
   * The answer to a code for a recovery that never existed: a wrong code, with attempts counted
   * down as for a real one (in Redis, for the lifetime of a code), then locked.
   */
  private async unknownRecovery(id: string): Promise<DomainError> {
    const key = this.keys.key('recovery', 'unknown', hashToken(id));
    const replies = await this.redis.multi().set(key, 0, 'PX', this.config.verification.codeTtlMs, 'NX').incr(key).exec();
    const attempts = Number(replies?.[1]?.[1] ?? Infinity);
    return attempts > CHALLENGE_RULES.attemptsPerChallenge ? new VerificationLockedError() : new VerificationCodeInvalidError(CHALLENGE_RULES.attemptsPerChallenge - attempts);
  }
}

function viewOf(challenge: CodeChallenge): StartedRecovery {
  return { recoveryId: challenge.id, expiresAt: challenge.expiresAt };
}
