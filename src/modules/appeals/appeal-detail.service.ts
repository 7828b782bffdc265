import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { maskEmail, maskPhone } from '../../common/masking';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { AccountsService } from '../accounts/accounts.service';
import { AgentsService } from '../agents/agents.service';
import { AuditService } from '../audit/audit.service';
import { AppealEvidenceService } from './appeal-evidence.service';
import { AgentRef } from './appeal-queue.service';
import { ActingAgent } from './appeal-review.service';
import { AgentAction, allowedAgentActions, AppealStatus, mayAct } from './appeal-workflow';
import { AppealsRepository } from './appeals.repository';
import { AppealAttachment, AttachmentContentType } from './entities/appeal-attachment.entity';
import { AccountMatch, AppealEvidence } from './entities/appeal.entity';
import { RiskSignal, signalsOf } from './risk/risk-signals';
import { ChecklistItem, FactVerdict, OwnerFact, ownerFactsGiven } from './evidence-checklist';

export interface AppealDetailView {
  readonly reference: string;
  readonly status: AppealStatus;
  /** Every action form carries it back. */
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly locale: string;
  readonly maskedContactEmail: string;
  readonly accountMatch: AccountMatch;
  readonly claimed: { readonly uid: string | null; readonly maskedLogonEmail: string | null; readonly maskedSecurePhone: string | null };
  readonly requestedChanges: {
    readonly maskedLogonEmail?: string;
    readonly maskedSecurePhone?: string;
    readonly resetPassword: boolean;
    readonly disableTotp: boolean;
  };
  /** The account's state now, contacts masked; null when the appeal names no single account. */
  readonly account: {
    readonly uid: string;
    readonly maskedLogonEmail: string;
    readonly maskedSecurePhone: string | null;
    readonly totpEnabled: boolean;
    readonly status: string;
    readonly createdAt: Date;
    readonly formerContacts: { readonly kind: string; readonly masked: string; readonly replacedAt: Date }[];
  } | null;
  readonly evidence: AppealEvidence;
  readonly checklist: {
    readonly items: ChecklistItem[];
    readonly score: number;
    readonly threshold: number;
    readonly rationaleRequired: boolean;
  };
  readonly attachments: {
    readonly id: string;
    readonly filename: string;
    readonly contentType: AttachmentContentType;
    readonly size: number;
    readonly sha256: string;
    readonly createdAt: Date;
    readonly purged: boolean;
    /** Thumbnails were made at upload and not purged: the page shows the blurred one. */
    readonly preview: boolean;
  }[];
  /** The evidence signals the appeal carries, in their fixed order, each with its reason and the other appeals it links. */
  readonly riskSignals: { readonly signal: RiskSignal; readonly reason: string; readonly appeals: string[] }[];
  /** What the person sees, with the agents' names (the person never sees them). */
  readonly thread: {
    readonly from: 'customer' | 'agent';
    readonly agent: AgentRef | null;
    readonly body: string;
    readonly createdAt: Date;
  }[];
  readonly notes: { readonly agent: AgentRef | null; readonly body: string; readonly createdAt: Date }[];
  /** From the audit log, newest first. */
  readonly history: {
    readonly seq: string;
    readonly at: Date;
    readonly action: string;
    readonly actor: { readonly type: string; readonly id: string | null; readonly name?: string };
    readonly data: Record<string, unknown>;
  }[];
  readonly lease: { readonly agent: AgentRef | null; readonly expiresAt: Date; readonly live: boolean } | null;
  readonly approval: {
    readonly approvedBy: AgentRef | null;
    readonly approvedAt: Date | null;
    readonly rationale: string | null;
    readonly evidenceScore: number | null;
    readonly confirmedBy: AgentRef | null;
    readonly confirmedAt: Date | null;
  } | null;
  readonly scheduledFor: Date | null;
  /** The owner facts the person gave, as agents found them, and whether this agent may record a check now. */
  readonly factChecks: { readonly allowed: boolean; readonly given: { readonly fact: OwnerFact; readonly verdict: FactVerdict }[] };
  /** When an objection was recorded that holds the appeal until a supervisor decides. */
  readonly objectionRecordedAt: Date | null;
  readonly rejectionReason: string | null;
  readonly sla: {
    readonly firstResponseDueAt: Date | null;
    readonly firstResponseAt: Date | null;
    readonly firstResponseBreachedAt: Date | null;
    readonly resolutionDueAt: Date | null;
    readonly resolutionBreachedAt: Date | null;
    readonly breached: boolean;
  };
  readonly evidencePurgedAt: Date | null;
  /** Exactly the actions this agent may take now, in the workflow's order. */
  readonly actions: AgentAction[];
}

/** An appeal's back-office page: the appeal, the account it names, evidence, thread, history, and exactly the actions the agent may take. */
@Injectable()
export class AppealDetailService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: AppealsRepository,
    private readonly evidence: AppealEvidenceService,
    private readonly accounts: AccountsService,
    private readonly agents: AgentsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async detail(agent: ActingAgent, reference: string): Promise<AppealDetailView> {
    const manager = this.dataSource.manager;
    const appeal = await this.repository.findByReference(manager, reference);
    const account = appeal.accountUid ? await this.accounts.get(appeal.accountUid) : null;
    const [checklist, formerContacts, attachments, messages, history] = await Promise.all([
      this.evidence.checklist(manager, appeal, account),
      account ? this.accounts.formerContacts(account.uid) : [],
      manager.find(AppealAttachment, { where: { appealId: appeal.id }, order: { createdAt: 'ASC' } }),
      this.repository.messages(manager, appeal.id, true),
      this.audit.list({ subject: { type: 'appeal', id: appeal.reference }, limit: 200 }),
    ]);
    const previews = new Set(
      attachments.length
        ? (
            (await manager.query(`SELECT attachment_id FROM appeal_attachment_previews WHERE attachment_id = ANY($1)`, [
              attachments.map((file) => file.id),
            ])) as { attachment_id: string }[]
          ).map((row) => row.attachment_id)
        : [],
    );
    const names = await this.agents.namesOf([
      appeal.leaseAgentId,
      appeal.approvedBy,
      appeal.confirmedBy,
      ...messages.map((message) => message.agentId),
      ...history.events.filter((event) => event.actorType === 'agent').map((event) => event.actorId),
    ]);
    const ref = (id: string | null): AgentRef | null => (id ? { id, name: names.get(id) ?? '' } : null);
    const threshold = this.config.appeals.evidenceThreshold;
    const now = this.clock.now();
    return {
      reference: appeal.reference,
      status: appeal.status,
      version: appeal.version,
      createdAt: appeal.createdAt,
      updatedAt: appeal.updatedAt,
      locale: appeal.locale,
      maskedContactEmail: maskEmail(appeal.contactEmail),
      accountMatch: appeal.accountMatch,
      claimed: {
        uid: appeal.claimedUid,
        maskedLogonEmail: appeal.claimedEmail ? maskEmail(appeal.claimedEmail) : null,
        maskedSecurePhone: appeal.claimedPhone ? maskPhone(appeal.claimedPhone) : null,
      },
      requestedChanges: {
        ...(appeal.changes.logonEmail ? { maskedLogonEmail: maskEmail(appeal.changes.logonEmail) } : {}),
        ...(appeal.changes.securePhone ? { maskedSecurePhone: maskPhone(appeal.changes.securePhone) } : {}),
        resetPassword: Boolean(appeal.changes.resetPassword),
        disableTotp: Boolean(appeal.changes.disableTotp),
      },
      account: account && {
        uid: account.uid,
        maskedLogonEmail: maskEmail(account.logonEmail),
        maskedSecurePhone: account.securePhone ? maskPhone(account.securePhone) : null,
        totpEnabled: account.totpSecret !== null,
        status: account.status,
        createdAt: account.createdAt,
        formerContacts: formerContacts.map((contact) => ({
          kind: contact.kind,
          masked: contact.kind === 'logon_email' ? maskEmail(contact.value) : maskPhone(contact.value),
          replacedAt: contact.replacedAt,
        })),
      },
      evidence: appeal.evidence,
      checklist: { items: checklist.items, score: checklist.score, threshold, rationaleRequired: checklist.score < threshold },
      attachments: attachments.map((file) => ({
        id: file.id,
        filename: file.filename,
        contentType: file.contentType,
        size: file.size,
        sha256: file.sha256,
        createdAt: file.createdAt,
        purged: file.purgedAt !== null,
        preview: file.purgedAt === null && previews.has(file.id),
      })),
      riskSignals: signalsOf(appeal.riskSignals).map((signal) => ({
        signal,
        reason: appeal.riskSignals[signal]!.reason,
        appeals: appeal.riskSignals[signal]!.appeals ?? [],
      })),
      thread: messages
        .filter((message) => message.author !== 'note')
        .map((message) => ({
          from: message.author === 'customer' ? 'customer' : 'agent',
          agent: ref(message.agentId),
          body: message.body,
          createdAt: message.createdAt,
        })),
      notes: messages
        .filter((message) => message.author === 'note')
        .map((message) => ({ agent: ref(message.agentId), body: message.body, createdAt: message.createdAt })),
      history: history.events.map((event) => ({
        seq: event.seq,
        at: event.createdAt,
        action: event.action,
        actor: {
          type: event.actorType,
          id: event.actorId,
          ...(event.actorType === 'agent' && event.actorId ? { name: names.get(event.actorId) ?? '' } : {}),
        },
        data: event.data,
      })),
      lease:
        appeal.leaseAgentId && appeal.leaseExpiresAt
          ? { agent: ref(appeal.leaseAgentId), expiresAt: appeal.leaseExpiresAt, live: appeal.leaseExpiresAt.getTime() > now.getTime() }
          : null,
      approval: appeal.approvedBy
        ? {
            approvedBy: ref(appeal.approvedBy),
            approvedAt: appeal.approvedAt,
            rationale: appeal.approvalRationale,
            evidenceScore: appeal.evidenceScoreAtApproval,
            confirmedBy: ref(appeal.confirmedBy),
            confirmedAt: appeal.confirmedAt,
          }
        : null,
      scheduledFor: appeal.scheduledFor,
      objectionRecordedAt: appeal.objectionRecordedAt,
      rejectionReason: appeal.rejectionReason,
      sla: {
        firstResponseDueAt: appeal.firstResponseDueAt,
        firstResponseAt: appeal.firstResponseAt,
        firstResponseBreachedAt: appeal.firstResponseBreachedAt,
        resolutionDueAt: appeal.resolutionDueAt,
        resolutionBreachedAt: appeal.resolutionBreachedAt,
        breached: appeal.slaBreached,
      },
      evidencePurgedAt: appeal.evidencePurgedAt,
      actions: allowedAgentActions(appeal, { ...agent, grant: await this.agents.roleGrant(manager, agent.id) }, now, {
        fourEyes: this.config.appeals.fourEyes,
      }),
      factChecks: {
        allowed:
          ownerFactsGiven(appeal.evidence).length > 0 &&
          mayAct(appeal, agent, 'check_facts', now, { fourEyes: this.config.appeals.fourEyes }),
        given: ownerFactsGiven(appeal.evidence).map((fact) => ({ fact, verdict: appeal.factChecks?.[fact] ?? 'unknown' })),
      },
    };
  }
}
