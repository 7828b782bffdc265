import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ValidationFailedError } from '../../common/errors/domain-error';
import { clientInfo } from './client-info';
import { RevokeSessionsQuery } from './dto/revoke-sessions.query';
import { SecondaryMethodDto } from './dto/secondary-method.dto';
import { SecondaryResendDto } from './dto/secondary-resend.dto';
import { SecondarySignInDto } from './dto/secondary-sign-in.dto';
import { SignInDto } from './dto/sign-in.dto';
import { AuthenticatedSession, principalView } from './principal';
import { CurrentSession, SessionGuard } from './session.guard';
import { IssuedSession, SessionsService } from './sessions.service';
import { SecondarySignInService } from './secondary-sign-in.service';
import { SignInService } from './sign-in.service';

@ApiTags('sessions')
@Controller('api/v1/sessions')
export class SessionsController {
  constructor(
    private readonly signIns: SignInService,
    private readonly secondary: SecondarySignInService,
    private readonly sessions: SessionsService,
  ) {}

  /**
   * Signs in with a logon email (or `<loginName>@<uid>`) and password: 201 with a session (the
   * token is for `Authorization: Bearer`; the API sets no cookie), or 202 with a secondary challenge when the
   * account owner signs in from a device + network it does not trust yet.
   */
  @Post()
  async signIn(@Body() body: SignInDto, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    const outcome = await this.signIns.signIn({ login: body.login, password: body.password, ...clientInfo(request) });
    if (outcome.status === 'secondary_auth_required') {
      response.status(202);
      return outcome;
    }
    return sessionAnswer(outcome.session);
  }

  /** Completes a sign-in answered with 202; the device + network becomes trusted for 90 days. */
  @Post('secondary')
  async completeSecondary(@Body() body: SecondarySignInDto, @Req() request: Request) {
    if ((body.code === undefined) === (body.credential === undefined))
      throw new ValidationFailedError([{ field: 'code', message: 'Send either a code or, for a passkey, a credential.' }]);
    const issued = await this.secondary.complete({
      challengeId: body.challengeId,
      code: body.code,
      credential: body.credential,
      ...clientInfo(request),
    });
    return sessionAnswer(issued);
  }

  /** Sends a new code for a sign-in answered with 202. */
  @Post('secondary/resend')
  @HttpCode(200)
  async resendSecondary(@Body() body: SecondaryResendDto, @Req() request: Request) {
    return this.secondary.resend({ challengeId: body.challengeId, ...clientInfo(request) });
  }

  /**
   * "Try another way": ends the pending sign-in's challenge and answers 202 as the sign-in did,
   * for a new challenge by `method` (a code is sent for SMS and email, counted as usual).
   */
  @Post('secondary/method')
  @HttpCode(202)
  async switchSecondaryMethod(@Body() body: SecondaryMethodDto, @Req() request: Request) {
    return this.secondary.switchMethod({ challengeId: body.challengeId, method: body.method, ...clientInfo(request) });
  }

  @Get()
  @ApiBearerAuth()
  @UseGuards(SessionGuard)
  async list(@CurrentSession() session: AuthenticatedSession) {
    return { sessions: await this.sessions.list(session) };
  }

  /** Signs out. */
  @Delete('current')
  @HttpCode(204)
  @ApiBearerAuth()
  @UseGuards(SessionGuard)
  async revokeCurrent(@CurrentSession() session: AuthenticatedSession, @Req() request: Request) {
    await this.sessions.revokeOwn(session, 'current', request.ip);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiBearerAuth()
  @UseGuards(SessionGuard)
  async revokeOne(@CurrentSession() session: AuthenticatedSession, @Param('id') id: string, @Req() request: Request) {
    await this.sessions.revokeOne(session, id, request.ip);
  }

  /** `scope=others`: every other session of yours; `scope=all`: this one too. */
  @Delete()
  @HttpCode(204)
  @ApiBearerAuth()
  @UseGuards(SessionGuard)
  async revokeMany(@CurrentSession() session: AuthenticatedSession, @Query() query: RevokeSessionsQuery, @Req() request: Request) {
    await this.sessions.revokeOwn(session, query.scope, request.ip);
  }
}

function sessionAnswer(issued: IssuedSession) {
  return { token: issued.token, expiresAt: issued.expiresAt, principal: principalView(issued.principal) };
}
