import { readdirSync, readFileSync } from 'node:fs';
import Redis from 'ioredis';

/** CPU seconds used so far by the processes behind a benchmark, to say where a figure's time went. */
export interface CpuSample {
  /** The service process (node dist/main.js). */
  readonly service: number;
  /** This process: the bench, its SMTP and SMS sinks, and the no-op BullMQ worker. */
  readonly bench: number;
  /** redis-server, from its INFO. */
  readonly redis: number;
  /** Every `postgres` process of the machine (other work on a shared server counts too). */
  readonly postgres: number;
}

const TICKS_PER_SECOND = 100;

export async function sampleCpu(servicePid: number, redisUrl: string): Promise<CpuSample> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const info = await redis.info('cpu');
    const used = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
    const { user, system } = process.cpuUsage();
    return {
      service: processCpu(servicePid),
      bench: (user + system) / 1e6,
      redis: used('used_cpu_user') + used('used_cpu_sys'),
      postgres: readdirSync('/proc')
        .filter((entry) => /^\d+$/.test(entry))
        .reduce((total, pid) => total + (commOf(pid) === 'postgres' ? processCpu(Number(pid)) : 0), 0),
    };
  } finally {
    redis.disconnect();
  }
}

/** Per-unit CPU between two samples, in microseconds per `units`. */
export function cpuPer(before: CpuSample, after: CpuSample, units: number): Record<keyof CpuSample, number> {
  const per = (key: keyof CpuSample) => Math.round(((after[key] - before[key]) * 1e6) / units);
  return { service: per('service'), bench: per('bench'), redis: per('redis'), postgres: per('postgres') };
}

/** CPU seconds (user + system) of one process so far, from /proc; 0 once it is gone. */
export function processCpu(pid: number): number {
  try {
    // Fields after the command name: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function commOf(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}
