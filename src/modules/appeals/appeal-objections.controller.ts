import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppealCoolingOffService } from './appeal-cooling-off.service';
import { clientIp } from './appeals.controller';

/** The objection link of `appeal-objection`: its token is its only credential. */
@ApiTags('appeals')
@Controller('api/v1/appeal-objections')
export class AppealObjectionsController {
  constructor(private readonly coolingOff: AppealCoolingOffService) {}

  /**
   * Stops a scheduled appeal (200 `objected`), or, when the objecting contact replaced another
   * shortly before the filing, records the objection for a supervisor (202, status unchanged);
   * 404 when the link is unknown or used, or the appeal is no longer scheduled.
   */
  @Post(':token')
  @HttpCode(200)
  async object(@Param('token') token: string, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    const outcome = await this.coolingOff.object(token, { ip: clientIp(request) });
    if ('objection' in outcome) response.status(202);
    return outcome;
  }
}
