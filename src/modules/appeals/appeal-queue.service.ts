import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { normaliseEmail } from '../../common/contacts';
import { NotFoundError } from '../../common/errors/domain-error';
import { maskEmail, maskPhone } from '../../common/masking';
import { decodeCursor, encodeCursor, Page } from '../../common/pagination';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { AccountsService } from '../accounts/accounts.service';
import { AuditService } from '../audit/audit.service';
import { AppealEvidenceService } from './appeal-evidence.service';
import { ActingAgent } from './appeal-review.service';
import { AgentAction, allowedAgentActions, mayAct, APPEAL_STATUSES, AppealStatus, OPEN_STATUSES } from './appeal-workflow';
import { AppealsRepository, REFERENCE } from './appeals.repository';
import { AppealAttachmentContent } from './entities/appeal-attachment-content.entity';
import { AppealAttachment, AttachmentContentType } from './entities/appeal-attachment.entity';
import { AccountMatch, Appeal, AppealEvidence } from './entities/appeal.entity';
import { ChecklistItem, FactVerdict, OwnerFact, ownerFactsGiven } from './evidence-checklist';
import { changeKeys } from './requested-changes';

export const QUEUE_PAGE_SIZE = 50;

export interface QueueFilters {
  /** One status, or `open` for every status but the closed ones; all when absent. */
  readonly status?: AppealStatus | 'open';
  /** `breached`: open appeals past an SLA deadline. */
  readonly sla?: 'breached';
  /** Only appeals whose live lease the agent holds (a lapsed one is not theirs any more). */
  readonly mine?: boolean;
  /** Only appeals flagged as a flood (filed for an identifier that hit the limit of open appeals). */
  readonly flood?: boolean;
  /** A reference (`AP-...`), an email (contact or the one typed), a UID, or an E.164 phone (the one typed). */
  readonly q?: string;
  /** The `next` cursor of the previous page. */
  readonly after?: string;
}

export interface AgentRef {
  readonly id: string;
  readonly name: string;
}

export interface AppealQueueRow {
  readonly reference: string;
  readonly status: AppealStatus;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly maskedContactEmail: string;
  /** Not `matched`: flagged for the agents. */
  readonly accountMatch: AccountMatch;
  readonly changes: string[];
  readonly slaBreached: boolean;
  /** Filed for an identifier that hit the limit of open appeals. */
  readonly flood: boolean;
  readonly firstResponseDueAt: Date | null;
  readonly resolutionDueAt: Date | null;
  /** The agent holding a live lease. */
  readonly leaseHolder: AgentRef | null;
}

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
  readonly requestedChanges: { readonly maskedLogonEmail?: string; readonly maskedSecurePhone?: string; readonly resetPassword: boolean; readonly disableTotp: boolean };
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
  readonly checklist: { readonly items: ChecklistItem[]; readonly score: number; readonly threshold: number; readonly rationaleRequired: boolean };
  readonly attachments: { readonly id: string; readonly filename: string; readonly contentType: AttachmentContentType; readonly size: number; readonly sha256: string; readonly createdAt: Date; readonly purged: boolean }[];
  /** What the person sees, with the agents' names (the person never sees them). */
  readonly thread: { readonly from: 'customer' | 'agent'; readonly agent: AgentRef | null; readonly body: string; readonly createdAt: Date }[];
  readonly notes: { readonly agent: AgentRef | null; readonly body: string; readonly createdAt: Date }[];
  /** From the audit log, newest first. */
  readonly history: { readonly seq: string; readonly at: Date; readonly action: string; readonly actor: { readonly type: string; readonly id: string | null; readonly name?: string }; readonly data: Record<string, unknown> }[];
  readonly lease: { readonly agent: AgentRef | null; readonly expiresAt: Date; readonly live: boolean } | null;
  readonly approval: { readonly approvedBy: AgentRef | null; readonly approvedAt: Date | null; readonly rationale: string | null; readonly evidenceScore: number | null; readonly confirmedBy: AgentRef | null; readonly confirmedAt: Date | null } | null;
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

export interface AttachmentDownload {
  readonly filename: string;
  readonly contentType: AttachmentContentType;
  readonly size: number;
  readonly content: Buffer;
}

export interface AppealDashboardStats {
  readonly byStatus: Record<AppealStatus, number>;
  readonly slaBreaches: { readonly openNow: number; readonly firstResponseLast30Days: number; readonly resolutionLast30Days: number };
  /** Open appeals flagged as a flood. */
  readonly openFlood: number;
  /** Over the last 30 days: from filing to the first answer, and to the decision. Null without data. */
  readonly medianFirstResponseMs: number | null;
  readonly medianResolutionMs: number | null;
  /** One entry per UTC day of the last 30, oldest first, for the charts. */
  readonly daily: { readonly day: string; readonly firstResponses: number; readonly medianFirstResponseMs: number | null; readonly resolutions: number; readonly medianResolutionMs: number | null }[];
}

const DAY_MS = 86_400_000;
const STATS_DAYS = 30;
/** `status IN (...)` written out, so PostgreSQL can use the partial index of open appeals. */
const OPEN_SQL = `a.status IN (${OPEN_STATUSES.map((status) => `'${status}'`).join(', ')})`;
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;
const CURSOR_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface QueueSqlRow {
  reference: string;
  status: AppealStatus;
  version: number;
  created_at: Date;
  updated_at: Date;
  contact_email: string;
  account_match: AccountMatch;
  changes: Appeal['changes'];
  sla_breached: boolean;
  flood: boolean;
  first_response_due_at: Date | null;
  resolution_due_at: Date | null;
  lease_agent_id: string | null;
  lease_agent_name: string | null;
  lease_live: boolean;
  cursor_at: string;
  id: string;
}

/**
 * What the back-office pages read about appeals: the queue (filters, search, keyset pages of
 * 50, oldest first, every query on an index), an appeal's detail with exactly the actions the
 * agent may take, attachment downloads (audited) and the dashboard's figures.
 */
@Injectable()
export class AppealQueueService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: AppealsRepository,
    private readonly evidence: AppealEvidenceService,
    private readonly accounts: AccountsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async list(agent: ActingAgent, filters: QueueFilters = {}): Promise<Page<AppealQueueRow>> {
    const query = queueQuery(agent.id, filters, this.clock.now());
    if (!query) return { items: [], next: null };
    const rows: QueueSqlRow[] = await this.dataSource.query(query.sql, query.params);
    const page = rows.slice(0, QUEUE_PAGE_SIZE);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => ({
        reference: row.reference,
        status: row.status,
        version: row.version,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        maskedContactEmail: maskEmail(row.contact_email),
        accountMatch: row.account_match,
        changes: changeKeys(row.changes),
        slaBreached: row.sla_breached,
        flood: row.flood,
        firstResponseDueAt: row.first_response_due_at,
        resolutionDueAt: row.resolution_due_at,
        leaseHolder: row.lease_live && row.lease_agent_id ? { id: row.lease_agent_id, name: row.lease_agent_name ?? '' } : null,
      })),
      next: rows.length > QUEUE_PAGE_SIZE ? encodeCursor([last.cursor_at, last.id]) : null,
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
    const names = await this.agentNames([
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
      })),
      thread: messages
        .filter((message) => message.author !== 'note')
        .map((message) => ({ from: message.author === 'customer' ? 'customer' : 'agent', agent: ref(message.agentId), body: message.body, createdAt: message.createdAt })),
      notes: messages.filter((message) => message.author === 'note').map((message) => ({ agent: ref(message.agentId), body: message.body, createdAt: message.createdAt })),
      history: history.events.map((event) => ({
        seq: event.seq,
        at: event.createdAt,
        action: event.action,
        actor: { type: event.actorType, id: event.actorId, ...(event.actorType === 'agent' && event.actorId ? { name: names.get(event.actorId) ?? '' } : {}) },
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
      actions: allowedAgentActions(appeal, { ...agent, grant: await this.repository.roleGrant(manager, agent.id) }, now, { fourEyes: this.config.appeals.fourEyes }),
      factChecks: {
        allowed: ownerFactsGiven(appeal.evidence).length > 0 && mayAct(appeal, agent, 'check_facts', now, { fourEyes: this.config.appeals.fourEyes }),
        given: ownerFactsGiven(appeal.evidence).map((fact) => ({ fact, verdict: appeal.factChecks?.[fact] ?? 'unknown' })),
      },
    };
  }

  /** The unmasked addresses of an appeal; a sensitive read, audited. */
  async revealContacts(agent: ActingAgent, reference: string): Promise<{ contactEmail: string; claimedEmail: string | null; claimedPhone: string | null; newLogonEmail: string | null; newSecurePhone: string | null }> {
    return this.dataSource.transaction(async (manager) => {
      const appeal = await this.repository.findByReference(manager, reference);
      await this.audit.record(manager, { action: 'appeal.contacts_revealed', actor: { type: 'agent', id: agent.id }, subject: { type: 'appeal', id: appeal.reference }, ip: agent.ip });
      return {
        contactEmail: appeal.contactEmail,
        claimedEmail: appeal.claimedEmail,
        claimedPhone: appeal.claimedPhone,
        newLogonEmail: appeal.changes.logonEmail ?? null,
        newSecurePhone: appeal.changes.securePhone ?? null,
      };
    });
  }

  /** An attachment's bytes for an agent, the view audited; 404 when unknown, of another appeal, or purged. */
  async downloadAttachment(agent: ActingAgent, reference: string, attachmentId: string): Promise<AttachmentDownload> {
    return this.dataSource.transaction(async (manager) => {
      const appeal = await this.repository.findByReference(manager, reference);
      const attachment = CURSOR_ID.test(attachmentId) ? await manager.findOneBy(AppealAttachment, { id: attachmentId, appealId: appeal.id }) : null;
      const stored = attachment && !attachment.purgedAt ? await manager.findOneBy(AppealAttachmentContent, { attachmentId }) : null;
      if (!attachment || !stored) throw new NotFoundError('There is no such attachment, or it was purged.');
      await this.audit.record(manager, {
        action: 'appeal.attachment_viewed',
        actor: { type: 'agent', id: agent.id },
        subject: { type: 'appeal', id: appeal.reference },
        data: { attachmentId, filename: attachment.filename, sha256: attachment.sha256 },
        ip: agent.ip,
      });
      return { filename: attachment.filename, contentType: attachment.contentType, size: attachment.size, content: stored.content };
    });
  }

  async dashboard(): Promise<AppealDashboardStats> {
    const now = this.clock.now();
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const since = new Date(today - (STATS_DAYS - 1) * DAY_MS);
    const [statuses, breaches, firstResponses, resolutions] = await Promise.all([
      this.dataSource.query(`SELECT status, count(*)::int AS count FROM appeals GROUP BY status`) as Promise<{ status: AppealStatus; count: number }[]>,
      this.dataSource.query(
        `SELECT (SELECT count(*) FROM appeals WHERE sla_breached)::int AS open_now,
                (SELECT count(*) FROM appeals WHERE first_response_breached_at >= $1)::int AS first_response,
                (SELECT count(*) FROM appeals WHERE resolution_breached_at >= $1)::int AS resolution,
                (SELECT count(*) FROM appeals a WHERE a.flood AND ${OPEN_SQL})::int AS open_flood`,
        [since],
      ) as Promise<{ open_now: number; first_response: number; resolution: number; open_flood: number }[]>,
      this.medians('first_response_at', since, now),
      this.medians('resolved_at', since, now),
    ]);
    const byStatus = Object.fromEntries(APPEAL_STATUSES.map((status) => [status, statuses.find((row) => row.status === status)?.count ?? 0])) as Record<AppealStatus, number>;
    const days = Array.from({ length: STATS_DAYS }, (_, index) => new Date(since.getTime() + index * DAY_MS).toISOString().slice(0, 10));
    return {
      byStatus,
      slaBreaches: { openNow: breaches[0].open_now, firstResponseLast30Days: breaches[0].first_response, resolutionLast30Days: breaches[0].resolution },
      openFlood: breaches[0].open_flood,
      medianFirstResponseMs: firstResponses.overall,
      medianResolutionMs: resolutions.overall,
      daily: days.map((day) => ({
        day,
        firstResponses: firstResponses.daily.get(day)?.count ?? 0,
        medianFirstResponseMs: firstResponses.daily.get(day)?.median ?? null,
        resolutions: resolutions.daily.get(day)?.count ?? 0,
        medianResolutionMs: resolutions.daily.get(day)?.median ?? null,
      })),
    };
  }

  /** Median milliseconds from filing to `column`, overall and per UTC day, for appeals whose `column` falls in [since, now]. */
  private async medians(column: 'first_response_at' | 'resolved_at', since: Date, now: Date): Promise<{ overall: number | null; daily: Map<string, { count: number; median: number }> }> {
    const rows: { day: string | null; count: number; median: number | null }[] = await this.dataSource.query(
      `SELECT to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS count,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM ${column} - created_at) * 1000) AS median
         FROM appeals WHERE ${column} >= $1 AND ${column} <= $2
        GROUP BY GROUPING SETS ((to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')), ())`,
      [since, now],
    );
    const overall = rows.find((row) => row.day === null);
    return {
      overall: overall?.median === null || overall?.median === undefined ? null : Math.round(Number(overall.median)),
      daily: new Map(rows.filter((row) => row.day !== null).map((row) => [row.day!, { count: row.count, median: Math.round(Number(row.median)) }])),
    };
  }

  private async agentNames(ids: (string | null)[]): Promise<Map<string, string>> {
    const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
    if (!wanted.length) return new Map();
    const rows: { id: string; name: string }[] = await this.dataSource.query(`SELECT id, name FROM agents WHERE id = ANY($1)`, [wanted]);
    return new Map(rows.map((row) => [row.id, row.name]));
  }
}

/**
 * The SQL of one queue page: oldest first by (created_at, id), the keyset cursor after the last
 * row shown, 51 rows to tell whether there is a next page. Every filter has its index (see the
 * Appeals migration); undefined when the search text is nothing searchable.
 */
export function queueQuery(agentId: string, filters: QueueFilters, now: Date): { sql: string; params: unknown[] } | undefined {
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  const where: string[] = [];
  if (filters.status === 'open') where.push(OPEN_SQL);
  else if (filters.status) where.push(`a.status = ${param(filters.status)}`);
  if (filters.sla === 'breached') where.push('a.sla_breached');
  if (filters.flood) where.push('a.flood');
  // A lapsed lease is anyone's to claim: it is no longer the agent's work.
  if (filters.mine) where.push(`a.lease_agent_id = ${param(agentId)} AND a.lease_expires_at > ${param(now)}`);
  if (filters.q !== undefined) {
    const search = searchCondition(filters.q.trim(), param);
    if (!search) return undefined;
    where.push(search);
  }
  if (filters.after) {
    const [at, id] = decodeCursor(filters.after, [CURSOR_TIME, CURSOR_ID]);
    where.push(`(a.created_at, a.id) > (${param(at)}::timestamptz, ${param(id)}::uuid)`);
  }
  const sql = `SELECT a.id, a.reference, a.status, a.version, a.created_at, a.updated_at, a.contact_email, a.account_match, a.changes, a.sla_breached, a.flood,
                      a.first_response_due_at, a.resolution_due_at, a.lease_agent_id, agent.name AS lease_agent_name,
                      (a.lease_expires_at > ${param(now)}) AS lease_live, a.created_at::text AS cursor_at
                 FROM appeals a LEFT JOIN agents agent ON agent.id = a.lease_agent_id
                ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                ORDER BY a.created_at, a.id
                LIMIT ${QUEUE_PAGE_SIZE + 1}`;
  return { sql, params };
}

/** The SQL condition a search box's text stands for, or undefined when it is none of the searchable things. */
function searchCondition(q: string, param: (value: unknown) => string): string | undefined {
  if (REFERENCE.test(q.toUpperCase())) return `a.reference = ${param(q.toUpperCase())}`;
  if (/^\d{16}$/.test(q)) {
    const uid = param(q);
    return `(a.claimed_uid = ${uid} OR a.account_uid = ${uid})`;
  }
  if (/^\+[1-9]\d{6,14}$/.test(q)) return `a.claimed_phone = ${param(q)}`;
  if (/^[^@\s]+@[^@\s]+$/.test(q)) {
    const email = param(normaliseEmail(q));
    return `(lower(a.contact_email) = lower(${email}) OR lower(a.claimed_email) = lower(${email}))`;
  }
  return undefined;
}
