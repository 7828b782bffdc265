import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { normaliseEmail } from '../../common/contacts';
import { LOCALES } from '../../common/locales';
import { defaultCountry, normalisePhone } from '../../common/phones';
import { maskEmail } from '../../common/masking';
import { decodeCursor, encodeCursor, Page } from '../../common/pagination';
import { AgentsService } from '../agents/agents.service';
import { ActingAgent } from './appeal-review.service';
import { AppealStatus, CLOSED_STATUSES, isClosed, OPEN_STATUSES } from './appeal-workflow';
import { REFERENCE } from './appeals.repository';
import { AccountMatch, Appeal } from './entities/appeal.entity';
import { changeKeys } from './requested-changes';
import { isRiskSignal, RiskSignal } from './risk/risk-signals';
import { UUID_PATTERN } from '../../common/validation/is-uuid';

export const QUEUE_PAGE_SIZE = 50;

/**
 * The queue's orders: `deadline`, the next SLA deadline soonest first (open appeals only: a
 * closed one has none), those without a running deadline last; `newest` and `oldest` by filing.
 */
export const QUEUE_SORTS = ['deadline', 'newest', 'oldest'] as const;
export type QueueSort = (typeof QUEUE_SORTS)[number];

/** A status filter: one status, `open` (every status but the closed ones), `closed` or `all`. */
export type QueueStatus = AppealStatus | 'open' | 'closed' | 'all';

export interface QueueFilters {
  /** Absent: `open`, the queue's default view. */
  readonly status?: QueueStatus;
  /** Absent: `deadline` for open appeals (the default view), `oldest` for a view with closed ones. */
  readonly sort?: QueueSort;
  /** `breached`: open appeals past an SLA deadline. */
  readonly sla?: 'breached';
  /** Only appeals whose live lease the agent holds (a lapsed one is not theirs any more). */
  readonly mine?: boolean;
  /** Only appeals flagged as a flood (filed for an identifier that hit the limit of open appeals). */
  readonly flood?: boolean;
  /** Only appeals that carry this evidence signal. */
  readonly risk?: RiskSignal;
  /**
   * A reference (`AP-...`), an email (contact or the one typed), a UID, a phone (the one typed,
   * with or without its country code), or the start of the full name the person gave.
   */
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
const CLOSED_SQL = `a.status IN (${CLOSED_STATUSES.map((status) => `'${status}'`).join(', ')})`;
/**
 * An appeal's next SLA deadline, or infinity while none runs (awaiting the customer, scheduled):
 * written exactly as the partial index `appeals_open_deadline_idx` is, so that it serves the order.
 */
export const DEADLINE_SQL = `COALESCE(LEAST(a.first_response_due_at, a.resolution_due_at), 'infinity'::timestamptz)`;
/** The full name the person gave, as the prefix search and its index `appeals_full_name_idx` read it. */
export const FULL_NAME_SQL = `lower(a.evidence ->> 'fullName')`;
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;
const CURSOR_DEADLINE = new RegExp(`^(infinity|${CURSOR_TIME.source.slice(1, -1)})$`);

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
 * The back-office's appeal queue: filters, search, keyset pages of 50 (open appeals by their next
 * deadline unless asked otherwise), every query on an index. An appeal's page is
 * AppealDetailService, the audited reads AppealSensitiveReadsService, the dashboard's figures
 * AppealStatisticsService.
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
      next: rows.length > QUEUE_PAGE_SIZE ? encodeCursor([sortOf(filters), last.cursor_at, last.id]) : null,
    };
  }
}

/** True when a status filter lists open appeals only (the only ones with a deadline to sort by). */
export function openOnly(status: QueueStatus | undefined): boolean {
  return status === undefined || status === 'open' || (status !== 'all' && status !== 'closed' && !isClosed(status));
}

/** The order a view is listed in: the one asked for, else by deadline for open appeals and oldest first otherwise. */
export function sortOf(filters: Pick<QueueFilters, 'status' | 'sort'>): QueueSort {
  return filters.sort ?? (openOnly(filters.status) ? 'deadline' : 'oldest');
}

/** The keys each order sorts by (the cursor holds the last row's), and how a page follows the previous one. */
const ORDERS: Record<QueueSort, { key: string; after: '>' | '<'; direction: 'ASC' | 'DESC'; at: RegExp }> = {
  deadline: { key: DEADLINE_SQL, after: '>', direction: 'ASC', at: CURSOR_DEADLINE },
  newest: { key: 'a.created_at', after: '<', direction: 'DESC', at: CURSOR_TIME },
  oldest: { key: 'a.created_at', after: '>', direction: 'ASC', at: CURSOR_TIME },
};

/**
 * The SQL of one queue page: open appeals by their next deadline unless the filters say
 * otherwise, the keyset cursor after the last row shown (it names its order, so a cursor of
 * another order is refused), 51 rows to tell whether there is a next page. Every filter and
 * order has its index (see the Appeals and QueueDeadlineAndNames migrations); undefined when the
 * search text is nothing searchable.
 */
export function queueQuery(agentId: string, filters: QueueFilters, now: Date): { sql: string; params: unknown[] } | undefined {
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  const where: string[] = [];
  const status = filters.status ?? 'open';
  const sort = sortOf(filters);
  const order = ORDERS[sort];
  if (status === 'open') where.push(OPEN_SQL);
  else if (status === 'closed') where.push(CLOSED_SQL);
  else if (status !== 'all') where.push(`a.status = ${param(status)}`);
  // Only open appeals have a deadline to sort by; the page refuses the combination before it gets here.
  if (sort === 'deadline' && !openOnly(status)) return undefined;
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
    const [, at, id] = decodeCursor(filters.after, [new RegExp(`^${sort}$`), order.at, UUID_PATTERN]);
    where.push(`(${order.key}, a.id) ${order.after} (${param(at)}::timestamptz, ${param(id)}::uuid)`);
  }
  const sql = `SELECT a.id, a.reference, a.status, a.version, a.created_at, a.updated_at, a.contact_email, a.account_match, a.changes, a.sla_breached, a.flood,
                      ARRAY(SELECT jsonb_object_keys(a.risk_signals)) AS risks, a.first_response_due_at, a.resolution_due_at, a.lease_agent_id,
                      (a.lease_expires_at > ${param(now)}) AS lease_live, (${order.key})::text AS cursor_at,
                      COALESCE((SELECT m.author = 'customer' FROM appeal_messages m WHERE m.appeal_id = a.id AND m.author <> 'note'
                                 ORDER BY m.created_at DESC LIMIT 1), false) AS answered
                 FROM appeals a
                ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                ORDER BY ${order.key} ${order.direction}, a.id ${order.direction}
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
  if (/^[^@\s]+@[^@\s]+$/.test(q)) {
    const email = param(normaliseEmail(q));
    return `(lower(a.contact_email) = lower(${email}) OR lower(a.claimed_email) = lower(${email}))`;
  }
  if (/^\+?[\d\s().-]+$/.test(q)) {
    const phones = phoneCandidates(q);
    return phones.length ? `a.claimed_phone = ANY(${param(phones)}::text[])` : undefined;
  }
  const name = q.toLowerCase().replace(/\s+/g, ' ');
  if (name.length < 2) return undefined;
  return `${FULL_NAME_SQL} LIKE ${param(`${name.replace(/[\\%_]/g, (char) => `\\${char}`)}%`)}`;
}

/** The regions a phone typed without its country code is read in: the default country of each page language. */
const PHONE_REGIONS = [...new Set(LOCALES.map(defaultCountry))];

/**
 * The E.164 numbers a typed phone may stand for: as typed when it starts with `+` or `00`;
 * otherwise read in each default region (`13800138000` is `+8613800138000`) and as digits that
 * start with their country code (`8613800138000`).
 */
export function phoneCandidates(typed: string): string[] {
  const text = typed.trim();
  const digits = text.replace(/\D/g, '');
  if (digits.length < 6 || digits.length > 15) return [];
  const found = new Set<string>();
  if (/^\+[1-9]\d{6,14}$/.test(text)) found.add(text);
  const international = text.startsWith('+') || text.startsWith('00');
  const readings = international
    ? [normalisePhone(text, PHONE_REGIONS[0])]
    : [...PHONE_REGIONS.map((region) => normalisePhone(text, region)), normalisePhone(`+${digits}`, PHONE_REGIONS[0])];
  for (const reading of readings) if (reading) found.add(reading);
  return [...found];
}
