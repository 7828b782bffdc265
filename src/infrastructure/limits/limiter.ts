import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Redis from 'ioredis';
import {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { Clock } from '../../common/clock';
import { createHash } from 'node:crypto';
import { randomToken, sha256Hex } from '../../common/crypto/tokens';
import { InjectRedis, RedisKeys } from '../redis/redis.module';
import { Limit, LockRule } from './limits';

/** One count of one limit: the limit, and the values of its key parts (see `LIMITS`). */
export interface Bucket {
  readonly limit: Limit;
  readonly parts: readonly (string | number)[];
}

export function bucket(limit: Limit, ...parts: (string | number)[]): Bucket {
  return { limit, parts };
}

/** What `take` answers: taken (and how to give it back), or refused with the wait. */
export type Take =
  | { readonly taken: true; readonly refund: () => Promise<void> }
  /** `lockedBy`: the bucket whose lock refused it (the one that holds longest); absent when a bucket was full. */
  | { readonly taken: false; readonly waitMs: number; readonly lockedBy?: Bucket };

/** What `hit` answers for each bucket, in order. */
export interface Hit {
  /** The count in the window after this one; 0 when the bucket was locked already (nothing counted). */
  readonly count: number;
  /** The lock this hit started (ms), 0 for none. */
  readonly lockStartedMs: number;
}

/**
 * How long the lock that the `count`-th hit starts lasts: nothing below the limit's max, then
 * `firstMs`, doubling with each further hit, at most `maxMs` (the same rule as the script).
 */
export function lockMsFor(rule: LockRule, max: number, count: number): number {
  if (count < max) return 0;
  return Math.min(rule.firstMs * 2 ** Math.min(count - max, 30), rule.maxMs);
}

interface Script {
  readonly text: string;
  readonly sha: string;
}

function script(text: string): Script {
  return { text, sha: createHash('sha1').update(text).digest('hex') };
}

// KEYS: the locks to check first, then the buckets to take from. ARGV: now, member, number of
// locks, then max and window of each bucket. Locks hold their end (on the service's clock).
// Returns {0} when one was taken from every bucket, {1, ms, i} while locks hold (i: the one that
// holds longest, ms: its wait), {2, ms} when a bucket is full (ms: the longest wait). All or
// nothing: a refusal counts nowhere.
const TAKE = script(`
local now = tonumber(ARGV[1])
local locks = tonumber(ARGV[3])
local lockWait, lockIndex = 0, 0
for i = 1, locks do
  local untilMs = tonumber(redis.call('GET', KEYS[i]) or '0')
  if untilMs - now > lockWait then lockWait, lockIndex = untilMs - now, i end
end
if lockWait > 0 then return {1, lockWait, lockIndex} end
local wait = 0
for i = locks + 1, #KEYS do
  local j = i - locks
  local max = tonumber(ARGV[2 + j * 2])
  local window = tonumber(ARGV[3 + j * 2])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  if redis.call('ZCARD', KEYS[i]) >= max then
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    wait = math.max(wait, tonumber(oldest[2]) + window - now)
  end
end
if wait > 0 then return {2, wait} end
for i = locks + 1, #KEYS do
  local j = i - locks
  redis.call('ZADD', KEYS[i], now, ARGV[2])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[3 + j * 2]))
end
return {0}
`);

// KEYS: count and lock of each bucket, in pairs. ARGV: now, member, then per bucket: window,
// max, first lock ms (0: never locks), max lock ms, 1 to clear the count when a lock starts.
// A bucket locked already counts nothing. Returns count and lock started (ms) of each bucket.
const HIT = script(`
local now = tonumber(ARGV[1])
local out = {}
for b = 1, #KEYS / 2 do
  local counts, lock = KEYS[b * 2 - 1], KEYS[b * 2]
  local window = tonumber(ARGV[b * 5 - 2])
  local max = tonumber(ARGV[b * 5 - 1])
  local firstMs = tonumber(ARGV[b * 5])
  local maxMs = tonumber(ARGV[b * 5 + 1])
  local reset = ARGV[b * 5 + 2] == '1'
  if tonumber(redis.call('GET', lock) or '0') > now then
    table.insert(out, 0); table.insert(out, 0)
  else
    redis.call('ZREMRANGEBYSCORE', counts, '-inf', now - window)
    redis.call('ZADD', counts, now, ARGV[2])
    redis.call('PEXPIRE', counts, window)
    local count = redis.call('ZCARD', counts)
    local ms = 0
    if firstMs > 0 and count >= max then
      ms = math.min(firstMs * 2 ^ math.min(count - max, 30), maxMs)
      redis.call('SET', lock, now + ms, 'PX', ms)
      if reset then redis.call('DEL', counts) end
    end
    table.insert(out, count); table.insert(out, ms)
  end
end
return out
`);

/**
 * The one mechanism behind every rate limit, throttle and lockout (`LIMITS` lists them): rolling
 * windows kept as sorted sets in Redis, shared by every process, counted only by two scripts so
 * that several buckets are checked and taken (or hit) at once, all or nothing (a refund or a
 * clear only removes). Key parts that
 * may name a person (logins, emails, phones) are hashed: Redis need not hold a list of them.
 *
 * Time is the service's clock, so a lock and a window end when the service says they do.
 */
@Injectable()
export class Limiter implements EntitySubscriberInterface, OnModuleInit {
  /** Refunds owed if the transaction that took the allowances rolls back. */
  private readonly pending = new WeakMap<QueryRunner, (() => Promise<void>)[]>();

  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly clock: Clock,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
  }

  /**
   * Takes one from every bucket, or from none: refused while one of `locks` holds (their lock
   * keys; see `hit`) or while a bucket is full. With `manager` in a transaction, what was taken
   * is given back if that transaction rolls back: an allowance is spent only by work that happened.
   */
  async take(buckets: readonly Bucket[], options: { locks?: readonly Bucket[]; manager?: EntityManager } = {}): Promise<Take> {
    const locks = options.locks ?? [];
    if (!buckets.length && !locks.length) return { taken: true, refund: async () => undefined };
    const now = this.clock.nowMs();
    const member = `${now}:${randomToken(6)}`;
    const keys = buckets.map((each) => this.countKey(each));
    const [outcome, ms, index] = (await this.script(
      TAKE,
      locks.length + buckets.length,
      ...locks.map((each) => this.lockKey(each)),
      ...keys,
      now,
      member,
      locks.length,
      ...buckets.flatMap((each) => [each.limit.max, each.limit.windowMs]),
    )) as number[];
    if (outcome === 1) return { taken: false, waitMs: ms, lockedBy: locks[index - 1] };
    if (outcome === 2) return { taken: false, waitMs: ms };
    const refund = async () => {
      if (!keys.length) return;
      const pipeline = this.redis.pipeline();
      for (const key of keys) pipeline.zrem(key, member);
      await pipeline.exec();
    };
    const runner = options.manager?.queryRunner;
    if (runner?.isTransactionActive) this.pending.set(runner, [...(this.pending.get(runner) ?? []), refund]);
    return { taken: true, refund };
  }

  /**
   * Counts one (a failure) in every bucket at once; a bucket whose count reaches its max starts
   * its lock. A bucket already locked counts nothing.
   */
  async hit(buckets: readonly Bucket[]): Promise<Hit[]> {
    if (!buckets.length) return [];
    const now = this.clock.nowMs();
    const replies = (await this.script(
      HIT,
      buckets.length * 2,
      ...buckets.flatMap((each) => [this.countKey(each), this.lockKey(each)]),
      now,
      `${now}:${randomToken(6)}`,
      ...buckets.flatMap(({ limit }) => [
        limit.windowMs,
        limit.max,
        limit.lock?.firstMs ?? 0,
        limit.lock?.maxMs ?? 0,
        limit.lock?.resetCount ? 1 : 0,
      ]),
    )) as number[];
    return buckets.map((_, index) => ({ count: Number(replies[index * 2]), lockStartedMs: Number(replies[index * 2 + 1]) }));
  }

  /**
   * Runs one of the two scripts by its SHA-1, so each call sends a few dozen bytes instead of the
   * script's text; Redis that lost its script cache (a restart, SCRIPT FLUSH) gets the text once.
   */
  private async script(source: Script, keys: number, ...args: (string | number)[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(source.sha, keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.redis.eval(source.text, keys, ...args);
    }
  }

  /** Milliseconds until the lock of each bucket ends (0: not locked), in order: one MGET, the counts left unread. */
  async lockedFor(buckets: readonly Bucket[]): Promise<number[]> {
    if (!buckets.length) return [];
    const now = this.clock.nowMs();
    const locks = await this.redis.mget(...buckets.map((each) => this.lockKey(each)));
    return locks.map((lock) => Math.max(0, Number(lock ?? 0) - now));
  }

  /** How many the bucket holds in its window now. */
  async count(each: Bucket): Promise<number> {
    const [state] = await this.state([each]);
    return state.count;
  }

  /** Each bucket's lock (ms left, 0 for none) and count in its window, read in one round trip. */
  async state(buckets: readonly Bucket[]): Promise<{ lockedMs: number; count: number }[]> {
    if (!buckets.length) return [];
    const now = this.clock.nowMs();
    const pipeline = this.redis.pipeline();
    for (const each of buckets) pipeline.get(this.lockKey(each)).zcount(this.countKey(each), `(${now - each.limit.windowMs}`, '+inf');
    const replies = (await pipeline.exec()) ?? [];
    return buckets.map((_, index) => {
      const [[lockError, lock], [countError, count]] = [replies[index * 2], replies[index * 2 + 1]];
      if (lockError || countError) throw lockError ?? countError;
      return { lockedMs: Math.max(0, Number(lock ?? 0) - now), count: Number(count) };
    });
  }

  /** Empties the buckets and ends their locks (a success clears a count of failures). */
  async clear(buckets: readonly Bucket[]): Promise<void> {
    if (!buckets.length) return;
    await this.redis.unlink(...buckets.flatMap((each) => [this.countKey(each), this.lockKey(each)]));
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    if (!event.queryRunner.isTransactionActive) this.pending.delete(event.queryRunner);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (event.queryRunner.isTransactionActive) return; // a savepoint rolled back; the transaction goes on
    const refunds = this.pending.get(event.queryRunner);
    this.pending.delete(event.queryRunner);
    // Best effort: should Redis be away too, the allowance stays spent until its window ends.
    for (const refund of refunds ?? []) void refund().catch(() => undefined);
  }

  private countKey(each: Bucket): string {
    return this.keys.key('limit', each.limit.name, partsOf(each));
  }

  private lockKey(each: Bucket): string {
    return this.keys.key('limit', each.limit.name, 'lock', partsOf(each));
  }
}

/** The key parts, hashed: they may be logins, emails or phones (or a password typed as a login). */
function partsOf(each: Bucket): string {
  return sha256Hex(each.parts.map(String).join('\u0000')).slice(0, 40);
}
