import { Benchmark } from '../lib/benchmark';

/** docs/performance.md's limit, in MB (10^6 bytes): 238.4 MiB. */
const LIMIT_MB = 250;
const BYTES_PER_MIB = 1024 * 1024;

/** Resident memory of the all-in-one process, read after every other benchmark of the run. */
export const memory: Benchmark = {
  name: 'memory',
  description: 'resident memory of the all-in-one process after the runs above',
  async run(context) {
    const system = await context.system();
    const rss = Math.round((system.rssMiB() * BYTES_PER_MIB) / 1e5) / 10;
    return [{ benchmark: 'memory', figure: 'rss', value: rss, unit: 'MB', target: `≤ ${LIMIT_MB} MB`, met: rss <= LIMIT_MB }];
  },
};
