import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { RateLimitedError } from '../../common/errors/domain-error';
import { Bucket, bucket, Limiter } from '../../infrastructure/limits/limiter';
import { LIMITS } from '../../infrastructure/limits/limits';
import { VerificationLockedError } from './challenges.errors';

/** The limits of the verification table (the account-wide ones are in `LIMITS`). */
export const CHALLENGE_RULES = {
  attemptsPerChallenge: 5,
  /** The first send included. */
  sendsPerChallenge: 5,
  accountSendsPerHour: LIMITS.accountSends.max,
  accountFailuresPerHour: LIMITS.accountFailures.max,
  accountLockMs: LIMITS.accountFailures.lock.maxMs,
  windowMs: LIMITS.accountSends.windowMs,
} as const;

/** A rolling-window allowance of sends (per account, per contact email, per IP...): a Limiter bucket. */
export type SendBucket = Bucket;

/**
 * Locks of the caller's own that refuse a send, checked in the same Redis round trip as the send
 * allowances (a recovery's wrong-code locks): while one holds, `refusal(ms)` is thrown.
 */
export interface HoldBack {
  readonly locks: readonly Bucket[];
  readonly refusal: (waitMs: number) => Error;
}

/**
 * The account-wide counts of challenges, through the Limiter (so every API process sees them):
 * sends per account, and failures per account that lock its verification. A new challenge never
 * starts the counts afresh, and a lock holds in every process until it ends.
 */
@Injectable()
export class ChallengeLimits {
  constructor(private readonly limiter: Limiter) {}

  accountSends(accountUid: string): SendBucket {
    return bucket(LIMITS.accountSends, accountUid);
  }

  /**
   * Takes one send from every bucket, in one round trip that first checks the verification lock
   * of `lockedAccountUid` (when given): 423 VERIFICATION_LOCKED while it holds, else 429
   * RATE_LIMITED with the longest wait when a bucket is full; `holdBack`'s refusal while one of its
   * locks holds. With `manager`, the sends are given back if its transaction rolls back.
   */
  async takeSend(
    buckets: readonly SendBucket[],
    lockedAccountUid?: string,
    manager?: EntityManager,
    holdBack?: HoldBack,
  ): Promise<{ refund: () => Promise<void> }> {
    const locks = [...(holdBack?.locks ?? []), ...(lockedAccountUid ? [this.failures(lockedAccountUid)] : [])];
    const outcome = await this.limiter.take(buckets, { locks, manager });
    if (outcome.taken) return outcome;
    if (holdBack && outcome.lockedBy && holdBack.locks.includes(outcome.lockedBy)) throw holdBack.refusal(outcome.waitMs);
    if (outcome.lockedBy) throw new VerificationLockedError(Math.ceil(outcome.waitMs / 1000));
    throw new RateLimitedError(Math.ceil(outcome.waitMs / 1000), 'Too many codes were sent. Try again later.');
  }

  /** 423 VERIFICATION_LOCKED with Retry-After while the account's verification is locked. */
  async assertNotLocked(accountUid: string): Promise<void> {
    const ms = await this.lockedForMs(accountUid);
    if (ms > 0) throw new VerificationLockedError(Math.ceil(ms / 1000));
  }

  /** Milliseconds until the account's verification lock ends (0: not locked). */
  async lockedForMs(accountUid: string): Promise<number> {
    const [ms] = await this.limiter.lockedFor([this.failures(accountUid)]);
    return ms;
  }

  /** Counts a wrong code against the account; says whether it started the account's lock. */
  async recordFailure(accountUid: string): Promise<{ lockedNow: boolean }> {
    const [hit] = await this.limiter.hit([this.failures(accountUid)]);
    return { lockedNow: hit.lockStartedMs > 0 };
  }

  private failures(accountUid: string): Bucket {
    return bucket(LIMITS.accountFailures, accountUid);
  }
}
