import { Body, Controller, Get, HttpCode, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { FlashService } from '../../common/http/flash.service';
import { formErrors } from '../../common/http/form-errors';
import { Clock } from '../../common/clock';
import { AppealQueueService } from '../appeals/appeal-queue.service';
import { queueHref, queueRowView } from './appeal-views';
import { AccountSupportService, RevealableField } from './account-support.service';
import { agentContext, CurrentAgent, RequireRole } from './agent-auth.guard';
import { AgentPages } from './agent-pages.decorator';
import { roleAllows } from '../agents/agent-roles';
import { AuditEventViews } from './audit-event-view';
import { AccountActionForm } from './dto/account-action.form';
import { RevealForm } from './dto/reveal.form';
import { SignedInAgent } from '../agents/signed-in-agent';

type AccountAction = 'revoke-sessions' | 'freeze' | 'unfreeze';

/** Account lookup and the account page, with its support actions (unfreeze: supervisors). */
@AgentPages()
@RequireRole('agent')
@Controller('agent/accounts')
export class AccountsPagesController {
  constructor(
    private readonly support: AccountSupportService,
    private readonly flash: FlashService,
    private readonly appeals: AppealQueueService,
    private readonly clock: Clock,
    private readonly auditViews: AuditEventViews,
  ) {}

  @Get()
  @Render('agent/accounts')
  async lookup(@Query('q') q?: string) {
    const query = typeof q === 'string' ? q.trim() : '';
    if (!query) return { title: 'Accounts', q: '', searched: false, results: [], errors: {} };
    try {
      return { title: `Accounts matching ${query}`, q: query, searched: true, results: await this.support.lookup(query), errors: {} };
    } catch (error) {
      const errors = formErrors(error);
      if (!errors) throw error;
      return { title: 'Accounts', q: query, searched: false, results: [], errors };
    }
  }

  @Get(':uid')
  @Render('agent/account')
  page(@Param('uid') uid: string, @CurrentAgent() agent: SignedInAgent) {
    return this.view(uid, agent);
  }

  /** Shows one contact unmasked on this response only (nothing to bookmark or reload); the read is audited. */
  @Post(':uid/reveal')
  @HttpCode(200)
  @Render('agent/account')
  async reveal(@Param('uid') uid: string, @Body() form: RevealForm, @CurrentAgent() agent: SignedInAgent, @Req() request: Request) {
    const value = await this.support.reveal(uid, form.field, agentContext(agent, request));
    return this.view(uid, agent, { revealed: { [form.field]: value ?? '(none)' } });
  }

  @Post(':uid/revoke-sessions')
  async revokeSessions(
    @Param('uid') uid: string,
    @Body() form: AccountActionForm,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    await this.act(uid, 'revoke-sessions', agent, response, async () => {
      const count = await this.support.revokeSessions(uid, form.reason ?? '', agentContext(agent, request));
      return `${count} ${count === 1 ? 'session was' : 'sessions were'} signed out.`;
    });
  }

  @Post(':uid/freeze')
  async freeze(
    @Param('uid') uid: string,
    @Body() form: AccountActionForm,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    await this.act(uid, 'freeze', agent, response, async () => {
      const count = await this.support.freeze(uid, form.reason ?? '', agentContext(agent, request));
      return `The account is frozen; ${count} ${count === 1 ? 'session was' : 'sessions were'} signed out and the owner was told by email.`;
    });
  }

  @Post(':uid/unfreeze')
  @RequireRole('supervisor')
  async unfreeze(
    @Param('uid') uid: string,
    @Body() form: AccountActionForm,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    await this.act(uid, 'unfreeze', agent, response, async () => {
      await this.support.unfreeze(uid, form.reason ?? '', agentContext(agent, request));
      return 'The account is active again.';
    });
  }

  /** 303 back to the account with a message; the page again with the error beside the action's reason. */
  private async act(
    uid: string,
    action: AccountAction,
    agent: SignedInAgent,
    response: Response,
    run: () => Promise<string>,
  ): Promise<void> {
    try {
      const message = await run();
      this.flash.set(response, { kind: 'success', message });
      response.redirect(303, `/agent/accounts/${uid}`);
    } catch (error) {
      const errors = formErrors(error);
      if (!errors) throw error;
      response
        .status(400)
        .render('agent/account', await this.view(uid, agent, { errors: { [action]: errors.reason ?? Object.values(errors)[0] } }));
    }
  }

  private async view(
    uid: string,
    agent: SignedInAgent,
    extra: { revealed?: Partial<Record<RevealableField, string>>; errors?: Partial<Record<AccountAction, string>> } = {},
  ) {
    const account = await this.support.detail(uid);
    // The appeals that name the account's UID or matched it, open or closed, through the queue's own search.
    const appeals = await this.appeals.list({ id: agent.id, role: agent.role }, { q: account.uid, status: 'all' });
    const now = this.clock.now();
    return {
      title: `Account ${account.uid}`,
      account,
      frozen: account.status === 'frozen',
      events: await this.auditViews.of(account.events),
      canUnfreeze: roleAllows(agent.role, 'supervisor'),
      revealed: extra.revealed ?? {},
      errors: extra.errors ?? {},
      appeals: appeals.items.map((row) => queueRowView(row, now)),
      appealsMore: appeals.next !== null,
      appealsHref: queueHref({ q: account.uid, status: 'all' }),
    };
  }
}
