import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CsrfProtected } from '../../common/http/csrf.guard';
import { SESSION_COOKIE } from '../accounts/session.guard';
import { AccountPagesGuard } from './account-pages.guard';

/**
 * A controller of Account Center pages behind sign-in: CSRF first (tokens bound to the
 * `ac_session` cookie, so a forged POST never reaches the guard), then the session, and the
 * layout in `res.locals`. Handlers take `@PageSession()`.
 */
export const AccountPages = () =>
  applyDecorators(ApiExcludeController(), CsrfProtected({ sessionCookie: SESSION_COOKIE }), UseGuards(AccountPagesGuard));
