import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { clientInfo } from '../client-info';
import { LogonEmailReminderDto } from './dto/logon-email-reminder.dto';
import { ResetPasswordDto } from './dto/reset-password.dto';
import { StartPasswordRecoveryDto } from './dto/start-password-recovery.dto';
import { LogonEmailRemindersService } from './logon-email-reminders.service';
import { PasswordRecoveryService } from './password-recovery.service';

/** Forgotten password and forgotten logon email: no session, and answers that say nothing about accounts. */
@ApiTags('recovery')
@Controller('api/v1')
export class RecoveryController {
  constructor(
    private readonly recoveries: PasswordRecoveryService,
    private readonly reminders: LogonEmailRemindersService,
  ) {}

  /** Sends a `password-recovery-code` by email or SMS; 202 alike whether or not the login exists or has that method. 429 RATE_LIMITED per login and per IP. */
  @Post('password-recoveries')
  @HttpCode(202)
  start(@Body() body: StartPasswordRecoveryDto, @Req() request: Request) {
    return this.recoveries.start(body, clientInfo(request).ip);
  }

  /** Sets the new password with the code (errors as in verification; 422 PASSWORD_POLICY); every session of the account is signed out. */
  @Post('password-recoveries/:id/reset')
  @HttpCode(200)
  reset(@Param('id') id: string, @Body() body: ResetPasswordDto, @Req() request: Request) {
    return this.recoveries.reset(id, body, clientInfo(request).ip);
  }

  /** An SMS `logon-email-reminder` (masked logon email and UID) to the phone, for each account it secures; 202 `{}` alike. */
  @Post('logon-email-reminders')
  @HttpCode(202)
  async remind(@Body() body: LogonEmailReminderDto, @Req() request: Request) {
    await this.reminders.remind(body.securePhone, clientInfo(request).ip);
    return {};
  }
}
