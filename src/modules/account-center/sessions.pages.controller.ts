import { Controller, Get, Param, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { deviceLabel } from '../../common/device-label';
import { FlashService } from '../../common/http/flash.service';
import { localeOf } from '../../common/i18n/page-locale';
import { translate } from '../../common/i18n/page-texts';
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
  async page(@PageSession() session: AuthenticatedSession, @Res({ passthrough: true }) response: Response) {
    const locale = localeOf(response);
    const owner = session.principal.type === 'root';
    const [sessions, devices] = await Promise.all([this.sessions.list(session), owner ? this.devices.list(session.accountUid) : []]);
    return {
      title: translate(locale, 'common:nav.sessions'),
      // Named for people ("Chrome on Linux"), with the network it was used from.
      sessions: sessions.map((one) => ({
        ...one,
        device: deviceLabel(one.userAgent, locale),
        ip: one.ip ?? translate(locale, 'account:sessions.unknownNetwork'),
      })),
      others: sessions.some((one) => !one.current),
      owner,
      // A trusted device keeps the user agent it was trusted with: named here like the sessions.
      devices: devices.map(({ id, label, network, lastUsedAt, trustedUntil }) => ({
        id,
        label: deviceLabel(label, locale),
        network,
        lastUsedAt,
        trustedUntil,
      })),
    };
  }

  @Post('revoke-others')
  async revokeOthers(@PageSession() session: AuthenticatedSession, @Req() request: Request, @Res() response: Response): Promise<void> {
    const count = await this.sessions.revokeOwn(session, 'others', request.ip);
    const message = translate(
      localeOf(response),
      count === 1 ? 'account:sessions.othersSignedOutOne' : 'account:sessions.othersSignedOut',
      {
        number: count,
      },
    );
    this.flash.set(response, { kind: 'success', message });
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
    this.flash.set(response, { kind: 'success', message: translate(localeOf(response), 'account:sessions.signedOut') });
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
    this.flash.set(response, { kind: 'success', message: translate(localeOf(response), 'account:sessions.forgotten') });
    response.redirect(303, BACK);
  }
}
