import { JobsOptions, MinimalJob, WorkerOptions } from 'bullmq';

export const DELIVERY_ATTEMPTS = 8;
/** The first retry's delay unless DELIVERY_RETRY_DELAY says otherwise. */
export const FIRST_RETRY_DELAY_MS = 2_000;
const MAX_DELAY_MS = 5 * 60_000;
const JITTER = 0.2;

/** Delay before retry number `attemptsMade`: `firstDelayMs` (2 s) doubling, at most 5 minutes, ±20 % jitter. */
export function retryDelayMs(attemptsMade: number, random: () => number = Math.random, firstDelayMs = FIRST_RETRY_DELAY_MS): number {
  const base = Math.min(firstDelayMs * 2 ** Math.max(0, attemptsMade - 1), MAX_DELAY_MS);
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}

/** The one retry policy for jobs that deliver something; anything that retries uses it. */
export const RETRYING_JOB_OPTIONS: JobsOptions = {
  attempts: DELIVERY_ATTEMPTS,
  backoff: { type: 'jittered', delay: FIRST_RETRY_DELAY_MS },
  // Completed jobs are dropped quickly: PostgreSQL, not Redis, is the record of what was sent.
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: { age: 7 * 86_400 },
};

/** RETRYING_JOB_OPTIONS with the first retry after `firstDelayMs` (DELIVERY_RETRY_DELAY); the job carries it to the worker's backoff. */
export function retryingJobOptions(firstDelayMs: number): JobsOptions {
  return { ...RETRYING_JOB_OPTIONS, backoff: { type: 'jittered', delay: firstDelayMs } };
}

/** Jobs that run once and must not pile up (scheduled maintenance). */
export const ONE_SHOT_JOB_OPTIONS: JobsOptions = {
  attempts: 1,
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 100 },
};

/** Worker settings that make `backoff: { type: 'jittered', delay }` mean `retryDelayMs` starting at `delay`. */
export const WORKER_SETTINGS: Pick<WorkerOptions, 'settings'> = {
  settings: {
    backoffStrategy: (attemptsMade: number, type?: string, _error?: Error, job?: MinimalJob) => {
      if (type !== 'jittered') return 0;
      const backoff = job?.opts.backoff;
      return retryDelayMs(attemptsMade, Math.random, typeof backoff === 'object' && backoff.delay ? backoff.delay : FIRST_RETRY_DELAY_MS);
    },
  },
};

/** Deliveries a worker process runs at once on each notification queue; they mostly wait on SMTP, SMS and PostgreSQL. */
export const DELIVERY_CONCURRENCY = 64;

/** Worker options of the notification queues (the benchmark's no-op baseline uses the same concurrency). */
export const DELIVERY_WORKER_OPTIONS: Pick<WorkerOptions, 'settings' | 'concurrency'> = {
  concurrency: DELIVERY_CONCURRENCY,
  ...WORKER_SETTINGS,
};
