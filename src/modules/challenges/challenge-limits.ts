import { Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { Clock } from '../../common/clock';
import { RateLimitedError } from '../../common/errors/domain-error';
import { randomToken } from '../../common/crypto/tokens';
import { InjectRedis, RedisKeys } from '../../infrastructure/redis/redis.module';
import { VerificationLockedError } from './challenges.errors';

/** The limits of docs/product.md's verification table. */
export const CHALLENGE_RULES = {
  attemptsPerChallenge: 5,
  /** The first send included. */
  sendsPerChallenge: 5,
  accountSendsPerHour: 10,
  accountFailuresPerHour: 20,
  accountLockMs: 3_600_000,
  windowMs: 3_600_000,
} as const;

/** A rolling-window allowance of sends, e.g. 10 an hour for an account or 5 an hour for a contact email. */
export interface SendBucket {
  /** Distinguishes what is counted: `account:<uid>`, `contact-email:<address>`, `ip:<address>`. */
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
}

// Checks the account's verification lock and every bucket first, and takes from all buckets or
// none, so a refused send never counts anywhere. KEYS: the lock (or any absent key), then the
// buckets; ARGV: now, member, then limit and window of each bucket. Returns {0, 0} when taken,
// {1, ms} while the account is locked, {2, ms} when a bucket is full (ms: the wait).
const TAKE_SEND = `
local now = tonumber(ARGV[1])
local lockedUntil = tonumber(redis.call('GET', KEYS[1]) or '0')
if lockedUntil > now then return {1, lockedUntil - now} end
local wait = 0
for i = 2, #KEYS do
  local limit = tonumber(ARGV[1 + (i - 1) * 2])
  local window = tonumber(ARGV[2 + (i - 1) * 2])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  if redis.call('ZCARD', KEYS[i]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    wait = math.max(wait, tonumber(oldest[2]) + window - now)
  end
end
if wait > 0 then return {2, wait} end
for i = 2, #KEYS do
  redis.call('ZADD', KEYS[i], now, ARGV[2])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2 + (i - 1) * 2]))
end
return {0, 0}
`;

// KEYS: failures, lock; ARGV: now, member, window, threshold, lock ms. The lock holds its end
// time (on the service's clock) and expires with it. Returns 2 when this failure starts the lock,
// 1 when the account is locked already, 0 otherwise.
const RECORD_FAILURE = `
local now = tonumber(ARGV[1])
local lockedUntil = tonumber(redis.call('GET', KEYS[2]) or '0')
if lockedUntil > now then return 1 end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[3]))
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  redis.call('SET', KEYS[2], now + tonumber(ARGV[5]), 'PX', tonumber(ARGV[5]))
  redis.call('DEL', KEYS[1])
  return 2
end
return 0
`;

/**
 * Sends and failures counted in Redis, where every API process sees them: a new challenge never
 * starts the counts afresh, and a lock holds in every process until it ends.
 */
@Injectable()
export class ChallengeLimits {
  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly clock: Clock,
  ) {}

  accountSends(accountUid: string): SendBucket {
    return { name: `account:${accountUid}`, limit: CHALLENGE_RULES.accountSendsPerHour, windowMs: CHALLENGE_RULES.windowMs };
  }

  /**
   * Takes one send from every bucket, in one round trip that first checks the verification lock
   * of `lockedAccountUid` (when given): 423 VERIFICATION_LOCKED while it holds, else 429
   * RATE_LIMITED with the longest wait when a bucket is full.
   */
  async takeSend(buckets: readonly SendBucket[], lockedAccountUid?: string): Promise<void> {
    if (!buckets.length) {
      if (lockedAccountUid) await this.assertNotLocked(lockedAccountUid);
      return;
    }
    const now = this.clock.nowMs();
    const [outcome, ms] = (await this.redis.eval(
      TAKE_SEND,
      buckets.length + 1,
      lockedAccountUid ? this.lockKey(lockedAccountUid) : this.keys.key('challenge', 'no-lock'),
      ...buckets.map((bucket) => this.keys.key('challenge', 'sends', bucket.name)),
      now,
      member(now),
      ...buckets.flatMap((bucket) => [bucket.limit, bucket.windowMs]),
    )) as [number, number];
    if (outcome === 1) throw new VerificationLockedError(Math.ceil(ms / 1000));
    if (outcome === 2) throw new RateLimitedError(Math.ceil(ms / 1000), 'Too many codes were sent. Try again later.');
  }

  /** 423 VERIFICATION_LOCKED with Retry-After while the account's verification is locked. */
  async assertNotLocked(accountUid: string): Promise<void> {
    const ms = await this.lockedForMs(accountUid);
    if (ms > 0) throw new VerificationLockedError(Math.ceil(ms / 1000));
  }

  /** Milliseconds until the account's verification lock ends (0: not locked). */
  async lockedForMs(accountUid: string): Promise<number> {
    const lockedUntil = Number((await this.redis.get(this.lockKey(accountUid))) ?? 0);
    return Math.max(0, lockedUntil - this.clock.nowMs());
  }

  /** Counts a wrong code against the account; says whether it started the account's lock. */
  async recordFailure(accountUid: string): Promise<{ lockedNow: boolean }> {
    const outcome = Number(
      await this.redis.eval(
        RECORD_FAILURE,
        2,
        this.keys.key('challenge', 'failures', accountUid),
        this.lockKey(accountUid),
        this.clock.nowMs(),
        member(this.clock.nowMs()),
        CHALLENGE_RULES.windowMs,
        CHALLENGE_RULES.accountFailuresPerHour,
        CHALLENGE_RULES.accountLockMs,
      ),
    );
    return { lockedNow: outcome === 2 };
  }

  private lockKey(accountUid: string): string {
    return this.keys.key('challenge', 'lock', accountUid);
  }
}

function member(now: number): string {
  return `${now}:${randomToken(6)}`;
}
