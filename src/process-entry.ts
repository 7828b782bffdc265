import { INestApplicationContext } from '@nestjs/common';
import { relative } from 'node:path';
import { AppConfig, ConfigError, loadConfig, ProcessRole } from './config/app-config';
import { seedDemo } from './demo/seed-demo';
import { StartupError } from './infrastructure/startup-error';
import { RunningService, startService } from './service';

const SHUTDOWN_DEADLINE_MS = 9_500;

/** Starts the service for `main.ts` / `worker.ts`, prints where to find it, and stops it cleanly on SIGTERM or Ctrl-C. */
export async function runProcess(options: { role?: ProcessRole; demo?: boolean }): Promise<void> {
  let service: RunningService;
  try {
    const loaded = loadConfig();
    // The demo's data is seeded before the server and the workers start.
    const prepare = options.demo
      ? (app: INestApplicationContext, config: AppConfig) => seedDemo(app, config, (line) => process.stdout.write(`${line}\n`))
      : undefined;
    service = await startService(options.role ? { ...loaded, role: options.role } : loaded, prepare);
  } catch (error) {
    exitWithOneLine(error);
  }
  process.stdout.write(banner(service));
  stopOnSignals(service);
}

function exitWithOneLine(error: unknown): never {
  const line =
    error instanceof ConfigError
      ? `Invalid configuration: ${error.message}`
      : error instanceof StartupError
        ? error.message
        : `Account Center could not start: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`;
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

function stopOnSignals(service: RunningService): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: finishing requests and jobs in hand, then stopping.\n`);
    setTimeout(() => {
      process.stderr.write('Shutdown did not finish within 10 s; exiting anyway.\n');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`Shutdown failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function banner({ config, runtime }: RunningService): string {
  // A path below the working directory is shown relative to it; another (a relocated PostgreSQL) in full.
  const shown = (dir: string) => (relative(process.cwd(), dir).startsWith('..') ? dir : relative(process.cwd(), dir) || dir);
  const where = (source: string, dir: string, variable: string) =>
    source === 'url'
      ? `from ${variable}`
      : `embedded, data in ${shown(dir)}${source === 'attached' ? ' (shared with a running process)' : ''}`;
  const lines = [`Account Center is running (PROCESS_ROLE=${config.role}).`];
  if (config.role !== 'worker') {
    const base = config.http.publicBaseUrl;
    lines.push(
      `  Start page       ${base}/`,
      `  Account Center   ${base}/login`,
      `  Appeals          ${base}/appeal`,
      `  Back-office      ${base}/agent`,
      `  API docs         ${base}/api/docs`,
      `  Health           ${base}/health/ready`,
    );
    if (config.devOutbox.pageEnabled) lines.push(`  Sent messages    ${base}/dev/outbox`);
  }
  lines.push(
    `  PostgreSQL       ${where(runtime.sources.postgres, runtime.postgresDataDir ?? `${config.dataDir}/pg`, 'DATABASE_URL')}${runtime.postgresDataDir ? ' (the postgres user cannot enter DATA_DIR)' : ''}`,
    `  Redis            ${where(runtime.sources.redis, `${config.dataDir}/redis`, 'REDIS_URL')}`,
    'Press Ctrl-C to stop.',
  );
  return `${lines.join('\n')}\n`;
}

export type { AppConfig };
