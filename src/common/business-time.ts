import { DateTime } from 'luxon';
import type { BusinessHours } from '../config/business-hours';

/** How far ahead a deadline is looked for before the calendar is judged to have no working time. */
const MAX_DAYS = 3_660;

/**
 * The window of working time of the day that starts at `day` (midnight in the zone), as instants,
 * or null on a day off. The window is wall-clock time: on a day that changes to or from daylight
 * saving it holds one hour less or more when it spans the change.
 */
function windowOf(day: DateTime, hours: BusinessHours): [number, number] | null {
  if (!hours.days.includes(day.weekday) || hours.holidays.includes(day.toISODate()!)) return null;
  const at = (minute: number) =>
    minute >= 24 * 60
      ? day.plus({ days: 1 }).startOf('day')
      : day.set({ hour: Math.floor(minute / 60), minute: minute % 60, second: 0, millisecond: 0 });
  return [at(hours.startMinute).toMillis(), at(hours.endMinute).toMillis()];
}

function dayOf(instant: number, hours: BusinessHours): DateTime {
  return DateTime.fromMillis(instant, { zone: hours.zone }).startOf('day');
}

/** The instant `ms` of working time after `from` (every hour counts when `hours` is null). */
export function addBusinessTime(from: Date, ms: number, hours: BusinessHours | null): Date {
  if (!hours || ms <= 0) return new Date(from.getTime() + Math.max(0, ms));
  let cursor = from.getTime();
  let remaining = ms;
  let day = dayOf(cursor, hours);
  for (let i = 0; i < MAX_DAYS; i += 1) {
    const window = windowOf(day, hours);
    if (window) {
      const start = Math.max(window[0], cursor);
      if (start < window[1]) {
        const available = window[1] - start;
        if (remaining <= available) return new Date(start + remaining);
        remaining -= available;
        cursor = window[1];
      }
    }
    day = day.plus({ days: 1 }).startOf('day');
  }
  throw new Error('The business hours leave no working time within ten years');
}

/** The working time between two instants (0 when `to` is not after `from`). */
export function businessTimeBetween(from: Date, to: Date, hours: BusinessHours | null): number {
  const [start, end] = [from.getTime(), to.getTime()];
  if (end <= start) return 0;
  if (!hours) return end - start;
  let total = 0;
  let day = dayOf(start, hours);
  for (let i = 0; i < MAX_DAYS && day.toMillis() < end; i += 1) {
    const window = windowOf(day, hours);
    if (window) total += Math.max(0, Math.min(window[1], end) - Math.max(window[0], start));
    day = day.plus({ days: 1 }).startOf('day');
  }
  return total;
}
