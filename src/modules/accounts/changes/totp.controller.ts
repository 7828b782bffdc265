import { Body, Controller, Delete, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CodeDto } from '../../challenges/dto/code.dto';
import { AuthenticatedSession } from '../principal';
import { CurrentSession, SessionGuard } from '../session.guard';
import { VerificationTokenDto } from './dto/verification-token.dto';
import { TotpEnrolmentService } from './totp-enrolment.service';

/** The account's authenticator app (TOTP). */
@ApiTags('changes')
@ApiBearerAuth()
@UseGuards(SessionGuard)
@Controller('api/v1/account/totp')
export class TotpController {
  constructor(private readonly enrolments: TotpEnrolmentService) {}

  /** A new secret to scan (purpose `enable_totp`); nothing changes until `activate`. */
  @Post()
  @HttpCode(200)
  enrol(@CurrentSession() session: AuthenticatedSession, @Body() body: VerificationTokenDto, @Req() request: Request) {
    return this.enrolments.enrol(session, body.verificationToken, request.ip);
  }

  /** The app's first code turns TOTP on and answers ten recovery codes, shown this once. */
  @Post('activate')
  @HttpCode(200)
  activate(@CurrentSession() session: AuthenticatedSession, @Body() body: CodeDto, @Req() request: Request) {
    return this.enrolments.activate(session, body.code, request.ip);
  }

  /** Turns TOTP off (purpose `disable_totp`). */
  @Delete()
  @HttpCode(204)
  async disable(@CurrentSession() session: AuthenticatedSession, @Body() body: VerificationTokenDto, @Req() request: Request) {
    await this.enrolments.disable(session, body.verificationToken, request.ip);
  }
}
