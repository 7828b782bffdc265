import { Body, Controller, Get, Post, Render, Req, Res } from '@nestjs/common';
import type { CookieOptions, Request, Response } from 'express';
import QRCode from 'qrcode';
import { ValidationFailedError } from '../../common/errors/domain-error';
import { FlashService } from '../../common/http/flash.service';
import { formErrors } from '../../common/http/form-errors';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { agentContext, agentCookieOptions, AGENT_SIGN_IN_PATH, CurrentAgent, RequireRole } from './agent-auth.guard';
import { AgentPages } from './agent-pages.decorator';
import { ROLE_LABELS } from '../agents/agent-roles';
import { AGENT_SESSION_COOKIE } from '../agents/agent-sessions.service';
import { AgentSignInService } from '../agents/agent-sign-in.service';
import { AgentPasskeysService } from '../agents/agent-passkeys.service';
import { AgentsService, TotpEnrolment } from '../agents/agents.service';
import { MeForm } from './dto/me.form';
import { SignedInAgent } from '../agents/signed-in-agent';

/** The signed-in agent's own page: password, TOTP enrolment; and signing out. */
@AgentPages()
@RequireRole('agent')
@Controller('agent')
export class MePagesController {
  private readonly cookie: CookieOptions;

  constructor(
    private readonly agents: AgentsService,
    private readonly signIn: AgentSignInService,
    private readonly flash: FlashService,
    private readonly passkeys: AgentPasskeysService,
    @InjectConfig() config: AppConfig,
  ) {
    this.cookie = agentCookieOptions(config.http.secureCookies);
  }

  @Get('me')
  @Render('agent/me')
  async page(@CurrentAgent() agent: SignedInAgent) {
    return this.view(agent, this.agents.startTotpEnrolment(agent), {});
  }

  /** Change password or activate TOTP; 303 back with a message, or the page again with the error beside its field. */
  @Post('me')
  async submit(
    @CurrentAgent() agent: SignedInAgent,
    @Body() form: MeForm,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    try {
      if (form.action === 'change-password') {
        if (!form.currentPassword || !form.newPassword) {
          throw new ValidationFailedError([
            ...(form.currentPassword ? [] : [{ field: 'currentPassword', message: 'Enter your current password.' }]),
            ...(form.newPassword ? [] : [{ field: 'newPassword', message: 'Enter a new password.' }]),
          ]);
        }
        const session = await this.agents.changePassword(
          agent,
          { currentPassword: form.currentPassword, newPassword: form.newPassword },
          { ...agentContext(agent, request), userAgent: request.headers['user-agent'] },
        );
        response.cookie(AGENT_SESSION_COOKIE, session.token, { ...this.cookie, expires: session.expiresAt });
        this.flash.set(response, {
          kind: 'success',
          message: 'Your password was changed. Your other back-office sessions were signed out.',
        });
      } else {
        if (!form.code?.trim()) throw new ValidationFailedError([{ field: 'code', message: 'Enter the 6-digit code your app shows.' }]);
        await this.agents.activateTotp(agent, { enrolment: form.enrolment ?? '', code: form.code }, agentContext(agent, request));
        this.flash.set(response, { kind: 'success', message: 'Your authenticator app is set up: sign-in now asks for its code.' });
      }
      response.redirect(303, '/agent/me');
    } catch (error) {
      const errors = formErrors(error);
      if (!errors) throw error;
      // Keep the secret the agent may already have scanned, while it is valid.
      const secret = form.enrolment ? this.agents.enrolmentSecret(agent, form.enrolment) : undefined;
      const enrolment =
        secret && form.enrolment ? this.agents.resumeTotpEnrolment(agent, secret, form.enrolment) : this.agents.startTotpEnrolment(agent);
      response.status(400).render('agent/me', await this.view(agent, enrolment, errors));
    }
  }

  @Post('logout')
  async signOut(@CurrentAgent() agent: SignedInAgent, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.signIn.signOut(agent.id, agent.sessionId, request.ip);
    response.clearCookie(AGENT_SESSION_COOKIE, this.cookie);
    this.flash.set(response, { kind: 'info', message: 'You have signed out.' });
    response.redirect(303, AGENT_SIGN_IN_PATH);
  }

  private async view(agent: SignedInAgent, enrolment: TotpEnrolment, errors: Record<string, string>) {
    return {
      title: 'Me',
      profile: { name: agent.name, email: agent.email, role: ROLE_LABELS[agent.role] },
      totpEnabled: agent.totpEnabled,
      passwordChangeRequired: agent.passwordChangeRequired,
      passkeys: await this.passkeys.list(agent.id),
      workload: workloadView(await this.agents.get(agent.id), '/agent/me/workload'),
      enrolment: { ...enrolment, qr: await QRCode.toString(enrolment.uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }) },
      errors,
    };
  }
}

/** The languages-and-capacity form of an agent (partial agent/workload-form). */
export function workloadView(agent: { id: string; languages: string; capacity: number }, action: string, who?: string) {
  const languages = agent.languages.split(',');
  return { id: agent.id, action, who, en: languages.includes('en'), zh: languages.includes('zh-CN'), capacity: agent.capacity };
}
