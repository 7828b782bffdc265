import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedServer } from '../../../src/infrastructure/postgres/embedded-postgres';
import { freePort, tail } from '../../../src/infrastructure/child-process';
import { startEmbeddedRedis } from '../../../src/infrastructure/redis/embedded-redis';
import { ADMIN_TOKEN } from '../../support/factories';
import { SmsSink } from '../../support/sms-sink';
import { SmtpSink } from '../../support/smtp-sink';
import { createDatabaseFromTemplate, dropDatabase, TEST_APP_SECRET } from '../../support/test-app';
import { databaseName, databaseUrl, readTestEnvironment } from '../../support/test-env';
import { waitFor } from '../../support/wait-for';

const ROOT = join(__dirname, '..', '..', '..');

/** Things a drill started, stopped in reverse order when it ends, whatever happened. */
export class DrillResources {
  private readonly undo: (() => Promise<void>)[] = [];

  /** Registers `stop` and returns `resource`, so starting and registering read as one line. */
  add<T>(resource: T, stop: (resource: T) => Promise<void>): T {
    this.undo.push(() => stop(resource));
    return resource;
  }

  async release(): Promise<void> {
    for (const stop of this.undo.splice(0).reverse())
      await stop().catch((error: unknown) => process.stderr.write(`drill clean-up: ${(error as Error).message}\n`));
  }
}

/** A redis-server of the drill's own (never the run's shared one), which it may stop and bring back on the same port. */
export class DrillRedis {
  private server?: EmbeddedServer;

  private constructor(
    private readonly dir: string,
    private readonly persistent: boolean,
    private port?: number,
  ) {}

  /** `persistent` turns append-only persistence on, as the embedded default and docker-compose run Redis. */
  static async start(options: { persistent?: boolean } = {}): Promise<DrillRedis> {
    const redis = new DrillRedis(mkdtempSync(join(tmpdir(), 'ac-drill-redis-')), options.persistent ?? false);
    await redis.up();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Stops redis-server (SIGTERM: with persistence on, it writes its data first). */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.stop();
  }

  async up(): Promise<void> {
    if (this.server) return;
    this.server = await startEmbeddedRedis(this.dir, { persistent: this.persistent, port: this.port });
    this.port = Number(new URL(this.server.url).port);
  }

  async close(): Promise<void> {
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A database of the drill's own, copied from the run's migrated template. */
export async function drillDatabase(name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { templateDatabaseUrl } = readTestEnvironment();
  const database = `${databaseName(templateDatabaseUrl)}_${name}`;
  await createDatabaseFromTemplate(templateDatabaseUrl, database);
  return { url: databaseUrl(templateDatabaseUrl, database), drop: () => dropDatabase(templateDatabaseUrl, database) };
}

/** What the service processes of one drill share: database, Redis, key prefix, sinks, data directory. */
export interface DrillSystem {
  readonly databaseUrl: string;
  readonly redis: DrillRedis;
  readonly smtp: SmtpSink;
  readonly sms: SmsSink;
  readonly prefix: string;
  readonly dataDir: string;
  /** Settings every process of the drill gets on top of the defaults (durations, intervals). */
  readonly env: Record<string, string>;
}

/** Starts the servers a drill owns; they are stopped with `resources`. */
export async function startDrillSystem(
  name: string,
  resources: DrillResources,
  options: { persistentRedis?: boolean; env?: Record<string, string> } = {},
): Promise<DrillSystem> {
  const database = resources.add(await drillDatabase(name), (db) => db.drop());
  const redis = resources.add(await DrillRedis.start({ persistent: options.persistentRedis }), (server) => server.close());
  const smtp = resources.add(await SmtpSink.start(), (sink) => sink.stop());
  const sms = resources.add(await SmsSink.start(), (sink) => sink.stop());
  const dataDir = resources.add(mkdtempSync(join(tmpdir(), `ac-drill-${name}-`)), async (dir) =>
    rmSync(dir, { recursive: true, force: true }),
  );
  return { databaseUrl: database.url, redis, smtp, sms, prefix: `drill-${name.replace(/_/g, '-')}`, dataDir, env: options.env ?? {} };
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Date.now() when it exited. */
  readonly at: number;
}

/**
 * The service as production starts it, in a process of its own: `node dist/main.js` (the API,
 * or API and workers with PROCESS_ROLE=all) or `node dist/worker.js`. The drill may signal or
 * kill it; its output is kept to explain a failure.
 */
export class ServiceProcess {
  readonly exited: Promise<ProcessExit>;
  private readonly lines: string[] = [];

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly baseUrl: string | undefined,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => tail(this.lines, chunk, 40));
    child.stderr?.on('data', (chunk: Buffer) => tail(this.lines, chunk, 40));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  }

  /** Starts `entry` against the drill's system and waits until it is ready (the API answers /health/ready; a worker prints its banner). */
  static async start(
    name: string,
    system: DrillSystem,
    entry: 'main' | 'worker',
    env: Record<string, string> = {},
  ): Promise<ServiceProcess> {
    const port = await freePort();
    const role = entry === 'worker' ? 'worker' : (env.PROCESS_ROLE ?? 'api');
    const child = spawn(process.execPath, [join(ROOT, 'dist', `${entry}.js`)], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        APP_SECRET: TEST_APP_SECRET,
        ADMIN_API_TOKEN: ADMIN_TOKEN,
        DATA_DIR: system.dataDir,
        PORT: String(port),
        DATABASE_URL: system.databaseUrl,
        REDIS_URL: system.redis.url,
        REDIS_PREFIX: system.prefix,
        SMTP_URL: system.smtp.url,
        ...system.sms.env,
        PROCESS_ROLE: role,
        ...system.env,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const service = new ServiceProcess(name, child, role === 'worker' ? undefined : `http://127.0.0.1:${port}`);
    const died = service.exited.then((exit) => {
      throw new Error(`${name} exited (${exit.code ?? exit.signal}) while starting:\n${service.output()}`);
    });
    died.catch(() => undefined);
    const ready = service.baseUrl
      ? async () => (await fetch(`${service.baseUrl}/health/ready`).catch(() => undefined))?.status === 200
      : () => service.lines.some((line) => line.startsWith('Account Center is running'));
    await Promise.race([died, waitFor(ready, { timeoutMs: 60_000, intervalMs: 100, description: `${name} to be ready` })]);
    return service;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not gone after 15 s. */
  async stop(): Promise<void> {
    if (!this.running) return;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    this.child.kill('SIGTERM');
    await this.exited;
    clearTimeout(timer);
  }

  /** The last lines it wrote (stdout and stderr). */
  output(): string {
    return this.lines.join('\n');
  }
}

/** Runs `work` over `items` with at most `concurrency` at once; results in the items' order. */
export async function inParallel<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next;
        next += 1;
        results[index] = await work(items[index], index);
      }
    }),
  );
  return results;
}

/** Caused against received, by message id: what arrived, how many arrived more than once, what is missing. */
export function tally(
  caused: Iterable<string>,
  received: Iterable<string>,
): { caused: number; delivered: number; duplicates: number; lost: number; missing: string[] } {
  const counts = new Map<string, number>();
  for (const id of caused) counts.set(id, 0);
  for (const id of received) if (counts.has(id)) counts.set(id, counts.get(id)! + 1);
  const values = [...counts.values()];
  const missing = [...counts.entries()].filter(([, count]) => count === 0).map(([id]) => id);
  return {
    caused: counts.size,
    delivered: values.filter((count) => count > 0).length,
    duplicates: values.reduce((sum, count) => sum + Math.max(0, count - 1), 0),
    lost: missing.length,
    missing,
  };
}
