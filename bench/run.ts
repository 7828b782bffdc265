import { Benchmark, BenchContext } from './lib/benchmark';
import { Figure, machine, writeResults } from './lib/report';
import { BenchSystem, startSystem } from './lib/system';
import { agentQueue } from './benchmarks/agent-queue';
import { auditAppend } from './benchmarks/audit-append';
import { forgotPassword } from './benchmarks/forgot-password';
import { memory } from './benchmarks/memory';
import { notices } from './benchmarks/notices';
import { signIn } from './benchmarks/sign-in';
import { timeToCode } from './benchmarks/time-to-code';
import { verificationCycles } from './benchmarks/verification-cycles';

// `npm run bench [-- <name>...] [--quick]`: every benchmark of docs/performance.md, each figure beside its limit.

/** In docs/performance.md's order; `memory` last, as it measures the process after the others. */
const BENCHMARKS: Benchmark[] = [timeToCode, forgotPassword, verificationCycles, notices, signIn, agentQueue, auditAppend, memory];

async function main(argv: string[]): Promise<number> {
  const quick = argv.includes('--quick');
  const names = argv.filter((arg) => !arg.startsWith('--'));
  const unknown = names.filter((name) => !BENCHMARKS.some((benchmark) => benchmark.name === name));
  if (unknown.length) {
    process.stderr.write(`Unknown benchmark(s): ${unknown.join(', ')}. Known: ${BENCHMARKS.map((b) => b.name).join(', ')}\n`);
    return 2;
  }
  const selected = names.length ? BENCHMARKS.filter((benchmark) => names.includes(benchmark.name)) : BENCHMARKS;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  let system: Promise<BenchSystem> | undefined;
  const context: BenchContext = { quick, system: () => (system ??= startSystem()), log };

  log(`bench: ${selected.map((b) => b.name).join(', ')}${quick ? ' (quick)' : ''} on ${machine().cores} cores`);
  const all: Figure[] = [];
  try {
    for (const benchmark of selected) {
      log(`bench: ${benchmark.name}: ${benchmark.description}`);
      const figures = await benchmark.run(context);
      for (const figure of figures) process.stdout.write(`${JSON.stringify({ ...figure, machine: machine(), quick })}\n`);
      writeResults(benchmark.name, figures, quick);
      all.push(...figures);
    }
  } finally {
    if (system) await (await system).stop();
  }
  const missed = all.filter((figure) => !figure.met);
  log(
    missed.length
      ? `bench: ${missed.length} target(s) not met: ${missed.map((f) => `${f.benchmark}/${f.figure}`).join(', ')}`
      : 'bench: every target met',
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
