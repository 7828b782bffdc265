import Redis from 'ioredis';

/** Deletes every key matching `pattern` (SCAN, then UNLINK in batches), without blocking Redis as KEYS would. */
export async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}
