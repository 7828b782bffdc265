import { Body, Controller, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AuthenticatedSession } from '../accounts/principal';
import { CurrentSession, SessionGuard } from '../accounts/session.guard';
import { StartVerificationDto } from './dto/start-verification.dto';
import { VerifyDto } from './dto/verify.dto';
import { ValidationFailedError } from '../../common/errors/domain-error';
import { VerificationService } from './verification.service';

/** Identity verification before a sensitive change; root sessions only. */
@ApiTags('verification')
@ApiBearerAuth()
@UseGuards(SessionGuard)
@Controller('api/v1/verifications')
export class VerificationController {
  constructor(private readonly verifications: VerificationService) {}

  /** Sends a code by SMS or email (or awaits a TOTP code) for one purpose. */
  @Post()
  start(@CurrentSession() session: AuthenticatedSession, @Body() body: StartVerificationDto, @Req() request: Request) {
    return this.verifications.start(session, body, request.ip);
  }

  @Post(':id/resend')
  @HttpCode(200)
  resend(@CurrentSession() session: AuthenticatedSession, @Param('id') id: string) {
    return this.verifications.resend(session, id);
  }

  /** A right code (or a passkey's assertion) answers with the verification token that the change then carries. */
  @Post(':id/verify')
  @HttpCode(200)
  verify(@CurrentSession() session: AuthenticatedSession, @Param('id') id: string, @Body() body: VerifyDto, @Req() request: Request) {
    if ((body.code === undefined) === (body.credential === undefined))
      throw new ValidationFailedError([{ field: 'code', message: 'Send either a code or, for a passkey, a credential.' }]);
    return this.verifications.verify(session, id, { code: body.code, credential: body.credential }, request.ip);
  }
}
