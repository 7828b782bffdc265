import { JobsOptions, WorkerOptions } from 'bullmq';

export const DELIVERY_ATTEMPTS = 8;
const FIRST_DELAY_MS = 2_000;
const MAX_DELAY_MS = 5 * 60_000;
const JITTER = 0.2;

/** Delay before retry number `attemptsMade`: 2 s doubling, at most 5 minutes, ±20 % jitter. */
export function retryDelayMs(attemptsMade: number, random: () => number = Math.random): number {
  const base = Math.min(FIRST_DELAY_MS * 2 ** Math.max(0, attemptsMade - 1), MAX_DELAY_MS);
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}

/** The one retry policy for jobs that deliver something; anything that retries uses it. */
export const RETRYING_JOB_OPTIONS: JobsOptions = {
  attempts: DELIVERY_ATTEMPTS,
  backoff: { type: 'jittered' },
  // Completed jobs are dropped quickly: PostgreSQL, not Redis, is the record of what was sent.
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: { age: 7 * 86_400 },
};

/** Jobs that run once and must not pile up (scheduled maintenance). */
export const ONE_SHOT_JOB_OPTIONS: JobsOptions = {
  attempts: 1,
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 100 },
};

/** Worker settings that make `backoff: { type: 'jittered' }` mean `retryDelayMs`. */
export const WORKER_SETTINGS: Pick<WorkerOptions, 'settings'> = {
  settings: {
    backoffStrategy: (attemptsMade: number, type?: string) => (type === 'jittered' ? retryDelayMs(attemptsMade) : 0),
  },
};

/** Deliveries a worker process runs at once on each notification queue; they mostly wait on SMTP, SMS and PostgreSQL. */
export const DELIVERY_CONCURRENCY = 64;

/** Worker options of the notification queues (the benchmark's no-op baseline uses the same concurrency). */
export const DELIVERY_WORKER_OPTIONS: Pick<WorkerOptions, 'settings' | 'concurrency'> = { concurrency: DELIVERY_CONCURRENCY, ...WORKER_SETTINGS };
