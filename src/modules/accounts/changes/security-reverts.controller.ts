import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { SecurityRevertsService } from './security-reverts.service';

/** "This wasn't me" links of change notices. No session: the token is the only credential. */
@ApiTags('changes')
@Controller('api/v1/security-reverts')
export class SecurityRevertsController {
  constructor(private readonly reverts: SecurityRevertsService) {}

  /** Restores what the link was issued for (where still free), signs everyone out and freezes the account. */
  @Post(':token')
  @HttpCode(200)
  async revert(@Param('token') token: string, @Req() request: Request) {
    const { reverted } = await this.reverts.revert(token, request.ip);
    return { reverted, accountStatus: 'frozen' as const };
  }
}
