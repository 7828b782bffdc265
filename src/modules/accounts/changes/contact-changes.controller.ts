import { Body, Controller, Delete, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CodeDto } from '../../challenges/dto/code.dto';
import { AuthenticatedSession } from '../principal';
import { CurrentSession, SessionGuard } from '../session.guard';
import { ContactChangesService } from './contact-changes.service';
import { StartEmailChangeDto } from './dto/start-email-change.dto';
import { StartPhoneChangeDto } from './dto/start-phone-change.dto';

/** Pending changes of the logon email and the secure phone: started with a verification token, confirmed with the code sent to the new address. */
@ApiTags('changes')
@ApiBearerAuth()
@UseGuards(SessionGuard)
@Controller('api/v1/account')
export class ContactChangesController {
  constructor(private readonly changes: ContactChangesService) {}

  @Post('email-change')
  @HttpCode(202)
  startEmailChange(@CurrentSession() session: AuthenticatedSession, @Body() body: StartEmailChangeDto, @Req() request: Request) {
    return this.changes.startEmailChange(session, body, request.ip);
  }

  @Post('email-change/:changeId/resend')
  @HttpCode(200)
  resendEmailCode(@CurrentSession() session: AuthenticatedSession, @Param('changeId') changeId: string) {
    return this.changes.resend(session, 'email_change', changeId);
  }

  @Post('email-change/:changeId/confirm')
  @HttpCode(200)
  confirmEmailChange(
    @CurrentSession() session: AuthenticatedSession,
    @Param('changeId') changeId: string,
    @Body() body: CodeDto,
    @Req() request: Request,
  ) {
    return this.changes.confirmEmailChange(session, changeId, body.code, request.ip);
  }

  @Delete('email-change/:changeId')
  @HttpCode(204)
  async cancelEmailChange(@CurrentSession() session: AuthenticatedSession, @Param('changeId') changeId: string, @Req() request: Request) {
    await this.changes.cancel(session, 'email_change', changeId, request.ip);
  }

  @Post('phone-change')
  @HttpCode(202)
  startPhoneChange(@CurrentSession() session: AuthenticatedSession, @Body() body: StartPhoneChangeDto, @Req() request: Request) {
    return this.changes.startPhoneChange(session, body, request.ip);
  }

  @Post('phone-change/:changeId/resend')
  @HttpCode(200)
  resendPhoneCode(@CurrentSession() session: AuthenticatedSession, @Param('changeId') changeId: string) {
    return this.changes.resend(session, 'phone_change', changeId);
  }

  @Post('phone-change/:changeId/confirm')
  @HttpCode(200)
  confirmPhoneChange(
    @CurrentSession() session: AuthenticatedSession,
    @Param('changeId') changeId: string,
    @Body() body: CodeDto,
    @Req() request: Request,
  ) {
    return this.changes.confirmPhoneChange(session, changeId, body.code, request.ip);
  }

  @Delete('phone-change/:changeId')
  @HttpCode(204)
  async cancelPhoneChange(@CurrentSession() session: AuthenticatedSession, @Param('changeId') changeId: string, @Req() request: Request) {
    await this.changes.cancel(session, 'phone_change', changeId, request.ip);
  }
}
