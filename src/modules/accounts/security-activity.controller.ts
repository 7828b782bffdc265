import { Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { supportedLocale } from '../../common/i18n/page-locale';
import { ActivityQuery } from './dto/activity.query';
import { AuthenticatedSession } from './principal';
import { SecurityActivityService } from './security-activity.service';
import { CurrentSession, SessionGuard } from './session.guard';

/** The account's security activity (90 days, newest first, 50 a page) and "this wasn't me". Root sessions only. */
@ApiTags('account')
@ApiBearerAuth()
@UseGuards(SessionGuard)
@Controller('api/v1/account/activity')
export class SecurityActivityController {
  constructor(private readonly activity: SecurityActivityService) {}

  /** Device labels in the account's language. */
  @Get()
  async list(@CurrentSession() session: AuthenticatedSession, @Query() query: ActivityQuery) {
    const locale = supportedLocale(session.account?.locale) ?? 'en';
    return this.activity.list(session, query.before, locale);
  }

  /** Every other session revoked, every trusted device forgotten, `account-secured` sent: 200 with the counts. */
  @Post(':id/not-me')
  @HttpCode(200)
  notMe(@CurrentSession() session: AuthenticatedSession, @Param('id') id: string, @Req() request: Request) {
    return this.activity.notMe(session, id, request.ip);
  }
}
