import { Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { Clock } from '../../common/clock';
import { InjectRedis, RedisKeys } from '../../infrastructure/redis/redis.module';

/** How long an appeal page's open event stream counts as the agent being on it without a heartbeat. */
export const VIEWING_TTL_MS = 45_000;

/**
 * Where agents are, kept in Redis so that every process sees it: when each agent was last seen
 * (any back-office request or an open event stream), and which appeals' pages they have open.
 * Entries carry their own expiry, so a process that dies leaves nothing behind for long.
 */
@Injectable()
export class AgentPresenceService {
  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly clock: Clock,
  ) {}

  /** The agent was active just now. */
  async touch(agentId: string): Promise<void> {
    await this.redis.zadd(this.keys.key('agents', 'seen'), this.clock.now().getTime(), agentId);
  }

  /** The agents seen at or after `since`, by id. */
  async seenSince(since: Date): Promise<Set<string>> {
    const ids = await this.redis.zrangebyscore(this.keys.key('agents', 'seen'), since.getTime(), '+inf');
    return new Set(ids);
  }

  /** Auto-assignment just gave the agent an appeal (its round-robin among equally loaded agents). */
  async assigned(agentId: string): Promise<void> {
    await this.redis.zadd(this.keys.key('agents', 'assigned'), this.clock.now().getTime(), agentId);
  }

  /** When each of `agentIds` was last given an appeal by auto-assignment (absent: never). */
  async lastAssigned(agentIds: readonly string[]): Promise<Map<string, number>> {
    if (!agentIds.length) return new Map();
    const scores = await this.redis.zmscore(this.keys.key('agents', 'assigned'), ...agentIds);
    return new Map(agentIds.flatMap((id, index) => (scores[index] === null ? [] : [[id, Number(scores[index])] as [string, number]])));
  }

  /** The agent has the appeal's page open (renewed by the stream's heartbeats). */
  async view(reference: string, agentId: string): Promise<void> {
    const key = this.viewersKey(reference);
    await this.redis.zadd(key, this.clock.now().getTime() + VIEWING_TTL_MS, agentId);
    await this.redis.pexpire(key, VIEWING_TTL_MS * 2);
  }

  async leave(reference: string, agentId: string): Promise<void> {
    await this.redis.zrem(this.viewersKey(reference), agentId);
  }

  /** The ids of the agents who have the appeal's page open now. */
  async viewers(reference: string): Promise<string[]> {
    return this.redis.zrangebyscore(this.viewersKey(reference), this.clock.now().getTime(), '+inf');
  }

  private viewersKey(reference: string): string {
    return this.keys.key('presence', reference);
  }
}
