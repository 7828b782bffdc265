import { Body, Controller, Get, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AccountsService } from '../accounts/accounts.service';
import { ramLogin } from '../accounts/login';
import { SignInService } from '../accounts/sign-in.service';
import { ChangeContext } from '../audit/audit.service';
import { AgentsService } from '../agents/agents.service';
import { AdminTokenGuard } from './admin-token.guard';
import { CreateAccountDto } from './dto/create-account.dto';
import { CreateAgentDto } from './dto/create-agent.dto';
import { CreateRamUserDto } from './dto/create-ram-user.dto';
import { MintSessionDto } from './dto/mint-session.dto';

/** Provisioning for upstream systems: accounts, RAM users, role and SSO sessions, agents. */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminTokenGuard)
@Controller('api/admin')
export class AdminController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly signIns: SignInService,
    private readonly agents: AgentsService,
  ) {}

  @Post('accounts')
  async createAccount(@Body() body: CreateAccountDto, @Req() request: Request) {
    const account = await this.accounts.create(body, context(request));
    return { uid: account.uid };
  }

  /** Unmasked: the admin API speaks to systems that already hold these details. */
  @Get('accounts/:uid')
  async getAccount(@Param('uid') uid: string) {
    const account = await this.accounts.get(uid);
    return {
      uid: account.uid,
      logonEmail: account.logonEmail,
      securePhone: account.securePhone,
      totpEnabled: account.totpSecret !== null,
      status: account.status,
      locale: account.locale,
      passwordChangedAt: account.passwordChangedAt,
      createdAt: account.createdAt,
    };
  }

  @Post('accounts/:uid/ram-users')
  async createRamUser(@Param('uid') uid: string, @Body() body: CreateRamUserDto, @Req() request: Request) {
    const ramUser = await this.accounts.createRamUser(uid, body, context(request));
    return { id: ramUser.id, login: ramLogin(ramUser.loginName, uid) };
  }

  @Post('sessions')
  async mintSession(@Body() body: MintSessionDto, @Req() request: Request) {
    const issued = await this.signIns.mintSession(body.uid, body.principal, context(request));
    return { token: issued.token, expiresAt: issued.expiresAt };
  }

  @Post('agents')
  async createAgent(@Body() body: CreateAgentDto, @Req() request: Request) {
    const agent = await this.agents.create(body, context(request));
    return { id: agent.id };
  }
}

function context(request: Request): ChangeContext {
  return { actor: { type: 'system', id: 'admin-api' }, ip: request.ip };
}
