import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DomainError, ValidationFailedError } from '../../common/errors/domain-error';
import { CsrfProtected } from '../../common/http/csrf.guard';
import { csrfTokenFor } from '../../common/http/csrf.service';
import { FlashService } from '../../common/http/flash.service';
import { Form, SubmittedForm } from '../../common/http/form-body';
import { byField } from '../../common/http/form-errors';
import { AppealAccessTokensService } from './appeal-access-tokens.service';
import { AppealPageAccess } from './appeal-page-access';
import type { UploadRequest } from './appeal-page-upload.middleware';
import { asFieldProblem, statusPageView, uploadAttachment } from './appeal-page-views';
import { isClosed } from './appeal-workflow';
import { localeOf } from '../../common/i18n/page-locale';
import { textsFor } from '../../common/i18n/response-text';
import { AppealCredentials, AppealPortalService } from './appeal-portal.service';
import { AppealReceiptsService } from './appeal-receipts.service';
import { clientIp } from './appeals.controller';
import { ACCESS_TOKEN_RESEND_TEXTS, AccessTokenResendForm } from './dto/access-token-resend.form';
import { APPEAL_MESSAGE_TEXTS, AppealMessageForm } from './dto/appeal-message.form';
import { APPEAL_STATUS_OPEN_TEXTS, AppealStatusOpenForm } from './dto/appeal-status-open.form';

const STATUS_PATH = '/appeal/status';

/**
 * `/appeal/status`: the person opens their appeal with its reference and access token (kept in
 * the appeal cookie, see AppealPageAccess), reads its real status and the support team's
 * messages, answers, adds files or cancels while it is open. A lost token can be sent again to
 * the verified contact email.
 */
@ApiExcludeController()
@CsrfProtected()
@Controller('appeal/status')
export class AppealStatusPagesController {
  constructor(
    private readonly portal: AppealPortalService,
    private readonly accessTokens: AppealAccessTokensService,
    private readonly access: AppealPageAccess,
    private readonly flash: FlashService,
    private readonly receipts: AppealReceiptsService,
  ) {}

  /** The status page when the browser holds credentials that still open an appeal; the form otherwise. */
  @Get()
  async page(@Req() request: Request, @Res() response: Response): Promise<void> {
    response.locals.flash = this.flash.take(request, response);
    const credentials = this.access.read(request);
    if (credentials) {
      try {
        return await this.renderStatus(request, response, 200, credentials, {});
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'NOT_FOUND') throw error;
        // A token replaced since (a resend) or a deleted appeal: ask again.
        this.access.forget(response);
        response.locals.flash = { kind: 'warning', message: textsFor(response)('appeal:open.stale') };
      }
    }
    this.renderForms(request, response, 200, {});
  }

  @Post()
  async open(
    @Form(AppealStatusOpenForm, APPEAL_STATUS_OPEN_TEXTS) form: SubmittedForm<AppealStatusOpenForm>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const { reference, accessToken } = form.value;
    if (form.errors.length) return this.renderForms(request, response, 400, { reference, errors: byField(form.errors) });
    try {
      await this.portal.authorize({ reference, accessToken });
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'NOT_FOUND') throw error;
      return this.renderForms(request, response, 404, { reference, errors: { accessToken: textsFor(response)('appeal:open.wrong') } });
    }
    this.access.remember(response, { reference, accessToken });
    response.redirect(303, STATUS_PATH);
  }

  /** "Lost your access token?": the same answer whether or not the reference and email match. */
  @Post('access-token')
  async resendToken(
    @Form(AccessTokenResendForm, ACCESS_TOKEN_RESEND_TEXTS) form: SubmittedForm<AccessTokenResendForm>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const { reference, email } = form.value;
    try {
      // This form's fields are `resend-…` on the page, beside the other form's `reference`.
      if (form.errors.length)
        throw new ValidationFailedError(form.errors.map(({ field, message }) => ({ field: `resend-${field}`, message })));
      await this.accessTokens.resend(reference, email, { ip: clientIp(request) });
    } catch (error) {
      const problem = asFieldProblem(error, 'resend-email', localeOf(response));
      if (!problem) throw error;
      if (problem.retryAfter !== undefined) response.setHeader('Retry-After', String(Math.max(1, Math.ceil(problem.retryAfter))));
      return this.renderForms(request, response, problem.status, { resend: { reference, email }, errors: problem.errors });
    }
    this.flash.set(response, {
      kind: 'info',
      message: textsFor(response)('appeal:open.tokenSent'),
    });
    response.redirect(303, STATUS_PATH);
  }

  /** An answer or more details; an appeal waiting for the person goes back to review. */
  @Post('messages')
  async reply(
    @Form(AppealMessageForm, APPEAL_MESSAGE_TEXTS) form: SubmittedForm<AppealMessageForm>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const credentials = this.credentials(request, response);
    if (!credentials) return;
    const { body } = form.value;
    if (form.errors.length) return this.renderStatus(request, response, 400, credentials, { body, errors: byField(form.errors) });
    try {
      await this.portal.postMessage(credentials, body, { ip: clientIp(request) });
    } catch (error) {
      const field = error instanceof DomainError && error.code === 'APPEAL_CLOSED' ? 'closed' : 'body';
      const problem = asFieldProblem(error, field, localeOf(response));
      if (!problem || problem.code === 'NOT_FOUND') throw error;
      return this.renderStatus(request, response, problem.status, credentials, { body, errors: problem.errors });
    }
    this.flash.set(response, { kind: 'success', message: textsFor(response)('appeal:messages.sent') });
    response.redirect(303, STATUS_PATH);
  }

  /** Multipart (`_csrf`, `file`), parsed by AppealPageUploadMiddleware. */
  @Post('attachments')
  async upload(@Req() request: UploadRequest, @Res() response: Response): Promise<void> {
    const credentials = this.credentials(request, response);
    if (!credentials) return;
    const outcome = await uploadAttachment(this.portal, credentials, request, textsFor(response));
    if (!outcome.ok)
      return this.renderStatus(request, response, outcome.status, credentials, {
        errors: outcome.closed ? { closed: outcome.message } : { file: outcome.message },
      });
    this.flash.set(response, { kind: 'success', message: textsFor(response)('appeal:files.added', { filename: outcome.filename }) });
    response.redirect(303, STATUS_PATH);
  }

  /** Asks before cancelling: a link or a stray click must not end an appeal. */
  @Get('cancel')
  async confirmCancel(@Req() request: Request, @Res() response: Response): Promise<void> {
    const credentials = this.credentials(request, response);
    if (!credentials) return;
    const status = await this.portal.status(credentials);
    response.setHeader('Cache-Control', 'no-store');
    response.render('appeal/cancel', {
      title: textsFor(response)('appeal:cancel.title'),
      csrf: csrfTokenFor(request),
      reference: status.reference,
      closed: isClosed(status.status),
    });
  }

  @Post('cancel')
  async cancel(@Req() request: Request, @Res() response: Response): Promise<void> {
    const credentials = this.credentials(request, response);
    if (!credentials) return;
    try {
      await this.portal.cancel(credentials, { ip: clientIp(request) });
    } catch (error) {
      const problem = asFieldProblem(error, 'closed', localeOf(response));
      if (!problem || problem.code === 'NOT_FOUND') throw error;
      return this.renderStatus(request, response, problem.status, credentials, { errors: problem.errors });
    }
    this.flash.set(response, { kind: 'success', message: textsFor(response)('appeal:cancel.done') });
    response.redirect(303, STATUS_PATH);
  }

  /** Forgets the appeal in this browser (a shared computer). */
  @Post('sign-out')
  signOut(@Res() response: Response): void {
    this.access.forget(response);
    this.flash.set(response, { kind: 'info', message: textsFor(response)('appeal:forgotten') });
    response.redirect(303, STATUS_PATH);
  }

  /** The browser's credentials; without them, back to the form (303) and undefined. */
  private credentials(request: Request, response: Response): AppealCredentials | undefined {
    const credentials = this.access.read(request);
    if (!credentials) response.redirect(303, STATUS_PATH);
    return credentials;
  }

  private async renderStatus(
    request: Request,
    response: Response,
    status: number,
    credentials: AppealCredentials,
    extra: object,
  ): Promise<void> {
    const [appeal, attachments, evidence, expectedAnswer] = await Promise.all([
      this.portal.status(credentials),
      this.portal.attachments(credentials),
      this.portal.evidence(credentials),
      this.portal.expectedAnswer(credentials),
    ]);
    response.setHeader('Cache-Control', 'no-store');
    // The signed receipt of the latest decision, once there is one (same as GET /api/v1/appeals/:reference/receipt).
    const receipt = await this.receipts.find(appeal.reference);
    response.status(status).render('appeal/status', {
      title: textsFor(response)('appeal:statusPage.title', { reference: appeal.reference }),
      csrf: csrfTokenFor(request),
      ...statusPageView(appeal, attachments, textsFor(response), expectedAnswer),
      evidence,
      receipt,
      errors: {},
      ...extra,
    });
  }

  private renderForms(request: Request, response: Response, status: number, extra: object): void {
    response.setHeader('Cache-Control', 'no-store');
    response.status(status).render('appeal/status-open', {
      title: textsFor(response)('appeal:open.heading'),
      csrf: csrfTokenFor(request),
      errors: {},
      ...extra,
    });
  }
}
