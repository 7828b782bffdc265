import { Body, Controller, Get, Patch, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { accountView } from './account-view';
import { AccountsService } from './accounts.service';
import { UpdateAccountDto } from './dto/update-account.dto';
import { PasskeyCredentialsService } from './passkey-credentials.service';
import { AuthenticatedSession, auditActorOf, requireRoot } from './principal';
import { CurrentSession, SessionGuard } from './session.guard';

@ApiTags('account')
@ApiBearerAuth()
@UseGuards(SessionGuard)
@Controller('api/v1/account')
export class AccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly passkeys: PasskeyCredentialsService,
  ) {}

  @Get()
  async get(@CurrentSession() session: AuthenticatedSession) {
    const account = session.account ?? (await this.accounts.get(session.accountUid));
    return accountView(account, session.principal, (await this.passkeys.count(account.uid)) > 0);
  }

  /** The language of later messages; the account owner and RAM users may set it. */
  @Patch()
  async update(@CurrentSession() session: AuthenticatedSession, @Body() body: UpdateAccountDto, @Req() request: Request) {
    if (session.principal.type !== 'ram_user') requireRoot(session.principal);
    const account = await this.accounts.updateLocale(session.accountUid, body.locale, {
      actor: auditActorOf(session.principal),
      ip: request.ip,
    });
    return accountView(account, session.principal, (await this.passkeys.count(account.uid)) > 0);
  }
}
