import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { csrfTokenFor } from '../../common/http/csrf.service';
import { FlashService } from '../../common/http/flash.service';
import { maskEmail } from '../../common/masking';
import { AuthenticatedSession } from '../accounts/principal';

const NAV = [
  { label: 'Security settings', href: '/security' },
  { label: 'Sessions and devices', href: '/security/sessions' },
] as const;

/**
 * What every Account Center page's layout needs, in `res.locals` (Express merges it into every
 * render, error pages included): the area, the navigation, the sign-out form, the page's CSRF
 * token (`{{> csrf}}`) and the flash. Page view models carry only their own content and `title`.
 */
@Injectable()
export class AccountLayout {
  constructor(private readonly flash: FlashService) {}

  apply(request: Request, response: Response, session: AuthenticatedSession): void {
    const csrf = csrfTokenFor(request);
    const path = request.path.replace(/\/+$/, '') || '/';
    const { principal } = session;
    const who =
      principal.type === 'root' && session.account
        ? maskEmail(session.account.logonEmail)
        : `${principal.name ?? principal.type}@${principal.uid}`;
    Object.assign(response.locals, {
      area: 'account',
      homeHref: '/security',
      csrf,
      nav: NAV.map((entry) => ({
        ...entry,
        current: entry.href === '/security' ? path !== '/security/sessions' && path.startsWith('/security') : path === entry.href,
      })),
      signOut: { action: '/logout', csrf, who },
      flash: this.flash.take(request, response),
    });
  }

  /** The pages shown before sign-in: the area without navigation. */
  applySignedOut(request: Request, response: Response): void {
    Object.assign(response.locals, { area: 'account', homeHref: '/', flash: this.flash.take(request, response) });
  }
}
