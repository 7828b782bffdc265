import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '../../common/errors/domain-error';
import { localeOf } from '../../common/i18n/page-locale';
import { translate } from '../../common/i18n/page-texts';
import { FlashService } from '../../common/http/flash.service';
import { formatDateTime } from '../../common/views/formats';
import { AuthenticatedSession } from '../accounts/principal';
import { SecurityActivityService } from '../accounts/security-activity.service';
import { AccountAppealsService, AccountAppealView } from '../appeals/account-appeals.service';
import { AccountPages } from './account-pages.decorator';
import { PageSession } from './account-pages.guard';
import { VerifiedCookie } from './verified-cookie';
import { verifyPath } from './verified-purpose';

const APPEALS = '/security/appeals';
const ACTIVITY = '/security/activity';

/** An open appeal as the pages show it (the banner on `/security` and `/security/appeals`). */
export function appealBanner(appeal: AccountAppealView) {
  return {
    reference: appeal.reference,
    status: appeal.status,
    filedAt: formatDateTime(appeal.filedAt),
    scheduledFor: appeal.scheduledFor ? formatDateTime(appeal.scheduledFor) : undefined,
    changes: appeal.requestedChanges,
    contactEmail: appeal.contactEmail,
    stopRecorded: appeal.stopRecordedAt !== null,
  };
}

/**
 * The owner's shield in the Account Center: the open appeals against the account, stopped after
 * the identity check of `/security/verify` (purpose `stop_appeal`); and the security activity with
 * "This wasn't me", which secures the account and leads to the password change.
 */
@AccountPages()
@Controller('security')
export class ShieldPagesController {
  constructor(
    private readonly appeals: AccountAppealsService,
    private readonly activity: SecurityActivityService,
    private readonly verified: VerifiedCookie,
    private readonly flash: FlashService,
  ) {}

  /** The open appeals; with a verified identity (`stop_appeal`) each has its stop button, otherwise the way to verify. */
  @Get('appeals')
  async appealsPage(@PageSession() session: AuthenticatedSession, @Req() request: Request, @Res() response: Response): Promise<void> {
    const appeals = await this.appeals.list(session);
    response.render('account/appeals', {
      title: translate(localeOf(response), 'shield:appeals.title'),
      appeals: appeals.map(appealBanner),
      verified: this.verified.token(request, 'stop_appeal') !== undefined,
      verifyHref: verifyPath('stop_appeal'),
    });
  }

  @Post('appeals/:reference/stop')
  async stop(
    @PageSession() session: AuthenticatedSession,
    @Param('reference') reference: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const locale = localeOf(response);
    const token = this.verified.token(request, 'stop_appeal');
    if (!token) return response.redirect(303, verifyPath('stop_appeal'));
    try {
      const outcome = await this.appeals.stop(session, reference, token, request.ip);
      this.verified.clear(response);
      const recorded = 'objection' in outcome;
      this.flash.set(response, {
        kind: recorded ? 'warning' : 'success',
        message: translate(locale, recorded ? 'shield:appeals.recorded' : 'shield:appeals.stopped', { reference }),
      });
      response.redirect(303, APPEALS);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.code === 'VERIFICATION_TOKEN_INVALID') {
        this.verified.clear(response);
        this.flash.set(response, { kind: 'warning', message: translate(locale, 'shield:appeals.verifyAgain') });
        return response.redirect(303, verifyPath('stop_appeal'));
      }
      if (error.code !== 'NOT_FOUND') throw error;
      this.flash.set(response, { kind: 'warning', message: translate(locale, 'shield:appeals.gone') });
      response.redirect(303, APPEALS);
    }
  }

  /** The last 90 days, newest first, 50 a page (`before`: the cursor of the older page). */
  @Get('activity')
  async activityPage(
    @PageSession() session: AuthenticatedSession,
    @Query('before') before: unknown,
    @Res() response: Response,
  ): Promise<void> {
    const locale = localeOf(response);
    const page = await this.activity.list(session, typeof before === 'string' && before ? before : undefined, locale);
    response.render('account/activity', {
      title: translate(locale, 'shield:activity.title'),
      events: page.events.map((event) => ({ ...event, at: formatDateTime(event.at) })),
      next: page.next ? `${ACTIVITY}?before=${encodeURIComponent(page.next)}` : undefined,
      older: typeof before === 'string' && before !== '',
    });
  }

  /** "This wasn't me": the account secured, then on to the password change (through its identity check). */
  @Post('activity/:id/not-me')
  async notMe(
    @PageSession() session: AuthenticatedSession,
    @Param('id') id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const secured = await this.activity.notMe(session, id, request.ip);
    this.flash.set(response, { kind: 'warning', message: translate(localeOf(response), 'shield:activity.secured', { ...secured }) });
    response.redirect(303, verifyPath('change_password'));
  }
}
