import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { clientIp } from './appeals.controller';
import { AppealPasswordResetDto } from './dto/appeal-password-reset.dto';
import { AppealPasswordResetsService } from './appeal-password-resets.service';

/** The password-reset link of `appeal-completed`: its token is its only credential. */
@ApiTags('appeals')
@Controller('api/v1/password-resets')
export class AppealPasswordResetsController {
  constructor(private readonly resets: AppealPasswordResetsService) {}

  /** Sets the logon password (password policy: 422 PASSWORD_POLICY) and revokes every session; 404 when the link is unknown, used or expired. */
  @Post(':token')
  @HttpCode(200)
  async reset(@Param('token') token: string, @Body() body: AppealPasswordResetDto, @Req() request: Request) {
    return this.resets.reset(token, body.newPassword, { ip: clientIp(request) });
  }
}
