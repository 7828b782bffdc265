import type { CookieOptions } from 'express';

/** Where a cookie is sent and how strictly: every cookie of the pages is declared with one. */
export interface CookieScope {
  readonly path: string;
  /** `strict` unless the cookie must come along on a link followed from elsewhere (a message, another site). */
  readonly sameSite: 'strict' | 'lax';
  /** Absent: a session cookie of the browser (or an `expires` given when it is set). */
  readonly maxAgeMs?: number;
}

/** The one way the pages build a cookie: HttpOnly, Secure behind https, sent only to `scope.path`. Clear it with the same options. */
export function cookieOptions(secure: boolean, scope: CookieScope): CookieOptions {
  return {
    httpOnly: true,
    sameSite: scope.sameSite,
    secure,
    path: scope.path,
    ...(scope.maxAgeMs === undefined ? {} : { maxAge: scope.maxAgeMs }),
  };
}
