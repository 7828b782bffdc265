import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { deleteKeys } from '../../tools/redis-keys';
import { startedServers } from './global-setup';
import { databaseName, databaseUrl, readTestEnvironment } from './test-env';

/** Drops every database of this run and its Redis keys, then stops the servers it started. */
export default async function globalTeardown(): Promise<void> {
  const { templateDatabaseUrl, redisUrl, runId } = readTestEnvironment();
  const admin = new Client({ connectionString: databaseUrl(templateDatabaseUrl, 'postgres') });
  await admin.connect();
  const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
    `${databaseName(templateDatabaseUrl)}%`,
  ]);
  for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  await admin.end();

  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  await deleteKeys(redis, `*t-${runId}-*`);
  redis.disconnect();

  for (const server of startedServers().splice(0).reverse()) await server.stop();
  rmSync(join(__dirname, '..', '..', '.data', 'test', `redis-${runId}`), { recursive: true, force: true });
}

export { deleteKeys };
