import { Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { generateSecret, generateURI, verify } from 'otplib';
import { Clock } from '../../common/clock';
import { InjectRedis, RedisKeys } from '../../infrastructure/redis/redis.module';

const ISSUER = 'Account Center back-office';
/** RFC 6238 with one step of drift either way. */
const TOLERANCE_SECONDS = 30;
/** Long enough to outlive every window a used step could still be accepted in. */
const USED_STEP_TTL_MS = 120_000;

/**
 * TOTP for agents (RFC 6238: SHA-1, 6 digits, 30 s steps, one step of drift), through otplib's
 * functional API. Each step is accepted once: a code seen over a shoulder cannot be replayed.
 */
@Injectable()
export class AgentTotpService {
  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly clock: Clock,
  ) {}

  newSecret(): string {
    return generateSecret();
  }

  uri(secret: string, email: string): string {
    return generateURI({ issuer: ISSUER, label: email, secret });
  }

  /** True when `code` is the agent's current code (or the one of a step either side) and its step was not used yet. */
  async check(agentId: string, secret: string, code: string): Promise<boolean> {
    if (!/^\d{6}$/.test(code)) return false;
    const result = await verify({ secret, token: code, epoch: Math.floor(this.clock.nowMs() / 1000), epochTolerance: TOLERANCE_SECONDS });
    // The functional API types TOTP and HOTP results together; a TOTP match carries its time step.
    if (!result.valid || !('timeStep' in result)) return false;
    const first = await this.redis.set(this.keys.key('agent-totp', agentId, result.timeStep), '1', 'PX', USED_STEP_TTL_MS, 'NX');
    return first === 'OK';
  }
}
