import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CryptoService } from '../crypto/crypto.service';
import { constantTimeEqual } from '../crypto/tokens';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { cookieOptions } from './cookies';

export type FlashKind = 'success' | 'info' | 'warning' | 'error';

/** A one-time message for the next page, shown by the `flash` partial. */
export interface Flash {
  readonly kind: FlashKind;
  readonly message: string;
}

export const FLASH_COOKIE = 'ac_flash';
const KINDS: readonly FlashKind[] = ['success', 'info', 'warning', 'error'];
/** Long enough for the redirect that follows a POST, short enough not to greet a later visit. */
const FLASH_MAX_AGE_MS = 60_000;

/**
 * Post/redirect/get messages: the POST handler sets one, the next page shows it once. It travels
 * in a short-lived cookie signed with a key of its own, so a visitor cannot make the site say
 * something it did not (and the page escapes it like any other text).
 */
@Injectable()
export class FlashService {
  private readonly secure: boolean;

  constructor(
    private readonly crypto: CryptoService,
    @InjectConfig() config: AppConfig,
  ) {
    this.secure = config.http.secureCookies;
  }

  set(response: Response, flash: Flash): void {
    const body = Buffer.from(JSON.stringify([flash.kind, flash.message]), 'utf8').toString('base64url');
    response.cookie(
      FLASH_COOKIE,
      `${body}.${this.crypto.hmac(body, 'flash')}`,
      cookieOptions(this.secure, { path: '/', sameSite: 'lax', maxAgeMs: FLASH_MAX_AGE_MS }),
    );
  }

  /** The message waiting for this page, if any; it is cleared as it is read. */
  take(request: Request, response: Response): Flash | undefined {
    const value = (request.cookies as Record<string, unknown> | undefined)?.[FLASH_COOKIE];
    if (typeof value !== 'string') return undefined;
    response.clearCookie(FLASH_COOKIE, cookieOptions(this.secure, { path: '/', sameSite: 'lax' }));
    const [body, signature] = value.split('.');
    if (!body || !signature || !constantTimeEqual(signature, this.crypto.hmac(body, 'flash'))) return undefined;
    try {
      const [kind, message] = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as [FlashKind, string];
      return KINDS.includes(kind) && typeof message === 'string' ? { kind, message } : undefined;
    } catch {
      return undefined;
    }
  }
}
