import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DomainError } from '../../common/errors/domain-error';
import { CsrfProtected } from '../../common/http/csrf.guard';
import { csrfTokenFor } from '../../common/http/csrf.service';
import { PasswordPolicyError } from '../accounts/password-policy.error';
import { AppealCoolingOffService } from './appeal-cooling-off.service';
import { CHANGE_LABELS } from './requested-changes';
import { AppealReceiptsService } from './appeal-receipts.service';
import { clientIp } from './appeals.controller';
import { PasswordResetForm } from './dto/password-reset.form';
import { PasswordResetsService } from './password-resets.service';

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
    private readonly resets: PasswordResetsService,
    private readonly receipts: AppealReceiptsService,
  ) {}

  @Get('appeal/object/:token')
  async objection(@Param('token') token: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const preview = await unlessUnusable(response, () => this.coolingOff.preview(token), OBJECTION_UNUSABLE);
    if (!preview) return;
    render(request, response, 200, 'appeal/object', {
      title: 'Stop a change to your account',
      token,
      maskedUid: preview.maskedUid,
      scheduledFor: preview.scheduledFor,
      changes: preview.changes.map((change) => CHANGE_LABELS[change] ?? change),
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
      title: recorded ? 'Your objection was recorded' : 'The change was stopped',
      recorded,
    });
  }

  @Get('reset-password/:token')
  async resetForm(@Param('token') token: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const preview = await unlessUnusable(response, () => this.resets.preview(token), RESET_UNUSABLE);
    if (!preview) return;
    render(request, response, 200, 'account/reset-password', { title: 'Set a new password', token, uid: preview.uid, errors: {} });
  }

  /** 200 with the outcome; the form again with the policy's reasons beside the field (422), or 400 when empty. */
  @Post('reset-password/:token')
  async reset(
    @Param('token') token: string,
    @Body() form: PasswordResetForm,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const preview = await unlessUnusable(response, () => this.resets.preview(token), RESET_UNUSABLE);
    if (!preview) return;
    const again = (status: number, errors: { newPassword: string[] }) =>
      render(request, response, status, 'account/reset-password', { title: 'Set a new password', token, uid: preview.uid, errors });
    if (!form.newPassword) return again(400, { newPassword: ['Enter a new password.'] });
    try {
      const done = await unlessUnusable(
        response,
        () => this.resets.reset(token, form.newPassword ?? '', { ip: clientIp(request) }),
        RESET_UNUSABLE,
      );
      if (!done) return;
      render(request, response, 200, 'account/password-reset-done', { title: 'Your password was set', uid: done.uid });
    } catch (error) {
      if (!(error instanceof PasswordPolicyError)) throw error;
      again(422, { newPassword: error.violations.map((violation) => violation.message) });
    }
  }
}

export interface UnusableLink {
  readonly title: string;
  readonly detail: string;
  readonly next: { readonly href: string; readonly label: string };
}

const OBJECTION_UNUSABLE: UnusableLink = {
  title: 'This objection link cannot be used',
  detail:
    'It is unknown or was already used, or the appeal it was sent about is no longer waiting to be applied (it was stopped, cancelled or already applied).',
  next: { href: '/appeal', label: 'File an appeal' },
};

const RESET_UNUSABLE: UnusableLink = {
  title: 'This password-reset link cannot be used',
  detail: 'It is unknown, was already used, or has expired (links work for 24 hours).',
  next: { href: '/appeal', label: 'File a new appeal' },
};

/** Runs `action`; a NotFoundError becomes the link's 404 page (and undefined). */
export async function unlessUnusable<T>(response: Response, action: () => Promise<T>, unusable: UnusableLink): Promise<T | undefined> {
  try {
    return await action();
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== 'NOT_FOUND') throw error;
    response.setHeader('Cache-Control', 'no-store');
    response.status(404).render('appeal/link-unusable', { ...unusable });
    return undefined;
  }
}

function render(request: Request, response: Response, status: number, view: string, model: object): void {
  // The token is in the address: keep these pages out of caches and out of the Referer of any request.
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.status(status).render(view, { csrf: csrfTokenFor(request), ...model });
}
