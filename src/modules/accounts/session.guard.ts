import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import type { CookieOptions, Request } from 'express';
import { bearerToken } from '../../common/http/bearer-token';
import { UnauthenticatedError } from '../../common/errors/domain-error';
import { AuthenticatedSession } from './principal';
import { SessionsService } from './sessions.service';
import { cookieOptions } from '../../common/http/cookies';

/** The cookie that carries the session token for the pages (HttpOnly, SameSite=Lax). */
export const SESSION_COOKIE = 'ac_session';

/** The `ac_session` cookie: HttpOnly, SameSite=Lax, for the whole site, Secure behind https. */
export function sessionCookieOptions(secure: boolean): CookieOptions {
  return cookieOptions(secure, { path: '/', sameSite: 'lax' });
}

const SESSION = Symbol('session');
type WithSession = Request & { [SESSION]?: AuthenticatedSession };

/** The request's session token: the `Authorization: Bearer` header, else the `ac_session` cookie. */
export function sessionTokenOf(request: Request): string | undefined {
  const cookie = (request.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
  return bearerToken(request) ?? (typeof cookie === 'string' ? cookie : undefined);
}

/**
 * Lets a request through only with a live session (401 UNAUTHENTICATED otherwise) and hands it to
 * `@CurrentSession()`. Checks PostgreSQL on every request, so revocations hold at once everywhere.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(private readonly sessions: SessionsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<WithSession>();
    const token = sessionTokenOf(request);
    if (!token) throw new UnauthenticatedError();
    request[SESSION] = await this.sessions.authenticate(token);
    return true;
  }
}

/** The session SessionGuard found: `{ sessionId, accountUid, principal }`. */
export const CurrentSession = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedSession => {
  const session = context.switchToHttp().getRequest<WithSession>()[SESSION];
  if (!session) throw new Error('@CurrentSession() needs @UseGuards(SessionGuard)');
  return session;
});
