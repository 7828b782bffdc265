import { BusinessHours, parseBusinessHours, parseHolidays } from '../config/business-hours';
import { addBusinessTime, businessTimeBetween } from './business-time';

const H = 3_600_000;
const hours = (text: string, holidays: string[] = []): BusinessHours => {
  const parsed = parseBusinessHours(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return { ...parsed, holidays };
};
const iso = (date: Date) => date.toISOString();

describe('business time', () => {
  const shanghai = hours('Mon-Fri 09:00-18:00 Asia/Shanghai');

  it('counts every hour without business hours', () => {
    expect(iso(addBusinessTime(new Date('2026-12-05T10:00:00Z'), 24 * H, null))).toBe('2026-12-06T10:00:00.000Z');
    expect(businessTimeBetween(new Date('2026-12-05T10:00:00Z'), new Date('2026-12-06T10:00:00Z'), null)).toBe(24 * H);
  });

  it('carries a deadline over the weekend: 24 business hours from Friday 17:00 end on Wednesday 14:00', () => {
    // Friday 4 December 2026, 17:00 in Shanghai (UTC+8): 1 h Friday, 9 h Monday, 9 h Tuesday, 5 h Wednesday.
    const due = addBusinessTime(new Date('2026-12-04T17:00:00+08:00'), 24 * H, shanghai);
    expect(iso(due)).toBe(iso(new Date('2026-12-09T14:00:00+08:00')));
    expect(businessTimeBetween(new Date('2026-12-04T17:00:00+08:00'), due, shanghai)).toBe(24 * H);
  });

  it('starts the clock at the next opening when filed out of hours', () => {
    expect(iso(addBusinessTime(new Date('2026-12-05T23:00:00+08:00'), 2 * H, shanghai))).toBe(iso(new Date('2026-12-07T11:00:00+08:00')));
    expect(iso(addBusinessTime(new Date('2026-12-07T07:30:00+08:00'), 30 * 60_000, shanghai))).toBe(
      iso(new Date('2026-12-07T09:30:00+08:00')),
    );
    expect(businessTimeBetween(new Date('2026-12-05T00:00:00+08:00'), new Date('2026-12-07T00:00:00+08:00'), shanghai)).toBe(0);
  });

  it('skips holidays, dates taken in the calendar zone', () => {
    const golden = hours('Mon-Fri 09:00-18:00 Asia/Shanghai', ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07']);
    // Wednesday 30 September, 17:00: one hour that day, then nothing until Thursday 8 October.
    expect(iso(addBusinessTime(new Date('2026-09-30T17:00:00+08:00'), 3 * H, golden))).toBe(iso(new Date('2026-10-08T11:00:00+08:00')));
    // 1 October 02:00 in Shanghai is still 30 September in UTC: the holiday is the zone's date.
    expect(businessTimeBetween(new Date('2026-09-30T18:00:00Z'), new Date('2026-10-01T18:00:00Z'), golden)).toBe(0);
  });

  it('reads the window on the wall clock of its own zone', () => {
    const newYork = hours('Mon-Fri 09:00-17:00 America/New_York');
    // 13:00 UTC on Monday 7 December is 08:00 in New York (EST, UTC-5).
    expect(iso(addBusinessTime(new Date('2026-12-07T13:00:00Z'), H, newYork))).toBe('2026-12-07T15:00:00.000Z');
    // The same instant is 21:00 in Shanghai, after hours: the clock starts at 09:00 there the next day.
    expect(iso(addBusinessTime(new Date('2026-12-07T13:00:00Z'), H, shanghai))).toBe(iso(new Date('2026-12-08T10:00:00+08:00')));
  });

  it('gives a window spanning the spring change one hour less, and the autumn change one hour more', () => {
    const sundays = hours('Sun 01:00-04:00 America/New_York');
    // 8 March 2026: clocks go from 02:00 to 03:00, so 01:00-04:00 holds two hours.
    expect(businessTimeBetween(new Date('2026-03-07T12:00:00Z'), new Date('2026-03-09T12:00:00Z'), sundays)).toBe(2 * H);
    // Three hours from Saturday: two on 8 March, the third on 15 March (EDT, UTC-4) from 01:00 to 02:00.
    expect(iso(addBusinessTime(new Date('2026-03-07T12:00:00Z'), 3 * H, sundays))).toBe('2026-03-15T06:00:00.000Z');
    // 1 November 2026: clocks go back from 02:00 to 01:00, so the window holds four hours.
    expect(businessTimeBetween(new Date('2026-10-31T12:00:00Z'), new Date('2026-11-02T12:00:00Z'), sundays)).toBe(4 * H);
    // A whole-day window on the spring-change day is 23 hours long.
    const everyDay = hours('Mon-Sun 00:00-24:00 America/New_York');
    expect(businessTimeBetween(new Date('2026-03-08T05:00:00Z'), new Date('2026-03-09T04:00:00Z'), everyDay)).toBe(23 * H);
  });
});

describe('parseBusinessHours', () => {
  it('reads ranges, lists and both', () => {
    expect(parseBusinessHours('Mon-Fri 09:00-18:00 Asia/Shanghai')).toEqual({
      days: [1, 2, 3, 4, 5],
      startMinute: 540,
      endMinute: 1080,
      zone: 'Asia/Shanghai',
    });
    expect(parseBusinessHours('Mon,Wed,Sat 08:30-12:00 Europe/Berlin')).toMatchObject({ days: [1, 3, 6], startMinute: 510 });
    expect(parseBusinessHours('Mon-Wed,Fri 08:00-17:00 UTC')).toMatchObject({ days: [1, 2, 3, 5] });
  });

  it.each([
    ['weekdays 09:00-18:00 Asia/Shanghai', 'write them as Mon-Fri'],
    ['Fri-Mon 09:00-18:00 Asia/Shanghai', 'write them as Mon-Fri'],
    ['Mon-Fri 18:00-09:00 Asia/Shanghai', 'the start must come before the end'],
    ['Mon-Fri 09:00-18:00 Mars/Olympus', 'not an IANA zone'],
    ['Mon-Fri 9-18 Asia/Shanghai', 'must look like'],
  ])('refuses %s', (text, problem) => {
    expect(parseBusinessHours(text)).toContain(problem);
  });

  it('reads holidays and refuses what is not a date', () => {
    expect(parseHolidays('2026-10-01, 2026-10-02')).toEqual(['2026-10-01', '2026-10-02']);
    expect(parseHolidays('')).toEqual([]);
    expect(parseHolidays('2026-02-30')).toContain('not a date');
  });
});
