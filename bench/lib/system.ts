import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, liveOwner } from '../../src/infrastructure/child-process';
import { databaseName, databaseUrl } from '../../test/support/test-env';
import { SmsSink } from '../../test/support/sms-sink';
import { SmtpSink } from '../../test/support/smtp-sink';
import { waitFor } from '../../test/support/wait-for';

export const ROOT = join(__dirname, '..', '..', '..');

export interface BenchSystem {
  readonly baseUrl: string;
  /** The PostgreSQL and Redis the service uses (its own embedded ones unless DATABASE_URL/REDIS_URL say otherwise). */
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly adminToken: string;
  readonly smtp: SmtpSink;
  readonly sms: SmsSink;
  readonly process: ChildProcess;
  /** Resident memory of the service process, in MiB. */
  rssMiB(): number;
  stop(): Promise<void>;
}

/**
 * Starts the service as `npm start` does (node dist/main.js, PROCESS_ROLE=all unless `env` says
 * otherwise) with the bench's own SMTP and SMS sinks: on the embedded servers under .data/bench,
 * or, when DATABASE_URL is set, in a database of this run on that server (dropped afterwards).
 */
export async function startSystem(env: Record<string, string> = {}): Promise<BenchSystem> {
  const database = process.env.DATABASE_URL ? await createBenchDatabase(process.env.DATABASE_URL) : undefined;
  const smtp = await SmtpSink.start({ parse: false });
  const sms = await SmsSink.start();
  const port = await freePort();
  const dataDir = join(ROOT, '.data', 'bench');
  mkdirSync(dataDir, { recursive: true });
  const adminToken = 'bench-admin-token-0123456789abcdef';
  // BENCH_CPU_PROF=<dir>: the service writes a V8 CPU profile there when it stops (open it in Chrome's DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, join(ROOT, 'dist', 'main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      APP_SECRET: '42'.repeat(32),
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SMTP_URL: smtp.url,
      ADMIN_API_TOKEN: adminToken,
      REDIS_PREFIX: `bench-${Date.now().toString(36)}`,
      ...sms.env,
      ...(database ? { DATABASE_URL: database } : {}),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the service exited (${code}) while starting`))));
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
    databaseUrl: database ?? serviceUrl(join(dataDir, 'pg.owner')),
    redisUrl: process.env.REDIS_URL ?? serviceUrl(join(dataDir, 'redis', 'redis.owner')),
    adminToken,
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
      if (database) await dropBenchDatabase(database);
    },
  };
}

/** The address of an embedded server the service started, from the owner file it writes beside the data. */
function serviceUrl(ownerFile: string): string {
  const owner = liveOwner(ownerFile);
  if (!owner) throw new Error(`no live embedded server recorded in ${ownerFile}`);
  return owner.url;
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
