import { RedisOptions } from 'ioredis';

/** ioredis options from a redis:// or rediss:// URL, for clients that take options rather than a URL (BullMQ). */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
  };
}

/** BullMQ keys share one hash tag so every queue lives in one Redis Cluster slot. */
export function bullPrefix(prefix: string): string {
  return `{${prefix}}`;
}
