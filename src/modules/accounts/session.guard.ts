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

/**
 * Guards the JSON API, which reads no cookie: the session token comes as `Authorization: Bearer`.
 * (The pages read the `ac_session` cookie through AccountPagesGuard.) Lets a request through
 * only with a live session (401 UNAUTHENTICATED otherwise) and hands it to
 * `@CurrentSession()`. Checks PostgreSQL on every request, so revocations hold at once everywhere.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(private readonly sessions: SessionsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<WithSession>();
    const token = bearerToken(request);
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
