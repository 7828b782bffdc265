import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './system';

/** One measured figure, printed as a JSON line and kept in bench/results/<benchmark>.json. */
export interface Figure {
  readonly benchmark: string;
  readonly figure: string;
  readonly value: number;
  readonly unit: string;
  /** The limit measured beside it in the same run, when the target is relative. */
  readonly limit?: { readonly name: string; readonly value: number; readonly unit: string };
  readonly ratio?: number;
  /** The target as docs/performance.md states it, and whether this run met it. */
  readonly target: string;
  readonly met: boolean;
}

export function machine(): { cores: number; cpu: string; node: string } {
  return { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version };
}

export function writeResults(benchmark: string, figures: Figure[], quick: boolean): void {
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${benchmark}.json`),
    JSON.stringify({ benchmark, quick, at: new Date().toISOString(), machine: machine(), figures }, null, 2) + '\n',
  );
}

/** Percentile of `values` (0-100), nearest rank. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
