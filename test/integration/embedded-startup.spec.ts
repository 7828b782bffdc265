import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/infrastructure/postgres/embedded-postgres';
import { freePort, isAlive } from '../../src/infrastructure/child-process';
import { REDIS_MISSING, startEmbeddedRedis } from '../../src/infrastructure/redis/embedded-redis';
import { waitFor } from '../support/wait-for';

const ROOT = join(__dirname, '..', '..');

/** Runs `src/<entry>.ts` as `npm start` would run dist/, through ts-node, with only `env` set. */
function runEntry(
  entry: string,
  env: Record<string, string>,
): { child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null> } {
  let stdout = '';
  let stderr = '';
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src', `${entry}.ts`)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TS_NODE_PROJECT: join(ROOT, 'tsconfig.test.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** mkdtemp makes 0700 directories; PostgreSQL runs as its own user when we are root and must reach its data. */
function traversable(dir: string): string {
  chmodSync(dir, 0o755);
  return dir;
}

const ownerPid = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { pid: number }).pid;
const serverPid = (file: string) => Number(readFileSync(file, 'utf8').split('\n')[0]);

describe('embedded start-up', () => {
  jest.setTimeout(120_000);

  it('runs a real PostgreSQL in its data directory, shares it with a second caller, and stops it', async () => {
    const dir = join(traversable(mkdtempSync(join(tmpdir(), 'ac-embedded-pg-'))), 'pg');
    const postgres = await startEmbeddedPostgres(dir);
    expect(postgres.owned).toBe(true);
    const client = new Client({ connectionString: postgres.url });
    await client.connect();
    const { rows } = await client.query<{ version: string }>('SELECT version()');
    expect(rows[0].version).toMatch(/^PostgreSQL \d+/);
    await client.end();

    const shared = await startEmbeddedPostgres(dir);
    expect(shared).toMatchObject({ owned: false, url: postgres.url });
    await shared.stop();

    const pid = serverPid(join(dir, 'postmaster.pid'));
    expect(isAlive(pid)).toBe(true);
    await postgres.stop();
    expect(isAlive(pid)).toBe(false);

    // Data survives: a second start finds the database it created.
    const again = await startEmbeddedPostgres(dir);
    const second = new Client({ connectionString: again.url });
    await second.connect();
    await second.end();
    await again.stop();
  });

  it('runs redis-server with append-only persistence, and stops it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ac-embedded-redis-'));
    const redis = await startEmbeddedRedis(dir);
    const client = new Redis(redis.url);
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    client.disconnect();
    const pid = Number(readFileSync(join(dir, 'redis.pid'), 'utf8'));
    await redis.stop();
    expect(isAlive(pid)).toBe(false);
  });

  it('names REDIS_URL and how to install Redis when redis-server is not on PATH', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ac-no-redis-'));
    await expect(startEmbeddedRedis(dir, { binary: 'redis-server-that-is-not-installed' })).rejects.toThrow(REDIS_MISSING);
    expect(REDIS_MISSING).toMatch(/set REDIS_URL/);
    expect(REDIS_MISSING).toMatch(/install Redis/);
  });

  it('prints one line and exits 1 within 15 s when DATABASE_URL cannot be reached', async () => {
    // The 15 s are the service's own: the test runs the sources through ts-node, whose compiling
    // of the module graph (several seconds on a loaded machine; none for `npm start`'s build) is
    // measured alone first and left out.
    const loading = Date.now();
    const loaded = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-e', `require(${JSON.stringify(join(ROOT, 'src', 'app.module.ts'))})`],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TS_NODE_PROJECT: join(ROOT, 'tsconfig.test.json') },
        stdio: 'ignore',
      },
    );
    expect(await new Promise((resolve) => loaded.once('exit', resolve))).toBe(0);
    const compileMs = Date.now() - loading;
    const started = Date.now();
    const run = runEntry('main', { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x', DATA_DIR: mkdtempSync(join(tmpdir(), 'ac-bad-db-')) });
    expect(await run.exited).toBe(1);
    expect(Date.now() - started - compileMs).toBeLessThan(15_000);
    const lines = run.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Cannot reach PostgreSQL at 127\.0\.0\.1:1 \(DATABASE_URL\)/);
  });

  it('prints one line naming the variable and exits 1 on a bad setting', async () => {
    const run = runEntry('main', { PORT: 'eighty', DATA_DIR: mkdtempSync(join(tmpdir(), 'ac-bad-port-')) });
    expect(await run.exited).toBe(1);
    expect(run.stderr().trim()).toBe('Invalid configuration: PORT must be a whole number from 1 to 65535');
  });

  it('starts on embedded defaults, answers ready, and leaves no server behind after SIGTERM', async () => {
    const dataDir = traversable(mkdtempSync(join(tmpdir(), 'ac-demo-')));
    const port = await freePort();
    const run = runEntry('main', { DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' });
    try {
      await waitFor(
        async () => {
          const response = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
          return response?.status === 200;
        },
        { timeoutMs: 60_000, intervalMs: 250, description: `/health/ready (stdout: ${run.stdout()} stderr: ${run.stderr()})` },
      );
      // A loopback HOST is printed as localhost: browsers refuse an IP address as a passkey RP ID.
      expect(run.stdout()).toContain(`http://localhost:${port}/agent`);
      const postgresPid = serverPid(join(dataDir, 'pg', 'postmaster.pid'));
      const redisPid = Number(readFileSync(join(dataDir, 'redis', 'redis.pid'), 'utf8'));
      expect(ownerPid(join(dataDir, 'pg.owner'))).toBe(run.child.pid);
      expect(isAlive(postgresPid) && isAlive(redisPid)).toBe(true);

      const stopping = Date.now();
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      expect(Date.now() - stopping).toBeLessThan(10_000);
      expect(isAlive(postgresPid)).toBe(false);
      expect(isAlive(redisPid)).toBe(false);
      expect(existsSync(join(dataDir, 'pg.owner'))).toBe(false);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});
