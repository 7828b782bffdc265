import { Body, Controller, Get, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { FlashService } from '../../common/http/flash.service';
import { LOCALE_COOKIE, timeZoneOf } from '../../common/i18n/page-locale';
import { textsFor } from '../../common/i18n/response-text';
import { cookieOptions } from '../../common/http/cookies';
import { COMMON_TIME_ZONES, isTimeZone } from '../../common/time-zones';
import { auditActorOf } from '../accounts/principal';
import { LanguageForm } from './dto/language.form';
import { localPath } from './local-path';
import { maskEmail, maskPhone } from '../../common/masking';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { AccountsService } from '../accounts/accounts.service';
import { ContactChangesService } from '../accounts/changes/contact-changes.service';
import { AuthenticatedSession } from '../accounts/principal';
import { SESSION_COOKIE, sessionCookieOptions } from '../accounts/session.guard';
import { SessionsService } from '../accounts/sessions.service';
import { PasskeyCredentialsService } from '../accounts/passkey-credentials.service';
import { TotpService } from '../accounts/totp.service';
import { AccountAppealsService } from '../appeals/account-appeals.service';
import { AccountPages } from './account-pages.decorator';
import { PageSession } from './account-pages.guard';
import { verifyPath } from './verified-purpose';
import { appealBanner } from './shield.pages.controller';

/** What a principal other than the owner is told on /security (page texts `account:security.notOwner.*`). */
const NOT_OWNER = new Set(['ram_user', 'ram_role', 'sso']);

/** The Security Settings page of the seeds: each credential with its state and a "Modify" link; and signing out. */
@AccountPages()
@Controller()
export class SecurityPagesController {
  private readonly secureCookies: boolean;

  constructor(
    private readonly accounts: AccountsService,
    private readonly changes: ContactChangesService,
    private readonly totp: TotpService,
    private readonly sessions: SessionsService,
    private readonly appeals: AccountAppealsService,
    private readonly flash: FlashService,
    private readonly passkeys: PasskeyCredentialsService,
    @InjectConfig() config: AppConfig,
  ) {
    this.secureCookies = config.http.secureCookies;
  }

  @Get('security')
  @Render('account/security')
  async overview(@PageSession() session: AuthenticatedSession, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    const t = textsFor(response);
    const account = session.account ?? (await this.accounts.get(session.accountUid));
    const owner = session.principal.type === 'root';
    const totpEnabled = account.totpSecret !== null;
    const [email, phone, recoveryCodesLeft, openAppeals] = owner
      ? await Promise.all([
          this.changes.pending(session, 'email_change'),
          this.changes.pending(session, 'phone_change'),
          totpEnabled ? this.totp.recoveryCodesLeft(account.uid) : 0,
          this.appeals.list(session),
        ])
      : [undefined, undefined, 0, []];
    const pending = [
      ...(email
        ? [
            {
              label: t('account:security.email'),
              to: email.maskedDestination,
              expiresAt: email.expiresAt,
              confirm: '/security/email/confirm',
              cancel: '/security/email/cancel',
            },
          ]
        : []),
      ...(phone
        ? [
            {
              label: t('account:security.phone'),
              to: phone.maskedDestination,
              expiresAt: phone.expiresAt,
              confirm: '/security/phone/confirm',
              cancel: '/security/phone/cancel',
            },
          ]
        : []),
    ];
    return {
      title: t('account:security.heading'),
      owner,
      notOwner: owner || !NOT_OWNER.has(session.principal.type) ? undefined : t(`account:security.notOwner.${session.principal.type}`),
      // A RAM user (role, SSO user) sees who they are signed in as, and nothing of the owner's factors.
      who: `${session.principal.name ?? session.principal.type}@${session.principal.uid}`,
      uid: account.uid,
      passwordChangedAt: account.passwordChangedAt,
      logonEmail: maskEmail(account.logonEmail),
      securePhone: account.securePhone ? maskPhone(account.securePhone) : undefined,
      totpEnabled: owner && totpEnabled,
      recoveryCodesLeft,
      passkeyCount: owner ? await this.passkeys.count(account.uid) : 0,
      accountTimeZone: account.timeZone ?? '',
      autoTimeZone: (response.locals.browserTimeZone as string | undefined) ?? timeZoneOf(response),
      timeZones: [...new Set([...(account.timeZone ? [account.timeZone] : []), ...COMMON_TIME_ZONES])],
      pending,
      // The owner's shield: a banner for each open appeal against the account.
      openAppeals: openAppeals.map(appealBanner),
      stopAppealHref: verifyPath('stop_appeal'),
      links: {
        password: verifyPath('change_password'),
        email: verifyPath('change_email'),
        phone: verifyPath('change_phone'),
        totp: '/security/totp',
      },
    };
  }

  @Post('logout')
  async signOut(@PageSession() session: AuthenticatedSession, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.sessions.revokeOwn(session, 'current', request.ip);
    response.clearCookie(SESSION_COOKIE, sessionCookieOptions(this.secureCookies));
    this.flash.set(response, { kind: 'info', message: textsFor(response)('account:security.signedOut') });
    response.redirect(303, '/login');
  }

  /**
   * The account's language and time zone (the setting on /security and the footer's switch): the
   * language of its pages and messages, the zone their times are shown in ("automatic": the
   * browser's on the pages, the language's in messages). Also remembered in the `locale` cookie,
   * so the sign-in page that follows a sign-out speaks it too.
   */
  @Post('security/language')
  async language(
    @PageSession() session: AuthenticatedSession,
    @Body() form: LanguageForm,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const account = session.account ?? (await this.accounts.get(session.accountUid));
    const locale = form.locale;
    const timeZone = form.timeZone === undefined ? account.timeZone : isTimeZone(form.timeZone) ? form.timeZone : null;
    await this.accounts.updatePreferences(account.uid, { locale, timeZone }, { actor: auditActorOf(session.principal), ip: request.ip });
    response.cookie(LOCALE_COOKIE, locale, cookieOptions(this.secureCookies, { path: '/', sameSite: 'lax', maxAgeMs: 365 * 86_400_000 }));
    response.locals.locale = locale;
    this.flash.set(response, { kind: 'success', message: textsFor(response)('account:security.languageSaved') });
    response.redirect(303, localPath(form.next, '/security'));
  }
}
