import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '../../common/errors/domain-error';
import { FlashService } from '../../common/http/flash.service';
import { parseCredential } from '../../common/webauthn/credential-field';
import { AgentPasskeysService } from '../agents/agent-passkeys.service';
import { SignedInAgent } from '../agents/signed-in-agent';
import { CurrentAgent, RequireRole } from './agent-auth.guard';
import { AgentPages } from './agent-pages.decorator';
import { AgentPasskeyForm } from './dto/agent-passkey.form';

const ME = '/agent/me';

/** An agent's passkeys, enrolled from /agent/me: a second factor in place of the authenticator app. */
@AgentPages()
@RequireRole('agent')
@Controller('agent/me/passkeys')
export class AgentPasskeysPagesController {
  constructor(
    private readonly passkeys: AgentPasskeysService,
    private readonly flash: FlashService,
  ) {}

  /** The creation options and the button that makes the passkey. */
  @Get('new')
  async newPasskey(@CurrentAgent() agent: SignedInAgent, @Res() response: Response): Promise<void> {
    try {
      const { registrationId, options } = await this.passkeys.registrationOptions(agent);
      response.render('agent/passkey-new', {
        title: 'Add a passkey',
        registrationId,
        options: JSON.stringify(options),
        scripts: ['/static/vendor/simplewebauthn-browser.js', '/static/js/passkeys.js'],
      });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.flash.set(response, { kind: 'error', message: error.detail });
      response.redirect(303, ME);
    }
  }

  @Post()
  async register(@CurrentAgent() agent: SignedInAgent, @Body() form: AgentPasskeyForm, @Req() request: Request, @Res() response: Response) {
    await this.act(response, async () => {
      const added = await this.passkeys.register(
        agent.id,
        { registrationId: form.registrationId ?? '', name: form.name, credential: parseCredential(form.credential) },
        request.ip,
      );
      return `Passkey "${added.name}" added: sign-in now accepts it in place of an authenticator code.`;
    });
  }

  @Post(':id/remove')
  async remove(@CurrentAgent() agent: SignedInAgent, @Param('id') id: string, @Req() request: Request, @Res() response: Response) {
    await this.act(response, async () => {
      await this.passkeys.remove(agent.id, id, request.ip);
      return 'The passkey was removed.';
    });
  }

  private async act(response: Response, change: () => Promise<string>): Promise<void> {
    try {
      this.flash.set(response, { kind: 'success', message: await change() });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.flash.set(response, { kind: 'error', message: error.detail });
    }
    response.redirect(303, ME);
  }
}
