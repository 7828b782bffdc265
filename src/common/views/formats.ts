/** How pages write a moment: `2026-11-22 14:05 UTC`; `—` for none. The `dateTime` view helper is this. */
export function formatDateTime(value: Date | string | null | undefined): string {
  return value ? `${new Date(value).toISOString().replace('T', ' ').slice(0, 16)} UTC` : '—';
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
