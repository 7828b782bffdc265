import { randomBytes } from 'node:crypto';
import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import supertest from 'supertest';
import { DataSource } from 'typeorm';
import { AppConfig, loadConfig, withResolvedServices } from '../../src/config/app-config';
import { createHttpApp } from '../../src/service';
import { deleteKeys } from './global-teardown';
import { Inbox } from './inbox';
import { LogCapture } from './log-capture';
import { SmsSink } from './sms-sink';
import { SmtpSink } from './smtp-sink';
import { databaseName, databaseUrl, readTestEnvironment } from './test-env';

/** A fixed secret, so tests can seal and HMAC as the app does. */
export const TEST_APP_SECRET = '5e'.repeat(32);

export interface TestAppOptions {
  /** Environment variables on top of the test defaults and of the addresses of the sinks asked for (durations, limits...). */
  readonly env?: Record<string, string>;
  /** Run the BullMQ workers in this app (default true). */
  readonly workers?: boolean;
  /** Listen on a real port (default false; supertest works without). */
  readonly listen?: boolean;
  /**
   * Listen on a free port served as `http://localhost:<port>`, which is also PUBLIC_BASE_URL:
   * browsers refuse an IP address as a passkey's RP ID.
   */
  readonly localhost?: boolean;
  /** With `listen`: this port, served as `http://localhost:<port>` (what `localhost` picks). */
  readonly port?: number;
  /** Extra modules (probe controllers). */
  readonly imports?: readonly (Type | DynamicModule)[];
  /**
   * Run as a second process of `other`: same database, same Redis prefix. Closing this app
   * leaves both to `other`.
   */
  readonly sharing?: TestApp;
  /** Log everything (LOG_LEVEL=trace unless `env` says otherwise) into this capture instead of nowhere. */
  readonly log?: LogCapture;
  /** Deliver email to an SMTP sink of this app's own (`smtp`), stopped when the app closes. */
  readonly smtp?: boolean;
  /** Deliver SMS to a webhook sink of this app's own (`sms`), stopped when the app closes. */
  readonly sms?: boolean;
  /** Both sinks, also read together as `inbox` (a `+…` address is a phone). */
  readonly inbox?: boolean;
}

export interface TestApp {
  readonly app: NestExpressApplication;
  readonly config: AppConfig;
  readonly dataSource: DataSource;
  /** supertest against the app. */
  readonly http: supertest.Agent;
  /** Set when `listen` was asked for. */
  readonly baseUrl?: string;
  /** The sinks the app delivers to (asked for with `smtp`, `sms` or `inbox`; a `sharing` app reads its first app's). */
  readonly smtp: SmtpSink;
  readonly sms: SmsSink;
  readonly inbox: Inbox;
  get<T>(token: Type<T> | symbol | string): T;
  /** Closes the app, then drops its database and keys and stops its sinks. */
  close(): Promise<void>;
}

/** The sinks of one app; a sink nobody asked for fails the test that reads it. */
interface Sinks {
  readonly smtp?: SmtpSink;
  readonly sms?: SmsSink;
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

let sequence = 0;
const sinksOfApps = new WeakMap<TestApp, Sinks>();

/**
 * A real app on a database of its own (copied from the run's migrated template) and a Redis key
 * prefix of its own, so test files running in parallel never see each other's rows or jobs.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  if (options.localhost) {
    const port = await freePort();
    return createTestApp({
      ...options,
      localhost: false,
      listen: true,
      port,
      env: { PUBLIC_BASE_URL: `http://localhost:${port}`, ...options.env },
    });
  }
  if (options.sharing) {
    const other = options.sharing;
    // A second process delivers where its first app does, and leaves the sinks to it.
    const shared = { ...sinksOfApps.get(other), env: {}, stop: async () => undefined };
    return startApp(other.config, options, shared, async () => undefined);
  }
  const sinks = await startSinks(options);
  try {
    return await createOwnApp(options, sinks);
  } catch (error) {
    await sinks.stop();
    throw error;
  }
}

async function createOwnApp(options: TestAppOptions, sinks: Sinks): Promise<TestApp> {
  const { templateDatabaseUrl, redisUrl, runId } = readTestEnvironment();
  sequence += 1;
  // The sequence restarts with each suite's module registry: a random part keeps a suite from
  // meeting a database an earlier suite of the same worker has not dropped yet.
  const suffix = `${process.env.JEST_WORKER_ID ?? '0'}-${sequence}-${randomBytes(3).toString('hex')}`;
  const database = `${databaseName(templateDatabaseUrl)}_${suffix.replaceAll('-', '_')}`;
  await createDatabaseFromTemplate(templateDatabaseUrl, database);
  const dataDir = mkdtempSync(join(tmpdir(), 'ac-test-'));
  const prefix = `t-${runId}-${suffix}`;

  const loaded = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: options.log ? 'trace' : 'silent',
    DATA_DIR: dataDir,
    APP_SECRET: TEST_APP_SECRET,
    DATABASE_URL: databaseUrl(templateDatabaseUrl, database),
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    ...sinks.env,
    ...options.env,
  });
  // Both addresses are given: nothing embedded is started.
  const config = withResolvedServices(loaded, {
    databaseUrl: loaded.database.url ?? databaseUrl(templateDatabaseUrl, database),
    redisUrl: loaded.redis.url ?? redisUrl,
  });
  return startApp(config, options, sinks, async () => {
    const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 1 });
    await deleteKeys(redis, `*${prefix}*`);
    redis.disconnect();
    await dropDatabase(templateDatabaseUrl, database);
    rmSync(dataDir, { recursive: true, force: true });
    await sinks.stop();
  });
}

async function startSinks(options: TestAppOptions): Promise<Sinks> {
  const smtp = options.smtp || options.inbox ? await SmtpSink.start() : undefined;
  const sms = options.sms || options.inbox ? await SmsSink.start() : undefined;
  return {
    smtp,
    sms,
    env: { ...(smtp && { SMTP_URL: smtp.url }), ...sms?.env },
    stop: async () => {
      await smtp?.stop();
      await sms?.stop();
    },
  };
}

function asked<T>(sink: T | undefined, option: string): T {
  if (!sink) throw new Error(`this test app has no ${option} sink: start it with createTestApp({ ${option}: true })`);
  return sink;
}

async function startApp(config: AppConfig, options: TestAppOptions, sinks: Sinks, cleanUp: () => Promise<void>): Promise<TestApp> {
  const app = await createHttpApp(config, { workers: options.workers ?? true, extraImports: options.imports, logDestination: options.log });
  let baseUrl: string | undefined;
  const { port } = options;
  if (options.listen && port) {
    await app.listen(port, '127.0.0.1');
    baseUrl = `http://localhost:${port}`;
  } else if (options.listen) {
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  } else {
    await app.init();
  }

  let inbox: Inbox | undefined;
  const testApp: TestApp = {
    app,
    config,
    dataSource: app.get(DataSource),
    http: supertest.agent(app.getHttpServer()),
    baseUrl,
    get smtp() {
      return asked(sinks.smtp, 'smtp');
    },
    get sms() {
      return asked(sinks.sms, 'sms');
    },
    get inbox() {
      const smtp = asked(sinks.smtp, 'inbox');
      const sms = asked(sinks.sms, 'inbox');
      inbox ??= new Inbox(smtp, sms);
      return inbox;
    },
    get: <T>(token: Type<T> | symbol | string) => app.get<T>(token as Type<T>, { strict: false }),
    close: async () => {
      await (app as INestApplication).close();
      await cleanUp();
    },
  };
  sinksOfApps.set(testApp, sinks);
  return testApp;
}

/** A new database `database` copied from the run's migrated template (drills that run their own processes use it too). */
export async function createDatabaseFromTemplate(templateUrl: string, database: string): Promise<void> {
  const admin = new Client({ connectionString: databaseUrl(templateUrl, 'postgres') });
  await admin.connect();
  try {
    // Copies made at the same moment contend for the template; PostgreSQL refuses rather than waits.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await admin.query(`CREATE DATABASE ${database} TEMPLATE ${databaseName(templateUrl)}`);
        return;
      } catch (error) {
        if (attempt >= 20 || !/being accessed by other users/.test((error as Error).message)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  } finally {
    await admin.end();
  }
}

export async function dropDatabase(templateUrl: string, database: string): Promise<void> {
  const admin = new Client({ connectionString: databaseUrl(templateUrl, 'postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
}

/** A TCP port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
