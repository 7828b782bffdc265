import { Body, Controller, Get, Param, Post, Render, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { isE164Phone } from '../../../common/contacts';
import { DomainError, NotFoundError, RateLimitedError } from '../../../common/errors/domain-error';
import { PROBLEMS } from '../../../common/errors/problem-codes';
import { CsrfProtected, CsrfToken } from '../../../common/http/csrf.guard';
import { csrfTokenFor } from '../../../common/http/csrf.service';
import { FlashService } from '../../../common/http/flash.service';
import { formErrors } from '../../../common/http/form-errors';
import { AppConfig } from '../../../config/app-config';
import { InjectConfig } from '../../../config/config.module';
import { clientInfo } from '../client-info';
import { PasswordPolicyError } from '../password-policy.error';
import { RecoverEmailForm } from './dto/recover-email.form';
import { RecoverPasswordForm } from './dto/recover-password.form';
import { ResetPasswordForm } from './dto/reset-password.form';
import { LogonEmailRemindersService } from './logon-email-reminders.service';
import { PasswordRecoveryService, RECOVERY_METHODS, RecoveryMethod } from './password-recovery.service';

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
  errors: Errors;
}

const START_TITLE = 'Reset your password';
const RESET_TITLE = 'Enter the code and a new password';
const EMAIL_TITLE = 'Find your logon email';
const RECOVERY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
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
  startForm(@CsrfToken() csrf: string): StartView {
    return { title: START_TITLE, csrf, login: '', method: 'email', errors: {} };
  }

  /** 303 to the code form, whatever the login; the form again with the error beside its field otherwise. */
  @Post('password')
  async start(@Body() form: RecoverPasswordForm, @Req() request: Request, @Res() response: Response): Promise<void> {
    const login = form.login?.trim() ?? '';
    const method = RECOVERY_METHODS.find((candidate) => candidate === form.method);
    const again = (status: number, errors: Errors) =>
      response.status(status).render('account/recover-password', {
        title: START_TITLE,
        csrf: csrfTokenFor(request),
        login,
        method: method ?? '',
        errors,
      } satisfies StartView);
    if (!login || !method) {
      return again(400, {
        ...(login ? {} : { login: 'Enter the logon email of your account.' }),
        ...(method ? {} : { method: 'Choose where to send the code.' }),
      });
    }
    try {
      const { recoveryId } = await this.recoveries.start({ login, method }, clientInfo(request).ip);
      this.flash.set(response, { kind: 'info', message: sentMessage(method) });
      response.redirect(303, `/recover/password/${recoveryId}`);
    } catch (error) {
      if (error instanceof RateLimitedError) {
        response.setHeader('Retry-After', String(error.retryAfterSeconds));
        return again(429, { login: error.detail });
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
    return { title: RESET_TITLE, csrf, recoveryId, code: '', codeMinutes: this.codeMinutes, errors: {} };
  }

  /** The done page; the form again with the error beside its field (with the status the API would answer). */
  @Post('password/:recoveryId')
  async reset(
    @Param('recoveryId') recoveryId: string,
    @Body() form: ResetPasswordForm,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    assertRecoveryId(recoveryId);
    const code = form.code?.trim() ?? '';
    const newPassword = form.newPassword ?? '';
    const again = (status: number, errors: Errors, restart = false) =>
      response.status(status).render('account/recover-password-reset', {
        title: RESET_TITLE,
        csrf: csrfTokenFor(request),
        recoveryId,
        code,
        codeMinutes: this.codeMinutes,
        errors,
        restart,
      } satisfies ResetView);
    if (!code || !newPassword) {
      return again(400, {
        ...(code ? {} : { code: 'Enter the code we sent you.' }),
        ...(newPassword ? {} : { newPassword: 'Choose a new password.' }),
      });
    }
    try {
      await this.recoveries.reset(recoveryId, { code, newPassword }, clientInfo(request).ip);
      response.render('account/recover-password-done', { title: 'Your password was reset' });
    } catch (error) {
      if (error instanceof PasswordPolicyError) return again(422, { newPassword: error.detail });
      const errors = formErrors(error);
      if (errors) return again(400, errors);
      if (!(error instanceof DomainError) || !(error.code.startsWith('VERIFICATION_') || error.code === 'ACCOUNT_FROZEN')) throw error;
      if (error.retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(error.retryAfterSeconds));
      const field = error.code === 'ACCOUNT_FROZEN' ? 'form' : 'code';
      return again(PROBLEMS[error.code].status, { [field]: error.detail }, DEAD_ENDS.has(error.code));
    }
  }

  @Get('email')
  @Render('account/recover-email')
  emailForm(@CsrfToken() csrf: string, @Req() request: Request, @Res({ passthrough: true }) response: Response): EmailView {
    response.locals.flash = this.flash.take(request, response);
    return { title: EMAIL_TITLE, csrf, securePhone: '', errors: {} };
  }

  /** 303 back to the form with the same message whether or not any account has the phone. */
  @Post('email')
  async remind(@Body() form: RecoverEmailForm, @Req() request: Request, @Res() response: Response): Promise<void> {
    const typed = form.securePhone?.trim() ?? '';
    // People write phones with spaces, dashes and brackets; E.164 has none.
    const securePhone = typed.replace(/[\s\-().]/g, '');
    const again = (status: number, errors: Errors) =>
      response.status(status).render('account/recover-email', {
        title: EMAIL_TITLE,
        csrf: csrfTokenFor(request),
        securePhone: typed,
        errors,
      } satisfies EmailView);
    if (!isE164Phone(securePhone)) {
      return again(400, {
        securePhone: typed
          ? 'Enter the phone number with its country code, such as +8613812345678.'
          : 'Enter the secure phone of your account.',
      });
    }
    try {
      await this.reminders.remind(securePhone, clientInfo(request).ip);
      this.flash.set(response, {
        kind: 'success',
        message: 'If an account has this secure phone, an SMS with its logon email and account ID is on its way.',
      });
      response.redirect(303, '/recover/email');
    } catch (error) {
      if (error instanceof RateLimitedError) {
        response.setHeader('Retry-After', String(error.retryAfterSeconds));
        return again(429, { securePhone: error.detail });
      }
      throw error;
    }
  }
}

function sentMessage(method: RecoveryMethod): string {
  return method === 'sms'
    ? 'If this is the logon email of an account with a secure phone, we have sent a code to that phone by SMS.'
    : 'If this is the logon email of an account, we have sent a code to it.';
}

/** Every recovery id is a UUID: anything else is no page of ours (and never lands in a form action). */
function assertRecoveryId(recoveryId: string): void {
  if (!RECOVERY_ID.test(recoveryId)) throw new NotFoundError('There is no such page.');
}
