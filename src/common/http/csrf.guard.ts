import { applyDecorators, CanActivate, createParamDecorator, ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { CsrfInvalidError } from '../errors/domain-error';
import { CsrfBinding, CsrfService, csrfTokenFor } from './csrf.service';

const CSRF_BINDING = 'csrf:binding';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses (403 CSRF_INVALID) every unsafe request without a valid token, before any other
 * guard runs, and lets the handler issue tokens for the page it renders (`@CsrfToken()`).
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  constructor(
    private readonly csrf: CsrfService,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const binding =
      this.reflector.getAllAndOverride<CsrfBinding | undefined>(CSRF_BINDING, [context.getHandler(), context.getClass()]) ?? {};
    this.csrf.bind(request, response, binding);
    if (!SAFE_METHODS.has(request.method) && !this.csrf.isValid(request)) throw new CsrfInvalidError();
    return true;
  }
}

/**
 * Puts a controller (or one handler) under CSRF protection. Pages behind a sign-in name their
 * session cookie so tokens are bound to the session; forms shown before sign-in leave it out
 * and get a pre-session id. List it before the area's own guard so a forged POST never reaches it.
 */
export const CsrfProtected = (binding: CsrfBinding = {}) => applyDecorators(SetMetadata(CSRF_BINDING, binding), UseGuards(CsrfGuard));

/** The CSRF token for the forms of the page being rendered (the route needs `@CsrfProtected()`). */
export const CsrfToken = createParamDecorator((_data: unknown, context: ExecutionContext): string =>
  csrfTokenFor(context.switchToHttp().getRequest<Request>()),
);
