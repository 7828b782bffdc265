import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Clock } from '../../common/clock';
import { DomainError, ValidationFailedError } from '../../common/errors/domain-error';
import { FlashService } from '../../common/http/flash.service';
import { Form, SubmittedForm } from '../../common/http/form-body';
import { localeOf } from '../../common/i18n/page-locale';
import { problemFor, textsFor } from '../../common/i18n/response-text';
import { countryOptions, defaultCountry, isCountry, PHONE_EXAMPLE } from '../../common/phones';
import { ContactChangeKind, ContactChangesService, PendingChangeView } from '../accounts/changes/contact-changes.service';
import { AuthenticatedSession } from '../accounts/principal';
import { VerificationPurpose } from '../verification/verification-purpose';
import { AccountPages } from './account-pages.decorator';
import { PageSession } from './account-pages.guard';
import { codeStep } from './code-step';
import { CODE_TEXTS, CodeForm } from './dto/code.form';
import { NEW_EMAIL_TEXTS, NewEmailForm } from './dto/new-email.form';
import { NEW_PHONE_DEFAULTS, NEW_PHONE_TEXTS, NewPhoneForm } from './dto/new-phone.form';
import { CODE_ERRORS, formFailure, renderFailure } from './form-failure';
import { VerifiedCookie } from './verified-cookie';
import { verifyPath } from './verified-purpose';

/** What differs between the two contact changes: the field, its words, where the code goes. */
interface ContactSpec {
  readonly kind: ContactChangeKind;
  readonly purpose: VerificationPurpose;
  readonly path: string;
  readonly title: string;
  readonly what: string;
  readonly field: {
    readonly name: 'newEmail' | 'newPhone';
    readonly label: string;
    readonly type: string;
    readonly autocomplete: string;
    readonly hint: string;
  };
}

const EMAIL: ContactSpec = {
  kind: 'email_change',
  purpose: 'change_email',
  path: '/security/email',
  title: 'account:contact.email.title',
  what: 'account:contact.email.what',
  field: {
    name: 'newEmail',
    label: 'account:contact.email.label',
    type: 'email',
    autocomplete: 'email',
    hint: 'account:contact.email.hint',
  },
};

const PHONE: ContactSpec = {
  kind: 'phone_change',
  purpose: 'change_phone',
  path: '/security/phone',
  title: 'account:contact.phone.title',
  what: 'account:contact.phone.what',
  field: {
    name: 'newPhone',
    label: 'account:contact.phone.label',
    type: 'tel',
    autocomplete: 'tel-national',
    hint: 'account:contact.phone.hint',
  },
};

/**
 * The logon email and secure phone changes (docs/product.md): after identity verification, the new
 * value; then the code sent to it (resend, cancel) applies the change.
 */
@AccountPages()
@Controller('security')
export class ContactChangesPagesController {
  constructor(
    private readonly changes: ContactChangesService,
    private readonly verified: VerifiedCookie,
    private readonly flash: FlashService,
    private readonly clock: Clock,
  ) {}

  @Get('email')
  emailForm(@PageSession() session: AuthenticatedSession, @Req() request: Request, @Res() response: Response): Promise<void> {
    return this.form(EMAIL, session, request, response);
  }

  @Post('email')
  startEmail(
    @PageSession() session: AuthenticatedSession,
    @Form(NewEmailForm, NEW_EMAIL_TEXTS) form: SubmittedForm<NewEmailForm>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    // Trimmed by the API's rule; kept as typed otherwise, to show again beside a message.
    const value = typeof form.value.newEmail === 'string' ? form.value.newEmail : '';
    return this.start(EMAIL, session, value, request, response, () => {
      if (form.errors.length) throw new ValidationFailedError(form.errors);
      return this.changes.startEmailChange(
        session,
        { verificationToken: this.verified.token(request, 'change_email')!, newEmail: value },
        request.ip,
      );
    });
  }

  @Get('email/confirm')
  emailConfirmForm(@PageSession() session: AuthenticatedSession, @Res() response: Response): Promise<void> {
    return this.confirmForm(EMAIL, session, response);
  }

  @Post('email/confirm')
  confirmEmail(
    @PageSession() session: AuthenticatedSession,
    @Form(CodeForm, CODE_TEXTS) form: SubmittedForm<CodeForm>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    return this.confirm(EMAIL, session, form, response, async (changeId, code) => {
      const { logonEmail } = await this.changes.confirmEmailChange(session, changeId, code, request.ip);
      return textsFor(response)('account:contact.email.done', { value: logonEmail });
    });
  }

  @Post('email/resend')
  resendEmail(@PageSession() session: AuthenticatedSession, @Res() response: Response): Promise<void> {
    return this.resend(EMAIL, session, response);
  }

  @Post('email/cancel')
  cancelEmail(@PageSession() session: AuthenticatedSession, @Req() request: Request, @Res() response: Response): Promise<void> {
    return this.cancel(EMAIL, session, request, response);
  }

  @Get('phone')
  phoneForm(@PageSession() session: AuthenticatedSession, @Req() request: Request, @Res() response: Response): Promise<void> {
    return this.form(PHONE, session, request, response);
  }

  @Post('phone')
  startPhone(
    @PageSession() session: AuthenticatedSession,
    @Form(NewPhoneForm, NEW_PHONE_TEXTS, NEW_PHONE_DEFAULTS) form: SubmittedForm<NewPhoneForm>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    // In E.164 once read in the chosen country; kept as typed otherwise, to show again beside the message.
    const value = typeof form.value.newPhone === 'string' ? form.value.newPhone : '';
    const country = isCountry(form.value.country) ? form.value.country : defaultCountry(localeOf(response));
    return this.start(
      PHONE,
      session,
      value,
      request,
      response,
      () => {
        if (form.errors.length) throw new ValidationFailedError(form.errors);
        return this.changes.startPhoneChange(
          session,
          { verificationToken: this.verified.token(request, 'change_phone')!, newPhone: value },
          request.ip,
        );
      },
      country,
    );
  }

  @Get('phone/confirm')
  phoneConfirmForm(@PageSession() session: AuthenticatedSession, @Res() response: Response): Promise<void> {
    return this.confirmForm(PHONE, session, response);
  }

  @Post('phone/confirm')
  confirmPhone(
    @PageSession() session: AuthenticatedSession,
    @Form(CodeForm, CODE_TEXTS) form: SubmittedForm<CodeForm>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    return this.confirm(PHONE, session, form, response, async (changeId, code) => {
      const { securePhone } = await this.changes.confirmPhoneChange(session, changeId, code, request.ip);
      return textsFor(response)('account:contact.phone.done', { value: securePhone });
    });
  }

  @Post('phone/resend')
  resendPhone(@PageSession() session: AuthenticatedSession, @Res() response: Response): Promise<void> {
    return this.resend(PHONE, session, response);
  }

  @Post('phone/cancel')
  cancelPhone(@PageSession() session: AuthenticatedSession, @Req() request: Request, @Res() response: Response): Promise<void> {
    return this.cancel(PHONE, session, request, response);
  }

  /** The new value's form once the identity is verified; a change awaiting its code goes to the code form; otherwise 303 to the verification. */
  private async form(spec: ContactSpec, session: AuthenticatedSession, request: Request, response: Response): Promise<void> {
    if (!this.verified.token(request, spec.purpose)) {
      const pending = await this.changes.pending(session, spec.kind);
      return response.redirect(303, pending ? `${spec.path}/confirm` : verifyPath(spec.purpose));
    }
    response.render('account/contact-change', this.formView(spec, '', undefined, response, {}));
  }

  /** 303 to the code form; the form again with the error beside the field, and what was typed. */
  private async start(
    spec: ContactSpec,
    session: AuthenticatedSession,
    typed: string,
    request: Request,
    response: Response,
    run: () => Promise<PendingChangeView>,
    country?: string,
  ): Promise<void> {
    if (!this.verified.token(request, spec.purpose)) return response.redirect(303, verifyPath(spec.purpose));
    try {
      await run();
      this.verified.clear(response);
      response.redirect(303, `${spec.path}/confirm`);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'VERIFICATION_TOKEN_INVALID') {
        this.verified.clear(response);
        this.flash.set(response, { kind: 'warning', message: problemFor(response, error) });
        return response.redirect(303, verifyPath(spec.purpose));
      }
      const field = spec.field.name;
      const failure = formFailure(error, { EMAIL_IN_USE: field, SAME_AS_CURRENT: field, RATE_LIMITED: field, VERIFICATION_LOCKED: field });
      if (!failure) throw error;
      renderFailure(response, 'account/contact-change', this.formView(spec, typed, country, response, {}), failure);
    }
  }

  private async confirmForm(spec: ContactSpec, session: AuthenticatedSession, response: Response): Promise<void> {
    const pending = await this.pendingOrBack(spec, session, response);
    if (pending) response.render('account/contact-confirm', this.confirmView(spec, pending, response, {}));
  }

  private async confirm(
    spec: ContactSpec,
    session: AuthenticatedSession,
    form: SubmittedForm<CodeForm>,
    response: Response,
    apply: (changeId: string, code: string) => Promise<string>,
  ): Promise<void> {
    const pending = await this.pendingOrBack(spec, session, response);
    if (!pending) return;
    try {
      if (form.errors.length) throw new ValidationFailedError(form.errors);
      this.flash.set(response, { kind: 'success', message: await apply(pending.changeId, form.value.code) });
      response.redirect(303, '/security');
    } catch (error) {
      await this.codeFailure(spec, session, response, error);
    }
  }

  private async resend(spec: ContactSpec, session: AuthenticatedSession, response: Response): Promise<void> {
    const pending = await this.pendingOrBack(spec, session, response);
    if (!pending) return;
    try {
      await this.changes.resend(session, spec.kind, pending.changeId);
      this.flash.set(response, { kind: 'success', message: textsFor(response)('common:resend.sent') });
      response.redirect(303, `${spec.path}/confirm`);
    } catch (error) {
      await this.codeFailure(spec, session, response, error);
    }
  }

  private async cancel(spec: ContactSpec, session: AuthenticatedSession, request: Request, response: Response): Promise<void> {
    const pending = await this.pendingOrBack(spec, session, response);
    if (!pending) return;
    await this.changes.cancel(session, spec.kind, pending.changeId, request.ip);
    const t = textsFor(response);
    this.flash.set(response, { kind: 'info', message: t('account:contact.cancelled', { what: t(spec.what) }) });
    response.redirect(303, '/security');
  }

  private async codeFailure(spec: ContactSpec, session: AuthenticatedSession, response: Response, error: unknown): Promise<void> {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') return this.back(spec, response);
    const failure = formFailure(error, { ...CODE_ERRORS, EMAIL_IN_USE: 'code', SAME_AS_CURRENT: 'code' });
    if (!failure) throw error;
    const pending = await this.changes.pending(session, spec.kind);
    if (!pending) return this.back(spec, response);
    renderFailure(response, 'account/contact-confirm', this.confirmView(spec, pending, response, {}), failure);
  }

  /** This session's pending change of the kind; none (confirmed, cancelled, expired, another session's): 303 to the overview with a message. */
  private async pendingOrBack(
    spec: ContactSpec,
    session: AuthenticatedSession,
    response: Response,
  ): Promise<PendingChangeView | undefined> {
    const pending = await this.changes.pending(session, spec.kind);
    if (!pending) this.back(spec, response);
    return pending;
  }

  private back(spec: ContactSpec, response: Response): void {
    const t = textsFor(response);
    this.flash.set(response, { kind: 'warning', message: t('account:contact.nothingPending', { what: t(spec.what) }) });
    response.redirect(303, '/security');
  }

  private formView(spec: ContactSpec, value: string, country: string | undefined, response: Response, errors: Record<string, string>) {
    const t = textsFor(response);
    const locale = localeOf(response);
    const field = { ...spec.field, label: t(spec.field.label), hint: t(spec.field.hint, { example: PHONE_EXAMPLE }), value };
    // A phone is typed as people type it, national or with +, beside a country choice (the page's language's by default).
    const chosen = isCountry(country) ? country : defaultCountry(locale);
    return {
      title: t(spec.title),
      action: spec.path,
      field,
      country: spec.kind === 'phone_change' ? { options: countryOptions(locale, chosen) } : undefined,
      errors,
    };
  }

  private confirmView(spec: ContactSpec, pending: PendingChangeView, response: Response, errors: Record<string, string>) {
    const t = textsFor(response);
    return {
      title: t(spec.title),
      what: t(spec.what),
      action: `${spec.path}/confirm`,
      cancelAction: `${spec.path}/cancel`,
      resendAction: `${spec.path}/resend`,
      step: codeStep(
        spec.kind === 'email_change' ? 'email' : 'sms',
        pending.maskedDestination,
        pending.expiresAt,
        pending.resendAvailableAt,
        this.clock.now(),
        response,
      ),
      resendFields: {},
      errors,
    };
  }
}
