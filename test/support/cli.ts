import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { TEST_APP_SECRET, TestApp } from './test-app';

const ROOT = join(__dirname, '..', '..');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `npm run cli -- <args>` as its own process (from the TypeScript sources, transpiled on the
 * fly) against the database and Redis prefix of `t`, optionally with `stdin`.
 */
export function runCli(t: TestApp, args: string[], stdin = ''): Promise<CliResult> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register', join(ROOT, 'src', 'cli.ts'), ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      TS_NODE_TRANSPILE_ONLY: '1',
      TS_NODE_PROJECT: join(ROOT, 'tsconfig.test.json'),
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      APP_SECRET: TEST_APP_SECRET,
      DATA_DIR: t.config.dataDir,
      DATABASE_URL: t.config.database.url,
      REDIS_URL: t.config.redis.url,
      REDIS_PREFIX: t.config.redis.prefix,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(stdin);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
