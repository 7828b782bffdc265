import { Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import QRCode from 'qrcode';
import { DomainError, ValidationFailedError } from '../../common/errors/domain-error';
import { problemFor, textsFor } from '../../common/i18n/response-text';
import { FlashService } from '../../common/http/flash.service';
import { Form, SubmittedForm } from '../../common/http/form-body';
import { AccountsService } from '../accounts/accounts.service';
import { TotpEnrolmentService } from '../accounts/changes/totp-enrolment.service';
import { AuthenticatedSession } from '../accounts/principal';
import { TotpService } from '../accounts/totp.service';
import { VerificationPurpose } from '../verification/verification-purpose';
import { AccountPages } from './account-pages.decorator';
import { PageSession } from './account-pages.guard';
import { CodeForm, TOTP_CODE_TEXTS } from './dto/code.form';
import { CODE_ERRORS, formFailure, renderFailure } from './form-failure';
import { VerifiedCookie } from './verified-cookie';
import { verifyPath } from './verified-purpose';

const VIEW = 'account/totp';
const PATH = '/security/totp';

/**
 * The authenticator app (TOTP): set up (verification, a new secret shown as a QR code and as
 * text, the app's first code, ten recovery codes shown once), replace, or turn off.
 */
@AccountPages()
@Controller('security/totp')
export class TotpPagesController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly enrolments: TotpEnrolmentService,
    private readonly totp: TotpService,
    private readonly verified: VerifiedCookie,
    private readonly flash: FlashService,
  ) {}

  @Get()
  async page(@PageSession() session: AuthenticatedSession, @Req() request: Request, @Res() response: Response): Promise<void> {
    response.render(VIEW, await this.view(session, request, response, {}));
  }

  /** A new secret for this session's set-up (purpose `enable_totp`): 303 back to the page, which shows it. */
  @Post()
  async enrol(@PageSession() session: AuthenticatedSession, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.withToken('enable_totp', request, response, async (token) => {
      await this.enrolments.enrol(session, token, request.ip);
      return PATH;
    });
  }

  /** The app's first code turns it on; the answer shows the ten recovery codes, this once. */
  @Post('activate')
  @HttpCode(200)
  async activate(
    @PageSession() session: AuthenticatedSession,
    @Form(CodeForm, TOTP_CODE_TEXTS) form: SubmittedForm<CodeForm>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    try {
      if (form.errors.length) throw new ValidationFailedError(form.errors);
      const { recoveryCodes } = await this.enrolments.activate(session, form.value.code, request.ip);
      response.render('account/totp-recovery-codes', {
        title: textsFor(response)('account:totp.codesTitle'),
        recoveryCodes,
        recoveryCodesText: recoveryCodes.join('\n'),
        recoveryCodesUri: encodeURIComponent(recoveryCodes.join('\r\n') + '\r\n'),
      });
    } catch (error) {
      if (error instanceof DomainError && error.code === 'NOT_FOUND') {
        this.flash.set(response, { kind: 'warning', message: problemFor(response, error) });
        return response.redirect(303, PATH);
      }
      const failure = formFailure(error, CODE_ERRORS);
      if (!failure) throw error;
      renderFailure(response, VIEW, await this.view(session, request, response, {}), failure);
    }
  }

  /** Turns the app off (purpose `disable_totp`): 303 to the overview. */
  @Post('disable')
  async disable(@PageSession() session: AuthenticatedSession, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.withToken('disable_totp', request, response, async (token) => {
      await this.enrolments.disable(session, token, request.ip);
      this.flash.set(response, { kind: 'success', message: textsFor(response)('account:totp.turnedOff') });
      return '/security';
    });
  }

  /**
   * Runs `act` with the verification token of `purpose` and 303s where it says (the token is used
   * up; a refused one stays usable). Without a usable token: 303 to the verification.
   */
  private async withToken(
    purpose: VerificationPurpose,
    request: Request,
    response: Response,
    act: (token: string) => Promise<string>,
  ): Promise<void> {
    const token = this.verified.token(request, purpose);
    if (!token) return response.redirect(303, verifyPath(purpose));
    try {
      const next = await act(token);
      this.verified.clear(response);
      response.redirect(303, next);
    } catch (error) {
      if (!(error instanceof DomainError) || !['VERIFICATION_TOKEN_INVALID', 'SAME_AS_CURRENT'].includes(error.code)) throw error;
      if (error.code === 'VERIFICATION_TOKEN_INVALID') this.verified.clear(response);
      this.flash.set(response, { kind: 'warning', message: problemFor(response, error) });
      response.redirect(303, error.code === 'SAME_AS_CURRENT' ? PATH : verifyPath(purpose));
    }
  }

  private async view(session: AuthenticatedSession, request: Request, response: Response, errors: Record<string, string>) {
    const account = await this.accounts.getChangeable(session);
    const enabled = account.totpSecret !== null;
    const enrolment = await this.enrolments.pendingEnrolment(session);
    return {
      title: textsFor(response)('account:totp.heading'),
      enabled,
      recoveryCodesLeft: enabled ? await this.totp.recoveryCodesLeft(account.uid) : 0,
      enrolment: enrolment && {
        secret: enrolment.secret,
        uri: enrolment.otpauthUri,
        qr: await QRCode.toString(enrolment.otpauthUri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }),
      },
      canEnrol: !enrolment && this.verified.token(request, 'enable_totp') !== undefined,
      canDisable: enabled && this.verified.token(request, 'disable_totp') !== undefined,
      links: { enable: verifyPath('enable_totp'), disable: verifyPath('disable_totp') },
      errors,
    };
  }
}
