import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CsrfProtected } from '../../common/http/csrf.guard';
import { AgentAuthGuard } from './agent-auth.guard';
import { AGENT_SESSION_COOKIE } from '../agents/agent-sessions.service';

/**
 * A controller of back-office pages: CSRF first (tokens bound to the agent session), then the
 * agent session and role (`@RequireRole()` on the controller or handler), and the layout in
 * `res.locals`. Handlers take `@CurrentAgent()` and return their page's own view model.
 */
export const AgentPages = () =>
  applyDecorators(ApiExcludeController(), CsrfProtected({ sessionCookie: AGENT_SESSION_COOKIE }), UseGuards(AgentAuthGuard));
