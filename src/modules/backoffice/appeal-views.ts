import { appealHref, matchFlag, slaBadge, statusBadge } from '../appeals/appeal-detail-view';
import { AppealQueueRow, openOnly, QUEUE_SORTS, QueueFilters, QueueSort, QueueStatus } from '../appeals/appeal-queue.service';
import { APPEAL_STATUSES } from '../appeals/appeal-workflow';
import { isRiskSignal, RISK_LABELS, RISK_SIGNALS } from '../appeals/risk/risk-signals';
import { CHANGE_LABELS } from '../appeals/requested-changes';

/** The queue's pages and links; an appeal's own page is shaped in the appeals module (appeal-detail-view). */
export { appealHref, STATUS_LABELS } from '../appeals/appeal-detail-view';

/** What `GET /agent/appeals` was asked for, checked; field errors for the filter form otherwise. */
export function parseQueueQuery(query: Record<string, unknown>): { filters: QueueFilters; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const filters: { -readonly [K in keyof QueueFilters]: QueueFilters[K] } = {};
  const text = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    // A repeated parameter (?q=a&q=b) is not something the form sends.
    if (typeof value !== 'string') {
      errors[name] = 'Give this filter once.';
      return undefined;
    }
    return value.trim();
  };
  const status = text('status');
  if (status) {
    if (['open', 'closed', 'all', ...APPEAL_STATUSES].includes(status)) filters.status = status as QueueStatus;
    else errors.status = `Choose open, closed, all or one of: ${APPEAL_STATUSES.join(', ')}.`;
  }
  const sort = text('sort');
  if (sort) {
    if (!(QUEUE_SORTS as readonly string[]).includes(sort)) errors.sort = `Choose one of: ${QUEUE_SORTS.join(', ')}.`;
    else if (sort === 'deadline' && !errors.status && !openOnly(filters.status))
      errors.sort = 'Only open appeals have a deadline to sort by: choose newest or oldest first, or an open status.';
    else filters.sort = sort as QueueSort;
  }
  const q = text('q');
  if (q) {
    if (q.length > 254) errors.q = 'Search for at most 254 characters.';
    else filters.q = q;
  }
  const sla = text('sla');
  if (sla) {
    if (sla === 'breached') filters.sla = 'breached';
    else errors.sla = 'The only SLA filter is breached.';
  }
  const mine = text('mine');
  if (mine) {
    if (['1', 'true', 'on'].includes(mine)) filters.mine = true;
    else if (mine !== '0' && mine !== 'false') errors.mine = 'Use mine=1 for the appeals you hold.';
  }
  const flood = text('flood');
  if (flood) {
    if (['1', 'true', 'on'].includes(flood)) filters.flood = true;
    else if (flood !== '0' && flood !== 'false') errors.flood = 'Use flood=1 for the appeals flagged as a flood.';
  }
  const risk = text('risk');
  if (risk) {
    if (isRiskSignal(risk)) filters.risk = risk;
    else errors.risk = `Choose one of: ${RISK_SIGNALS.join(', ')}.`;
  }
  const after = text('after');
  if (after) filters.after = after;
  return { filters, errors };
}

/** The queue URL for `filters` (without the cursor unless given). */
export function queueHref(filters: QueueFilters, after?: string | null): string {
  const params = new URLSearchParams();
  if (filters.status) params.set('status', filters.status);
  if (filters.sort) params.set('sort', filters.sort);
  if (filters.q) params.set('q', filters.q);
  if (filters.sla) params.set('sla', filters.sla);
  if (filters.mine) params.set('mine', '1');
  if (filters.flood) params.set('flood', '1');
  if (filters.risk) params.set('risk', filters.risk);
  if (after) params.set('after', after);
  const search = params.toString();
  return search ? `/agent/appeals?${search}` : '/agent/appeals';
}

export function queueRowView(row: AppealQueueRow, now: Date) {
  return {
    reference: row.reference,
    version: row.version,
    href: appealHref(row.reference),
    status: statusBadge(row.status),
    createdAt: row.createdAt,
    contact: row.maskedContactEmail,
    flag: matchFlag(row.accountMatch),
    changes: row.changes.map((key) => CHANGE_LABELS[key] ?? key).join(', '),
    sla:
      slaBadge({ breached: row.slaBreached, firstResponseDueAt: row.firstResponseDueAt, resolutionDueAt: row.resolutionDueAt }, now) ??
      (row.status === 'awaiting_customer' ? { label: '', tone: 'neutral', detail: 'paused while awaiting the customer' } : null),
    holder: row.leaseHolder?.name ?? null,
    flood: row.flood,
    risks: row.risks.map((signal) => ({ signal, label: RISK_LABELS[signal], href: queueHref({ risk: signal }) })),
    answered: row.answered && row.status === 'in_review',
  };
}
