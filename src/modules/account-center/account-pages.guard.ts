import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, SignInRequiredError } from '../../common/errors/domain-error';
import { AuthenticatedSession } from '../accounts/principal';
import { SESSION_COOKIE, sessionCookieOptions } from '../accounts/session.guard';
import { SessionsService } from '../accounts/sessions.service';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { AccountLayout } from './account-layout.service';
import { signInPath } from './local-path';

const SESSION = Symbol('account-session');
type WithSession = Request & { [SESSION]?: AuthenticatedSession };

/**
 * Lets an Account Center page through only with a live `ac_session` (otherwise the browser goes
 * to `/login?next=<this page>`, 303), puts the layout in `res.locals`, and hands the session to
 * `@PageSession()`. Like the API's SessionGuard it reads PostgreSQL on every request.
 */
@Injectable()
export class AccountPagesGuard implements CanActivate {
  private readonly secureCookies: boolean;

  constructor(
    private readonly sessions: SessionsService,
    private readonly layout: AccountLayout,
    @InjectConfig() config: AppConfig,
  ) {
    this.secureCookies = config.http.secureCookies;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<WithSession>();
    const response = context.switchToHttp().getResponse<Response>();
    const token = (request.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
    const session =
      typeof token === 'string' ? await this.sessions.authenticate(token).catch((error: unknown) => this.ended(error)) : undefined;
    if (!session) {
      if (token !== undefined) response.clearCookie(SESSION_COOKIE, sessionCookieOptions(this.secureCookies));
      // A form posted after the session ended cannot be replayed: its page is where to go back to.
      throw new SignInRequiredError(signInPath(request.method === 'GET' ? request.originalUrl : '/security'));
    }
    request[SESSION] = session;
    this.layout.apply(request, response, session);
    return true;
  }

  private ended(error: unknown): undefined {
    if (error instanceof DomainError && error.code === 'UNAUTHENTICATED') return undefined;
    throw error;
  }
}

/** The session AccountPagesGuard found. */
export const PageSession = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedSession => {
  const session = context.switchToHttp().getRequest<WithSession>()[SESSION];
  if (!session) throw new Error('@PageSession() needs AccountPagesGuard (@AccountPages())');
  return session;
});
