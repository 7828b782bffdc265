import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { bearerToken } from '../../common/http/bearer-token';
import { AppealCredentials, AppealPortalService } from './appeal-portal.service';

/** The reference in the path and the access token of `Authorization: Bearer` (empty when missing: a 404 like a wrong one). */
export function appealCredentials(reference: string, request: Request): AppealCredentials {
  return { reference, accessToken: bearerToken(request) ?? '' };
}

/** Refuses a request with the wrong credentials before its body is read (an upload may be 10 MB). */
@Injectable()
export class AppealAccessGuard implements CanActivate {
  constructor(private readonly portal: AppealPortalService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    await this.portal.authorize(appealCredentials(String(request.params.reference ?? ''), request));
    return true;
  }
}
