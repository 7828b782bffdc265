import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Clock } from '../../common/clock';
import { DomainError, ValidationFailedError } from '../../common/errors/domain-error';
import { FlashService } from '../../common/http/flash.service';
import { Form, SubmittedForm } from '../../common/http/form-body';
import { textsFor } from '../../common/i18n/response-text';
import type { PageText } from '../../common/i18n/page-texts';
import { maskEmail, maskPhone } from '../../common/masking';
import { verificationMethods, VerificationMethod } from '../accounts/account-view';
import { AccountsService } from '../accounts/accounts.service';
import { PasskeyCredentialsService } from '../accounts/passkey-credentials.service';
import { Account } from '../accounts/entities/account.entity';
import { AuthenticatedSession } from '../accounts/principal';
import { VerificationPurpose } from '../verification/verification-purpose';
import { VerificationService, VerificationView } from '../verification/verification.service';
import { AccountPages } from './account-pages.decorator';
import { PageSession } from './account-pages.guard';
import { codeStep } from './code-step';
import { parseCredential } from './dto/passkey.forms';
import { SCRIPTS } from './passkeys.pages.controller';
import { START_VERIFICATION_TEXTS, StartVerificationForm } from './dto/start-verification.form';
import { CODE_TEXTS } from './dto/code.form';
import { VerificationCodeForm } from './dto/verification-code.form';
import { VerificationResendForm } from './dto/verification-resend.form';
import { CODE_ERRORS, FormFailure, formFailure, renderFailure } from './form-failure';
import { VerifiedCookie } from './verified-cookie';
import { isPurpose, PURPOSE_PAGES, verifyPath } from './verified-purpose';

const VIEW = 'account/verify';

/**
 * "Verify Identity" before every change (docs/product.md, Verification): choose one of the account's methods
 * (secure phone, logon email, authenticator app), enter the code, and go on to the change the
 * verification was started for with its token (in the `ac_verified` cookie).
 */
@AccountPages()
@Controller('security/verify')
export class VerifyPagesController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly verifications: VerificationService,
    private readonly verified: VerifiedCookie,
    private readonly flash: FlashService,
    private readonly clock: Clock,
    private readonly passkeys: PasskeyCredentialsService,
  ) {}

  /** Without `id`: the methods to choose from; with the `id` of a started verification: its code form. */
  @Get()
  async page(
    @PageSession() session: AuthenticatedSession,
    @Query('purpose') purpose: unknown,
    @Query('id') id: unknown,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const checked = purposeOf(purpose);
    const account = await this.accounts.getChangeable(session);
    if (typeof id !== 'string' || !id)
      return response.render(VIEW, this.chooseView(account, checked, undefined, await this.hasPasskey(account), response, {}));
    const started = await this.started(session, id, checked, response);
    if (started) response.render(VIEW, this.codeView(started, account, await this.hasPasskey(account), response, {}));
  }

  /** Starts the verification by the chosen method (a code is sent, or TOTP awaited): 303 to its code form. */
  @Post()
  async start(
    @PageSession() session: AuthenticatedSession,
    @Form(StartVerificationForm, START_VERIFICATION_TEXTS) form: SubmittedForm<StartVerificationForm>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const purpose = purposeOf(form.value.purpose);
    const account = await this.accounts.getChangeable(session);
    const method = form.errors.some(({ field }) => field === 'method') ? undefined : form.value.method;
    try {
      if (form.errors.length) throw new ValidationFailedError(form.errors);
      const started = await this.verifications.start(session, { purpose, method: form.value.method }, request.ip);
      response.redirect(303, `${verifyPath(purpose)}&id=${started.id}`);
    } catch (error) {
      const failure = formFailure(error, { METHOD_UNAVAILABLE: 'method', VERIFICATION_LOCKED: 'method', RATE_LIMITED: 'method' });
      if (!failure) throw error;
      renderFailure(response, VIEW, this.chooseView(account, purpose, method, await this.hasPasskey(account), response, {}), failure);
    }
  }

  /** A right code: the token goes into the `ac_verified` cookie and the browser to the change (303). */
  @Post('code')
  async verify(
    @PageSession() session: AuthenticatedSession,
    @Form(VerificationCodeForm, CODE_TEXTS) form: SubmittedForm<VerificationCodeForm>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const started = await this.started(session, form.value.id ?? '', purposeOf(form.value.purpose), response);
    if (!started) return;
    try {
      if (form.errors.length) throw new ValidationFailedError(form.errors);
      const { code, credential } = form.value;
      const passkey = started.method === 'passkey';
      // The code is optional in the API's rule (a passkey answers without one); this verification's method asks for it.
      if (!passkey && code === undefined)
        throw new ValidationFailedError([{ field: 'code', message: textsFor(response)('account:code.enter') }]);
      const answer = passkey ? { credential: parseCredential(credential) ?? {} } : { code };
      const { verificationToken, expiresAt } = await this.verifications.verify(session, started.id, answer, request.ip);
      this.verified.set(response, started.purpose, verificationToken, expiresAt);
      response.redirect(303, PURPOSE_PAGES[started.purpose].path);
    } catch (error) {
      await this.codeFailure(session, response, started, error);
    }
  }

  /** Another code for an SMS or email verification: 303 back to the code form with a message. */
  @Post('resend')
  async resend(
    @PageSession() session: AuthenticatedSession,
    @Body() form: VerificationResendForm,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const started = await this.started(session, form.id ?? '', purposeOf(form.purpose), response);
    if (!started) return;
    try {
      await this.verifications.resend(session, started.id);
      this.flash.set(response, { kind: 'success', message: textsFor(response)('common:resend.sent') });
      response.redirect(303, `${verifyPath(started.purpose)}&id=${started.id}`);
    } catch (error) {
      await this.codeFailure(session, response, started, error);
    }
  }

  private async codeFailure(session: AuthenticatedSession, response: Response, started: VerificationView, error: unknown): Promise<void> {
    const failure: FormFailure | undefined = formFailure(error, CODE_ERRORS);
    if (!failure) throw error;
    // Expiry and resend times move with a resend; show them as they are now.
    const current = await this.verifications.describe(session, started.id);
    const account = await this.accounts.getChangeable(session);
    renderFailure(response, VIEW, this.codeView(current, account, await this.hasPasskey(account), response, {}), failure);
  }

  /** The verification `id` of this session for `purpose`; otherwise back to choosing a method, with a message. */
  private async started(
    session: AuthenticatedSession,
    id: string,
    purpose: VerificationPurpose,
    response: Response,
  ): Promise<VerificationView | undefined> {
    try {
      const started = await this.verifications.describe(session, id);
      if (started.purpose === purpose) return started;
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'NOT_FOUND')) throw error;
    }
    this.flash.set(response, { kind: 'warning', message: textsFor(response)('account:verify.ended') });
    response.redirect(303, verifyPath(purpose));
    return undefined;
  }

  private chooseView(
    account: Account,
    purpose: VerificationPurpose,
    chosen: VerificationMethod | undefined,
    hasPasskey: boolean,
    response: Response,
    errors: Record<string, string>,
  ) {
    const t = textsFor(response);
    const methods = verificationMethods(account, hasPasskey);
    const selected = chosen ?? methods[0];
    return {
      title: t('account:verify.heading'),
      purpose,
      purposeLabel: t(PURPOSE_PAGES[purpose].label),
      choosing: true,
      methods: methods.map((method) => ({ value: method, label: methodLabel(method, account, t), checked: method === selected })),
      errors,
    };
  }

  private async hasPasskey(account: Account): Promise<boolean> {
    return (await this.passkeys.count(account.uid)) > 0;
  }

  private codeView(started: VerificationView, account: Account, hasPasskey: boolean, response: Response, errors: Record<string, string>) {
    const t = textsFor(response);
    if (started.method === 'passkey')
      return {
        title: t('account:verify.heading'),
        purpose: started.purpose,
        purposeLabel: t(PURPOSE_PAGES[started.purpose].label),
        choosing: false,
        id: started.id,
        passkey: { options: JSON.stringify(started.options) },
        scripts: SCRIPTS,
        anotherWay: anotherWayOptions(account, hasPasskey, started.method),
        errors,
      };
    const step = codeStep(
      started.method,
      started.maskedDestination,
      started.expiresAt,
      started.resendAvailableAt,
      this.clock.now(),
      response,
    );
    return {
      title: t('account:verify.heading'),
      purpose: started.purpose,
      purposeLabel: t(PURPOSE_PAGES[started.purpose].label),
      choosing: false,
      id: started.id,
      step,
      resendFields: { purpose: started.purpose, id: started.id },
      anotherWay: anotherWayOptions(account, hasPasskey, started.method),
      errors,
    };
  }
}

/** The purpose in the query or form; anything else is a 400 (no page links to it). */
function purposeOf(value: unknown): VerificationPurpose {
  if (!isPurpose(value))
    throw new ValidationFailedError([
      {
        field: 'purpose',
        message:
          'must be one of the changes: change_password, change_email, change_phone, enable_totp, disable_totp, add_passkey, remove_passkey, stop_appeal',
      },
    ]);
  return value;
}

/**
 * "Try another way" on the code step: every other method the account has, each a button that
 * starts a verification by it for the same purpose (POST /security/verify).
 */
function anotherWayOptions(account: Account, hasPasskey: boolean, current: VerificationMethod) {
  return verificationMethods(account, hasPasskey)
    .filter((method) => method !== current)
    .map((method) => ({
      method,
      label: `another-way:verify.methods.${method}`,
      phone: method === 'sms' ? maskPhone(account.securePhone!) : undefined,
      email: method === 'email' ? maskEmail(account.logonEmail) : undefined,
    }));
}

function methodLabel(method: VerificationMethod, account: Account, t: PageText): string {
  switch (method) {
    case 'sms':
      return t('account:verify.methods.sms', { phone: maskPhone(account.securePhone!) });
    case 'email':
      return t('account:verify.methods.email', { email: maskEmail(account.logonEmail) });
    case 'totp':
      return t('account:verify.methods.totp');
    case 'passkey':
      return t('account:verify.methods.passkey');
  }
}
