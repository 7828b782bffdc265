import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { constantTimeEqual } from '../../common/crypto/tokens';
import { NotFoundError, UnauthenticatedError } from '../../common/errors/domain-error';
import { bearerToken } from '../../common/http/bearer-token';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';

/**
 * The admin API's bearer token (ADMIN_API_TOKEN), compared in constant time. Without a token
 * configured the admin API does not exist: 404, as for any unknown path.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@InjectConfig() private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.adminApiToken;
    if (!expected) throw new NotFoundError('There is nothing at this address.');
    const given = bearerToken(context.switchToHttp().getRequest<Request>());
    if (given === undefined || !constantTimeEqual(given, expected)) throw new UnauthenticatedError('A valid admin API token is required.');
    return true;
  }
}
