import { Body, Controller, Get, Post, Render, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CsrfProtected, CsrfToken } from '../../common/http/csrf.guard';
import { csrfTokenFor } from '../../common/http/csrf.service';
import { FlashService } from '../../common/http/flash.service';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { agentCookieOptions } from './agent-auth.guard';
import { AgentLayout } from './agent-layout.service';
import { AGENT_SESSION_COOKIE } from '../agents/agent-sessions.service';
import { AgentSignInService } from '../agents/agent-sign-in.service';
import { AgentLockedError, AgentSignInFailedError } from '../agents/agents.errors';
import { AgentPasskeySignInForm, AgentSignInForm } from './dto/agent-sign-in.form';
import { AgentPasskeyChallenge } from '../agents/agent-passkeys.service';
import { parseCredential } from '../../common/webauthn/credential-field';

interface SignInView {
  title: string;
  csrf: string;
  email?: string;
  errors: Record<string, string>;
}

/** The back-office sign-in form: shown before any session, so its CSRF token is bound to a pre-session id. */
@ApiExcludeController()
@Controller('agent')
@CsrfProtected()
export class AgentSignInPagesController {
  private readonly secureCookies: boolean;

  constructor(
    private readonly signIn: AgentSignInService,
    private readonly layout: AgentLayout,
    private readonly flash: FlashService,
    @InjectConfig() config: AppConfig,
  ) {
    this.secureCookies = config.http.secureCookies;
  }

  @Get('login')
  @Render('agent/login')
  form(@CsrfToken() csrf: string, @Req() request: Request, @Res({ passthrough: true }) response: Response): SignInView {
    this.layout.applySignedOut(response);
    response.locals.flash = this.flash.take(request, response);
    return { title: 'Sign in to the back-office', csrf, errors: {} };
  }

  /** 303 to the dashboard; the form again with the error beside its field: 401 (wrong), 429 (locked) or 400 (empty). */
  @Post('login')
  async submit(@Body() form: AgentSignInForm, @Req() request: Request, @Res() response: Response): Promise<void> {
    const email = form.email?.trim() ?? '';
    const again = (status: number, errors: Record<string, string>) => {
      this.layout.applySignedOut(response);
      response
        .status(status)
        .render('agent/login', { title: 'Sign in to the back-office', csrf: csrfTokenFor(request), email, errors } satisfies SignInView);
    };
    if (!email || !form.password) {
      return again(400, {
        ...(email ? {} : { email: 'Enter your email address.' }),
        ...(form.password ? {} : { password: 'Enter your password.' }),
      });
    }
    try {
      const outcome = await this.signIn.signIn({
        email,
        password: form.password,
        totp: form.totp,
        ip: request.ip ?? 'unknown',
        userAgent: request.headers['user-agent'],
      });
      if ('passkey' in outcome) return this.passkeyStep(request, response, outcome.passkey);
      const { session } = outcome;
      response.cookie(AGENT_SESSION_COOKIE, session.token, { ...agentCookieOptions(this.secureCookies), expires: session.expiresAt });
      response.redirect(303, '/agent');
    } catch (error) {
      if (error instanceof AgentLockedError) {
        response.setHeader('Retry-After', String(error.retryAfterSeconds));
        return again(429, { email: error.detail });
      }
      if (error instanceof AgentSignInFailedError) return again(401, { [error.field]: error.detail });
      throw error;
    }
  }

  /** The second step for an agent with a passkey: the browser's assertion over the challenge the right password earned. */
  @Post('login/passkey')
  async passkey(@Body() form: AgentPasskeySignInForm, @Req() request: Request, @Res() response: Response): Promise<void> {
    try {
      const { session } = await this.signIn.completeWithPasskey({
        challengeId: form.challengeId ?? '',
        credential: parseCredential(form.credential),
        ip: request.ip ?? 'unknown',
        userAgent: request.headers['user-agent'],
      });
      response.cookie(AGENT_SESSION_COOKIE, session.token, { ...agentCookieOptions(this.secureCookies), expires: session.expiresAt });
      response.redirect(303, '/agent');
    } catch (error) {
      if (error instanceof AgentLockedError || error instanceof AgentSignInFailedError) {
        if (error instanceof AgentLockedError) response.setHeader('Retry-After', String(error.retryAfterSeconds));
        this.layout.applySignedOut(response);
        return response.status(error instanceof AgentLockedError ? 429 : 401).render('agent/login', {
          title: 'Sign in to the back-office',
          csrf: csrfTokenFor(request),
          errors: { password: error.detail },
        } satisfies SignInView);
      }
      throw error;
    }
  }

  private passkeyStep(request: Request, response: Response, challenge: AgentPasskeyChallenge): void {
    this.layout.applySignedOut(response);
    response.render('agent/login-passkey', {
      title: 'Use your passkey',
      csrf: csrfTokenFor(request),
      challengeId: challenge.challengeId,
      options: JSON.stringify(challenge.options),
      scripts: ['/static/vendor/simplewebauthn-browser.js', '/static/js/passkeys.js'],
    });
  }
}
