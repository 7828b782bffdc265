import { retryDelayMs } from './retry-policy';

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
});
