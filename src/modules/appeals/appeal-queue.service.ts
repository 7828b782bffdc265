import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { normaliseEmail } from '../../common/contacts';
import { maskEmail } from '../../common/masking';
import { decodeCursor, encodeCursor, Page } from '../../common/pagination';
import { AgentsService } from '../agents/agents.service';
import { ActingAgent } from './appeal-review.service';
import { AppealStatus, OPEN_STATUSES } from './appeal-workflow';
import { REFERENCE } from './appeals.repository';
import { AccountMatch, Appeal } from './entities/appeal.entity';
import { changeKeys } from './requested-changes';
import { isRiskSignal, RiskSignal } from './risk/risk-signals';
import { UUID_PATTERN } from '../../common/validation/is-uuid';

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
  /** Only appeals that carry this evidence signal. */
  readonly risk?: RiskSignal;
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
  /** The evidence signals the appeal carries. */
  readonly risks: RiskSignal[];
  readonly firstResponseDueAt: Date | null;
  readonly resolutionDueAt: Date | null;
  /** The agent holding a live lease. */
  readonly leaseHolder: AgentRef | null;
  /** The person wrote last: an answer (or a new message) waits for the agent. */
  readonly answered: boolean;
}

/** `status IN (...)` written out, so PostgreSQL can use the partial index of open appeals. */
export const OPEN_SQL = `a.status IN (${OPEN_STATUSES.map((status) => `'${status}'`).join(', ')})`;
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

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
  risks: string[];
  first_response_due_at: Date | null;
  resolution_due_at: Date | null;
  lease_agent_id: string | null;
  lease_live: boolean;
  answered: boolean;
  cursor_at: string;
  id: string;
}

/**
 * The back-office's appeal queue: filters, search, keyset pages of 50, oldest first, every query
 * on an index. An appeal's page is AppealDetailService, the audited reads AppealSensitiveReadsService,
 * the dashboard's figures AppealStatisticsService.
 */
@Injectable()
export class AppealQueueService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly agents: AgentsService,
    private readonly clock: Clock,
  ) {}

  async list(agent: ActingAgent, filters: QueueFilters = {}): Promise<Page<AppealQueueRow>> {
    const query = queueQuery(agent.id, filters, this.clock.now());
    if (!query) return { items: [], next: null };
    const rows: QueueSqlRow[] = await this.dataSource.query(query.sql, query.params);
    const page = rows.slice(0, QUEUE_PAGE_SIZE);
    const last = page[page.length - 1];
    const names = await this.agents.namesOf(page.map((row) => (row.lease_live ? row.lease_agent_id : null)));
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
        risks: row.risks.filter(isRiskSignal),
        firstResponseDueAt: row.first_response_due_at,
        resolutionDueAt: row.resolution_due_at,
        answered: row.answered,
        leaseHolder: row.lease_live && row.lease_agent_id ? { id: row.lease_agent_id, name: names.get(row.lease_agent_id) ?? '' } : null,
      })),
      next: rows.length > QUEUE_PAGE_SIZE ? encodeCursor([last.cursor_at, last.id]) : null,
    };
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
  // Written out (from the fixed list), so that PostgreSQL uses the signal's partial index.
  if (filters.risk && isRiskSignal(filters.risk)) where.push(`a.risk_signals ? '${filters.risk}'`);
  // A lapsed lease is anyone's to claim: it is no longer the agent's work.
  if (filters.mine) where.push(`a.lease_agent_id = ${param(agentId)} AND a.lease_expires_at > ${param(now)}`);
  if (filters.q !== undefined) {
    const search = searchCondition(filters.q.trim(), param);
    if (!search) return undefined;
    where.push(search);
  }
  if (filters.after) {
    const [at, id] = decodeCursor(filters.after, [CURSOR_TIME, UUID_PATTERN]);
    where.push(`(a.created_at, a.id) > (${param(at)}::timestamptz, ${param(id)}::uuid)`);
  }
  const sql = `SELECT a.id, a.reference, a.status, a.version, a.created_at, a.updated_at, a.contact_email, a.account_match, a.changes, a.sla_breached, a.flood,
                      ARRAY(SELECT jsonb_object_keys(a.risk_signals)) AS risks, a.first_response_due_at, a.resolution_due_at, a.lease_agent_id,
                      (a.lease_expires_at > ${param(now)}) AS lease_live, a.created_at::text AS cursor_at,
                      COALESCE((SELECT m.author = 'customer' FROM appeal_messages m WHERE m.appeal_id = a.id AND m.author <> 'note'
                                 ORDER BY m.created_at DESC LIMIT 1), false) AS answered
                 FROM appeals a
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
