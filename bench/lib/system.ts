import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { EmbeddedServer, startEmbeddedPostgres } from '../../src/infrastructure/postgres/embedded-postgres';
import { freePort } from '../../src/infrastructure/child-process';
import { startEmbeddedRedis } from '../../src/infrastructure/redis/embedded-redis';
import { databaseName, databaseUrl } from '../../tools/database-url';
import { deleteKeys } from '../../tools/redis-keys';
import { SmsSink } from '../../tools/sms-sink';
import { SmtpSink } from '../../tools/smtp-sink';
import { waitFor } from '../../tools/wait-for';

export const ROOT = join(__dirname, '..', '..', '..');

/** The environment assignments and node flags of `npm start` (`A=1 node --flag dist/main.js`). */
export function startCommand(): { env: Record<string, string>; nodeArgs: string[] } {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const words = scripts.start
    .split('&&')
    .map((part) => part.trim().split(/\s+/))
    .find((part) => part[part.length - 1] === 'dist/main.js');
  const node = words?.indexOf('node') ?? -1;
  if (!words || node < 0) throw new Error(`package.json's start script does not run node dist/main.js: ${scripts.start}`);
  const env = Object.fromEntries(words.slice(0, node).map((word) => word.split('=', 2) as [string, string]));
  return { env, nodeArgs: words.slice(node + 1, -1) };
}

export interface BenchSystem {
  readonly baseUrl: string;
  readonly adminToken: string;
  /** The service's own database, Redis, key prefix and secret, for benchmarks that seed data or measure beside it. */
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly redisPrefix: string;
  readonly appSecret: string;
  readonly smtp: SmtpSink;
  readonly sms: SmsSink;
  readonly process: ChildProcess;
  /** Resident memory of the service process, in MiB. */
  rssMiB(): number;
  stop(): Promise<void>;
}

/**
 * Starts the service as `npm start` does (its node flags and environment, read from package.json;
 * PROCESS_ROLE=all unless `env` says otherwise) with the bench's own SMTP and SMS sinks, in a database of this run (dropped
 * afterwards) on DATABASE_URL's server, and on REDIS_URL. Without them the harness starts the
 * embedded servers under .data/bench itself, so that benchmarks can reach them too.
 */
export async function startSystem(env: Record<string, string> = {}): Promise<BenchSystem> {
  const servers: EmbeddedServer[] = [];
  const dataDir = join(ROOT, '.data', 'bench');
  mkdirSync(dataDir, { recursive: true });
  const embedded = async (start: () => Promise<EmbeddedServer>) => {
    const server = await start();
    servers.push(server);
    return server.url;
  };
  const database = await createBenchDatabase(
    process.env.DATABASE_URL ?? (await embedded(() => startEmbeddedPostgres(join(dataDir, 'pg')))),
  );
  const redisUrl = process.env.REDIS_URL ?? (await embedded(() => startEmbeddedRedis(join(dataDir, 'redis'), { persistent: false })));
  const redisPrefix = `bench-${Date.now().toString(36)}`;
  const appSecret = '42'.repeat(32);
  const smtp = await SmtpSink.start({ parse: false });
  const sms = await SmsSink.start();
  const port = await freePort();
  const adminToken = 'bench-admin-token-0123456789abcdef';
  // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the service (NODE_OPTIONS refuses --cpu-prof).
  const start = startCommand();
  const nodeArgs = [...start.nodeArgs, ...(process.env.BENCH_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [])];
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist', 'main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...start.env,
      NODE_ENV: 'production',
      APP_SECRET: appSecret,
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SMTP_URL: smtp.url,
      ADMIN_API_TOKEN: adminToken,
      REDIS_PREFIX: redisPrefix,
      ...sms.env,
      DATABASE_URL: database,
      REDIS_URL: redisUrl,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`the service exited (${code}) while starting`))),
  );
  exited.catch(() => undefined);
  const baseUrl = `http://127.0.0.1:${port}`;
  await Promise.race([
    exited,
    waitFor(async () => (await fetch(`${baseUrl}/health/ready`).catch(() => undefined))?.status === 200, {
      timeoutMs: 90_000,
      intervalMs: 200,
      description: 'the service to be ready',
    }),
  ]);
  return {
    baseUrl,
    adminToken,
    databaseUrl: database,
    redisUrl,
    redisPrefix,
    appSecret,
    smtp,
    sms,
    process: child,
    rssMiB: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024,
    stop: async () => {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
      await smtp.stop();
      await sms.stop();
      await dropBenchDatabase(database);
      const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      await deleteKeys(redis, `*${redisPrefix}*`);
      redis.disconnect();
      for (const server of servers.reverse()) await server.stop();
    },
  };
}

async function admin<T>(serverUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl(serverUrl, 'postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function createBenchDatabase(serverUrl: string): Promise<string> {
  const name = `ac_bench_${randomBytes(4).toString('hex')}`;
  await admin(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  return databaseUrl(serverUrl, name);
}

async function dropBenchDatabase(url: string): Promise<void> {
  await admin(url, (client) => client.query(`DROP DATABASE IF EXISTS ${databaseName(url)} WITH (FORCE)`));
}
