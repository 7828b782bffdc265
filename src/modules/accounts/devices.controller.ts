import { Controller, Delete, Get, HttpCode, Param, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { DevicesService } from './devices.service';
import { AuthenticatedSession, requireRoot } from './principal';
import { CurrentSession, SessionGuard } from './session.guard';

/** The account owner's trusted devices (they skip the secondary sign-in check). */
@ApiTags('sessions')
@ApiBearerAuth()
@UseGuards(SessionGuard)
@Controller('api/v1/devices')
export class DevicesController {
  constructor(private readonly devices: DevicesService) {}

  @Get()
  async list(@CurrentSession() session: AuthenticatedSession) {
    requireRoot(session.principal);
    const devices = await this.devices.list(session.accountUid);
    return {
      devices: devices.map(({ id, label, network, lastUsedAt, trustedUntil }) => ({ id, label, network, lastUsedAt, trustedUntil })),
    };
  }

  @Delete(':id')
  @HttpCode(204)
  async forget(@CurrentSession() session: AuthenticatedSession, @Param('id') id: string, @Req() request: Request) {
    requireRoot(session.principal);
    await this.devices.forget(session, id, request.ip);
  }
}
