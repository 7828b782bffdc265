import { Body, Controller, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { VerificationTokenDto } from '../accounts/changes/dto/verification-token.dto';
import { AuthenticatedSession } from '../accounts/principal';
import { CurrentSession, SessionGuard } from '../accounts/session.guard';
import { AccountAppealsService } from './account-appeals.service';

/** The owner's shield: the open appeals against the signed-in owner's account, and stopping one. Root sessions only. */
@ApiTags('account')
@ApiBearerAuth()
@UseGuards(SessionGuard)
@Controller('api/v1/account/appeals')
export class AccountAppealsController {
  constructor(private readonly appeals: AccountAppealsService) {}

  @Get()
  async list(@CurrentSession() session: AuthenticatedSession) {
    const appeals = await this.appeals.list(session);
    return {
      appeals: appeals.map(({ reference, status, requestedChanges, filedAt, scheduledFor, contactEmail }) => ({
        reference,
        status,
        requestedChanges,
        filedAt,
        ...(scheduledFor ? { scheduledFor } : {}),
        contactEmail,
      })),
    };
  }

  /**
   * 200 `{ status: "objected" }`; 202 `{ status, objection: "recorded" }` when the account's logon
   * email, secure phone or password changed in the 30 days before the filing (a supervisor decides).
   */
  @Post(':reference/stop')
  async stop(
    @CurrentSession() session: AuthenticatedSession,
    @Param('reference') reference: string,
    @Body() body: VerificationTokenDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const outcome = await this.appeals.stop(session, reference, body.verificationToken, request.ip);
    response.status('objection' in outcome ? 202 : 200);
    return outcome;
  }
}
