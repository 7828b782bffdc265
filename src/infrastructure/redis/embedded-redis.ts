import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { claimOwnership, freePort, isAlive, liveOwner, spawnDetached, stopChild, stopPid, tail } from '../child-process';
import { StartupError } from '../startup-error';
import type { EmbeddedServer } from '../postgres/embedded-postgres';

export const REDIS_MISSING =
  'redis-server was not found on PATH: set REDIS_URL to a Redis 6.2+ server, or install Redis (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis).';

/**
 * Starts `redis-server` from PATH on a free loopback port with append-only persistence in
 * `dir` (or attaches to the one another live process of ours runs there). `persistent: false`
 * (tests) keeps nothing on disk; `port` (tests) restarts a server where it was.
 */
export async function startEmbeddedRedis(
  dir: string,
  options: { persistent?: boolean; port?: number; binary?: string } = {},
): Promise<EmbeddedServer> {
  const persistent = options.persistent ?? true;
  mkdirSync(dir, { recursive: true });
  const ownerFile = join(dir, 'redis.owner');
  const pidFile = join(dir, 'redis.pid');
  const owner = liveOwner(ownerFile);
  if (owner) return { url: owner.url, owned: false, stop: async () => undefined };
  if (existsSync(pidFile)) {
    const orphan = Number(readFileSync(pidFile, 'utf8'));
    if (orphan && isAlive(orphan)) await stopPid(orphan, 'SIGTERM', 10_000);
  }

  const port = options.port ?? (await freePort());
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--pidfile',
    pidFile,
    '--logfile',
    'redis.log',
    '--daemonize',
    'no',
  ];
  args.push(...(persistent ? ['--appendonly', 'yes', '--save', ''] : ['--appendonly', 'no', '--save', '']));
  const child = spawnDetached(options.binary ?? 'redis-server', args, {});
  const lines: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => tail(lines, chunk));
  child.stderr?.on('data', (chunk: Buffer) => tail(lines, chunk));

  const started = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(new StartupError(error.code === 'ENOENT' ? REDIS_MISSING : `redis-server could not start: ${error.message}`)),
    );
    child.once('exit', (code) =>
      reject(new StartupError(`redis-server exited (${code}) while starting; see ${join(dir, 'redis.log')} ${lines.join(' ')}`)),
    );
  });
  started.catch(() => undefined);
  const url = `redis://127.0.0.1:${port}`;
  try {
    await Promise.race([started, waitForPing(url)]);
  } catch (error) {
    await stopChild(child, 'SIGTERM', 5_000);
    throw error;
  }
  claimOwnership(ownerFile, url, child);
  return { url, owned: true, stop: () => stopChild(child, 'SIGTERM', 8_000) };
}

async function waitForPing(url: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new StartupError(`redis-server did not answer within 15 s: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      client.disconnect();
    }
  }
}
