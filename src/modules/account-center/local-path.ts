/** Where a signed-in user goes when the sign-in did not say. */
export const DEFAULT_NEXT = '/security';

/**
 * `next` when it is a path of this site (`/security/email?x=1`), else the default: never
 * another origin (`//evil.example`, `/\evil.example`, `https://...`), so the sign-in form
 * cannot be used to send someone elsewhere.
 */
export function localPath(next: unknown, fallback = DEFAULT_NEXT): string {
  if (typeof next !== 'string' || next.length > 512 || !next.startsWith('/') || next.startsWith('//') || next.includes('\\'))
    return fallback;
  // Control characters would let a path break out of the Location header or the URL parser.
  return [...next].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f) ? fallback : next;
}

/** The sign-in page that leads back to `next` afterwards. */
export function signInPath(next: string): string {
  const target = localPath(next);
  return target === DEFAULT_NEXT ? '/login' : `/login?next=${encodeURIComponent(target)}`;
}
