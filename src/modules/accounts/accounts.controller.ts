import { Body, Controller, Get, Patch, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { accountView } from './account-view';
import { AccountsService } from './accounts.service';
import { UpdateAccountDto } from './dto/update-account.dto';
import { AuthenticatedSession, auditActorOf, requireRoot } from './principal';
import { CurrentSession, SessionGuard } from './session.guard';

@ApiTags('account')
@ApiBearerAuth()
@UseGuards(SessionGuard)
@Controller('api/v1/account')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  async get(@CurrentSession() session: AuthenticatedSession) {
    return accountView(session.account ?? (await this.accounts.get(session.accountUid)), session.principal);
  }

  /** The language of later messages; the account owner and RAM users may set it. */
  @Patch()
  async update(@CurrentSession() session: AuthenticatedSession, @Body() body: UpdateAccountDto, @Req() request: Request) {
    if (session.principal.type !== 'ram_user') requireRoot(session.principal);
    const account = await this.accounts.updateLocale(session.accountUid, body.locale, {
      actor: auditActorOf(session.principal),
      ip: request.ip,
    });
    return accountView(account, session.principal);
  }
}
