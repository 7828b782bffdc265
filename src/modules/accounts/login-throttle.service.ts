import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { addressKey } from '../../common/client-address';
import { Bucket, bucket, Limiter, lockMsFor } from '../../infrastructure/limits/limiter';
import { LIMITS } from '../../infrastructure/limits/limits';

/** Sign-in throttling, per login and per IP (IPv6 by /64): the rule in numbers (`LIMITS`). */
export const LOGIN_THROTTLE = {
  /** Failures in the window after which the next attempt is refused. */
  threshold: LIMITS.signInFailuresPerLogin.max,
  /** Failures older than this no longer count (a rolling window). */
  windowMs: LIMITS.signInFailuresPerLogin.windowMs,
  firstLockoutMs: LIMITS.signInFailuresPerLogin.lock.firstMs,
  maxLockoutMs: LIMITS.signInFailuresPerLogin.lock.maxMs,
} as const;

/**
 * How long to refuse attempts after the `failures`-th failure in the window: nothing below the
 * threshold, then 1 minute, doubling with every further failure, at most 1 hour.
 */
export function lockoutMs(failures: number): number {
  return lockMsFor(LIMITS.signInFailuresPerLogin.lock, LOGIN_THROTTLE.threshold, failures);
}

/** Where a sign-in stands before its password is checked. */
export interface ThrottleState {
  /** The IP's lockout (ms): nothing passes it. */
  readonly addressLockedMs: number;
  /** The login's lockout (ms): only the right password from a device trusted for the account passes it. */
  readonly loginLockedMs: number;
  /** Whether the login has failures a success must clear. */
  readonly loginHasFailures: boolean;
}

/**
 * Counts failed sign-ins per login and per IP through the Limiter (shared by every API process)
 * and locks a login or an IP out once it has too many. Unknown logins are counted alike, so a
 * 429 says nothing about whether an account exists. Logins are hashed in key names.
 */
@Injectable()
export class LoginThrottle {
  constructor(private readonly limiter: Limiter) {}

  async state(loginKey: string, ip: string): Promise<ThrottleState> {
    const [login, address] = await this.limiter.state(subjects(loginKey, ip));
    return { addressLockedMs: address.lockedMs, loginLockedMs: login.lockedMs, loginHasFailures: login.count > 0 };
  }

  /**
   * Counts a failure against the login and the IP; returns the lockout it starts (0 for none),
   * and the part of it that is the login's own.
   */
  async recordFailure(loginKey: string, ip: string): Promise<{ lockoutMs: number; loginLockoutMs: number }> {
    const [login, address] = await this.limiter.hit(subjects(loginKey, ip));
    return { lockoutMs: Math.max(login.lockStartedMs, address.lockStartedMs), loginLockoutMs: login.lockStartedMs };
  }

  /** The IP's lockout alone (ms), for sign-ins that name no login (a passkey). */
  async addressLockedMs(ip: string): Promise<number> {
    const [address] = await this.limiter.state([subjects('', ip)[1]]);
    return address.lockedMs;
  }

  /** Counts a failure against the IP alone (a passkey sign-in that failed); returns the lockout it starts (0 for none). */
  async recordAddressFailure(ip: string): Promise<number> {
    const [address] = await this.limiter.hit([subjects('', ip)[1]]);
    return address.lockStartedMs;
  }

  /**
   * True for the first call in an hour for the account: the owner hears of a throttled login once
   * an hour at most. Taken in the transaction of `manager` that writes the notice: given back if it rolls back.
   */
  async claimOwnerNotice(accountUid: string, manager: EntityManager): Promise<boolean> {
    return (await this.limiter.take([bucket(LIMITS.signInThrottledNotice, accountUid)], { manager })).taken;
  }

  /**
   * A successful sign-in, or a completed password recovery, clears the login's count (the IP's
   * keeps counting, so one good login cannot launder an IP's guesses).
   */
  async recordSuccess(loginKey: string): Promise<void> {
    await this.limiter.clear([subjects(loginKey, '')[0]]);
  }
}

function subjects(loginKey: string, ip: string): [Bucket, Bucket] {
  return [bucket(LIMITS.signInFailuresPerLogin, loginKey), bucket(LIMITS.signInFailuresPerAddress, addressKey(ip))];
}
