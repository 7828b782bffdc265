import { Controller, Get, Param, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { FlashService } from '../../common/http/flash.service';
import { DevicesService } from '../accounts/devices.service';
import { AuthenticatedSession, requireRoot } from '../accounts/principal';
import { SessionsService } from '../accounts/sessions.service';
import { AccountPages } from './account-pages.decorator';
import { PageSession } from './account-pages.guard';

const BACK = '/security/sessions';

/** Where you are signed in (sign one or all others out) and which devices skip the sign-in code (forget one). */
@AccountPages()
@Controller('security/sessions')
export class SessionsPagesController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly devices: DevicesService,
    private readonly flash: FlashService,
  ) {}

  @Get()
  @Render('account/sessions')
  async page(@PageSession() session: AuthenticatedSession) {
    const owner = session.principal.type === 'root';
    const [sessions, devices] = await Promise.all([this.sessions.list(session), owner ? this.devices.list(session.accountUid) : []]);
    return {
      title: 'Sessions and devices',
      sessions: sessions.map((one) => ({ ...one, userAgent: one.userAgent ?? 'Unknown browser', ip: one.ip ?? 'unknown' })),
      others: sessions.some((one) => !one.current),
      owner,
      devices: devices.map(({ id, label, network, lastUsedAt, trustedUntil }) => ({ id, label, network, lastUsedAt, trustedUntil })),
    };
  }

  @Post('revoke-others')
  async revokeOthers(@PageSession() session: AuthenticatedSession, @Req() request: Request, @Res() response: Response): Promise<void> {
    const count = await this.sessions.revokeOwn(session, 'others', request.ip);
    this.flash.set(response, { kind: 'success', message: `${count} other ${count === 1 ? 'session was' : 'sessions were'} signed out.` });
    response.redirect(303, BACK);
  }

  @Post(':id/revoke')
  async revokeOne(
    @PageSession() session: AuthenticatedSession,
    @Param('id') id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await this.sessions.revokeOne(session, id, request.ip);
    this.flash.set(response, { kind: 'success', message: 'The session was signed out.' });
    response.redirect(303, BACK);
  }

  @Post('devices/:id/forget')
  async forget(
    @PageSession() session: AuthenticatedSession,
    @Param('id') id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    requireRoot(session.principal);
    await this.devices.forget(session, id, request.ip);
    this.flash.set(response, { kind: 'success', message: 'The device was forgotten: signing in from it asks for a code again.' });
    response.redirect(303, BACK);
  }
}
