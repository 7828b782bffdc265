import { DateTime, IANAZone } from 'luxon';
import { Locale } from './locales';

/** The zone of a locale's people, when nothing better is known (messages of an account without a zone of its own). */
const LOCALE_ZONES: Record<Locale, string> = { en: 'UTC', 'zh-CN': 'Asia/Shanghai' };

/** The time zones the page setting offers, besides the one already chosen or the browser's. */
export const COMMON_TIME_ZONES = [
  'UTC',
  'Asia/Shanghai',
  'Asia/Hong_Kong',
  'Asia/Taipei',
  'Asia/Singapore',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Asia/Dubai',
  'Europe/London',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Moscow',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Sao_Paulo',
  'Australia/Sydney',
] as const;

/**
 * Zone names already found valid. luxon's `isValidZone` builds a new ICU date formatter at every
 * call: native memory that V8 frees only at a full collection (a queue page formats 50 rows, and
 * grew the process by a megabyte a page) and some 50 µs of CPU. The valid names are a fixed set of
 * a few hundred; names found invalid are not kept, so a caller cannot grow the set.
 */
const VALID_ZONES = new Set<string>(['UTC', 'Etc/UTC']);

/** An IANA zone name luxon (and so the ICU data of Node) knows; `Etc/UTC` and `UTC` alike. */
export function isTimeZone(name: unknown): name is string {
  if (typeof name !== 'string' || name.length > 64) return false;
  if (VALID_ZONES.has(name)) return true;
  if (!IANAZone.isValidZone(name)) return false;
  VALID_ZONES.add(name);
  return true;
}

export function localeTimeZone(locale: Locale): string {
  return LOCALE_ZONES[locale];
}

/** How a zone is named beside a time: `UTC`, else its IANA name (`Asia/Shanghai`), which says the city. */
export function zoneName(zone: string): string {
  return zone === 'Etc/UTC' || zone === 'UTC' ? 'UTC' : zone;
}

/** `2026-11-22 22:05 Asia/Shanghai`: a moment in a zone, with the zone named. */
export function formatInZone(value: Date | string, zone: string, pattern = 'yyyy-MM-dd HH:mm'): string {
  const at = DateTime.fromJSDate(new Date(value), { zone: isTimeZone(zone) ? zone : 'UTC' });
  return `${at.toFormat(pattern)} ${zoneName(at.zoneName ?? 'UTC')}`;
}
