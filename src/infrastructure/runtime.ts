import { join } from 'node:path';
import { Client } from 'pg';
import Redis from 'ioredis';
import { AppConfig, LoadedConfig, withResolvedServices } from '../config/app-config';
import { EmbeddedServer, startEmbeddedPostgres } from './postgres/embedded-postgres';
import { startEmbeddedRedis } from './redis/embedded-redis';
import { StartupError } from './startup-error';

export type ServiceSource = 'url' | 'embedded' | 'attached';

export interface Runtime {
  /** The configuration with the database and Redis addresses filled in. */
  readonly config: AppConfig;
  /** How each service was found: from its URL, embedded and started here, or embedded and shared with another process. */
  readonly sources: { readonly postgres: ServiceSource; readonly redis: ServiceSource };
  /**
   * Where the embedded PostgreSQL keeps its data when not in `$DATA_DIR/pg`: run as root in a
   * directory the `postgres` user cannot enter, it lives under /var/lib/account-center.
   */
  readonly postgresDataDir?: string;
  stop(): Promise<void>;
}

/**
 * Finds or starts the services the app needs before Nest boots: PostgreSQL (DATABASE_URL, else
 * embedded under `$DATA_DIR/pg`) and Redis (REDIS_URL, else redis-server under `$DATA_DIR/redis`),
 * and checks both answer, so a wrong address fails fast with one line instead of a retry loop.
 */
export async function startRuntime(config: LoadedConfig): Promise<Runtime> {
  const started: EmbeddedServer[] = [];
  const stop = async () => {
    for (const server of started.reverse()) await server.stop();
  };
  const use = async (
    url: string | undefined,
    start: () => Promise<EmbeddedServer>,
  ): Promise<{ url: string; source: ServiceSource; dataDir?: string }> => {
    if (url) return { url, source: 'url' };
    const server = await start();
    started.push(server);
    return { url: server.url, source: server.owned ? 'embedded' : 'attached', dataDir: server.dataDir };
  };
  try {
    const postgres = await use(config.database.url, () => startEmbeddedPostgres(join(config.dataDir, 'pg')));
    await checkPostgres(postgres.url, postgres.source === 'url' ? 'DATABASE_URL' : 'embedded PostgreSQL');
    const redis = await use(config.redis.url, () => startEmbeddedRedis(join(config.dataDir, 'redis')));
    await checkRedis(redis.url, redis.source === 'url' ? 'REDIS_URL' : 'embedded Redis');
    return {
      config: withResolvedServices(config, { databaseUrl: postgres.url, redisUrl: redis.url }),
      sources: { postgres: postgres.source, redis: redis.source },
      postgresDataDir: postgres.dataDir,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export function describeAddress(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || (parsed.protocol.startsWith('redis') ? 6379 : 5432)}`;
}

async function checkPostgres(url: string, source: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new StartupError(`Cannot reach PostgreSQL at ${describeAddress(url)} (${source}): ${reason(error)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function checkRedis(url: string, source: string): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 5_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const version = /redis_version:(\d+)\.(\d+)/.exec(await client.info('server'));
    if (version && (Number(version[1]) < 6 || (Number(version[1]) === 6 && Number(version[2]) < 2))) {
      throw new Error(`Redis ${version[1]}.${version[2]} is too old (BullMQ needs 6.2+)`);
    }
  } catch (error) {
    throw new StartupError(`Cannot reach Redis at ${describeAddress(url)} (${source}): ${reason(error)}`);
  } finally {
    client.disconnect();
  }
}

function reason(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length) return reason(error.errors[0]);
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] || (error as { code?: string }).code || 'unknown error';
}
