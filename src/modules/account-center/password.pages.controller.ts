import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, ValidationFailedError } from '../../common/errors/domain-error';
import { FlashService } from '../../common/http/flash.service';
import { problemFor, textsFor } from '../../common/i18n/response-text';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { PasswordChangeService } from '../accounts/changes/password-change.service';
import { AuthenticatedSession } from '../accounts/principal';
import { SESSION_COOKIE, sessionCookieOptions } from '../accounts/session.guard';
import { AccountPages } from './account-pages.decorator';
import { PageSession } from './account-pages.guard';
import { Form, SubmittedForm } from '../../common/http/form-body';
import { NEW_PASSWORD_TEXTS, NewPasswordForm } from './dto/new-password.form';
import { formFailure, renderFailure } from './form-failure';
import { VerifiedCookie } from './verified-cookie';
import { verifyPath } from './verified-purpose';

const VIEW = 'account/password';

/** "Change Password" (docs/product.md): after identity verification; afterwards every session is signed out, this one too. */
@AccountPages()
@Controller('security/password')
export class PasswordPagesController {
  private readonly secureCookies: boolean;

  constructor(
    private readonly passwords: PasswordChangeService,
    private readonly verified: VerifiedCookie,
    private readonly flash: FlashService,
    @InjectConfig() config: AppConfig,
  ) {
    this.secureCookies = config.http.secureCookies;
  }

  /** The form, once the identity is verified (otherwise 303 to the verification). */
  @Get()
  page(@Req() request: Request, @Res() response: Response): void {
    if (!this.verified.token(request, 'change_password')) return response.redirect(303, verifyPath('change_password'));
    response.render(VIEW, { title: textsFor(response)('account:password.heading'), errors: {} });
  }

  /** 303 to the sign-in page (every session ended); the form again with the policy's reasons beside the field. */
  @Post()
  async change(
    @PageSession() session: AuthenticatedSession,
    @Form(NewPasswordForm, NEW_PASSWORD_TEXTS) form: SubmittedForm<NewPasswordForm>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const verificationToken = this.verified.token(request, 'change_password');
    if (!verificationToken) return response.redirect(303, verifyPath('change_password'));
    const t = textsFor(response);
    try {
      // The confirmation is the page's own field: the change itself takes the password once.
      if (form.errors.length) throw new ValidationFailedError(form.errors);
      // An empty password is asked for again rather than judged by the policy (the API's rules let the policy say it).
      if (!form.value.newPassword) throw new ValidationFailedError([{ field: 'newPassword', message: t('account:password.enter') }]);
      await this.passwords.change(session, { verificationToken, newPassword: form.value.newPassword }, request.ip);
      this.verified.clear(response);
      response.clearCookie(SESSION_COOKIE, sessionCookieOptions(this.secureCookies));
      this.flash.set(response, {
        kind: 'success',
        message: t('account:password.done'),
      });
      response.redirect(303, '/login');
    } catch (error) {
      if (error instanceof DomainError && error.code === 'VERIFICATION_TOKEN_INVALID') {
        this.verified.clear(response);
        this.flash.set(response, { kind: 'warning', message: problemFor(response, error) });
        return response.redirect(303, verifyPath('change_password'));
      }
      const failure = formFailure(error, { PASSWORD_POLICY: 'newPassword' });
      if (!failure) throw error;
      renderFailure(response, VIEW, { title: t('account:password.heading') }, failure);
    }
  }
}
