import { Controller, Get, Param, Post, Render, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DomainError, NotFoundError, RateLimitedError } from '../../../common/errors/domain-error';
import { PROBLEMS } from '../../../common/errors/problem-codes';
import { CsrfProtected, CsrfToken } from '../../../common/http/csrf.guard';
import { csrfTokenFor } from '../../../common/http/csrf.service';
import { FlashService } from '../../../common/http/flash.service';
import { byField, formErrors } from '../../../common/http/form-errors';
import { Form, SubmittedForm } from '../../../common/http/form-body';
import { localeOf } from '../../../common/i18n/page-locale';
import { problemFor, textsFor } from '../../../common/i18n/response-text';
import { countryOptions, defaultCountry, isCountry, PHONE_EXAMPLE } from '../../../common/phones';
import { AppConfig } from '../../../config/app-config';
import { InjectConfig } from '../../../config/config.module';
import { clientInfo } from '../client-info';
import { PasswordPolicyError } from '../password-policy.error';
import { RECOVER_EMAIL_DEFAULTS, RECOVER_EMAIL_TEXTS, RecoverEmailForm } from './dto/recover-email.form';
import { RECOVER_PASSWORD_TEXTS, RecoverPasswordForm } from './dto/recover-password.form';
import { RESET_PASSWORD_TEXTS, ResetPasswordForm } from './dto/reset-password.form';
import { LogonEmailRemindersService } from './logon-email-reminders.service';
import { PasswordRecoveryService } from './password-recovery.service';
import { isUuid } from '../../../common/validation/is-uuid';

type Errors = Record<string, string>;

interface StartView {
  title: string;
  csrf: string;
  login: string;
  method: string;
  errors: Errors;
}

interface ResetView {
  title: string;
  csrf: string;
  recoveryId: string;
  /** The code as typed, kept when the form comes back for another field. */
  code: string;
  codeMinutes: number;
  errors: Errors;
  /** The recovery cannot go on (expired, used, locked): the person starts again. */
  restart?: boolean;
}

interface EmailView {
  title: string;
  csrf: string;
  securePhone: string;
  countries: ReturnType<typeof countryOptions>;
  phoneExample: string;
  errors: Errors;
}

const START_TITLE = 'recovery:start.heading';
const RESET_TITLE = 'recovery:code.heading';
const EMAIL_TITLE = 'recovery:email.heading';
/** Code errors after which the same recovery can never succeed. */
const DEAD_ENDS = new Set(['VERIFICATION_EXPIRED', 'VERIFICATION_LOCKED', 'VERIFICATION_USED']);

/**
 * The recovery pages, shown before any sign-in (CSRF tokens bound to a pre-session id). They
 * call the same services as the API and, like it, never say whether an account exists.
 */
@ApiExcludeController()
@Controller('recover')
@CsrfProtected()
export class RecoveryPagesController {
  private readonly codeMinutes: number;

  constructor(
    private readonly recoveries: PasswordRecoveryService,
    private readonly reminders: LogonEmailRemindersService,
    private readonly flash: FlashService,
    @InjectConfig() config: AppConfig,
  ) {
    this.codeMinutes = Math.ceil(config.verification.codeTtlMs / 60_000);
  }

  @Get('password')
  @Render('account/recover-password')
  startForm(@CsrfToken() csrf: string, @Res({ passthrough: true }) response: Response): StartView {
    return { title: textsFor(response)(START_TITLE), csrf, login: '', method: 'email', errors: {} };
  }

  /** 303 to the code form, whatever the login; the form again with the error beside its field otherwise. */
  @Post('password')
  async start(
    @Form(RecoverPasswordForm, RECOVER_PASSWORD_TEXTS) form: SubmittedForm<RecoverPasswordForm>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const { login, method } = form.value;
    const t = textsFor(response);
    const again = (status: number, errors: Errors) =>
      response.status(status).render('account/recover-password', {
        title: t(START_TITLE),
        csrf: csrfTokenFor(request),
        login: login ?? '',
        // A method not of the list is shown as none chosen.
        method: form.errors.some(({ field }) => field === 'method') ? '' : method,
        errors,
      } satisfies StartView);
    if (form.errors.length) return again(400, byField(form.errors));
    try {
      const { recoveryId } = await this.recoveries.start({ login, method }, clientInfo(request).ip);
      this.flash.set(response, { kind: 'info', message: t(method === 'sms' ? 'recovery:start.sentSms' : 'recovery:start.sentEmail') });
      response.redirect(303, `/recover/password/${recoveryId}`);
    } catch (error) {
      if (error instanceof RateLimitedError) {
        response.setHeader('Retry-After', String(error.retryAfterSeconds));
        return again(429, { login: problemFor(response, error) });
      }
      const errors = formErrors(error);
      if (errors) return again(400, errors);
      throw error;
    }
  }

  @Get('password/:recoveryId')
  @Render('account/recover-password-reset')
  resetForm(
    @Param('recoveryId') recoveryId: string,
    @CsrfToken() csrf: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): ResetView {
    assertRecoveryId(recoveryId);
    response.locals.flash = this.flash.take(request, response);
    return { title: textsFor(response)(RESET_TITLE), csrf, recoveryId, code: '', codeMinutes: this.codeMinutes, errors: {} };
  }

  /** The done page; the form again with the error beside its field (with the status the API would answer). */
  @Post('password/:recoveryId')
  async reset(
    @Param('recoveryId') recoveryId: string,
    @Form(ResetPasswordForm, RESET_PASSWORD_TEXTS) form: SubmittedForm<ResetPasswordForm>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    assertRecoveryId(recoveryId);
    const code = typeof form.value.code === 'string' ? form.value.code.trim() : '';
    const newPassword = typeof form.value.newPassword === 'string' ? form.value.newPassword : '';
    const t = textsFor(response);
    const again = (status: number, errors: Errors, restart = false) =>
      response.status(status).render('account/recover-password-reset', {
        title: t(RESET_TITLE),
        csrf: csrfTokenFor(request),
        recoveryId,
        code,
        codeMinutes: this.codeMinutes,
        errors,
        restart,
      } satisfies ResetView);
    // The API's rules and the page's confirmation; an empty field is asked for by the page.
    if (!code || !newPassword || form.errors.length) {
      return again(400, {
        ...Object.fromEntries(form.errors.map(({ field, message }) => [field, message])),
        ...(code ? {} : { code: t('recovery:code.enterCode') }),
        ...(newPassword ? {} : { newPassword: t('recovery:code.choosePassword') }),
      });
    }
    try {
      await this.recoveries.reset(recoveryId, { code, newPassword }, clientInfo(request).ip);
      response.render('account/recover-password-done', { title: t('recovery:done.heading') });
    } catch (error) {
      if (error instanceof PasswordPolicyError) return again(422, { newPassword: problemFor(response, error) });
      const errors = formErrors(error);
      if (errors) return again(400, errors);
      if (!(error instanceof DomainError) || !(error.code.startsWith('VERIFICATION_') || error.code === 'ACCOUNT_FROZEN')) throw error;
      if (error.retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(error.retryAfterSeconds));
      const field = error.code === 'ACCOUNT_FROZEN' ? 'form' : 'code';
      return again(PROBLEMS[error.code].status, { [field]: problemFor(response, error) }, DEAD_ENDS.has(error.code));
    }
  }

  @Get('email')
  @Render('account/recover-email')
  emailForm(@CsrfToken() csrf: string, @Req() request: Request, @Res({ passthrough: true }) response: Response): EmailView {
    response.locals.flash = this.flash.take(request, response);
    const locale = localeOf(response);
    return {
      title: textsFor(response)(EMAIL_TITLE),
      csrf,
      securePhone: '',
      countries: countryOptions(locale, defaultCountry(locale)),
      phoneExample: PHONE_EXAMPLE,
      errors: {},
    };
  }

  /** 303 back to the form with the same message whether or not any account has the phone. */
  @Post('email')
  async remind(
    @Form(RecoverEmailForm, RECOVER_EMAIL_TEXTS, RECOVER_EMAIL_DEFAULTS) form: SubmittedForm<RecoverEmailForm>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    // People type phones nationally, with spaces, dashes and brackets, or with +: read in the chosen country (E.164 then).
    const securePhone = form.value.securePhone ?? '';
    const locale = localeOf(response);
    const t = textsFor(response);
    const country = isCountry(form.value.country) ? form.value.country : defaultCountry(locale);
    const again = (status: number, errors: Errors) =>
      response.status(status).render('account/recover-email', {
        title: t(EMAIL_TITLE),
        csrf: csrfTokenFor(request),
        securePhone,
        countries: countryOptions(locale, country),
        phoneExample: PHONE_EXAMPLE,
        errors,
      } satisfies EmailView);
    if (form.errors.length) return again(400, byField(form.errors));
    try {
      await this.reminders.remind(securePhone, clientInfo(request).ip);
      this.flash.set(response, {
        kind: 'success',
        message: t('recovery:email.sent'),
      });
      response.redirect(303, '/recover/email');
    } catch (error) {
      if (error instanceof RateLimitedError) {
        response.setHeader('Retry-After', String(error.retryAfterSeconds));
        return again(429, { securePhone: problemFor(response, error) });
      }
      throw error;
    }
  }
}

/** Every recovery id is a UUID: anything else is no page of ours (and never lands in a form action). */
function assertRecoveryId(recoveryId: string): void {
  if (!isUuid(recoveryId)) throw new NotFoundError('There is no such page.');
}
