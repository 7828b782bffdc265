import { randomUUID } from 'node:crypto';
import { bucket, Limiter } from '../../src/infrastructure/limits/limiter';
import { Limit, LIMITS } from '../../src/infrastructure/limits/limits';
import { ChallengeLimits } from '../../src/modules/challenges/challenge-limits';
import Redis from 'ioredis';
import { controlClock, createAccount } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

describe(Limiter.name, () => {
  let t: TestApp;
  let limiter: Limiter;
  let clock: ReturnType<typeof controlClock>;

  beforeAll(async () => {
    t = await createTestApp({ workers: false });
    limiter = t.get(Limiter);
    clock = controlClock(t);
  });

  afterAll(() => t.close());

  const two: Limit = { name: 'test-two', max: 2, windowMs: 60_000, key: ['test id'] };
  const three: Limit = { name: 'test-three', max: 3, windowMs: 60_000, key: ['test id'] };
  const locking: Limit = {
    name: 'test-locking',
    max: 3,
    windowMs: 60_000,
    key: ['test id'],
    lock: { firstMs: 1_000, maxMs: 4_000, resetCount: false },
  };

  it('takes from every bucket or from none', async () => {
    const id = randomUUID();
    const small = bucket(two, id);
    const large = bucket(three, id);
    expect((await limiter.take([small, large])).taken).toBe(true);
    expect((await limiter.take([small, large])).taken).toBe(true);
    const refused = await limiter.take([small, large]);
    expect(refused).toMatchObject({ taken: false });
    expect(refused.taken === false && refused.waitMs).toBeGreaterThan(50_000);
    // The full bucket refused the take: the other one was not charged either.
    expect(await limiter.count(large)).toBe(2);
    // Rolling: once the window has passed, there is room again.
    clock.advance(60_001);
    expect((await limiter.take([small, large])).taken).toBe(true);
  });

  it('runs its scripts by hash, and sends their text again once Redis has forgotten them', async () => {
    const redis = new Redis(t.config.redis.url);
    try {
      const id = randomUUID();
      expect((await limiter.take([bucket(two, id)])).taken).toBe(true);
      await redis.script('FLUSH');
      expect((await limiter.take([bucket(two, id)])).taken).toBe(true);
      expect((await limiter.take([bucket(two, id)])).taken).toBe(false);
      await redis.script('FLUSH');
      expect(await limiter.hit([bucket(locking, id)])).toEqual([{ count: 1, lockStartedMs: 0 }]);
    } finally {
      redis.disconnect();
    }
  });

  it('gives back what a transaction took when that transaction rolls back, and keeps it when it commits', async () => {
    const taken = bucket(two, randomUUID());
    await expect(
      t.dataSource.transaction(async (manager) => {
        expect((await limiter.take([taken], { manager })).taken).toBe(true);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    // The refund follows the rollback without holding it up.
    await waitFor(async () => (await limiter.count(taken)) === 0, { description: 'the refund after the rollback' });

    await t.dataSource.transaction(async (manager) => {
      expect((await limiter.take([taken], { manager })).taken).toBe(true);
    });
    expect(await limiter.count(taken)).toBe(1);
  });

  it('locks a bucket at its max, doubles the lock with each further hit once the lock has ended, and clears', async () => {
    const id = bucket(locking, randomUUID());
    expect((await limiter.hit([id])).map((hit) => hit.lockStartedMs)).toEqual([0]);
    await limiter.hit([id]);
    expect((await limiter.hit([id]))[0]).toEqual({ count: 3, lockStartedMs: 1_000 });
    // Locked: a hit counts nothing, and a take that checks the lock is refused by it.
    expect((await limiter.hit([id]))[0]).toEqual({ count: 0, lockStartedMs: 0 });
    const refused = await limiter.take([], { locks: [id] });
    expect(refused).toMatchObject({ taken: false, lockedBy: id });
    clock.advance(1_001);
    expect((await limiter.lockedFor([id]))[0]).toBe(0);
    expect((await limiter.hit([id]))[0]).toEqual({ count: 4, lockStartedMs: 2_000 });
    await limiter.clear([id]);
    expect(await limiter.lockedFor([id])).toEqual([0]);
    expect(await limiter.count(id)).toBe(0);
  });

  it('answers a take refused by several locks with the one that holds longest, and its wait', async () => {
    const short = bucket(locking, randomUUID());
    const long = bucket(locking, randomUUID());
    for (let n = 0; n < 3; n += 1) await limiter.hit([long]);
    clock.advance(1_001);
    await limiter.hit([long]); // its first lock (1 s) has ended: the fourth hit starts one of 2 s
    for (let n = 0; n < 3; n += 1) await limiter.hit([short]); // a first lock, of 1 s
    const refused = await limiter.take([bucket(two, randomUUID())], { locks: [short, long] });
    expect(refused).toMatchObject({ taken: false, lockedBy: long });
    expect(refused.taken === false && refused.waitMs).toBeGreaterThan(1_000);
  });

  it('keeps no login, email or phone in Redis key names', async () => {
    const login = `someone-${randomUUID()}@example.com`;
    await limiter.hit([bucket(LIMITS.signInFailuresPerLogin, login)]);
    const keys = await redisKeys(`${t.config.redis.prefix}:limit:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join('\n')).not.toContain(login);
  });

  it('locks an account after 20 failures in an hour through the challenge limits, on the service clock', async () => {
    const { uid } = await createAccount(t);
    const limits = t.get(ChallengeLimits);
    for (let n = 1; n < LIMITS.accountFailures.max; n += 1) expect(await limits.recordFailure(uid)).toEqual({ lockedNow: false });
    expect(await limits.recordFailure(uid)).toEqual({ lockedNow: true });
    expect(await limits.lockedForMs(uid)).toBeGreaterThan(3_500_000);
    clock.advance(LIMITS.accountFailures.lock.maxMs);
    expect(await limits.lockedForMs(uid)).toBe(0);
  });

  async function redisKeys(pattern: string): Promise<string[]> {
    const redis = new Redis(t.config.redis.url);
    try {
      return await redis.keys(pattern);
    } finally {
      redis.disconnect();
    }
  }
});
