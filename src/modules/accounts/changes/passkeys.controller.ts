import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AccountsService } from '../accounts.service';
import { PasskeyCredentialsService } from '../passkey-credentials.service';
import { AuthenticatedSession } from '../principal';
import { CurrentSession, SessionGuard } from '../session.guard';
import { RegisterPasskeyDto, RenamePasskeyDto } from './dto/passkey.dto';
import { VerificationTokenDto } from './dto/verification-token.dto';
import { PasskeyRegistrationService } from './passkey-registration.service';

/** The owner's passkeys: list, add (after an `add_passkey` verification), rename, remove (after `remove_passkey`). */
@ApiTags('changes')
@ApiBearerAuth()
@UseGuards(SessionGuard)
@Controller('api/v1/account/passkeys')
export class PasskeysController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly passkeys: PasskeyCredentialsService,
    private readonly registrations: PasskeyRegistrationService,
  ) {}

  @Get()
  async list(@CurrentSession() session: AuthenticatedSession) {
    const account = await this.accounts.getChangeable(session);
    return { passkeys: await this.passkeys.views(account.uid) };
  }

  /** The creation options for a new passkey; the verification token (purpose `add_passkey`) is used up here. */
  @Post('registration-options')
  @HttpCode(200)
  options(@CurrentSession() session: AuthenticatedSession, @Body() body: VerificationTokenDto) {
    return this.registrations.options(session, body.verificationToken);
  }

  @Post()
  register(@CurrentSession() session: AuthenticatedSession, @Body() body: RegisterPasskeyDto, @Req() request: Request) {
    return this.registrations.register(session, body, request.ip);
  }

  @Patch(':id')
  rename(
    @CurrentSession() session: AuthenticatedSession,
    @Param('id') id: string,
    @Body() body: RenamePasskeyDto,
    @Req() request: Request,
  ) {
    return this.registrations.rename(session, id, body.name, request.ip);
  }

  /** Removes a passkey (purpose `remove_passkey`). */
  @Delete(':id')
  @HttpCode(204)
  async remove(
    @CurrentSession() session: AuthenticatedSession,
    @Param('id') id: string,
    @Body() body: VerificationTokenDto,
    @Req() request: Request,
  ) {
    await this.registrations.remove(session, id, body.verificationToken, request.ip);
  }
}
