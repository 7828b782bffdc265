import { Benchmark } from '../lib/benchmark';

const LIMIT_MIB = 250;

/** Resident memory of the all-in-one process, read after every other benchmark of the run. */
export const memory: Benchmark = {
  name: 'memory',
  description: 'resident memory of the all-in-one process after the runs above',
  async run(context) {
    const system = await context.system();
    const rss = Math.round(system.rssMiB() * 10) / 10;
    return [{ benchmark: 'memory', figure: 'rss', value: rss, unit: 'MiB', target: `≤ ${LIMIT_MIB} MB`, met: rss <= LIMIT_MIB }];
  },
};
