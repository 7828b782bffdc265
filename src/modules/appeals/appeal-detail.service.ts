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
import { ActionFeedback, AppealDetailPage, appealDetailPage, AppealDetailView, Revealed, ShownPreview } from './appeal-detail-view';
import { AppealEventsService } from './appeal-events.service';
import { AppealEvidenceService } from './appeal-evidence.service';
import { CannedRepliesService } from './canned-replies.service';
import { AgentRef } from './appeal-queue.service';
import { ActingAgent } from './appeal-review.service';
import { allowedAgentActions, mayAct } from './appeal-workflow';
import { AppealsRepository } from './appeals.repository';
import { AppealAttachment } from './entities/appeal-attachment.entity';
import { signalsOf } from './risk/risk-signals';
import { ownerFactsGiven } from './evidence-checklist';

export type { AppealDetailView } from './appeal-detail-view';

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
    private readonly replies: CannedRepliesService,
    private readonly events: AppealEventsService,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /**
   * The appeal's back-office page as its template reads it: the detail, shaped by
   * appealDetailPage, with the canned replies of the appeal's language rendered for it when
   * `replies` names the agent (and the one chosen to fill a form, `?reply=<id>&for=<action>`).
   */
  async page(
    agent: ActingAgent,
    reference: string,
    extra: {
      feedback?: ActionFeedback;
      revealed?: Revealed;
      shown?: ShownPreview;
      replies?: { agentName: string; chosen?: { readonly action: string; readonly id: string } };
    } = {},
  ): Promise<AppealDetailPage & { liveSince: number }> {
    const liveSince = await this.events.latestId();
    const detail = await this.detail(agent, reference);
    const replies = extra.replies
      ? {
          offered: await this.replies.offeredFor(
            { reference: detail.reference, locale: detail.locale === 'zh-CN' ? 'zh-CN' : 'en', fullName: detail.evidence.fullName },
            extra.replies.agentName,
          ),
          chosen: extra.replies.chosen,
        }
      : undefined;
    return {
      ...appealDetailPage(detail, this.clock.now(), { feedback: extra.feedback, revealed: extra.revealed, shown: extra.shown, replies }),
      liveSince,
    };
  }

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
