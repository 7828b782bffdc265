import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AppealCoolingOffService } from './appeal-cooling-off.service';
import { clientIp } from './appeals.controller';

/** The objection link of `appeal-objection`: its token is its only credential. */
@ApiTags('appeals')
@Controller('api/v1/appeal-objections')
export class AppealObjectionsController {
  constructor(private readonly coolingOff: AppealCoolingOffService) {}

  /** Stops a scheduled appeal (`objected`); 404 when the link is unknown or used, or the appeal is no longer scheduled. */
  @Post(':token')
  @HttpCode(200)
  async object(@Param('token') token: string, @Req() request: Request) {
    return this.coolingOff.object(token, { ip: clientIp(request) });
  }
}
