import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The floor of every public answer that must not tell by its timing whether an account (or an
 * appeal) matched: well above either path's time on a busy machine, and unnoticed by a person.
 */
export const PUBLIC_ANSWER_FLOOR_MS = 100;

/**
 * Runs `work` and settles no sooner than `floorMs` after it began, with its result or its error.
 * For answers that must not tell by their timing whether an account exists, where the case with
 * an account writes and enqueues a message and the other does not: both wait out the same floor.
 */
export async function answerNoSoonerThan<T>(floorMs: number, work: () => Promise<T>): Promise<T> {
  const began = performance.now();
  try {
    return await work();
  } finally {
    // A timer can fire a little early against performance.now() (the loop's clock is cached): wait again then.
    for (let left = floorMs - (performance.now() - began); left > 0; left = floorMs - (performance.now() - began))
      await sleep(Math.ceil(left));
  }
}
