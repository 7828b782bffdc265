import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { CookieOptions, Request, Response } from 'express';
import { Clock } from '../../common/clock';
import { randomToken } from '../../common/crypto/tokens';
import { DomainError, ValidationFailedError } from '../../common/errors/domain-error';
import { Form, SubmittedForm } from '../../common/http/form-body';
import { CsrfProtected } from '../../common/http/csrf.guard';
import { csrfTokenFor } from '../../common/http/csrf.service';
import { FlashService } from '../../common/http/flash.service';
import { textsFor } from '../../common/i18n/response-text';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { clientInfo, ClientInfo, DEVICE_COOKIE } from '../accounts/client-info';
import { SESSION_COOKIE, sessionCookieOptions } from '../accounts/session.guard';
import { IssuedSession, SessionsService } from '../accounts/sessions.service';
import { SecondaryChallenge, SecondarySignInService, SignInMethod } from '../accounts/secondary-sign-in.service';
import { PROBLEMS, ProblemCode } from '../../common/errors/problem-codes';
import { SignInService } from '../accounts/sign-in.service';
import { AccountLayout } from './account-layout.service';
import { codeStep, CodeStepView } from './code-step';
import { NextForm } from './dto/next.form';
import { CODE_TEXTS } from './dto/code.form';
import { SignInCodeForm } from './dto/sign-in-code.form';
import { SIGN_IN_TEXTS, SignInForm } from './dto/sign-in.form';
import { RECOVERY_CODE, SignInMethodForm } from './dto/sign-in-method.form';
import { CODE_ERRORS, formFailure, renderFailure } from './form-failure';
import { DEFAULT_NEXT, localPath } from './local-path';
import { cookieOptions } from '../../common/http/cookies';

/** The pending sign-in's challenge, between the password and the code (only for /login). */
const SIGN_IN_COOKIE = 'ac_signin';
/** What "Try another way" may refuse, each with a page text of its own (`another-way:errors.<code>`). */
const SWITCH_ERRORS: readonly ProblemCode[] = [
  'METHOD_UNAVAILABLE',
  'RATE_LIMITED',
  'VERIFICATION_LOCKED',
  'VERIFICATION_EXPIRED',
  'VERIFICATION_USED',
  'VALIDATION_FAILED',
];
/** Browsers keep a cookie 400 days at most. */
const DEVICE_COOKIE_MAX_AGE_MS = 400 * 86_400_000;

interface SignInView {
  readonly title: string;
  readonly csrf: string;
  readonly login: string;
  readonly next?: string;
  readonly errors: Record<string, string>;
}

interface VerifyView {
  readonly title: string;
  readonly csrf: string;
  readonly next?: string;
  readonly step: CodeStepView;
  readonly resendFields: Record<string, string>;
  readonly errors: Record<string, string>;
  /** The authenticator challenge, answered with a recovery code. */
  readonly recoveryCode: boolean;
  readonly verifyAction: string;
  readonly anotherWay: AnotherWayView;
}

/** "Try another way": the ways the pending sign-in can go on, each a button, and why a switch was refused. */
interface AnotherWayView {
  readonly options: readonly { readonly method: SignInMethod; readonly use?: string; readonly label: string }[];
  readonly error?: string;
  readonly open: boolean;
}

/**
 * Sign-in for the Account Center pages: login and password, then (from a device or network the
 * account does not trust yet) the code of the secondary challenge. Shown before any session, so
 * the forms' CSRF tokens are bound to a pre-session id. The browser gets an `ac_device` cookie:
 * the device id that lets a completed sign-in make it trusted.
 */
@ApiExcludeController()
@Controller('login')
@CsrfProtected()
export class SignInPagesController {
  private readonly secureCookies: boolean;

  constructor(
    private readonly signIns: SignInService,
    private readonly secondary: SecondarySignInService,
    private readonly sessions: SessionsService,
    private readonly layout: AccountLayout,
    private readonly flash: FlashService,
    private readonly clock: Clock,
    @InjectConfig() config: AppConfig,
  ) {
    this.secureCookies = config.http.secureCookies;
  }

  @Get()
  async form(@Query('next') next: unknown, @Req() request: Request, @Res() response: Response): Promise<void> {
    const target = localPath(next);
    if (await this.signedIn(request)) return response.redirect(303, target);
    this.client(request, response);
    this.layout.applySignedOut(request, response);
    response.render('account/login', this.signInView(request, response, '', target, {}));
  }

  /** 303 to `next` (or to the code step); the form again with the error beside its field. */
  @Post()
  async submit(
    @Form(SignInForm, SIGN_IN_TEXTS) form: SubmittedForm<SignInForm>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const login = typeof form.value.login === 'string' ? form.value.login : '';
    const next = localPath(form.value.next);
    try {
      if (form.errors.length) throw new ValidationFailedError(form.errors);
      const outcome = await this.signIns.signIn({ login, password: form.value.password, ...this.client(request, response) });
      if (outcome.status === 'signed_in') return this.enter(response, outcome.session, next);
      response.cookie(SIGN_IN_COOKIE, outcome.challengeId, { ...this.signInCookie(), expires: outcome.expiresAt });
      response.redirect(303, withNext('/login/verify', next));
    } catch (error) {
      if (error instanceof DomainError && error.code === 'ACCOUNT_FROZEN') return this.frozen(request, response, login);
      const failure = formFailure(error, { INVALID_CREDENTIALS: 'password', LOGIN_THROTTLED: 'login' });
      if (!failure) throw error;
      this.layout.applySignedOut(request, response);
      renderFailure(response, 'account/login', this.signInView(request, response, login, next, {}), failure);
    }
  }

  @Get('verify')
  async verifyForm(
    @Query('next') next: unknown,
    @Query('use') use: unknown,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const challenge = await this.pending(request, response);
    if (!challenge) return;
    this.layout.applySignedOut(request, response);
    response.render('account/login-verify', this.verifyView(request, response, challenge, localPath(next), {}, use === RECOVERY_CODE));
  }

  /** The code: a session and 303 to `next`; the page again with the error beside the code. */
  @Post('verify')
  async verify(
    @Form(SignInCodeForm, CODE_TEXTS) form: SubmittedForm<SignInCodeForm>,
    @Query('use') use: unknown,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const next = localPath(form.value.next);
    const challengeId = this.challengeId(request);
    if (!challengeId) return this.restart(response, next);
    try {
      if (form.errors.length) throw new ValidationFailedError(form.errors);
      const session = await this.secondary.complete({ challengeId, code: form.value.code, ...clientInfo(request) });
      response.clearCookie(SIGN_IN_COOKIE, this.signInCookie());
      this.enter(response, session, next);
    } catch (error) {
      await this.codeFailure(error, request, response, next, use === RECOVERY_CODE);
    }
  }

  /** A new code by SMS or email: 303 back with a message, or the page with the reason beside the code. */
  @Post('verify/resend')
  async resend(@Body() form: NextForm, @Req() request: Request, @Res() response: Response): Promise<void> {
    const next = localPath(form.next);
    const challengeId = this.challengeId(request);
    if (!challengeId) return this.restart(response, next);
    try {
      const sent = await this.secondary.resend({ challengeId, ...clientInfo(request) });
      response.cookie(SIGN_IN_COOKIE, challengeId, { ...this.signInCookie(), expires: sent.expiresAt });
      this.flash.set(response, { kind: 'success', message: textsFor(response)('common:resend.sent') });
      response.redirect(303, withNext('/login/verify', next));
    } catch (error) {
      await this.codeFailure(error, request, response, next);
    }
  }

  /**
   * "Try another way": the pending sign-in goes on by another of the account's methods (a new
   * challenge; the one before ends), or, with `use=recovery-code`, by the authenticator
   * challenge answered with a recovery code. 303 back to the code step; a refusal (no such
   * method, too many codes sent, the challenge locked or expired) shows on the page.
   */
  @Post('verify/method')
  async switchMethod(
    @Form(SignInMethodForm) form: SubmittedForm<SignInMethodForm>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const next = localPath(form.value.next);
    const challengeId = this.challengeId(request);
    if (!challengeId) return this.restart(response, next);
    const { method, use } = form.value;
    const recovery = method === 'totp' && use === RECOVERY_CODE;
    try {
      if (form.errors.length) throw new ValidationFailedError(form.errors);
      const current = await this.secondary.describe({ challengeId, ...clientInfo(request) });
      if (current.method !== method) {
        const switched = await this.secondary.switchMethod({ challengeId, method, ...clientInfo(request) });
        response.cookie(SIGN_IN_COOKIE, switched.challengeId, { ...this.signInCookie(), expires: switched.expiresAt });
      }
      const query = new URLSearchParams({ ...(recovery ? { use: RECOVERY_CODE } : {}), ...(next === DEFAULT_NEXT ? {} : { next }) });
      response.redirect(303, `/login/verify${query.size ? `?${query.toString()}` : ''}`);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'NOT_FOUND') return this.restart(response, next);
      if (error instanceof DomainError && error.code === 'ACCOUNT_FROZEN') return this.frozen(request, response, '');
      if (!(error instanceof DomainError && SWITCH_ERRORS.includes(error.code))) throw error;
      const challenge = await this.pending(request, response);
      if (!challenge) return;
      this.layout.applySignedOut(request, response);
      if (error.retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
      const view = this.verifyView(request, response, challenge, next, {}, false);
      response.status(PROBLEMS[error.code].status).render('account/login-verify', {
        ...view,
        anotherWay: { ...view.anotherWay, error: `another-way:errors.${error.code}`, open: true },
      });
    }
  }

  private async codeFailure(error: unknown, request: Request, response: Response, next: string, recovery = false): Promise<void> {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') return this.restart(response, next);
    if (error instanceof DomainError && error.code === 'ACCOUNT_FROZEN') return this.frozen(request, response, '');
    const failure = formFailure(error, CODE_ERRORS);
    if (!failure) throw error;
    const challenge = await this.pending(request, response);
    if (!challenge) return;
    this.layout.applySignedOut(request, response);
    renderFailure(response, 'account/login-verify', this.verifyView(request, response, challenge, next, {}, recovery), failure);
  }

  /** The pending sign-in's challenge; without one (none, expired, another device) back to /login with a message. */
  private async pending(request: Request, response: Response): Promise<SecondaryChallenge | undefined> {
    const challengeId = this.challengeId(request);
    try {
      if (challengeId) return await this.secondary.describe({ challengeId, ...clientInfo(request) });
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'NOT_FOUND')) throw error;
    }
    this.restart(response, DEFAULT_NEXT);
    return undefined;
  }

  private restart(response: Response, next: string): void {
    response.clearCookie(SIGN_IN_COOKIE, this.signInCookie());
    this.flash.set(response, { kind: 'warning', message: textsFor(response)('account:login.ended') });
    response.redirect(303, withNext('/login', next));
  }

  /** 423 with what happened and the way out: an appeal, with the login filled in. */
  private frozen(request: Request, response: Response, login: string): void {
    response.clearCookie(SIGN_IN_COOKIE, this.signInCookie());
    this.layout.applySignedOut(request, response);
    const appealHref = login ? `/appeal?${new URLSearchParams({ login }).toString()}` : '/appeal';
    response.status(423).render('account/frozen', { title: textsFor(response)('recovery:frozen.heading'), appealHref });
  }

  private enter(response: Response, session: IssuedSession, next: string): void {
    response.cookie(SESSION_COOKIE, session.token, { ...sessionCookieOptions(this.secureCookies), expires: session.expiresAt });
    response.redirect(303, next);
  }

  private async signedIn(request: Request): Promise<boolean> {
    const token = (request.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
    if (typeof token !== 'string') return false;
    return this.sessions.authenticate(token).then(
      () => true,
      (error: unknown) => {
        if (error instanceof DomainError && error.code === 'UNAUTHENTICATED') return false;
        throw error;
      },
    );
  }

  /** The request's client, with a device id of its own from now on (the `ac_device` cookie). */
  private client(request: Request, response: Response): ClientInfo {
    const client = clientInfo(request);
    if (client.deviceId) return client;
    const deviceId = randomToken();
    response.cookie(
      DEVICE_COOKIE,
      deviceId,
      cookieOptions(this.secureCookies, { path: '/', sameSite: 'lax', maxAgeMs: DEVICE_COOKIE_MAX_AGE_MS }),
    );
    return { ...client, deviceId };
  }

  private challengeId(request: Request): string | undefined {
    const value = (request.cookies as Record<string, unknown> | undefined)?.[SIGN_IN_COOKIE];
    return typeof value === 'string' && value ? value : undefined;
  }

  private signInCookie(): CookieOptions {
    return cookieOptions(this.secureCookies, { path: '/login', sameSite: 'lax' });
  }

  private signInView(request: Request, response: Response, login: string, next: string, errors: Record<string, string>): SignInView {
    return {
      title: textsFor(response)('account:login.title'),
      csrf: csrfTokenFor(request),
      login,
      next: next === DEFAULT_NEXT ? undefined : next,
      errors,
    };
  }

  private verifyView(
    request: Request,
    response: Response,
    challenge: SecondaryChallenge,
    next: string,
    errors: Record<string, string>,
    recoveryCode: boolean,
  ): VerifyView {
    const shownNext = next === DEFAULT_NEXT ? undefined : next;
    const recovery = recoveryCode && challenge.method === 'totp';
    return {
      title: textsFor(response)('account:loginVerify.heading'),
      csrf: csrfTokenFor(request),
      next: shownNext,
      step: codeStep(
        challenge.method,
        challenge.maskedDestination,
        challenge.expiresAt,
        challenge.resendAvailableAt,
        this.clock.now(),
        response,
      ),
      resendFields: shownNext ? { next: shownNext } : {},
      errors,
      recoveryCode: recovery,
      verifyAction: recovery ? `/login/verify?use=${RECOVERY_CODE}` : '/login/verify',
      anotherWay: { options: anotherWayOptions(challenge, recovery), open: false },
    };
  }
}

/**
 * The ways a pending sign-in can go on besides the one on the page: each other method of the
 * account, and a recovery code wherever the authenticator app is one of the ways (it answers the
 * authenticator challenge in place of the app's code).
 */
function anotherWayOptions(challenge: SecondaryChallenge, recovery: boolean): AnotherWayView['options'] {
  type Way = AnotherWayView['options'][number];
  const app: Way = { method: 'totp', label: 'another-way:methods.totp' };
  const recoveryCode: Way = { method: 'totp', use: RECOVERY_CODE, label: 'another-way:methods.recoveryCode' };
  const ways: Way[] = [];
  if (challenge.method === 'totp') ways.push(recovery ? app : recoveryCode);
  for (const method of challenge.otherMethods) {
    if (method === 'totp') ways.push(app, recoveryCode);
    else ways.push({ method, label: `another-way:methods.${method}` });
  }
  return ways;
}

function withNext(path: string, next: string): string {
  return next === DEFAULT_NEXT ? path : `${path}?next=${encodeURIComponent(next)}`;
}
