import { Controller, Get, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { FlashService } from '../../common/http/flash.service';
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

const NOT_OWNER: Record<string, string> = {
  ram_user:
    "Only the account owner can change these settings. Contact your account administrator: a RAM user's password is changed in the RAM console.",
  ram_role: 'Only the account owner can change these settings. Contact your account administrator to sign in to the root account.',
  sso: 'You signed in through your enterprise SSO: change your password at your corporate identity provider.',
};

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
  async overview(@PageSession() session: AuthenticatedSession) {
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
              label: 'Logon email',
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
              label: 'Secure phone',
              to: phone.maskedDestination,
              expiresAt: phone.expiresAt,
              confirm: '/security/phone/confirm',
              cancel: '/security/phone/cancel',
            },
          ]
        : []),
    ];
    return {
      title: 'Security settings',
      owner,
      notOwner: owner ? undefined : NOT_OWNER[session.principal.type],
      uid: account.uid,
      passwordChangedAt: account.passwordChangedAt,
      logonEmail: maskEmail(account.logonEmail),
      securePhone: account.securePhone ? maskPhone(account.securePhone) : undefined,
      totpEnabled,
      recoveryCodesLeft,
      passkeyCount: owner ? await this.passkeys.count(account.uid) : 0,
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
    this.flash.set(response, { kind: 'info', message: 'You have signed out.' });
    response.redirect(303, '/login');
  }
}
