import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { csrfTokenFor } from '../../common/http/csrf.service';
import { FlashService } from '../../common/http/flash.service';
import { localeOf, setPageLocale, setPageTimeZone } from '../../common/i18n/page-locale';
import { translate } from '../../common/i18n/page-texts';
import { maskEmail } from '../../common/masking';
import { AuthenticatedSession } from '../accounts/principal';

const NAV = [
  { label: 'common:nav.security', href: '/security' },
  { label: 'common:nav.sessions', href: '/security/sessions' },
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
    // The signed-in account's language and zone win over the cookie and the browser's.
    if (session.account) {
      setPageLocale(response, session.account.locale);
      setPageTimeZone(response, session.account.timeZone);
    }
    const locale = localeOf(response);
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
        label: translate(locale, entry.label),
        current: entry.href === '/security' ? path !== '/security/sessions' && path.startsWith('/security') : path === entry.href,
      })),
      signOut: { action: '/logout', csrf, who },
      // The footer's switch changes the account's own language (a form: it changes the account).
      languageForm: { action: '/security/language', csrf, next: request.method === 'GET' ? request.originalUrl : '/security' },
      flash: this.flash.take(request, response),
    });
  }

  /** The pages shown before sign-in: the area without navigation. */
  applySignedOut(request: Request, response: Response): void {
    Object.assign(response.locals, { area: 'account', homeHref: '/', flash: this.flash.take(request, response) });
  }
}
