import { Figure } from './report';
import { BenchSystem } from './system';

export interface BenchContext {
  /** `--quick`: a few seconds per benchmark, for CI. */
  readonly quick: boolean;
  /** The running service, started once for the whole run (memory is read after the others). */
  system(): Promise<BenchSystem>;
  log(line: string): void;
}

export interface Benchmark {
  readonly name: string;
  readonly description: string;
  run(context: BenchContext): Promise<Figure[]>;
}
