import { formatInZone } from '../time-zones';

/**
 * How pages write a moment: `2026-11-22 14:05 UTC`, or in the reader's zone with the zone named
 * (`2026-11-22 22:05 Asia/Shanghai`); `—` for none. The `dateTime` view helper is this.
 */
export function formatDateTime(value: Date | string | null | undefined, zone = 'UTC'): string {
  return value ? formatInZone(value, zone) : '—';
}

/** A time of day in a zone, with the zone named: `14:05:09 UTC`. */
export function formatTimeOfDay(value: Date | string, zone = 'UTC'): string {
  return formatInZone(value, zone, 'HH:mm:ss');
}
/** How pages write a duration for people: `45 min`, `3 h 20 min`, `2 d 4 h`. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}
