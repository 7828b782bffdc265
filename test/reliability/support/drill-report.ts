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

/**
 * The waits of one drill whose timeouts go into its row of the report instead of being thrown:
 * the drill records what it counted, then its assertions fail. Each reads "timed out waiting for …".
 */
export class DrillWaits {
  private readonly timedOut: string[] = [];

  /** What `wait` (a `waitFor`) gives, or undefined when it timed out (kept for `note`). */
  async settle<T>(wait: Promise<T>): Promise<T | undefined> {
    try {
      return await wait;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.timedOut.push(message.replace(/^Timed out after (\d+) ms waiting for ([\s\S]*)$/, 'timed out waiting for $2 (after $1 ms)'));
      return undefined;
    }
  }

  /** `note` followed by every wait that timed out. */
  note(note: string): string {
    return [note, ...this.timedOut].join('; ');
  }
}
