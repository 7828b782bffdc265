import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DomainError } from '../../common/errors/domain-error';
import { problemFor, textsFor } from '../../common/i18n/response-text';
import { Form, SubmittedForm } from '../../common/http/form-body';
import { NEW_PASSWORD_TEXTS } from '../accounts/dto/password-confirmation.field';
import { CsrfProtected } from '../../common/http/csrf.guard';
import { csrfTokenFor } from '../../common/http/csrf.service';
import { PasswordPolicyError } from '../accounts/password-policy.error';
import { AppealCoolingOffService } from './appeal-cooling-off.service';
import { CHANGE_LABELS } from './requested-changes';
import { AppealReceiptsService } from './appeal-receipts.service';
import { clientIp } from './appeals.controller';
import { AppealPasswordResetForm } from './dto/appeal-password-reset.form';
import { AppealPasswordResetsService } from './appeal-password-resets.service';

/**
 * The pages behind the links appeal messages carry: `/appeal/object/:token` (to former
 * contacts) and `/reset-password/:token` (to the person, once the appeal completes). Mail
 * scanners open links, so a GET only says what the button will do; the button POSTs.
 */
@ApiExcludeController()
@CsrfProtected()
@Controller()
export class AppealLinksPagesController {
  constructor(
    private readonly coolingOff: AppealCoolingOffService,
    private readonly resets: AppealPasswordResetsService,
    private readonly receipts: AppealReceiptsService,
  ) {}

  @Get('appeal/object/:token')
  async objection(@Param('token') token: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const preview = await unlessUnusable(response, () => this.coolingOff.preview(token), OBJECTION_UNUSABLE);
    if (!preview) return;
    render(request, response, 200, 'appeal/object', {
      title: textsFor(response)('appeal:object.heading'),
      token,
      maskedUid: preview.maskedUid,
      scheduledFor: preview.scheduledFor,
      changes: preview.changes.map((change) => (change in CHANGE_LABELS ? textsFor(response)(`appeal:changes.${change}`) : change)),
      // The signed receipt of the approval, as the person gets it: anyone can check it offline.
      receipt: await this.receipts.forObjectionToken(token),
    });
  }

  @Post('appeal/object/:token')
  async object(@Param('token') token: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const done = await unlessUnusable(response, () => this.coolingOff.object(token, { ip: clientIp(request) }), OBJECTION_UNUSABLE);
    if (!done) return;
    const recorded = 'objection' in done;
    render(request, response, 200, 'appeal/objected', {
      title: textsFor(response)(recorded ? 'appeal:objected.recorded' : 'appeal:objected.stopped'),
      recorded,
    });
  }

  @Get('reset-password/:token')
  async resetForm(@Param('token') token: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const preview = await unlessUnusable(response, () => this.resets.preview(token), RESET_UNUSABLE);
    if (!preview) return;
    const title = textsFor(response)('recovery:reset.heading');
    render(request, response, 200, 'account/reset-password', { title, token, uid: preview.uid, errors: {} });
  }

  /** 200 with the outcome; the form again with the policy's reasons beside the field (422), or 400 when empty. */
  @Post('reset-password/:token')
  async reset(
    @Param('token') token: string,
    @Form(AppealPasswordResetForm, NEW_PASSWORD_TEXTS) form: SubmittedForm<AppealPasswordResetForm>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const preview = await unlessUnusable(response, () => this.resets.preview(token), RESET_UNUSABLE);
    if (!preview) return;
    const t = textsFor(response);
    const again = (status: number, errors: Record<string, string>) =>
      render(request, response, status, 'account/reset-password', { title: t('recovery:reset.heading'), token, uid: preview.uid, errors });
    // The confirmation is the page's own field: the reset itself takes the password once. An empty
    // password is asked for again rather than judged by the policy.
    const refused = form.value.newPassword ? form.errors : [{ field: 'newPassword', message: t('account:password.enter') }];
    if (refused.length) return again(400, Object.fromEntries(refused.map(({ field, message }) => [field, message])));
    try {
      const done = await unlessUnusable(
        response,
        () => this.resets.reset(token, form.value.newPassword, { ip: clientIp(request) }),
        RESET_UNUSABLE,
      );
      if (!done) return;
      render(request, response, 200, 'account/password-reset-done', { title: t('recovery:resetDone.heading'), uid: done.uid });
    } catch (error) {
      if (!(error instanceof PasswordPolicyError)) throw error;
      again(422, { newPassword: problemFor(response, error) });
    }
  }
}

export interface UnusableLink {
  readonly title: string;
  readonly detail: string;
  readonly next: { readonly href: string; readonly label: string };
}

/** Page texts (`appeal:unusable.*`), worded in the page's language when rendered. */
const OBJECTION_UNUSABLE: UnusableLink = {
  title: 'appeal:unusable.objection.title',
  detail: 'appeal:unusable.objection.detail',
  next: { href: '/appeal', label: 'recovery:fileAppealButton' },
};

const RESET_UNUSABLE: UnusableLink = {
  title: 'appeal:unusable.reset.title',
  detail: 'appeal:unusable.reset.detail',
  next: { href: '/appeal', label: 'appeal:unusable.reset.next' },
};

/** Runs `action`; a NotFoundError becomes the link's 404 page (and undefined). */
export async function unlessUnusable<T>(response: Response, action: () => Promise<T>, unusable: UnusableLink): Promise<T | undefined> {
  try {
    return await action();
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== 'NOT_FOUND') throw error;
    response.setHeader('Cache-Control', 'no-store');
    const t = textsFor(response);
    response.status(404).render('appeal/link-unusable', {
      title: t(unusable.title),
      detail: t(unusable.detail),
      next: { href: unusable.next.href, label: t(unusable.next.label) },
    });
    return undefined;
  }
}

function render(request: Request, response: Response, status: number, view: string, model: object): void {
  // The token is in the address: keep these pages out of caches and out of the Referer of any request.
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.status(status).render(view, { csrf: csrfTokenFor(request), ...model });
}
