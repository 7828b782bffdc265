import { CanActivate, createParamDecorator, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { CookieOptions, Request, Response } from 'express';
import { ForbiddenError, SignInRequiredError } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { ChangeContext } from '../audit/audit.service';
import { AgentLayout } from './agent-layout.service';
import { roleAllows, ROLE_LABELS } from '../agents/agent-roles';
import { AgentPresenceService } from '../agents/agent-presence.service';
import { AGENT_SESSION_COOKIE, AgentSessionsService } from '../agents/agent-sessions.service';
import { AgentRole } from '../agents/entities/agent.entity';
import { SignedInAgent } from '../agents/signed-in-agent';
import { cookieOptions } from '../../common/http/cookies';

export const AGENT_SIGN_IN_PATH = '/agent/login';
const ROLE = 'agent:role';
const PASSWORD_CHANGE_PATH = '/agent/me';
/** What an agent whose password an admin reset may do until they choose a new one: the Me page, sign-out. */
const PASSWORD_CHANGE_ROUTES = new Set(['GET /agent/me', 'HEAD /agent/me', 'POST /agent/me', 'POST /agent/logout']);
const AGENT = Symbol('agent');
type WithAgent = Request & { [AGENT]?: SignedInAgent };

/** The least role a back-office route needs (agent < supervisor < admin); on the controller, a handler may override it. */
export const RequireRole = (role: AgentRole) => SetMetadata(ROLE, role);

/** The `ac_agent` cookie: HttpOnly, SameSite=Strict, only sent to /agent, Secure behind https. */
export function agentCookieOptions(secure: boolean): CookieOptions {
  return cookieOptions(secure, { path: '/agent', sameSite: 'strict' });
}

/**
 * Lets a back-office request through only with a live agent session (otherwise the browser is
 * sent to the sign-in form, 303) and a role at least the route's `@RequireRole()` (otherwise
 * 403). A route without `@RequireRole()` fails loudly: every route must say who may use it.
 */
@Injectable()
export class AgentAuthGuard implements CanActivate {
  private readonly cookie: CookieOptions;

  constructor(
    private readonly sessions: AgentSessionsService,
    private readonly layout: AgentLayout,
    private readonly reflector: Reflector,
    private readonly presence: AgentPresenceService,
    @InjectConfig() config: AppConfig,
  ) {
    this.cookie = agentCookieOptions(config.http.secureCookies);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const needed = this.reflector.getAllAndOverride<AgentRole | undefined>(ROLE, [context.getHandler(), context.getClass()]);
    if (!needed)
      throw new Error(
        `${context.getClass().name}.${context.getHandler().name} has no @RequireRole(): every back-office route names the least role it needs`,
      );
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const agent = await this.authenticate(request, response);
    this.layout.apply(request, response, agent);
    assertRole(agent, needed);
    return true;
  }

  /** The request's agent; SignInRequiredError (303 to the sign-in form) without a live session. Also used by the Bull Board middleware. */
  async authenticate(request: Request, response: Response): Promise<SignedInAgent> {
    const token = (request.cookies as Record<string, unknown> | undefined)?.[AGENT_SESSION_COOKIE];
    const agent = typeof token === 'string' ? await this.sessions.authenticate(token) : undefined;
    if (!agent) {
      // Cleared with the attributes it was set with: a browser matches them to drop the cookie.
      if (token !== undefined) response.clearCookie(AGENT_SESSION_COOKIE, this.cookie);
      throw new SignInRequiredError(AGENT_SIGN_IN_PATH);
    }
    if (agent.passwordChangeRequired && !PASSWORD_CHANGE_ROUTES.has(`${request.method} ${routePath(request)}`)) {
      // A temporary password from an admin opens the Me page only, until the agent chooses their own.
      throw new SignInRequiredError(PASSWORD_CHANGE_PATH);
    }
    (request as WithAgent)[AGENT] = agent;
    // Auto-assignment gives work only to agents seen lately; a Redis hiccup must not refuse the page.
    await this.presence.touch(agent.id).catch(() => undefined);
    return agent;
  }
}

function routePath(request: Request): string {
  return `${request.baseUrl}${request.path}`.replace(/\/+$/, '') || '/';
}

/** ForbiddenError (403) unless the agent's role is at least `needed`. */
export function assertRole(agent: SignedInAgent, needed: AgentRole): void {
  if (!roleAllows(agent.role, needed))
    throw new ForbiddenError(
      `This needs the ${ROLE_LABELS[needed].toLowerCase()} role; you are signed in as ${ROLE_LABELS[agent.role].toLowerCase()}.`,
    );
}

/** The signed-in agent AgentAuthGuard found. */
export const CurrentAgent = createParamDecorator((_data: unknown, context: ExecutionContext): SignedInAgent => {
  const agent = context.switchToHttp().getRequest<WithAgent>()[AGENT];
  if (!agent) throw new Error('@CurrentAgent() needs AgentAuthGuard (@AgentPages())');
  return agent;
});

/** Who changes something from the back-office, for the audit log. */
export function agentContext(agent: SignedInAgent, request: Request): ChangeContext {
  return { actor: { type: 'agent', id: agent.id }, ip: request.ip };
}
