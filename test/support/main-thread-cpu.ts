import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * CPU milliseconds the main thread (the event loop) has used, user and system. Worker threads and
 * libuv's pool (argon2, file I/O) are not counted: they do not hold the event loop. On Linux it
 * reads the main thread's own line in /proc (10 ms resolution); elsewhere it falls back to the
 * whole process's `process.cpuUsage()`, which counts every thread and so only overestimates.
 */
export function mainThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [utime, stime] = [Number(fields[11]), Number(fields[12])];
    return ((utime + stime) * 1000) / TICKS_PER_SECOND;
  } catch {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  }
}

/** Main-thread CPU milliseconds per call of `work`, averaged over `times` calls made one after another. */
export async function mainThreadCpuPerCall(times: number, work: (index: number) => Promise<unknown>): Promise<number> {
  const before = mainThreadCpuMs();
  for (let index = 0; index < times; index += 1) await work(index);
  return (mainThreadCpuMs() - before) / times;
}
