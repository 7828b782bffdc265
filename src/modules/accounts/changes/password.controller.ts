import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AuthenticatedSession } from '../principal';
import { CurrentSession, SessionGuard } from '../session.guard';
import { ChangePasswordDto } from './dto/change-password.dto';
import { PasswordChangeService } from './password-change.service';

@ApiTags('changes')
@ApiBearerAuth()
@UseGuards(SessionGuard)
@Controller('api/v1/account/password')
export class PasswordController {
  constructor(private readonly passwords: PasswordChangeService) {}

  /** Sets a new logon password; every root session of the account, this one included, is signed out. */
  @Post()
  @HttpCode(200)
  change(@CurrentSession() session: AuthenticatedSession, @Body() body: ChangePasswordDto, @Req() request: Request) {
    return this.passwords.change(session, body, request.ip);
  }
}
