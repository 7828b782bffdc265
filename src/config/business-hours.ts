import { DateTime, IANAZone } from 'luxon';

/**
 * The team's working week for SLA deadlines (SLA_BUSINESS_HOURS with SLA_HOLIDAYS): the days
 * (luxon weekday numbers, 1 = Monday), the daily window as minutes after midnight on the wall
 * clock of `zone`, and the dates (in that zone) that do not count.
 */
export interface BusinessHours {
  readonly days: readonly number[];
  readonly startMinute: number;
  readonly endMinute: number;
  readonly zone: string;
  readonly holidays: readonly string[];
}

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/**
 * `Mon-Fri 09:00-18:00 Asia/Shanghai` (days as a range, a comma list, or both: `Mon-Wed,Fri`)
 * into BusinessHours, or the reason it is not one.
 */
export function parseBusinessHours(text: string): Omit<BusinessHours, 'holidays'> | string {
  const match = /^\s*(\S+)\s+(\d{2}):(\d{2})-(\d{2}):(\d{2})\s+(\S+)\s*$/.exec(text);
  if (!match) return 'must look like "Mon-Fri 09:00-18:00 Asia/Shanghai"';
  const [, dayText, sh, sm, eh, em, zone] = match;
  const days = new Set<number>();
  for (const part of dayText.split(',')) {
    const [first, last] = part.split('-');
    const from = DAY_NAMES.indexOf(first) + 1;
    const to = last === undefined ? from : DAY_NAMES.indexOf(last) + 1;
    if (from < 1 || to < 1 || to < from) return `has days "${dayText}": write them as Mon-Fri or Mon,Wed,Sat`;
    for (let day = from; day <= to; day += 1) days.add(day);
  }
  const startMinute = Number(sh) * 60 + Number(sm);
  const endMinute = Number(eh) * 60 + Number(em);
  if (Number(sm) > 59 || Number(em) > 59 || startMinute >= endMinute || endMinute > 24 * 60)
    return `has the hours ${sh}:${sm}-${eh}:${em}: the start must come before the end, within one day`;
  if (!IANAZone.isValidZone(zone)) return `has the time zone "${zone}", which is not an IANA zone such as Asia/Shanghai`;
  return { days: [...days].sort(), startMinute, endMinute, zone };
}

/** `2026-10-01,2026-10-02` into the dates, or the reason it is not a list of dates. */
export function parseHolidays(text: string): string[] | string {
  const dates = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const bad = dates.find((date) => !/^\d{4}-\d{2}-\d{2}$/.test(date) || !DateTime.fromISO(date, { zone: 'UTC' }).isValid);
  return bad === undefined ? dates : `has "${bad}", which is not a date such as 2026-10-01`;
}
