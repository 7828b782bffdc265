import { formatDurationSetting, parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['24h', 86_400_000],
    ['90d', 7_776_000_000],
    [' 5s ', 5_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '10', '1.5h', '-1s', '10 m', '1w', 'abc'])('refuses %p', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('formats back to the shortest exact unit', () => {
    expect(formatDurationSetting(86_400_000)).toBe('1d');
    expect(formatDurationSetting(90_000)).toBe('90s');
    expect(formatDurationSetting(1_500)).toBe('1500ms');
  });
});
