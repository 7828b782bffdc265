import { Controller, Get, Post, Query, Render, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ValidationFailedError } from '../../common/errors/domain-error';
import { FlashService } from '../../common/http/flash.service';
import { AuditService } from '../audit/audit.service';
import { AuditVerifier } from '../audit/audit-verifier.service';
import { CurrentAgent, RequireRole } from './agent-auth.guard';
import { AgentPages } from './agent-pages.decorator';
import { roleAllows } from '../agents/agent-roles';
import { AuditEventViews } from './audit-event-view';
import { AUDIT_ACTIONS, AuditAction } from '../audit/audit-actions';
import { AuditSearch } from '../audit/audit.service';
import { AgentsService } from '../agents/agents.service';
import { AccountsService } from '../accounts/accounts.service';
import { isUUID } from 'class-validator';
import { REFERENCE } from '../appeals/appeals.repository';
import { SignedInAgent } from '../agents/signed-in-agent';

const PAGE_SIZE = 50;
/** The subjects whose ids are UUIDs: an id alone does not say which, so the filter asks for all of them. */
const UUID_SUBJECTS = ['agent', 'canned_reply', 'notification'];

/** One filter of the query string as trimmed text; a repeated or nested one is a 400, not a stack. */
function filterText(query: Record<string, unknown>, name: string, label: string): string {
  const value = query[name];
  if (value === undefined) return '';
  if (typeof value !== 'string' || value.length > 254)
    throw new ValidationFailedError([{ field: name, message: `Give one ${label.toLowerCase()} filter of at most 254 characters.` }]);
  return value.trim();
}

/**
 * The audit log, newest first (50 a page, filtered by actor, action and subject), and the latest
 * verification of its Merkle tree and signed checkpoints. Viewing never recomputes the log (that
 * reads every event); a supervisor runs a new verification, whose result is kept for every later
 * view.
 */
@AgentPages()
@RequireRole('agent')
@Controller('agent/audit')
export class AuditPagesController {
  constructor(
    private readonly audit: AuditService,
    private readonly verifier: AuditVerifier,
    private readonly flash: FlashService,
    private readonly views: AuditEventViews,
    private readonly agents: AgentsService,
    private readonly accounts: AccountsService,
  ) {}

  @Get()
  @Render('agent/audit')
  async page(@CurrentAgent() agent: SignedInAgent, @Query() query: Record<string, unknown>) {
    const entered = {
      actor: filterText(query, 'actor', 'Actor'),
      action: filterText(query, 'action', 'Action'),
      subject: filterText(query, 'subject', 'Subject'),
    };
    const before = filterText(query, 'before', 'Older');
    if (before && !/^[1-9]\d{0,18}$/.test(before))
      throw new ValidationFailedError([{ field: 'before', message: 'The "Older" link is not a position in the audit log.' }]);
    if (entered.action && !(AUDIT_ACTIONS as readonly string[]).includes(entered.action))
      throw new ValidationFailedError([
        { field: 'action', message: `"${entered.action}" is not an action of the audit log: choose one from the list.` },
      ]);
    const [actor, subject] = await Promise.all([this.actorFilter(entered.actor), this.subjectFilter(entered.subject)]);
    const [verification, page] = await Promise.all([
      this.verifier.latest(),
      this.audit.search({
        before: before || undefined,
        limit: PAGE_SIZE,
        action: (entered.action || undefined) as AuditAction | undefined,
        actor,
        subject,
      }),
    ]);
    const filters = Object.entries(entered).filter(([, value]) => value !== '');
    const href = (extra: [string, string][]) => {
      const search = new URLSearchParams([...filters, ...extra]).toString();
      return search ? `/agent/audit?${search}` : '/agent/audit';
    };
    return {
      title: 'Audit log',
      verification,
      canVerify: roleAllows(agent.role, 'supervisor'),
      events: await this.views.of(page.events),
      entered,
      filtered: filters.length > 0,
      actions: AUDIT_ACTIONS.map((action) => ({ value: action, selected: action === entered.action })),
      next: page.next ? href([['before', page.next]]) : null,
      newest: href([]),
      paged: before !== '',
    };
  }

  /**
   * Who acted, from what an agent types: `system`, `public`, an agent's email or id, or an
   * account's logon email or UID. Anything else is a 400 that says what to type.
   */
  private async actorFilter(text: string): Promise<AuditSearch['actor']> {
    if (!text) return undefined;
    const lower = text.toLowerCase();
    if (lower === 'system' || lower === 'public') return { type: lower };
    if (isUUID(text)) return { type: 'agent', id: text.toLowerCase() };
    if (/^\d{16}$/.test(text)) return { type: 'account', id: text };
    if (text.includes('@')) {
      const agent = await this.agents.findByEmail(text);
      if (agent) return { type: 'agent', id: agent.id };
      const account = await this.accounts.findByLogonEmail(text);
      if (account) return { type: 'account', id: account.uid };
      throw new ValidationFailedError([{ field: 'actor', message: `No agent or account has the email address ${text}.` }]);
    }
    throw new ValidationFailedError([
      {
        field: 'actor',
        message: 'Filter the actor by "system", "public", an agent\'s email address, or an account\'s logon email or 16-digit UID.',
      },
    ]);
  }

  /** What an event is about: an account's logon email or UID, or the id of an agent, appeal or other subject. */
  private async subjectFilter(text: string): Promise<AuditSearch['subject']> {
    if (!text) return undefined;
    if (/^\d{16}$/.test(text)) return { types: ['account'], id: text };
    if (text.includes('@')) {
      const account = await this.accounts.findByLogonEmail(text);
      if (account) return { types: ['account'], id: account.uid };
      throw new ValidationFailedError([{ field: 'subject', message: `No account has the logon email ${text}.` }]);
    }
    if (isUUID(text)) return { types: UUID_SUBJECTS, id: text.toLowerCase() };
    if (REFERENCE.test(text.toUpperCase())) return { types: ['appeal'], id: text.toUpperCase() };
    throw new ValidationFailedError([
      {
        field: 'subject',
        message: "Filter the subject by an account's logon email or 16-digit UID, an appeal's reference, or an agent's id.",
      },
    ]);
  }

  @Post('verify')
  @RequireRole('supervisor')
  async verify(@CurrentAgent() agent: SignedInAgent, @Res() response: Response): Promise<void> {
    const result = await this.verifier.verifyAndStore(`agent ${agent.id}`);
    this.flash.set(
      response,
      result.ok
        ? { kind: 'success', message: 'The audit log verifies.' }
        : { kind: 'error', message: 'The audit log does not verify: see below.' },
    );
    response.redirect(303, '/agent/audit');
  }
}
