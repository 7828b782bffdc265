import { ChildProcess, execFile, spawn, SpawnOptions } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';

export const execFileAsync = promisify(execFile);

/** Asks the kernel for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function isRoot(): boolean {
  return userInfo().uid === 0;
}

/** Resolves when the child has exited; sends `signal` first, then SIGKILL after `graceMs`. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

/** Waits until a process that is not our child has gone, signalling it first. */
export async function stopPid(pid: number, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, signal);
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

/**
 * Spawns a server in its own process group, so a terminal's Ctrl-C reaches only us and we stop
 * it after our own shutdown.
 */
export function spawnDetached(command: string, args: string[], options: SpawnOptions): ChildProcess {
  return spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface Ownership {
  readonly pid: number;
  readonly url: string;
}

/**
 * Records that this process runs the server at `url`, so that another process of ours on the
 * same DATA_DIR (a worker, the CLI) attaches to it, and a later start can tell a server orphaned
 * by a crash (owner gone: safe to stop) from one that is in use.
 */
export function claimOwnership(ownerFile: string, url: string, child: ChildProcess): void {
  writeFileSync(ownerFile, JSON.stringify({ pid: process.pid, url } satisfies Ownership), { mode: 0o600 });
  child.once('exit', () => rmSync(ownerFile, { force: true }));
}

/** The live owner recorded by `claimOwnership`, if any. */
export function liveOwner(ownerFile: string): Ownership | undefined {
  try {
    const owner = JSON.parse(readFileSync(ownerFile, 'utf8')) as Ownership;
    return isAlive(owner.pid) ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** Collects the last lines a child wrote, to explain a failed start. */
export function tail(lines: string[], chunk: Buffer, keep = 20): void {
  lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  lines.splice(0, Math.max(0, lines.length - keep));
}
