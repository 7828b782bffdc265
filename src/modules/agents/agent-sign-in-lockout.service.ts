import { Injectable } from '@nestjs/common';
import { prefixOf } from '../../common/client-address';
import { Bucket, bucket, Limiter } from '../../infrastructure/limits/limiter';
import { LIMITS } from '../../infrastructure/limits/limits';

/** 5 failures for one email from one network lock that email on that network for 15 minutes (`LIMITS`). */
export const AGENT_LOCKOUT = { failures: LIMITS.agentSignInFailures.max, lockMs: LIMITS.agentSignInFailures.lock.maxMs } as const;

/** The network the lockout counts by: IPv4 /24, IPv6 /64. */
export function lockoutNetworkOf(ip: string): string {
  return prefixOf(ip, 24, 64);
}

/**
 * Counts failed back-office sign-ins per email and network through the Limiter (shared by every
 * process), and locks that email on that network once it has five: someone guessing from
 * elsewhere cannot keep an agent out of their own network. Unknown emails are counted and locked
 * alike, so a lockout says nothing about whether an agent has that address.
 */
@Injectable()
export class AgentSignInLockout {
  constructor(private readonly limiter: Limiter) {}

  /** Milliseconds the email stays locked on the network of `ip`, 0 when it may try. */
  async lockedFor(email: string, ip: string): Promise<number> {
    const [ms] = await this.limiter.lockedFor([this.bucket(email, ip)]);
    return ms;
  }

  /** Counts a failure; returns the lock it starts (ms), 0 below the threshold. */
  async recordFailure(email: string, ip: string): Promise<number> {
    const [hit] = await this.limiter.hit([this.bucket(email, ip)]);
    return hit.lockStartedMs;
  }

  async clear(email: string, ip: string): Promise<void> {
    await this.limiter.clear([this.bucket(email, ip)]);
  }

  private bucket(email: string, ip: string): Bucket {
    return bucket(LIMITS.agentSignInFailures, email.trim().toLowerCase(), lockoutNetworkOf(ip));
  }
}
