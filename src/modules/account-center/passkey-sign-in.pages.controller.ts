import { Controller, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DomainError, ValidationFailedError } from '../../common/errors/domain-error';
import { Form, SubmittedForm } from '../../common/http/form-body';
import { CsrfProtected } from '../../common/http/csrf.guard';
import { FlashService } from '../../common/http/flash.service';
import { translate } from '../../common/i18n/page-texts';
import { Locale } from '../../common/locales';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { clientInfo } from '../accounts/client-info';
import { PasskeySignInService } from '../accounts/passkey-sign-in.service';
import { SESSION_COOKIE, sessionCookieOptions } from '../accounts/session.guard';
import { AccountLayout } from './account-layout.service';
import { parseCredential, PasskeySignInForm } from './dto/passkey.forms';
import { DEFAULT_NEXT, localPath } from './local-path';

/**
 * "Sign in with a passkey" on /login: the page's script gets a challenge from the API, the
 * browser answers it (from the button or the login field's autofill), and the form posts the
 * answer here. A session and 303 to `next`; otherwise back to /login with the reason.
 */
@ApiExcludeController()
@Controller('login')
@CsrfProtected()
export class PasskeySignInPagesController {
  private readonly secureCookies: boolean;

  constructor(
    private readonly passkeySignIns: PasskeySignInService,
    private readonly layout: AccountLayout,
    private readonly flash: FlashService,
    @InjectConfig() config: AppConfig,
  ) {
    this.secureCookies = config.http.secureCookies;
  }

  @Post('passkey')
  async signIn(
    @Form(PasskeySignInForm) form: SubmittedForm<PasskeySignInForm>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const next = localPath(form.value.next);
    const locale = (response.locals.locale as Locale | undefined) ?? 'en';
    try {
      // Refused as the API refuses it (400, no attempt counted): the page says the sign-in failed.
      if (form.errors.length) throw new ValidationFailedError(form.errors);
      const session = await this.passkeySignIns.signIn({
        challengeId: form.value.challengeId,
        credential: parseCredential(form.value.credential),
        ...clientInfo(request),
      });
      response.cookie(SESSION_COOKIE, session.token, { ...sessionCookieOptions(this.secureCookies), expires: session.expiresAt });
      response.redirect(303, next);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.code === 'ACCOUNT_FROZEN') {
        this.layout.applySignedOut(request, response);
        return response.status(423).render('account/frozen', { title: 'Your account is frozen', appealHref: '/appeal' });
      }
      if (error.code !== 'INVALID_CREDENTIALS' && error.code !== 'LOGIN_THROTTLED' && error.code !== 'VALIDATION_FAILED') throw error;
      const key = error.code === 'LOGIN_THROTTLED' ? 'passkeys:signIn.throttled' : 'passkeys:signIn.failed';
      this.flash.set(response, { kind: 'error', message: translate(locale, key) });
      response.redirect(303, next === DEFAULT_NEXT ? '/login' : `/login?${new URLSearchParams({ next }).toString()}`);
    }
  }
}
