import { JobsOptions, MinimalJob } from 'bullmq';
import { retryDelayMs, retryingJobOptions, WORKER_SETTINGS } from './retry-policy';

describe('retryDelayMs', () => {
  it('starts at 2 s and doubles', () => {
    expect([1, 2, 3, 4, 8].map((n) => retryDelayMs(n, () => 0.5))).toEqual([2_000, 4_000, 8_000, 16_000, 256_000]);
  });

  it('never waits more than 5 minutes', () => {
    expect(retryDelayMs(20, () => 0.5)).toBe(300_000);
  });

  it('jitters by at most 20 % either way', () => {
    expect(retryDelayMs(1, () => 0)).toBe(1_600);
    expect(retryDelayMs(1, () => 1)).toBe(2_400);
  });

  it('starts where DELIVERY_RETRY_DELAY says', () => {
    expect([1, 2, 3].map((n) => retryDelayMs(n, () => 0.5, 500))).toEqual([500, 1_000, 2_000]);
  });
});

describe('WORKER_SETTINGS', () => {
  const strategy = WORKER_SETTINGS.settings!.backoffStrategy!;
  const job = (opts: JobsOptions) => ({ opts }) as unknown as MinimalJob;

  it('takes the first delay from the job, 2 s when it carries none', () => {
    const delays = (opts: JobsOptions) => Array.from({ length: 50 }, () => strategy(3, 'jittered', undefined, job(opts)) as number);
    expect(Math.min(...delays(retryingJobOptions(500)))).toBeGreaterThanOrEqual(1_600);
    expect(Math.max(...delays(retryingJobOptions(500)))).toBeLessThanOrEqual(2_400);
    expect(Math.min(...delays({ backoff: { type: 'jittered' } }))).toBeGreaterThanOrEqual(6_400);
    expect(strategy(1, 'fixed', undefined, job({}))).toBe(0);
  });
});
