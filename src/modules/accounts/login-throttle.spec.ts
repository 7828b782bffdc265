import { LOGIN_THROTTLE, lockoutMs } from './login-throttle.service';

describe(lockoutMs.name, () => {
  it('locks nobody out below ten failures', () => {
    for (let failures = 0; failures < LOGIN_THROTTLE.threshold; failures += 1) expect(lockoutMs(failures)).toBe(0);
  });

  it('locks out for a minute at the tenth failure and doubles with each further one', () => {
    expect([10, 11, 12, 13, 14, 15].map(lockoutMs)).toEqual([60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000]);
  });

  it('never locks out for more than an hour', () => {
    expect(lockoutMs(16)).toBe(3_600_000);
    expect(lockoutMs(100)).toBe(3_600_000);
    expect(lockoutMs(10_000)).toBe(3_600_000);
  });
});
