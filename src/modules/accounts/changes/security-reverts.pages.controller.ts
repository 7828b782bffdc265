import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DomainError } from '../../../common/errors/domain-error';
import { maskEmail, maskPhone } from '../../../common/masking';
import { CsrfProtected } from '../../../common/http/csrf.guard';
import { csrfTokenFor } from '../../../common/http/csrf.service';
import { textsFor } from '../../../common/i18n/response-text';
import { RevertLink, SecurityRevertsService } from './security-reverts.service';

/** Page texts, worded in the page's language when rendered. */
const UNUSABLE = { title: 'recovery:revertUnusable.title', detail: 'recovery:revertUnusable.detail', next: 'recovery:fileAppealButton' };

/**
 * `/secure/revert/:token`, the "this wasn't me" link of change notices. Mail scanners open
 * links, so the GET only says what will happen; the button POSTs. Afterwards the account is
 * frozen, and the page offers the appeal form with the account filled in.
 */
@ApiExcludeController()
@CsrfProtected()
@Controller('secure/revert')
export class SecurityRevertsPagesController {
  constructor(private readonly reverts: SecurityRevertsService) {}

  @Get(':token')
  async confirm(@Param('token') token: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const link = await this.usable(response, () => this.reverts.preview(token));
    if (!link) return;
    render(request, response, 200, 'account/revert', { title: textsFor(response)('recovery:revert.heading'), token, ...describe(link) });
  }

  @Post(':token')
  async revert(@Param('token') token: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const link = await this.usable(response, () => this.reverts.preview(token));
    if (!link) return;
    const done = await this.usable(response, () => this.reverts.revert(token, request.ip));
    if (!done) return;
    render(request, response, 200, 'account/reverted', {
      title: textsFor(response)('recovery:reverted.heading'),
      restoredEmail: done.reverted.includes('logon_email'),
      restoredPhone: done.reverted.includes('secure_phone'),
      removedPasskey: done.reverted.includes('passkey'),
      appealHref: `/appeal?uid=${link.accountUid}`,
    });
  }

  private async usable<T>(response: Response, action: () => Promise<T>): Promise<T | undefined> {
    try {
      return await action();
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'NOT_FOUND') throw error;
      response.setHeader('Cache-Control', 'no-store');
      const t = textsFor(response);
      response.status(404).render('appeal/link-unusable', {
        title: t(UNUSABLE.title),
        detail: t(UNUSABLE.detail),
        next: { href: '/appeal', label: t(UNUSABLE.next) },
      });
      return undefined;
    }
  }
}

/** What the button will do, in the owner's words; the former value masked (the page may be open on a shared screen). */
function describe(link: RevertLink) {
  const former = link.formerValue;
  return {
    restoresEmail: link.kind === 'logon_email' && former !== null ? maskEmail(former) : undefined,
    restoresPhone: link.kind === 'secure_phone' && former !== null ? maskPhone(former) : undefined,
    removesPhone: link.kind === 'secure_phone' && former === null,
    passwordChange: link.kind === 'password',
    removesPasskey: link.kind === 'passkey',
  };
}

function render(request: Request, response: Response, status: number, view: string, model: object): void {
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.status(status).render(view, { csrf: csrfTokenFor(request), ...model });
}
