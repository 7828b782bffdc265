import { Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { Clock } from '../../common/clock';
import { randomToken, sha256Hex } from '../../common/crypto/tokens';
import { InjectRedis, RedisKeys } from '../../infrastructure/redis/redis.module';
import { LoginThrottledError } from './accounts.errors';

/** Sign-in throttling, per login and per IP: the rule of docs/product.md in numbers. */
export const LOGIN_THROTTLE = {
  /** Failures in the window after which the next attempt is refused. */
  threshold: 10,
  /** Failures older than this no longer count (a rolling window). */
  windowMs: 3_600_000,
  firstLockoutMs: 60_000,
  maxLockoutMs: 3_600_000,
} as const;

/**
 * How long to refuse attempts after the `failures`-th failure in the window: nothing below the
 * threshold, then 1 minute, doubling with every further failure, at most 1 hour.
 */
export function lockoutMs(failures: number): number {
  if (failures < LOGIN_THROTTLE.threshold) return 0;
  return Math.min(LOGIN_THROTTLE.firstLockoutMs * 2 ** (failures - LOGIN_THROTTLE.threshold), LOGIN_THROTTLE.maxLockoutMs);
}

/** The owner of a throttled login is told at most this often. */
const OWNER_NOTICE_INTERVAL_MS = 3_600_000;

type Subject = { readonly kind: 'login' | 'ip'; readonly id: string };

/**
 * Counts failed sign-ins in Redis (a sorted set of failure times per login and per IP) and locks
 * a login or an IP out (a key with a TTL) once it has too many. Shared by every API process.
 * Unknown logins are counted alike, so a 429 says nothing about whether an account exists.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly clock: Clock,
  ) {}

  /**
   * LoginThrottledError (with Retry-After) while the login or the IP is locked out; such attempts
   * count for nothing. Otherwise says whether the login has failures a success must clear.
   */
  async assertAllowed(loginKey: string, ip: string): Promise<{ loginHasFailures: boolean }> {
    const [login, address] = subjects(loginKey, ip);
    const [loginLockout, addressLockout, failures] = results(
      await this.redis.pipeline().pttl(this.key('lockout', login)).pttl(this.key('lockout', address)).exists(this.key('failures', login)).exec(),
    ).map(Number);
    const remaining = Math.max(0, loginLockout, addressLockout);
    if (remaining > 0) throw new LoginThrottledError(Math.ceil(remaining / 1000));
    return { loginHasFailures: failures > 0 };
  }

  /**
   * Counts a failure against the login and the IP; returns the lockout it starts (0 for none),
   * and the part of it that is the login's own.
   */
  async recordFailure(loginKey: string, ip: string): Promise<{ lockoutMs: number; loginLockoutMs: number }> {
    const now = this.clock.nowMs();
    const all = subjects(loginKey, ip);
    const transaction = this.redis.multi();
    for (const subject of all) {
      const key = this.key('failures', subject);
      transaction
        .zremrangebyscore(key, '-inf', now - LOGIN_THROTTLE.windowMs)
        .zadd(key, now, `${now}:${randomToken(6)}`)
        .zcard(key)
        .pexpire(key, LOGIN_THROTTLE.windowMs);
    }
    const replies = results(await transaction.exec());
    const lockouts = all.map((subject, index) => ({ subject, ms: lockoutMs(Number(replies[index * 4 + 2])) })).filter(({ ms }) => ms > 0);
    if (lockouts.length) {
      const pipeline = this.redis.pipeline();
      for (const { subject, ms } of lockouts) pipeline.set(this.key('lockout', subject), '1', 'PX', ms);
      results(await pipeline.exec());
    }
    return {
      lockoutMs: Math.max(0, ...lockouts.map(({ ms }) => ms)),
      loginLockoutMs: lockouts.find(({ subject }) => subject.kind === 'login')?.ms ?? 0,
    };
  }

  /**
   * True for the first call in an hour for the account (SET NX with a TTL, shared by every
   * process): the owner hears of a throttled login once an hour at most.
   */
  async claimOwnerNotice(accountUid: string): Promise<boolean> {
    return (await this.redis.set(this.keys.key('sign-in', 'owner-notice', accountUid), '1', 'PX', OWNER_NOTICE_INTERVAL_MS, 'NX')) === 'OK';
  }

  /** A successful sign-in clears the login's count (the IP's keeps counting, so one good login cannot launder an IP's guesses). */
  async recordSuccess(loginKey: string): Promise<void> {
    const login: Subject = { kind: 'login', id: digest(loginKey) };
    await this.redis.unlink(this.key('failures', login), this.key('lockout', login));
  }

  private key(what: 'failures' | 'lockout', subject: Subject): string {
    return this.keys.key('sign-in', what, subject.kind, subject.id);
  }
}

function subjects(loginKey: string, ip: string): Subject[] {
  return [
    { kind: 'login', id: digest(loginKey) },
    { kind: 'ip', id: ip },
  ];
}

/** Logins are hashed in key names: Redis need not hold a list of email addresses (or passwords typed as logins). */
function digest(loginKey: string): string {
  return sha256Hex(loginKey);
}

function results(replies: [Error | null, unknown][] | null): unknown[] {
  if (!replies) throw new Error('Redis discarded the transaction');
  return replies.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
