import { Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { sha256Hex } from '../../common/crypto/tokens';
import { InjectRedis, RedisKeys } from '../../infrastructure/redis/redis.module';

/** docs/product.md, Back-office: 5 failures lock an agent for 15 minutes. */
export const AGENT_LOCKOUT = { failures: 5, lockMs: 15 * 60_000 } as const;

/**
 * Counts failed back-office sign-ins per email in Redis (shared by every process) and locks the
 * email once it has five in a row. Unknown emails are counted and locked alike, so a lockout
 * says nothing about whether an agent has that address.
 */
@Injectable()
export class AgentSignInLockout {
  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Milliseconds the email stays locked, 0 when it may try. */
  async lockedFor(email: string): Promise<number> {
    return Math.max(0, await this.redis.pttl(this.key('lock', email)));
  }

  /** Counts a failure; returns the lock it starts (ms), 0 below the threshold. */
  async recordFailure(email: string): Promise<number> {
    const failures = this.key('failures', email);
    const replies = await this.redis.multi().incr(failures).pexpire(failures, AGENT_LOCKOUT.lockMs).exec();
    const count = Number(replies?.[0]?.[1] ?? 0);
    if (count < AGENT_LOCKOUT.failures) return 0;
    await this.redis.multi().set(this.key('lock', email), '1', 'PX', AGENT_LOCKOUT.lockMs).del(failures).exec();
    return AGENT_LOCKOUT.lockMs;
  }

  async clear(email: string): Promise<void> {
    await this.redis.del(this.key('failures', email));
  }

  /** Emails are hashed in key names: Redis need not hold a list of addresses (or passwords typed as one). */
  private key(what: 'failures' | 'lock', email: string): string {
    return this.keys.key('agent-sign-in', what, sha256Hex(email.trim().toLowerCase()));
  }
}
