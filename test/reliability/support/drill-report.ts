import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What one drill caused and what arrived; `lost` fails the run. */
export interface DrillResult {
  /** Short name, e.g. `1 redis-stop` (number first, so the table reads in docs/reliability.md's order). */
  readonly drill: string;
  readonly caused: number;
  readonly delivered: number;
  readonly duplicates: number;
  readonly lost: number;
  /** Anything the table should say beside the counts (503s answered, dead messages, exit code). */
  readonly note?: string;
}

/** Where the drills of one run write their rows; the reporter empties it first and prints it last. */
export const DRILL_REPORT_FILE = join(__dirname, '..', '..', '..', 'test-results', 'drills.jsonl');

/** Adds a drill's row to the run's table; call it before asserting, so a failed drill shows its counts. */
export function recordDrill(result: DrillResult): void {
  mkdirSync(dirname(DRILL_REPORT_FILE), { recursive: true });
  appendFileSync(DRILL_REPORT_FILE, `${JSON.stringify(result)}\n`);
}
