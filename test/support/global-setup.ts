import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { startEmbeddedPostgres } from '../../src/infrastructure/postgres/embedded-postgres';
import { runMigrations } from '../../src/database/run-migrations';
import { typeOrmOptions } from '../../src/database/typeorm-options';
import { startEmbeddedRedis } from '../../src/infrastructure/redis/embedded-redis';
import { databaseUrl, writeTestEnvironment } from './test-env';

const ROOT = join(__dirname, '..', '..');

interface StartedServers {
  __acTestServers?: { stop(): Promise<void> }[];
}

/** Servers this run started; global-teardown (same process, maybe another module instance) stops them. */
export function startedServers(): { stop(): Promise<void> }[] {
  const holder = globalThis as StartedServers;
  holder.__acTestServers ??= [];
  return holder.__acTestServers;
}

/**
 * Once per jest run: PostgreSQL (DATABASE_URL, else the embedded one) with a template database
 * of this run, migrated; Redis (REDIS_URL, else a redis-server of this run). Each test app then
 * copies the template and takes a key prefix of its own.
 */
export default async function globalSetup(): Promise<void> {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const postgres = await startEmbeddedPostgres(join(ROOT, '.data', 'test', 'pg'));
    if (postgres.owned) startedServers().push(postgres);
    serverUrl = postgres.url;
  }
  const template = `ac_test_${runId}`;
  const admin = new Client({ connectionString: databaseUrl(serverUrl, 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();

  const templateDatabaseUrl = databaseUrl(serverUrl, template);
  const dataSource = await new DataSource(
    typeOrmOptions(templateDatabaseUrl, { size: 2, applicationName: 'account-center-test-setup' }),
  ).initialize();
  await runMigrations(dataSource);
  await dataSource.destroy();

  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const redis = await startEmbeddedRedis(join(ROOT, '.data', 'test', `redis-${runId}`), { persistent: false });
    startedServers().push(redis);
    redisUrl = redis.url;
  }
  writeTestEnvironment({ templateDatabaseUrl, redisUrl, runId });
}
