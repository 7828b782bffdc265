import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { DomainError, ValidationFailedError } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { AccountsService } from '../accounts/accounts.service';
import { EmailInUseError } from '../accounts/accounts.errors';
import { AuditActor, AuditService } from '../audit/audit.service';
import { AuditAction } from '../audit/audit-actions';
import { AgentsService } from '../agents/agents.service';
import { AgentRole } from '../agents/entities/agent.entity';
import { AppealCoolingOffService } from './appeal-cooling-off.service';
import { AppealEvidenceService } from './appeal-evidence.service';
import { AppealNotices } from './appeal-notices';
import { AppealTransitions, LeaseChange } from './appeal-transitions';
import { AgentAction, AgentDecision, AppealStatus, BulkAction, decideAgentAction } from './appeal-workflow';
import { AppealPatch, AppealsRepository } from './appeals.repository';
import { FactChecks, OWNER_FACTS, OwnerFact, ownerFactsGiven } from './evidence-checklist';
import { Appeal } from './entities/appeal.entity';
import { RISK_LABELS, signalsOf } from './risk/risk-signals';

/** The agent acting, as the back-office session knows them. */
export interface ActingAgent {
  readonly id: string;
  readonly role: AgentRole;
  /** The agent's address, for the audit log. */
  readonly ip?: string;
}

/** What every action answers: the appeal's new status and the version the next action must carry. */
export interface AppealActionResult {
  readonly reference: string;
  readonly status: AppealStatus;
  readonly version: number;
}

export type NoInput = Record<string, never>;

/** What a bulk action did: the references done, those skipped and why, and the assignee of an assignment. */
export interface BulkOutcome {
  readonly done: string[];
  readonly skipped: { reference: string; why: string }[];
  readonly assignee?: { id: string; name: string };
}

/** The auto-assignment acts with a supervisor's reach (any appeal, any lease), recorded as the system. */
const SYSTEM_ASSIGNER: ActingAgent = { id: '00000000-0000-0000-0000-000000000000', role: 'supervisor' };

/** What an action adds to the transition the workflow decided. */
interface ActionEffect {
  readonly patch?: AppealPatch;
  /** Facts for the audit event beyond from, to and version. */
  readonly audit?: Record<string, unknown>;
  /** Runs once the transaction has committed, with the appeal as the action left it (the delayed job of a scheduled appeal). */
  readonly afterCommit?: (appeal: Appeal) => Promise<void>;
}

/** What the person reads when a supervisor closes their appeal as one of a flood of duplicates. */
const DUPLICATE_MESSAGE: Record<string, string> = {
  en: 'This appeal repeats other appeals filed for the same account details, so it was closed as a duplicate. If you own the account, file one appeal and give as much evidence as you can.',
  'zh-CN':
    '该申诉与针对同一账号信息提交的其他申诉重复，已作为重复申诉关闭。如果您是账号所有者，请只提交一份申诉，并尽可能提供充分的证明材料。',
};

/** Actions that may be four eyes (the confirmation, and the refusal instead of it). */
const FOUR_EYES_ACTIONS: ReadonlySet<AgentAction | BulkAction> = new Set(['second_approve', 'reject']);
/** Actions the person sees as an answer: the first meets the first-response SLA. */
const RESPONDS: ReadonlySet<AgentAction | BulkAction> = new Set([
  'request_info',
  'approve',
  'second_approve',
  'reject',
  'reject_duplicate',
]);
const AUDIT_ACTION: Record<AgentAction | BulkAction, AuditAction> = {
  check_facts: 'appeal.facts_checked',
  reject_duplicate: 'appeal.rejected',
  bulk_release: 'appeal.released',
  assign: 'appeal.assigned',
  claim: 'appeal.claimed',
  release: 'appeal.released',
  takeover: 'appeal.taken_over',
  note: 'appeal.note_added',
  request_info: 'appeal.info_requested',
  approve: 'appeal.approved',
  second_approve: 'appeal.approval_confirmed',
  reject: 'appeal.rejected',
  reopen: 'appeal.reopened',
  uphold_objection: 'appeal.objection_upheld',
  dismiss_objection: 'appeal.objection_dismissed',
};

/**
 * The agents' actions on an appeal, for the back-office pages. Each takes the version the agent
 * saw and runs in one transaction: the appeal's row is locked, the workflow decides (version,
 * status, role, lease, four-eyes), then the change, its notices and its audit event are written
 * together, and the version moves on. Of any number of concurrent actions on one version, one
 * wins and the others answer 409 STALE_VERSION having changed nothing.
 */
@Injectable()
export class AppealReviewService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: AppealsRepository,
    private readonly transitions: AppealTransitions,
    private readonly evidence: AppealEvidenceService,
    private readonly coolingOff: AppealCoolingOffService,
    private readonly accounts: AccountsService,
    private readonly agents: AgentsService,
    private readonly notices: AppealNotices,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** Takes the exclusive lease of APPEAL_LEASE (or renews one's own): `submitted` → `in_review`. 409 LEASE_HELD when another agent holds it. */
  claim(agent: ActingAgent, reference: string, expectedVersion: number, _input: NoInput = {}): Promise<AppealActionResult> {
    return this.act(agent, reference, expectedVersion, 'claim', async () => ({}));
  }

  /** Gives the appeal back to the queue: `in_review` → `submitted`. */
  release(agent: ActingAgent, reference: string, expectedVersion: number, _input: NoInput = {}): Promise<AppealActionResult> {
    return this.act(agent, reference, expectedVersion, 'release', async () => ({}));
  }

  /** A supervisor takes the lease from whoever holds it; the audit event names them. */
  takeOver(agent: ActingAgent, reference: string, expectedVersion: number, _input: NoInput = {}): Promise<AppealActionResult> {
    return this.act(agent, reference, expectedVersion, 'takeover', async () => ({}));
  }

  /** An internal note, never shown to the person; any agent, any status. */
  addNote(agent: ActingAgent, reference: string, expectedVersion: number, input: { body: string }): Promise<AppealActionResult> {
    return this.act(agent, reference, expectedVersion, 'note', async ({ manager, appeal }) => {
      const note = await this.repository.addMessage(manager, appeal.id, 'note', required(input.body, 'body'), agent.id);
      return { audit: { messageId: note.id } };
    });
  }

  /** Asks the person for more: `in_review` → `awaiting_customer`, `appeal-info-requested` with the question and the answer's deadline. */
  requestInfo(agent: ActingAgent, reference: string, expectedVersion: number, input: { message: string }): Promise<AppealActionResult> {
    return this.act(agent, reference, expectedVersion, 'request_info', async ({ manager, appeal, now }) => {
      const message = await this.repository.addMessage(manager, appeal.id, 'agent', required(input.message, 'message'), agent.id);
      const respondBy = new Date(now.getTime() + this.config.appeals.customerTimeoutMs);
      await this.notices.toContact(manager, appeal, 'appeal-info-requested', { message: message.body, respondBy: respondBy.toISOString() });
      return { audit: { messageId: message.id, respondBy: respondBy.toISOString() } };
    });
  }

  /**
   * Approves: `in_review` → `pending_second_approval` (APPEAL_FOUR_EYES) or straight to
   * `scheduled`. Needs a rationale when the evidence score is below APPEAL_EVIDENCE_THRESHOLD
   * or the appeal carries any risk signal (docs/appeals.md, "Evidence signals")
   * (and, by the workflow, an appeal that names exactly one account).
   */
  approve(agent: ActingAgent, reference: string, expectedVersion: number, input: { rationale?: string }): Promise<AppealActionResult> {
    return this.act(agent, reference, expectedVersion, 'approve', async ({ manager, appeal, decision, now }) => {
      await this.assertNewEmailFree(manager, appeal);
      const { score } = await this.evidence.checklist(manager, appeal);
      const rationale = input.rationale?.trim() || null;
      if (score < this.config.appeals.evidenceThreshold && !rationale) {
        throw new ValidationFailedError([
          { field: 'rationale', message: `is required: the evidence score ${score} is below ${this.config.appeals.evidenceThreshold}` },
        ]);
      }
      const signals = signalsOf(appeal.riskSignals);
      if (signals.length && !rationale) {
        throw new ValidationFailedError([
          {
            field: 'rationale',
            message: `is required: the appeal carries ${signals.length === 1 ? 'a risk signal' : 'risk signals'} (${signals.map((signal) => RISK_LABELS[signal].toLowerCase()).join(', ')})`,
          },
        ]);
      }
      const approval: AppealPatch = { approvedBy: agent.id, approvedAt: now, approvalRationale: rationale, evidenceScoreAtApproval: score };
      const audit = { evidenceScore: score, rationale, ...(signals.length ? { riskSignals: signals } : {}) };
      if (decision.to !== 'scheduled') return { patch: approval, audit };
      const scheduled = await this.coolingOff.start(manager, appeal, now);
      return { patch: { ...approval, ...scheduled }, audit, afterCommit: (scheduled) => this.coolingOff.enqueue(scheduled) };
    });
  }

  /** Four-eyes: a supervisor other than the approver confirms, without claiming: `pending_second_approval` → `scheduled`, the cooling-off starts. */
  confirmApproval(
    agent: ActingAgent,
    reference: string,
    expectedVersion: number,
    input: { rationale?: string } = {},
  ): Promise<AppealActionResult> {
    return this.act(agent, reference, expectedVersion, 'second_approve', async ({ manager, appeal, now }) => {
      await this.assertNewEmailFree(manager, appeal);
      const scheduled = await this.coolingOff.start(manager, appeal, now);
      return {
        patch: { confirmedBy: agent.id, confirmedAt: now, ...scheduled },
        audit: { rationale: input.rationale?.trim() || null },
        afterCommit: (scheduled) => this.coolingOff.enqueue(scheduled),
      };
    });
  }

  /** Rejects with an internal `reason` and a `message` the person receives (`appeal-rejected`). */
  reject(
    agent: ActingAgent,
    reference: string,
    expectedVersion: number,
    input: { reason: string; message: string },
  ): Promise<AppealActionResult> {
    return this.act(agent, reference, expectedVersion, 'reject', async ({ manager, appeal }) => {
      const reason = required(input.reason, 'reason');
      const message = await this.repository.addMessage(manager, appeal.id, 'agent', required(input.message, 'message'), agent.id);
      await this.notices.toContact(manager, appeal, 'appeal-rejected', { message: message.body });
      return { patch: { rejectionReason: reason }, audit: { reason, messageId: message.id } };
    });
  }

  /** A supervisor sends an `objected` appeal back to the queue (`submitted`). */
  reopen(agent: ActingAgent, reference: string, expectedVersion: number, _input: NoInput = {}): Promise<AppealActionResult> {
    return this.act(agent, reference, expectedVersion, 'reopen', async () => ({
      patch: { scheduledFor: null, approvedBy: null, approvedAt: null, confirmedBy: null, confirmedAt: null },
    }));
  }

  /** A supervisor stops an appeal a recorded objection holds: `scheduled` → `objected`, the person gets `appeal-closed`. */
  upholdObjection(agent: ActingAgent, reference: string, expectedVersion: number, _input: NoInput = {}): Promise<AppealActionResult> {
    return this.act(agent, reference, expectedVersion, 'uphold_objection', async ({ manager, appeal }) => {
      await this.notices.toContact(manager, appeal, 'appeal-closed', { reason: 'objected' });
      return { patch: { objectionRecordedAt: null }, afterCommit: (stopped) => this.coolingOff.dequeue(stopped.id) };
    });
  }

  /**
   * A supervisor lets an appeal a recorded objection held go on: a scheduled one is applied at its
   * time (at once when that has passed); one not yet approved goes on being reviewed.
   */
  dismissObjection(agent: ActingAgent, reference: string, expectedVersion: number, _input: NoInput = {}): Promise<AppealActionResult> {
    return this.act(agent, reference, expectedVersion, 'dismiss_objection', async () => ({
      patch: { objectionRecordedAt: null },
      // A recorded stop may come before scheduling: only a scheduled appeal has a job to put back.
      afterCommit: (after) => (after.status === 'scheduled' ? this.coolingOff.enqueue(after) : Promise.resolve()),
    }));
  }

  /**
   * The agent holding the appeal records what they found checking the owner facts the person
   * gave (identity document, last payment, resources, usual region) against the billing and
   * resource records and the attachments: `match`, `mismatch`, or `unknown` (not checked).
   * These weigh most in the evidence score.
   */
  checkFacts(
    agent: ActingAgent,
    reference: string,
    expectedVersion: number,
    input: Partial<Record<OwnerFact, string>>,
  ): Promise<AppealActionResult> {
    return this.act(agent, reference, expectedVersion, 'check_facts', async ({ appeal }) => {
      const given = ownerFactsGiven(appeal.evidence);
      const checks: FactChecks = {};
      for (const fact of OWNER_FACTS) {
        const verdict = input[fact] ?? 'unknown';
        if (verdict !== 'match' && verdict !== 'mismatch' && verdict !== 'unknown')
          throw new ValidationFailedError([{ field: fact, message: 'must be match, mismatch or unknown' }]);
        if (verdict === 'unknown') continue;
        if (!given.includes(fact))
          throw new ValidationFailedError([{ field: fact, message: 'was not given by the person: there is nothing to check' }]);
        checks[fact] = verdict;
      }
      return { patch: { factChecks: checks }, audit: { checks } };
    });
  }

  /**
   * Supervisors act on the appeals selected in the queue: release them (whoever holds them),
   * assign them to an active agent (the ordinary lease, in the assignee's name), or reject them
   * as duplicates (a flood of junk appeals, the person told with `message` or a default). Each
   * appeal is acted on in its own transaction with its own version check (the version the queue
   * showed, when given; a stale one is skipped). Returns which were done and which were
   * skipped, and why.
   */
  async bulk(
    agent: ActingAgent,
    action: 'release' | 'assign' | 'reject_duplicate',
    items: readonly { reference: string; version?: number }[],
    input: { message?: string; agentId?: string } = {},
  ): Promise<BulkOutcome> {
    let assignee: { id: string; name: string } | undefined;
    if (action === 'assign') {
      const found = input.agentId ? await this.agents.get(input.agentId).catch(() => undefined) : undefined;
      if (!found?.active)
        throw new ValidationFailedError([{ field: 'agentId', message: 'Choose an active agent to assign the appeals to.' }]);
      assignee = { id: found.id, name: found.name };
    }
    const done: string[] = [];
    const skipped: { reference: string; why: string }[] = [];
    for (const item of items) {
      try {
        const version = item.version ?? (await this.repository.findByReference(this.dataSource.manager, item.reference)).version;
        if (action === 'release') {
          await this.act(agent, item.reference, version, 'bulk_release', async () => ({ audit: { bulk: true } }));
        } else if (action === 'assign') {
          await this.act(agent, item.reference, version, 'assign', async () => ({ audit: { bulk: true, assignee: assignee!.id } }), {
            leaseTo: assignee!.id,
          });
        } else {
          await this.act(agent, item.reference, version, 'reject_duplicate', async ({ manager, appeal }) => {
            const body = input.message?.trim() || (DUPLICATE_MESSAGE[appeal.locale] ?? DUPLICATE_MESSAGE.en);
            const message = await this.repository.addMessage(manager, appeal.id, 'agent', body, agent.id);
            await this.notices.toContact(manager, appeal, 'appeal-rejected', { message: message.body });
            return { patch: { rejectionReason: 'duplicate' }, audit: { reason: 'duplicate', bulk: true, messageId: message.id } };
          });
        }
        done.push(item.reference);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        skipped.push({ reference: item.reference, why: error.detail });
      }
    }
    return { done, skipped, assignee };
  }

  /** The flood's bulk rejection (see `bulk`). */
  rejectDuplicates(
    agent: ActingAgent,
    items: readonly { reference: string; version?: number }[],
    input: { message?: string } = {},
  ): Promise<BulkOutcome> {
    return this.bulk(agent, 'reject_duplicate', items, input);
  }

  /**
   * The system hands a `submitted` appeal to an agent (auto-assignment): the same lease a claim
   * gives, audited as the system's action, inside the caller's transaction (which holds the
   * assignee's row lock while it counts their open appeals).
   */
  assignBySystem(manager: EntityManager, reference: string, expectedVersion: number, assigneeId: string): Promise<AppealActionResult> {
    return this.act(SYSTEM_ASSIGNER, reference, expectedVersion, 'assign', async () => ({ audit: { assignee: assigneeId, auto: true } }), {
      leaseTo: assigneeId,
      actor: { type: 'system' },
      manager,
    });
  }

  private async act(
    agent: ActingAgent,
    reference: string,
    expectedVersion: number,
    action: AgentAction | BulkAction,
    effect: (context: { manager: EntityManager; appeal: Appeal; decision: AgentDecision; now: Date }) => Promise<ActionEffect>,
    options: { leaseTo?: string; actor?: AuditActor; manager?: EntityManager } = {},
  ): Promise<AppealActionResult> {
    let afterCommit: (() => Promise<void>) | undefined;
    const run = async (manager: EntityManager) => {
      const appeal = await this.repository.lockByReference(manager, reference);
      const now = this.clock.now();
      // Four eyes ask how the confirming (or refusing) supervisor came by their role.
      const grant = FOUR_EYES_ACTIONS.has(action) ? await this.agents.roleGrant(manager, agent.id) : undefined;
      const decision = decideAgentAction(appeal, { ...agent, grant }, action, expectedVersion, now, {
        fourEyes: this.config.appeals.fourEyes,
      });
      const outcome = await effect({ manager, appeal, decision, now });
      const holder = options.leaseTo ?? agent.id;
      const lease: LeaseChange =
        decision.lease === 'grant' ? { agentId: holder, until: new Date(now.getTime() + this.config.appeals.leaseMs) } : decision.lease;
      const moved = await this.transitions.move(manager, appeal, decision.to, now, {
        responds: RESPONDS.has(action),
        lease,
        patch: outcome.patch,
        by: options.actor?.type === 'system' ? { label: 'the system' } : { agentId: agent.id },
      });
      await this.audit.record(manager, {
        action: AUDIT_ACTION[action],
        actor: options.actor ?? { type: 'agent', id: agent.id },
        subject: { type: 'appeal', id: appeal.reference },
        data: {
          from: decision.from,
          to: decision.to,
          version: moved.version,
          ...(decision.tookOverFrom ? { tookOverFrom: decision.tookOverFrom } : {}),
          ...outcome.audit,
        },
        ip: agent.ip,
      });
      const then = outcome.afterCommit;
      afterCommit = then && (() => then(moved));
      return { reference: moved.reference, status: moved.status, version: moved.version };
    };
    if (options.manager) return run(options.manager);
    const result = await this.dataSource.transaction(run);
    await afterCommit?.();
    return result;
  }

  /** The new logon email must still be free when the cooling-off starts (it is checked again when applied). */
  private async assertNewEmailFree(manager: EntityManager, appeal: Appeal): Promise<void> {
    if (!appeal.changes.logonEmail) return;
    const holder = await this.accounts.findByLogonEmail(appeal.changes.logonEmail, manager);
    if (holder && holder.uid !== appeal.accountUid) throw new EmailInUseError();
  }
}

function required(text: string | undefined, field: string): string {
  const trimmed = text?.trim() ?? '';
  if (!trimmed) throw new ValidationFailedError([{ field, message: 'must not be empty' }]);
  return trimmed;
}
