import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { AppealCredentials } from './appeal-portal.service';
import { REFERENCE } from './appeals.repository';
import { cookieOptions } from '../../common/http/cookies';

/**
 * How the appeal pages carry the person's credential between requests, without ever putting a
 * secret in a URL:
 * - before filing, the contact verification's id (and, once checked, its code) travel in hidden
 *   fields of the next step's POST form; they are worth nothing without the inbox that got the code;
 * - from filing on, the reference and access token sit in an HttpOnly, SameSite=Strict cookie
 *   scoped to /appeal (also set by the status page's form), so uploads, replies and cancel need
 *   no retyping and no script ever reads it. The token itself is shown once, on the page that
 *   answers the filing (no-store), and a new one replaces it only through the contact email.
 */
export const APPEAL_COOKIE = 'ac_appeal';
const APPEAL_COOKIE_PATH = '/appeal';
const APPEAL_COOKIE_MAX_AGE_MS = 12 * 3_600_000;
const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

@Injectable()
export class AppealPageAccess {
  private readonly secure: boolean;

  constructor(@InjectConfig() config: AppConfig) {
    this.secure = config.http.secureCookies;
  }

  remember(response: Response, credentials: AppealCredentials): void {
    response.cookie(
      APPEAL_COOKIE,
      `${credentials.reference}.${credentials.accessToken}`,
      cookieOptions(this.secure, { path: APPEAL_COOKIE_PATH, sameSite: 'strict', maxAgeMs: APPEAL_COOKIE_MAX_AGE_MS }),
    );
  }

  /** The credentials the browser holds, if they are at least well formed (the service judges them). */
  read(request: Request): AppealCredentials | undefined {
    const value = (request.cookies as Record<string, unknown> | undefined)?.[APPEAL_COOKIE];
    if (typeof value !== 'string') return undefined;
    const [reference, accessToken] = value.split('.');
    return reference && accessToken && REFERENCE.test(reference) && TOKEN.test(accessToken) ? { reference, accessToken } : undefined;
  }

  forget(response: Response): void {
    response.clearCookie(APPEAL_COOKIE, cookieOptions(this.secure, { path: APPEAL_COOKIE_PATH, sameSite: 'strict' }));
  }
}
