import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ValidationFailedError } from '../../common/errors/domain-error';
import { clientInfo } from './client-info';
import { PasskeySignInDto } from './dto/passkey-sign-in.dto';
import { PasskeySignInService } from './passkey-sign-in.service';
import { principalView } from './principal';

/** Sign-in with a passkey: no password, no secondary challenge. */
@ApiTags('sessions')
@Controller('api/v1/sessions')
export class PasskeySessionsController {
  constructor(private readonly passkeySignIns: PasskeySignInService) {}

  /** A WebAuthn challenge for any discoverable passkey of this service (no `allowCredentials`); it lives 5 minutes and is answered once. */
  @Post('passkey-options')
  @HttpCode(200)
  async options(@Body() body: unknown, @Req() request: Request) {
    if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length > 0))
      throw new ValidationFailedError([{ field: Object.keys(body as object)[0] ?? 'body', message: 'The body must be an empty object.' }]);
    return this.passkeySignIns.options(clientInfo(request).ip);
  }

  /** Signs in with a passkey's assertion: 201 with a session (never 202); the device + network becomes trusted. */
  @Post('passkey')
  async signIn(@Body() body: PasskeySignInDto, @Req() request: Request) {
    const issued = await this.passkeySignIns.signIn({ challengeId: body.challengeId, credential: body.credential, ...clientInfo(request) });
    return { token: issued.token, expiresAt: issued.expiresAt, principal: principalView(issued.principal) };
  }
}
