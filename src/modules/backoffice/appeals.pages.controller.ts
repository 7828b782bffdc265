import { Body, Controller, Get, HttpCode, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Clock } from '../../common/clock';
import { NotFoundError } from '../../common/errors/domain-error';
import { FlashService } from '../../common/http/flash.service';
import { formErrors } from '../../common/http/form-errors';
import { FormDto } from '../../common/http/form.dto';
import { AppealDetailService } from '../appeals/appeal-detail.service';
import { AppealEventsService } from '../appeals/appeal-events.service';
import { AppealQueueService, QueueFilters, QueueSort, sortOf } from '../appeals/appeal-queue.service';
import { AppealSensitiveReadsService } from '../appeals/appeal-sensitive-reads.service';
import { ActingAgent, AppealActionResult, AppealReviewService } from '../appeals/appeal-review.service';
import { AgentAction, APPEAL_STATUSES, BulkAction } from '../appeals/appeal-workflow';
import { CurrentAgent, RequireRole } from './agent-auth.guard';
import { roleAllows } from '../agents/agent-roles';
import { AgentPages } from './agent-pages.decorator';
import { appealHref, parseQueueQuery, queueHref, queueRowView, STATUS_LABELS } from './appeal-views';
import { AppealActionForm } from './dto/appeal-action.form';
import { AppealBulkForm } from './dto/appeal-bulk.form';
import { AppealFactsForm } from './dto/appeal-facts.form';
import { AppealApprovalForm } from './dto/appeal-approval.form';
import { AppealNoteForm } from './dto/appeal-note.form';
import { AppealRejectForm } from './dto/appeal-reject.form';
import { AppealRequestInfoForm } from './dto/appeal-request-info.form';
import { SignedInAgent } from '../agents/signed-in-agent';
import { RISK_LABELS, RISK_SIGNALS } from '../appeals/risk/risk-signals';
import { AgentsService } from '../agents/agents.service';

/** Quick filters above the queue; a tab is current when the filters are exactly its own. */
const TABS: readonly { label: string; query: Record<string, string> }[] = [
  { label: 'Open', query: { status: 'open' } },
  { label: 'Mine', query: { mine: '1' } },
  { label: 'SLA breached', query: { sla: 'breached' } },
  { label: 'Submitted', query: { status: 'submitted' } },
  { label: 'Pending second approval', query: { status: 'pending_second_approval' } },
  { label: 'Closed', query: { status: 'closed' } },
  { label: 'All', query: { status: 'all' } },
];

/** How the queue's heading names each order. */
const SORT_LABELS: Record<QueueSort, string> = {
  deadline: 'next deadline soonest first',
  newest: 'newest first',
  oldest: 'oldest first',
};

/**
 * The appeal queue and an appeal's page, with the agents' actions on it. Reads go through
 * the appeals' read services, actions through AppealReviewService (which decides version, status,
 * role, lease and four-eyes); refusals reach the browser as the error page of the one filter,
 * with a link back to the appeal, and a form error comes back beside its field.
 */
@AgentPages()
@RequireRole('agent')
@Controller('agent/appeals')
export class AppealsPagesController {
  constructor(
    private readonly queue: AppealQueueService,
    private readonly details: AppealDetailService,
    private readonly sensitive: AppealSensitiveReadsService,
    private readonly review: AppealReviewService,
    private readonly flash: FlashService,
    private readonly agents: AgentsService,
    private readonly clock: Clock,
    private readonly events: AppealEventsService,
  ) {}

  @Get()
  @Render('agent/appeals')
  async list(
    @Query() query: Record<string, unknown>,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { filters, errors } = parseQueueQuery(query);
    // Read before the rows: the page's live stream starts from here and misses no change made meanwhile.
    const liveSince = await this.events.latestId();
    const now = this.clock.now();
    let page: Awaited<ReturnType<AppealQueueService['list']>> = { items: [], next: null };
    if (!Object.keys(errors).length) {
      try {
        page = await this.queue.list(acting(agent, request), filters);
      } catch (error) {
        const invalid = formErrors(error);
        if (!invalid) throw error;
        Object.assign(
          errors,
          invalid.after ? { after: 'This page link is out of date or was changed. Start again from the first page.' } : invalid,
        );
      }
    }
    if (Object.keys(errors).length) response.status(400);
    const filtered = Boolean(filters.status || filters.sort || filters.q || filters.sla || filters.mine || filters.flood || filters.risk);
    const current = queueHref({ ...filters, after: undefined });
    // The default view is the Open tab's: /agent/appeals and ?status=open list the same appeals.
    const view = (shown: QueueFilters) => queueHref({ ...shown, status: shown.status ?? 'open', after: undefined });
    const sort = sortOf(filters);
    return {
      title: filtered ? 'Appeals (filtered)' : 'Appeals',
      order: `${filters.status === 'all' ? 'All appeals' : filters.status === 'closed' ? 'Closed appeals' : filters.status && filters.status !== 'open' ? `${STATUS_LABELS[filters.status]} appeals` : 'Open appeals'}, ${SORT_LABELS[sort]}`,
      filters: {
        q: filters.q ?? '',
        status: filters.status ?? '',
        breached: filters.sla === 'breached',
        mine: Boolean(filters.mine),
        flood: Boolean(filters.flood),
      },
      riskOptions: [{ value: '', label: 'Any' }, ...RISK_SIGNALS.map((signal) => ({ value: signal, label: RISK_LABELS[signal] }))].map(
        (option) => ({ ...option, selected: option.value === (filters.risk ?? '') }),
      ),
      statusOptions: [
        { value: 'open', label: 'Open (not closed)' },
        { value: 'all', label: 'All, open and closed' },
        { value: 'closed', label: 'Closed' },
        ...APPEAL_STATUSES.map((status) => ({ value: status, label: STATUS_LABELS[status] })),
      ].map((option) => ({ ...option, selected: option.value === (filters.status ?? 'open') })),
      sortOptions: [
        { value: '', label: 'Deadline for open appeals, otherwise oldest first' },
        { value: 'deadline', label: 'Next deadline, soonest first (open appeals)' },
        { value: 'newest', label: 'Newest first' },
        { value: 'oldest', label: 'Oldest first' },
      ].map((option) => ({ ...option, selected: option.value === (filters.sort ?? '') })),
      tabs: TABS.map((tab) => {
        const { filters: own } = parseQueueQuery(tab.query);
        return { label: tab.label, href: queueHref(own), current: view(own) === view(filters) };
      }),
      rows: page.items.map((row) => queueRowView(row, now)),
      liveSince,
      // Supervisors select rows and release, assign or reject them in one go (a flood's rows come selected).
      bulk:
        roleAllows(agent.role, 'supervisor') && page.items.length
          ? {
              back: queueHref(filters),
              preselected: Boolean(filters.flood),
              agents: (await this.agents.list())
                .filter((candidate) => candidate.active)
                .map((candidate) => ({ id: candidate.id, name: candidate.name, email: candidate.email })),
            }
          : null,
      next: page.next ? queueHref(filters, page.next) : null,
      firstPage: filters.after ? current : null,
      filtered,
      clearHref: '/agent/appeals',
      errors,
    };
  }

  /**
   * Supervisors act on the appeals selected in the queue (release, assign to an agent, reject as
   * duplicates), each with its own version check; 303 to the queue they came from with how many
   * were done and which were skipped, and why.
   */
  @Post('bulk')
  @RequireRole('supervisor')
  async bulk(
    @Body() form: AppealBulkForm,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const seen = new Map((form.versions ?? []).map((entry) => entry.split(':') as [string, string]));
    const items = [...new Set(form.references)].map((reference) => ({
      reference,
      version: seen.has(reference) ? Number(seen.get(reference)) : undefined,
    }));
    const action = form.action as 'release' | 'assign' | 'reject_duplicate';
    const back =
      form.back && /^\/agent\/appeals(\?[^#\s]*)?$/.test(form.back)
        ? form.back
        : action === 'reject_duplicate'
          ? queueHref({ status: 'open', flood: true })
          : '/agent/appeals';
    try {
      const { done, skipped, assignee } = await this.review.bulk(acting(agent, request), action, items, {
        message: form.message,
        agentId: form.agentId,
      });
      const what =
        action === 'release' ? 'released' : action === 'assign' ? `assigned to ${assignee?.name ?? 'the agent'}` : 'rejected as duplicates';
      const summary = [
        `${done.length} of ${items.length} ${what}.`,
        ...skipped.map((skip) => `${skip.reference} skipped: ${skip.why}`),
      ].join(' ');
      this.flash.set(response, { kind: skipped.length ? 'warning' : 'success', message: summary });
    } catch (error) {
      const errors = formErrors(error);
      if (!errors) throw error;
      this.flash.set(response, { kind: 'error', message: Object.values(errors).join(' ') });
    }
    response.redirect(303, back);
  }

  /** `?reply=<id>&for=request_info|reject` fills that form's message with a canned reply (the script does it in place). */
  @Get(':reference')
  @Render('agent/appeal')
  async page(
    @Param('reference') reference: string,
    @Query() query: Record<string, unknown>,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
  ) {
    const chosen = typeof query.reply === 'string' && typeof query.for === 'string' ? { id: query.reply, action: query.for } : undefined;
    return this.details.page(acting(agent, request), reference, { replies: { agentName: agent.name, chosen } });
  }

  /** Shows the appeal's addresses unmasked on this response only (nothing to bookmark or reload); the read is audited. */
  @Post(':reference/reveal')
  @HttpCode(200)
  @Render('agent/appeal')
  async reveal(
    @Param('reference') reference: string,
    @Body() _form: FormDto,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
  ) {
    const actor = acting(agent, request);
    const revealed = await this.sensitive.revealContacts(actor, reference);
    return this.details.page(actor, reference, { revealed, replies: { agentName: agent.name } });
  }

  /** The blurred thumbnail of an image attachment, shown inline on the appeal's page. */
  @Get(':reference/attachments/:id/preview')
  async preview(@Param('reference') reference: string, @Param('id') id: string, @Res() response: Response): Promise<void> {
    const blurred = await this.sensitive.blurredPreview(reference, id);
    response.set({
      'Content-Type': 'image/jpeg',
      'Content-Length': String(blurred.length),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
    });
    response.end(blurred);
  }

  /**
   * "Show": the appeal's page again with that attachment's clear thumbnail inline, on this
   * response only (nothing to reload or share); the service audits it as a view of the attachment.
   */
  @Post(':reference/attachments/:id/show')
  @HttpCode(200)
  @Render('agent/appeal')
  async show(
    @Param('reference') reference: string,
    @Param('id') id: string,
    @Body() _form: FormDto,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
  ) {
    const actor = acting(agent, request);
    const shown = await this.sensitive.showPreview(actor, reference, id);
    return this.details.page(actor, reference, { shown });
  }

  /** The file, never shown inline: a download with the stored type, sniffing off; the service audits the view. */
  @Get(':reference/attachments/:id')
  async attachment(
    @Param('reference') reference: string,
    @Param('id') id: string,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const file = await this.sensitive.downloadAttachment(acting(agent, request), reference, id);
    response.attachment(file.filename);
    response.set({
      'Content-Type': file.contentType,
      'Content-Length': String(file.content.length),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
      // Even if a browser were to render it, the file may run nothing.
      'Content-Security-Policy': "default-src 'none'; sandbox",
    });
    response.end(file.content);
  }

  @Post(':reference/claim')
  claim(
    @Param('reference') reference: string,
    @Body() form: AppealActionForm,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    return this.act('claim', reference, form, agent, request, response, (actor) => this.review.claim(actor, reference, form.version));
  }

  @Post(':reference/release')
  release(
    @Param('reference') reference: string,
    @Body() form: AppealActionForm,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    return this.act('release', reference, form, agent, request, response, (actor) => this.review.release(actor, reference, form.version));
  }

  /** Supervisors; the service refuses agents (403), so the route needs no role of its own. */
  @Post(':reference/takeover')
  takeOver(
    @Param('reference') reference: string,
    @Body() form: AppealActionForm,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    return this.act('takeover', reference, form, agent, request, response, (actor) => this.review.takeOver(actor, reference, form.version));
  }

  @Post(':reference/notes')
  addNote(
    @Param('reference') reference: string,
    @Body() form: AppealNoteForm,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    return this.act('note', reference, form, agent, request, response, (actor) =>
      this.review.addNote(actor, reference, form.version, { body: form.body ?? '' }),
    );
  }

  @Post(':reference/request-info')
  requestInfo(
    @Param('reference') reference: string,
    @Body() form: AppealRequestInfoForm,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    return this.act('request_info', reference, form, agent, request, response, (actor) =>
      this.review.requestInfo(actor, reference, form.version, { message: form.message ?? '' }),
    );
  }

  @Post(':reference/approve')
  approve(
    @Param('reference') reference: string,
    @Body() form: AppealApprovalForm,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    return this.act('approve', reference, form, agent, request, response, (actor) =>
      this.review.approve(actor, reference, form.version, { rationale: form.rationale }),
    );
  }

  /** A supervisor other than the approver; the service refuses anyone else (403). */
  @Post(':reference/second-approve')
  confirmApproval(
    @Param('reference') reference: string,
    @Body() form: AppealApprovalForm,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    return this.act('second_approve', reference, form, agent, request, response, (actor) =>
      this.review.confirmApproval(actor, reference, form.version, { rationale: form.rationale }),
    );
  }

  @Post(':reference/reject')
  reject(
    @Param('reference') reference: string,
    @Body() form: AppealRejectForm,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    return this.act('reject', reference, form, agent, request, response, (actor) =>
      this.review.reject(actor, reference, form.version, { reason: form.reason ?? '', message: form.message ?? '' }),
    );
  }

  /** Supervisors, for an objected appeal. */
  @Post(':reference/reopen')
  reopen(
    @Param('reference') reference: string,
    @Body() form: AppealActionForm,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    return this.act('reopen', reference, form, agent, request, response, (actor) => this.review.reopen(actor, reference, form.version));
  }

  /** The agent holding the appeal records their check of the owner facts (the evidence checklist's form). */
  @Post(':reference/facts')
  checkFacts(
    @Param('reference') reference: string,
    @Body() form: AppealFactsForm,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    const { idDocument, lastPayment, resourceIds, usualRegion } = form;
    return this.act('check_facts', reference, form, agent, request, response, (actor) =>
      this.review.checkFacts(actor, reference, form.version, { idDocument, lastPayment, resourceIds, usualRegion }),
    );
  }

  /** Supervisors, while a recorded objection holds a scheduled appeal: stop it. */
  @Post(':reference/uphold-objection')
  upholdObjection(
    @Param('reference') reference: string,
    @Body() form: AppealActionForm,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    return this.act('uphold_objection', reference, form, agent, request, response, (actor) =>
      this.review.upholdObjection(actor, reference, form.version),
    );
  }

  /** Supervisors, while a recorded objection holds a scheduled appeal: let it go on. */
  @Post(':reference/dismiss-objection')
  dismissObjection(
    @Param('reference') reference: string,
    @Body() form: AppealActionForm,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    return this.act('dismiss_objection', reference, form, agent, request, response, (actor) =>
      this.review.dismissObjection(actor, reference, form.version),
    );
  }

  /**
   * 303 back to the appeal with a message. A form error comes back as the appeal's page (400)
   * with the message beside the field and what was typed; any other refusal (403, 404, 409) is
   * the filter's error page, which shows `back` as its way out.
   */
  private async act(
    action: AgentAction | BulkAction,
    reference: string,
    form: AppealActionForm,
    agent: SignedInAgent,
    request: Request,
    response: Response,
    run: (actor: ActingAgent) => Promise<AppealActionResult>,
  ): Promise<void> {
    const actor = acting(agent, request);
    response.locals.back = { href: appealHref(reference), label: `Back to appeal ${reference}` };
    try {
      const result = await run(actor);
      this.flash.set(response, { kind: 'success', message: successMessage(action, result) });
      response.redirect(303, appealHref(result.reference));
    } catch (error) {
      if (error instanceof NotFoundError) response.locals.back = { href: '/agent/appeals', label: 'Back to the appeal queue' };
      const errors = formErrors(error);
      if (!errors) throw error;
      const values = Object.fromEntries(
        Object.entries(form).filter(([name, value]) => name !== '_csrf' && name !== 'version' && typeof value === 'string'),
      ) as Record<string, string>;
      const page = await this.details.page(actor, reference, { feedback: { action, errors, values }, replies: { agentName: agent.name } });
      response.status(400).render('agent/appeal', page);
    }
  }
}

function acting(agent: SignedInAgent, request: Request): ActingAgent {
  return { id: agent.id, role: agent.role, ip: request.ip };
}

function successMessage(action: AgentAction | BulkAction, result: AppealActionResult): string {
  switch (action) {
    case 'claim':
      return `You hold ${result.reference} now: other agents cannot act on it while your claim lasts.`;
    case 'release':
      return `${result.reference} is back in the queue.`;
    case 'takeover':
      return `You took ${result.reference} over; the history records it.`;
    case 'note':
      return 'Your note was added.';
    case 'request_info':
      return 'Your question was emailed to the person; the appeal awaits their answer.';
    case 'approve':
      return result.status === 'pending_second_approval'
        ? 'Approved. A supervisor other than you must confirm the approval.'
        : 'Approved and scheduled: the change is applied when the cooling-off ends, unless someone objects.';
    case 'second_approve':
      return 'Approval confirmed: the change is applied when the cooling-off ends, unless someone objects.';
    case 'reject':
      return 'Rejected; the person was told by email.';
    case 'reopen':
      return `${result.reference} is back in the queue as submitted.`;
    case 'uphold_objection':
      return `${result.reference} is stopped (objected); the person was told by email.`;
    case 'dismiss_objection':
      return `The objection is dismissed: ${result.reference} is applied at its scheduled time.`;
    case 'check_facts':
      return 'Your check of the owner facts is recorded; the evidence score counts it.';
    case 'reject_duplicate':
      return `${result.reference} is rejected as a duplicate.`;
    case 'bulk_release':
      return `${result.reference} is back in the queue.`;
    case 'assign':
      return `${result.reference} is assigned.`;
  }
}
