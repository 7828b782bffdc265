import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Request, Response } from 'express';
import { DomainError, ValidationFailedError } from '../../common/errors/domain-error';
import { CsrfProtected } from '../../common/http/csrf.guard';
import { csrfTokenFor } from '../../common/http/csrf.service';
import { FlashService } from '../../common/http/flash.service';
import { submittedForm } from '../../common/http/form-body';
import { localeOf } from '../../common/i18n/page-locale';
import { textsFor } from '../../common/i18n/response-text';
import type { Locale } from '../../common/locales';
import { countryOptions, defaultCountry, isCountry, normalisePhone } from '../../common/phones';
import { toFieldErrors } from '../../common/http/validation.pipe';
import { AppealFilingService } from './appeal-filing.service';
import { AppealPageAccess } from './appeal-page-access';
import { asFieldProblem, attachmentsView, fieldId, uploadAttachment } from './appeal-page-views';
import type { UploadRequest } from './appeal-page-upload.middleware';
import { AppealPortalService, AttachmentView } from './appeal-portal.service';
import { clientIp } from './appeals.controller';
import {
  APPEAL_CONTACT_CODE_TEXTS,
  APPEAL_CONTACT_EMAIL_TEXTS,
  AppealContactCodeForm,
  AppealContactEmailForm,
  AppealPageForm,
} from './dto/appeal-page.form';
import { FileAppealDto } from './dto/file-appeal.dto';

type Fields = Record<string, string>;

/** What each step's handler gets from the POST. */
interface PostedStep {
  readonly fields: Fields;
  readonly client: { readonly ip: string };
  readonly request: Request;
  readonly response: Response;
}

const ACCOUNT_FIELDS = ['account.uid', 'account.logonEmail', 'account.securePhone'] as const;
const DETAIL_FIELDS = [
  ...ACCOUNT_FIELDS,
  'changes.logonEmail',
  'account.securePhoneCountry',
  'changes.securePhone',
  'changes.securePhoneCountry',
  'changes.resetPassword',
  'changes.disableTotp',
  'evidence.fullName',
  'evidence.description',
  'evidence.idDocumentType',
  'evidence.idDocumentLast4',
  'evidence.lastPaymentAmount',
  'evidence.lastPaymentDate',
  'evidence.resourceIds',
  'evidence.usualRegion',
  'locale',
] as const;

/** What to say when a required field was left empty (the API's own messages name lengths). */
const REQUIRED: Fields = {
  'evidence.fullName': 'appeal:required.evidence-fullName',
  'evidence.description': 'appeal:required.evidence-description',
  'contactVerification.code': 'appeal:required.contactVerification-code',
};

/**
 * `/appeal`, for the person who can use neither factor: (1) the contact email and its code,
 * (2) the form, (3) files, with the reference and the access token shown once on the page that
 * answers the filing. Every step posts to `/appeal` (`step` says which) so nothing secret is
 * ever in a URL; see AppealPageAccess for what travels how.
 */
@ApiExcludeController()
@CsrfProtected()
@Controller('appeal')
export class AppealFilingPagesController {
  constructor(
    private readonly filing: AppealFilingService,
    private readonly portal: AppealPortalService,
    private readonly access: AppealPageAccess,
    private readonly flash: FlashService,
  ) {}

  /** Step 1. `?login=` (from the sign-in page's frozen-account message), `?uid=`, `?logonEmail=`, `?securePhone=` prefill the account. */
  @Get()
  start(@Query() query: Record<string, unknown>, @Req() request: Request, @Res() response: Response): void {
    this.render(request, response, 200, 'appeal/start', { account: prefill(query), zh: localeOf(response) === 'zh-CN', errors: {} });
  }

  @Post()
  async submit(@Body() form: AppealPageForm, @Req() request: Request, @Res() response: Response): Promise<void> {
    const step: PostedStep = { fields: fieldsOf(form), client: { ip: clientIp(request) }, request, response };
    switch (form.step) {
      case 'send-code':
        return this.sendCode(step);
      case 'resend-code':
        return this.resendCode(step);
      case 'check-code':
        return this.checkCode(step);
      case 'file':
        return this.file(step);
    }
  }

  /** Step 1: the contact email; the code page next. */
  private async sendCode({ fields, client, request, response }: PostedStep): Promise<void> {
    const account = pick(fields, ACCOUNT_FIELDS);
    const form = submittedForm(AppealContactEmailForm, { email: fields.email }, response, APPEAL_CONTACT_EMAIL_TEXTS);
    const email = form.value.email ?? '';
    const zh = fields.locale === 'zh-CN';
    try {
      if (form.errors.length) throw new ValidationFailedError(form.errors);
      const sent = await this.filing.verifyContact(email, { ip: client.ip, locale: zh ? 'zh-CN' : 'en' });
      this.render(request, response, 200, 'appeal/code', { account, email, zh, verificationId: sent.id, errors: {} });
    } catch (error) {
      const problem = asFieldProblem(error, 'email', localeOf(response));
      if (!problem) throw error;
      this.render(request, response, problem.status, 'appeal/start', { account, email, zh, errors: problem.errors }, problem.retryAfter);
    }
  }

  /** A new code, from the code page or from the form (which then asks for the code and keeps what was typed). */
  private async resendCode({ fields, client, request, response }: PostedStep): Promise<void> {
    const account = pick(fields, ACCOUNT_FIELDS);
    const verificationId = fields['contactVerification.id'] ?? '';
    const fromForm = 'evidence.description' in fields;
    try {
      const sent = await this.filing.resendContactCode(verificationId, client);
      const notice = textsFor(response)('appeal:code.resent', { email: sent.contactEmail });
      if (fromForm)
        return this.render(request, response, 200, 'appeal/details', {
          ...detailsView(fields, sent.contactEmail, localeOf(response)),
          notice,
          askCode: true,
        });
      this.render(request, response, 200, 'appeal/code', {
        account,
        email: sent.contactEmail,
        zh: fields.locale === 'zh-CN',
        verificationId,
        notice,
        errors: {},
      });
    } catch (error) {
      const problem = asFieldProblem(error, 'contactVerification.code', localeOf(response));
      if (!problem) throw error;
      if (fromForm)
        return this.render(
          request,
          response,
          problem.status,
          'appeal/details',
          { ...detailsView(fields, fields.email ?? '', localeOf(response)), askCode: true, errors: problem.errors },
          problem.retryAfter,
        );
      const view = {
        account,
        email: fields.email,
        zh: fields.locale === 'zh-CN',
        verificationId,
        errors: problem.errors,
        startAgain: true,
      };
      this.render(request, response, problem.status, 'appeal/code', view, problem.retryAfter);
    }
  }

  /** The code, checked (an attempt counted) before the form: a typo shows now, not after the form is filled. */
  private async checkCode({ fields, client, request, response }: PostedStep): Promise<void> {
    const verificationId = fields['contactVerification.id'] ?? '';
    const form = submittedForm(AppealContactCodeForm, { code: fields['contactVerification.code'] }, response, APPEAL_CONTACT_CODE_TEXTS);
    const code = form.value.code ?? '';
    try {
      if (form.errors.length)
        throw new ValidationFailedError(form.errors.map(({ message }) => ({ field: 'contactVerification.code', message })));
      const { contactEmail } = await this.filing.checkContactCode(verificationId, code, client);
      this.render(request, response, 200, 'appeal/details', {
        ...detailsView({ ...fields, 'contactVerification.code': code }, contactEmail, localeOf(response)),
        errors: {},
      });
    } catch (error) {
      const problem = asFieldProblem(error, 'contactVerification.code', localeOf(response));
      if (!problem) throw error;
      // Only a wrong or missing code can be typed again; anything else needs a new verification.
      const startAgain = problem.code !== 'VERIFICATION_CODE_INVALID' && problem.code !== 'VALIDATION_FAILED';
      const view = {
        account: pick(fields, ACCOUNT_FIELDS),
        email: fields.email,
        zh: fields.locale === 'zh-CN',
        verificationId,
        errors: problem.errors,
        startAgain,
      };
      this.render(request, response, problem.status, 'appeal/code', view, problem.retryAfter);
    }
  }

  /** Step 2 done: files the appeal and shows the reference and the token once, with the form for files. */
  private async file({ fields, client, request, response }: PostedStep): Promise<void> {
    const contactEmail = fields.email ?? '';
    try {
      const filed = await this.filing.file(await filingBody(fields, contactEmail, localeOf(response)), client);
      this.access.remember(response, { reference: filed.reference, accessToken: filed.accessToken });
      const t = textsFor(response);
      this.render(request, response, 200, 'appeal/filed', {
        reference: filed.reference,
        accessToken: filed.accessToken,
        // What "Download" saves: the two things needed to follow the appeal.
        credentialsUri: encodeURIComponent(
          `${t('appeal:reference')}: ${filed.reference}\r\n${t('appeal:accessToken')}: ${filed.accessToken}\r\n/appeal/status\r\n`,
        ),
        ...attachmentsView([]),
        errors: {},
      });
    } catch (error) {
      const problem = asFieldProblem(
        error,
        error instanceof DomainError && error.code === 'CONTACT_MISMATCH' ? 'changes.logonEmail' : 'contactVerification.code',
        localeOf(response),
      );
      if (!problem) throw error;
      // The code may have expired while the form was filled: ask for it again, with a resend button.
      const askCode = problem.code.startsWith('VERIFICATION_');
      const view = {
        ...detailsView(fields, contactEmail, localeOf(response)),
        errors: problem.code === 'RATE_LIMITED' ? { form: problem.detail } : problem.errors,
        askCode,
      };
      this.render(request, response, problem.status, 'appeal/details', view, problem.retryAfter);
    }
  }

  /** Step 3, after filing: the files added so far and the form for more (the appeal's cookie opens it). */
  @Get('uploads')
  async uploads(@Req() request: Request, @Res() response: Response): Promise<void> {
    const credentials = this.access.read(request);
    if (!credentials) return response.redirect(303, '/appeal/status');
    response.locals.flash = this.flash.take(request, response);
    let attachments: AttachmentView[];
    try {
      attachments = await this.portal.attachments(credentials);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'NOT_FOUND') throw error;
      // The token was replaced since: the status page asks for the new one.
      return response.redirect(303, '/appeal/status');
    }
    this.render(request, response, 200, 'appeal/uploads', {
      reference: credentials.reference,
      ...attachmentsView(attachments),
      errors: {},
    });
  }

  /** Multipart (`_csrf`, `file`), parsed by AppealPageUploadMiddleware; 303 to the uploads, or the form again with the reason (413, 415, 409). */
  @Post('uploads')
  async upload(@Req() request: UploadRequest, @Res() response: Response): Promise<void> {
    const credentials = this.access.read(request);
    if (!credentials) return response.redirect(303, '/appeal/status');
    const outcome = await uploadAttachment(this.portal, credentials, request, textsFor(response));
    if (outcome.ok) {
      this.flash.set(response, { kind: 'success', message: textsFor(response)('appeal:files.added', { filename: outcome.filename }) });
      return response.redirect(303, '/appeal/uploads');
    }
    const attachments = await this.portal.attachments(credentials);
    this.render(request, response, outcome.status, 'appeal/uploads', {
      reference: credentials.reference,
      ...attachmentsView(attachments),
      errors: { file: outcome.message },
    });
  }

  private render(request: Request, response: Response, status: number, view: string, model: object, retryAfter?: number): void {
    // Codes, verification ids and the access token are on these pages: never keep them in a cache.
    response.setHeader('Cache-Control', 'no-store');
    if (retryAfter !== undefined) response.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfter))));
    response.status(status).render(view, { title: textsFor(response)('appeal:start.heading'), csrf: csrfTokenFor(request), ...model });
  }
}

function fieldsOf(form: AppealPageForm): Fields {
  return Object.fromEntries(Object.entries(form).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

function pick(fields: Fields, names: readonly string[]): Fields {
  return Object.fromEntries(names.filter((name) => fields[name]).map((name) => [fieldId(name), fields[name]]));
}

/** The account fields from the query string; `login` is read as what the sign-in form took (UID, `name@uid`, email or phone). */
function prefill(query: Record<string, unknown>): Fields {
  const text = (name: string) => (typeof query[name] === 'string' ? (query[name] as string).trim().slice(0, 254) : '');
  const account: Fields = {};
  const login = text('login');
  if (/^\d{16}$/.test(login)) account['account-uid'] = login;
  else if (/^[^@\s]+@\d{16}$/.test(login)) account['account-uid'] = login.slice(login.indexOf('@') + 1);
  else if (login.includes('@')) account['account-logonEmail'] = login;
  else if (/^\+\d{6,15}$/.test(login)) account['account-securePhone'] = login;
  for (const name of ['uid', 'logonEmail', 'securePhone']) if (text(name)) account[`account-${name}`] = text(name);
  return account;
}

/** The form of step 2, as filled so far. */
function detailsView(fields: Fields, contactEmail: string, locale: Locale) {
  return {
    // Each phone beside its country choice, the page's language's by default (as on the other phone forms).
    countries: {
      account: countryOptions(locale, phoneCountry(fields, 'account.securePhone', locale)),
      changes: countryOptions(locale, phoneCountry(fields, 'changes.securePhone', locale)),
    },
    email: contactEmail,
    verificationId: fields['contactVerification.id'] ?? '',
    code: fields['contactVerification.code'] ?? '',
    values: pick(fields, DETAIL_FIELDS),
    zh: fields.locale === 'zh-CN',
    errors: {},
  };
}

/** The country chosen beside a phone field, or the page's language's. */
function phoneCountry(fields: Fields, name: string, locale: Locale): ReturnType<typeof defaultCountry> {
  const chosen = fields[`${name}Country`];
  return isCountry(chosen) ? chosen : defaultCountry(locale);
}

/**
 * The JSON body of `POST /api/v1/appeals` the form amounts to, validated by the API's own DTO. A
 * phone is typed as people type it, read in its chosen country; one that is no valid number goes
 * as typed, for the API's rule to refuse beside its field.
 */
async function filingBody(fields: Fields, contactEmail: string, locale: Locale): Promise<FileAppealDto> {
  const value = (name: string) => fields[name]?.trim() || undefined;
  const phone = (name: string) => {
    const typed = value(name);
    return typed && (normalisePhone(typed, phoneCountry(fields, name, locale)) ?? typed);
  };
  const resourceIds = value('evidence.resourceIds')
    ?.split(/[\n,]/)
    .map((id) => id.trim())
    .filter(Boolean);
  const plain = {
    contactVerification: { id: fields['contactVerification.id'] ?? '', code: fields['contactVerification.code']?.trim() ?? '' },
    account: compact({ uid: value('account.uid'), logonEmail: value('account.logonEmail'), securePhone: phone('account.securePhone') }),
    changes: compact({
      logonEmail: fields['changes.logonEmail'] === 'true' ? contactEmail : undefined,
      securePhone: phone('changes.securePhone'),
      resetPassword: fields['changes.resetPassword'] === 'true' ? true : undefined,
      disableTotp: fields['changes.disableTotp'] === 'true' ? true : undefined,
    }),
    evidence: compact({
      fullName: fields['evidence.fullName'] ?? '',
      description: fields['evidence.description'] ?? '',
      idDocumentType: value('evidence.idDocumentType'),
      idDocumentLast4: value('evidence.idDocumentLast4'),
      lastPaymentAmount: value('evidence.lastPaymentAmount'),
      lastPaymentDate: value('evidence.lastPaymentDate'),
      resourceIds: resourceIds?.length ? resourceIds : undefined,
      usualRegion: value('evidence.usualRegion'),
    }),
    locale: fields.locale === 'zh-CN' ? 'zh-CN' : 'en',
  };
  const dto = plainToInstance(FileAppealDto, plain);
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) {
    throw new ValidationFailedError(
      toFieldErrors(errors).map(({ field, message }) => {
        const name = field.startsWith('contactVerification') ? 'contactVerification.code' : field;
        return { field: name, message: !fields[name]?.trim() && REQUIRED[name] ? REQUIRED[name] : message };
      }),
    );
  }
  return dto;
}

function compact<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;
}
