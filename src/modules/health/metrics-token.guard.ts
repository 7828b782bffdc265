import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { constantTimeEqual } from '../../common/crypto/tokens';
import { NotFoundError, UnauthenticatedError } from '../../common/errors/domain-error';
import { bearerToken } from '../../common/http/bearer-token';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';

/**
 * `/metrics` takes METRICS_TOKEN as a bearer token, compared in constant time: its counters (codes
 * sent by template, say) would tell which logins have accounts. Without a token configured the
 * endpoint does not exist: 404, as for any unknown path.
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  constructor(@InjectConfig() private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.metricsToken;
    if (!expected) throw new NotFoundError('There is nothing at this address.');
    const given = bearerToken(context.switchToHttp().getRequest<Request>());
    if (given === undefined || !constantTimeEqual(given, expected)) throw new UnauthenticatedError('A valid metrics token is required.');
    return true;
  }
}
