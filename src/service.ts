import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { Server } from 'node:http';
import { AppModule, AppModuleOptions } from './app.module';
import { configureHttpApp } from './app.setup';
import { AppConfig, LoadedConfig } from './config/app-config';
import { HttpDrain } from './infrastructure/http-drain';
import { Runtime, startRuntime } from './infrastructure/runtime';

export interface RunningService {
  readonly config: AppConfig;
  readonly runtime: Runtime;
  /** The Nest application: an HTTP app unless PROCESS_ROLE is `worker`. */
  readonly app: INestApplicationContext;
  readonly http?: NestExpressApplication;
  /** Stops intake, lets in-flight requests and jobs finish, closes connections, stops embedded servers. */
  stop(): Promise<void>;
}

/** Builds the HTTP application (API, pages and, unless `workers` is false, the BullMQ workers). */
export async function createHttpApp(
  config: AppConfig,
  options: Pick<AppModuleOptions, 'workers' | 'extraImports' | 'logDestination'>,
  drain = new HttpDrain(),
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ config, ...options }), {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  app.use(drain.middleware);
  configureHttpApp(app, config);
  return app;
}

/** Builds the worker-only application context (no HTTP). */
export async function createWorkerApp(config: AppConfig): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, workers: true }), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  return app;
}

/** Work done before the service takes any request or job, such as seeding demo data. */
export type Preparation = (app: INestApplicationContext, config: AppConfig) => Promise<void>;

/**
 * Starts what PROCESS_ROLE asks for, on the configured or embedded PostgreSQL and Redis. `prepare`
 * runs first, in an application context of its own with neither HTTP server nor workers, closed
 * before the service starts: what it does to shared state (the demo moves the Clock into the
 * past to write its data as of then) is over before anything else can see it.
 */
export async function startService(base: LoadedConfig, prepare?: Preparation): Promise<RunningService> {
  const runtime = await startRuntime(base);
  const { config } = runtime;
  try {
    if (prepare) await runPreparation(config, prepare);
    if (config.role === 'worker') {
      const app = await createWorkerApp(config);
      await app.init();
      return { config, runtime, app, stop: () => stopService(app, runtime) };
    }
    const drain = new HttpDrain();
    const http = await createHttpApp(config, { workers: config.role === 'all' }, drain);
    await http.listen(config.http.port, config.http.host);
    return { config, runtime, app: http, http, stop: () => stopService(http, runtime, { drain, server: http.getHttpServer() as Server }) };
  } catch (error) {
    await runtime.stop();
    throw error;
  }
}

async function runPreparation(config: AppConfig, prepare: Preparation): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, workers: false }), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  try {
    await app.init();
    await prepare(app, config);
  } finally {
    await app.close();
  }
}

async function stopService(app: INestApplicationContext, runtime: Runtime, http?: { drain: HttpDrain; server: Server }): Promise<void> {
  if (http) await http.drain.drain(http.server, 5_000);
  await app.close();
  await runtime.stop();
}
