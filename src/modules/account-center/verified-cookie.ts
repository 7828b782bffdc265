import { Injectable } from '@nestjs/common';
import type { CookieOptions, Request, Response } from 'express';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { VerificationPurpose } from '../verification/verification-purpose';
import { cookieOptions } from '../../common/http/cookies';

/**
 * The verification token between the verification page and the change it authorises: an
 * HttpOnly cookie for /security only, living as long as the token. The token is bound to the
 * session and purpose by the service anyway; the cookie keeps it out of URLs and page source.
 */
export const VERIFIED_COOKIE = 'ac_verified';

@Injectable()
export class VerifiedCookie {
  private readonly options: CookieOptions;

  constructor(@InjectConfig() config: AppConfig) {
    this.options = cookieOptions(config.http.secureCookies, { path: '/security', sameSite: 'strict' });
  }

  set(response: Response, purpose: VerificationPurpose, token: string, expiresAt: Date): void {
    response.cookie(VERIFIED_COOKIE, `${purpose}:${token}`, { ...this.options, expires: expiresAt });
  }

  /** The token for `purpose`, if the browser holds one. */
  token(request: Request, purpose: VerificationPurpose): string | undefined {
    const value = (request.cookies as Record<string, unknown> | undefined)?.[VERIFIED_COOKIE];
    if (typeof value !== 'string' || !value.startsWith(`${purpose}:`)) return undefined;
    return value.slice(purpose.length + 1) || undefined;
  }

  clear(response: Response): void {
    response.clearCookie(VERIFIED_COOKIE, this.options);
  }
}
