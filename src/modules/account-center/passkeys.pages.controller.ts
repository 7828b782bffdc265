import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, ValidationFailedError } from '../../common/errors/domain-error';
import { FlashService } from '../../common/http/flash.service';
import { Form, SubmittedForm } from '../../common/http/form-body';
import { translate } from '../../common/i18n/page-texts';
import { Locale } from '../../common/locales';
import { PasskeyInvalidError } from '../accounts/accounts.errors';
import { AccountsService } from '../accounts/accounts.service';
import { PasskeyRegistrationService } from '../accounts/changes/passkey-registration.service';
import { MAX_PASSKEYS, PasskeyCredentialsService } from '../accounts/passkey-credentials.service';
import { AuthenticatedSession } from '../accounts/principal';
import { AccountPages } from './account-pages.decorator';
import { PageSession } from './account-pages.guard';
import { parseCredential, PasskeyRegistrationForm, PasskeyRenameForm } from './dto/passkey.forms';
import { VerifiedCookie } from './verified-cookie';
import { verifyPath } from './verified-purpose';

const PATH = '/security/passkeys';
/** The errors a passkey change answers with that the page shows as a message. */
const SHOWN = ['PASSKEY_INVALID', 'PASSKEY_EXISTS', 'PASSKEY_LIMIT', 'NOT_FOUND', 'VALIDATION_FAILED', 'VERIFICATION_TOKEN_INVALID'];

/**
 * The owner's passkeys: the list (rename each), adding one (after a verification of purpose
 * `add_passkey`: the browser makes the credential on /security/passkeys/new), and removing one
 * (after `remove_passkey`).
 */
@AccountPages()
@Controller('security/passkeys')
export class PasskeysPagesController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly passkeys: PasskeyCredentialsService,
    private readonly registrations: PasskeyRegistrationService,
    private readonly verified: VerifiedCookie,
    private readonly flash: FlashService,
  ) {}

  @Get()
  async list(@PageSession() session: AuthenticatedSession, @Req() request: Request, @Res() response: Response): Promise<void> {
    const account = await this.accounts.getChangeable(session);
    const passkeys = await this.passkeys.views(account.uid);
    response.render('account/passkeys', {
      title: translate(localeOf(response), 'passkeys:list.title'),
      passkeys,
      canAdd: passkeys.length < MAX_PASSKEYS,
      max: MAX_PASSKEYS,
      canRemove: this.verified.token(request, 'remove_passkey') !== undefined,
      links: { add: verifyPath('add_passkey'), remove: verifyPath('remove_passkey') },
    });
  }

  /** With a verified `add_passkey`: the creation options (the token is used up) and the button that makes the passkey. */
  @Get('new')
  async newPasskey(@PageSession() session: AuthenticatedSession, @Req() request: Request, @Res() response: Response): Promise<void> {
    const token = this.verified.token(request, 'add_passkey');
    if (!token) return response.redirect(303, verifyPath('add_passkey'));
    try {
      const { registrationId, options } = await this.registrations.options(session, token);
      this.verified.clear(response);
      response.render('account/passkey-new', {
        title: translate(localeOf(response), 'passkeys:add.title'),
        registrationId,
        options: JSON.stringify(options),
        scripts: SCRIPTS,
      });
    } catch (error) {
      if (!(error instanceof DomainError) || !SHOWN.includes(error.code)) throw error;
      this.verified.clear(response);
      this.show(response, error);
      response.redirect(303, PATH);
    }
  }

  @Post('new')
  async register(
    @PageSession() session: AuthenticatedSession,
    @Form(PasskeyRegistrationForm) form: SubmittedForm<PasskeyRegistrationForm>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await this.act(response, async () => {
      const { registrationId, name, credential } = form.value;
      // The name is the one field typed: its refusal says what a name is; any other is a registration gone wrong.
      if (form.errors.some(({ field }) => field === 'name')) throw new ValidationFailedError(form.errors);
      if (form.errors.length) throw new PasskeyInvalidError('This registration is unknown, used or expired: start again.');
      const added = await this.registrations.register(
        session,
        { registrationId, name, credential: parseCredential(credential) },
        request.ip,
      );
      return translate(localeOf(response), 'passkeys:add.done', { name: added.name });
    });
  }

  @Post(':id/rename')
  async rename(
    @PageSession() session: AuthenticatedSession,
    @Param('id') id: string,
    @Form(PasskeyRenameForm) form: SubmittedForm<PasskeyRenameForm>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await this.act(response, async () => {
      if (form.errors.length) return { warning: translate(localeOf(response), 'passkeys:rename.invalid') };
      const renamed = await this.registrations.rename(session, id, form.value.name, request.ip);
      return translate(localeOf(response), 'passkeys:rename.done', { name: renamed.name });
    });
  }

  /** Removes a passkey with the verified `remove_passkey` (one removal per verification); without one, to the verification. */
  @Post(':id/remove')
  async remove(
    @PageSession() session: AuthenticatedSession,
    @Param('id') id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const token = this.verified.token(request, 'remove_passkey');
    if (!token) return response.redirect(303, verifyPath('remove_passkey'));
    await this.act(response, async () => {
      await this.registrations.remove(session, id, token, request.ip);
      this.verified.clear(response);
      return translate(localeOf(response), 'passkeys:remove.done');
    });
  }

  /** Runs a change and 303s to the list with its message (a success, or why it was refused). */
  private async act(response: Response, change: () => Promise<string | { warning: string }>): Promise<void> {
    try {
      const outcome = await change();
      this.flash.set(
        response,
        typeof outcome === 'string' ? { kind: 'success', message: outcome } : { kind: 'warning', message: outcome.warning },
      );
    } catch (error) {
      if (!(error instanceof DomainError) || !SHOWN.includes(error.code)) throw error;
      if (error.code === 'VERIFICATION_TOKEN_INVALID') this.verified.clear(response);
      this.show(response, error);
    }
    response.redirect(303, PATH);
  }

  private show(response: Response, error: DomainError): void {
    const key = `passkeys:errors.${error.code}`;
    this.flash.set(response, { kind: 'error', message: translate(localeOf(response), key) });
  }
}

/** The WebAuthn browser library, then the page's own script. */
export const SCRIPTS = ['/static/vendor/simplewebauthn-browser.js', '/static/js/passkeys.js'];

function localeOf(response: Response): Locale {
  return (response.locals.locale as Locale | undefined) ?? 'en';
}
