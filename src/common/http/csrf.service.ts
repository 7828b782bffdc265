import { Injectable } from '@nestjs/common';
import { doubleCsrf, DoubleCsrfUtilities } from 'csrf-csrf';
import type { CookieOptions, Request, Response } from 'express';
import { CryptoService } from '../crypto/crypto.service';
import { hashToken, randomToken } from '../crypto/tokens';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { cookieOptions } from './cookies';

/** The hidden field every form carries. */
export const CSRF_FIELD = '_csrf';

/** Identifies a browser before it signs in, so the sign-in form's token is bound to something. */
export const PRESESSION_COOKIE = 'ac_presession';

/** What a form's token is bound to: the session cookie of the page's area, when the browser has one. */
export interface CsrfBinding {
  /** Name of the cookie carrying the session token (`ac_agent` for the back-office); none: the pre-session id. */
  readonly sessionCookie?: string;
}

const BOUND = Symbol('csrf-binding');
interface BoundRequest extends Request {
  [BOUND]?: { binding: CsrfBinding; response: Response; service: CsrfService; presession?: string };
}

/** The token for the forms of the page `request` renders; the route must be under `@CsrfProtected()`. */
export function csrfTokenFor(request: Request): string {
  const bound = (request as BoundRequest)[BOUND];
  if (!bound) throw new Error('csrfTokenFor() needs @CsrfProtected() on the route');
  return bound.service.issue(request, bound.response);
}

/**
 * Double-submit CSRF tokens (csrf-csrf): the token sits in an HttpOnly cookie and in each form's
 * `_csrf` field, and its HMAC (key derived from APP_SECRET) covers the session it was issued
 * for: the hash of the page area's session cookie, or a random pre-session id for the forms
 * shown before sign-in. A token of another session, or one forged without the key, fails.
 */
@Injectable()
export class CsrfService {
  private readonly csrf: DoubleCsrfUtilities;
  private readonly cookie: CookieOptions;

  constructor(crypto: CryptoService, @InjectConfig() config: AppConfig) {
    const secure = config.http.secureCookies;
    this.cookie = cookieOptions(secure, { path: '/', sameSite: 'strict' });
    const secret = crypto.key('csrf').toString('hex');
    this.csrf = doubleCsrf({
      getSecret: () => secret,
      getSessionIdentifier: (request) => this.identifier(request as BoundRequest),
      // __Host- keeps a sibling subdomain from planting the cookie; browsers accept it only with Secure.
      cookieName: secure ? '__Host-ac_csrf' : 'ac_csrf',
      cookieOptions: this.cookie,
      getCsrfTokenFromRequest: (request) => {
        const field = (request.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
        return typeof field === 'string' ? field : request.headers['x-csrf-token'];
      },
    });
  }

  /** Ties the request to its session (or pre-session) for `issue` and `isValid`. */
  bind(request: Request, response: Response, binding: CsrfBinding = {}): void {
    (request as BoundRequest)[BOUND] = { binding, response, service: this };
  }

  /** The token for the page's forms; sets (or keeps) the cookie it pairs with. */
  issue(request: Request, response: Response): string {
    const bound = this.bound(request);
    if (!this.sessionToken(request, bound.binding) && !this.presessionOf(request)) {
      bound.presession = randomToken();
      response.cookie(PRESESSION_COOKIE, bound.presession, this.cookie);
    }
    return this.csrf.generateCsrfToken(request, response);
  }

  /** True when the request carries the cookie and the field (or header) of one token issued for its session. */
  isValid(request: Request): boolean {
    this.bound(request);
    return this.csrf.validateRequest(request);
  }

  private identifier(request: BoundRequest): string {
    const bound = this.bound(request);
    const session = this.sessionToken(request, bound.binding);
    if (session) return `session:${hashToken(session)}`;
    const presession = bound.presession ?? this.presessionOf(request);
    // No pre-session id: nothing was ever issued to this browser, so no token can match.
    return presession ? `presession:${presession}` : 'none';
  }

  private bound(request: Request): NonNullable<BoundRequest[typeof BOUND]> {
    const bound = (request as BoundRequest)[BOUND];
    if (!bound) throw new Error('CsrfService.bind() must run first: protect the route with @CsrfProtected()');
    return bound;
  }

  private sessionToken(request: Request, binding: CsrfBinding): string | undefined {
    return binding.sessionCookie ? cookie(request, binding.sessionCookie) : undefined;
  }

  private presessionOf(request: Request): string | undefined {
    return cookie(request, PRESESSION_COOKIE);
  }
}

function cookie(request: Request, name: string): string | undefined {
  const value = (request.cookies as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
