import { addBusinessTime, businessTimeBetween } from '../../common/business-time';
import type { BusinessHours } from '../../config/business-hours';
import { AppealStatus, isClosed } from './appeal-workflow';
import type { Appeal } from './entities/appeal.entity';

export interface SlaSettings {
  /** SLA_FIRST_RESPONSE: from filing to the first answer (a request for information or a decision). */
  readonly firstResponseMs: number;
  /** SLA_RESOLUTION: from filing to a decision (scheduled or rejected), not counting time awaiting the customer. */
  readonly resolutionMs: number;
  /** SLA_BUSINESS_HOURS and SLA_HOLIDAYS: the hours that count; absent or null, every hour counts. */
  readonly hours?: BusinessHours | null;
}

export type SlaFields = Pick<
  Appeal,
  | 'createdAt'
  | 'firstResponseAt'
  | 'firstResponseDueAt'
  | 'resolutionDueAt'
  | 'resolutionBreachedAt'
  | 'slaPausedMs'
  | 'slaBreached'
  | 'awaitingSince'
  | 'reminderSentAt'
  | 'resolvedAt'
  | 'closedAt'
>;

/** The SLA columns of a new appeal. */
export function slaAtFiling(now: Date, sla: SlaSettings): Partial<SlaFields> {
  return {
    firstResponseDueAt: addBusinessTime(now, sla.firstResponseMs, sla.hours ?? null),
    resolutionDueAt: addBusinessTime(now, sla.resolutionMs, sla.hours ?? null),
    slaPausedMs: 0,
    slaBreached: false,
  };
}

/**
 * How a change of status moves the SLA columns. `responds` marks an answer the person sees (a
 * request for information or a decision): the first one meets the first-response deadline. The
 * resolution clock stops while the appeal awaits the customer and starts again, shifted by
 * that wait, when it leaves that status; a decision meets it; closing stops every clock. A
 * reopened appeal starts a new resolution clock. Every span is counted in business time (the
 * pause included), so a due time is always "this much working time after the filing".
 */
export function slaOnTransition(
  appeal: SlaFields,
  from: AppealStatus,
  to: AppealStatus,
  now: Date,
  sla: SlaSettings,
  responds: boolean,
): Partial<SlaFields> {
  const patch: { -readonly [K in keyof SlaFields]?: SlaFields[K] } = {};
  const hours = sla.hours ?? null;
  if (responds && appeal.firstResponseAt === null) {
    patch.firstResponseAt = now;
    patch.firstResponseDueAt = null;
  }
  let pausedMs = appeal.slaPausedMs;
  if (from === 'awaiting_customer' && to !== 'awaiting_customer' && appeal.awaitingSince) {
    pausedMs += businessTimeBetween(appeal.awaitingSince, now, hours);
    patch.slaPausedMs = pausedMs;
    patch.awaitingSince = null;
    if (appeal.resolvedAt === null) patch.resolutionDueAt = addBusinessTime(appeal.createdAt, sla.resolutionMs + pausedMs, hours);
  }
  if (to === 'awaiting_customer' && from !== 'awaiting_customer') {
    patch.awaitingSince = now;
    patch.reminderSentAt = null;
    patch.resolutionDueAt = null;
  }
  if ((to === 'scheduled' || to === 'rejected') && appeal.resolvedAt === null) patch.resolvedAt = now;
  if (to === 'scheduled' || to === 'rejected' || isClosed(to)) {
    patch.firstResponseDueAt = null;
    patch.resolutionDueAt = null;
    patch.slaBreached = false;
  }
  if (isClosed(to) && !isClosed(from)) patch.closedAt = now;
  if (from === 'objected' && to === 'submitted') {
    // Everything before the reopening counts as paused: the new clock starts now.
    patch.slaPausedMs = businessTimeBetween(appeal.createdAt, now, hours);
    patch.resolutionDueAt = addBusinessTime(now, sla.resolutionMs, hours);
    patch.resolutionBreachedAt = null;
    patch.resolvedAt = null;
    patch.closedAt = null;
  }
  return patch;
}

export function slaSettings(config: {
  readonly appeals: {
    readonly slaFirstResponseMs: number;
    readonly slaResolutionMs: number;
    readonly businessHours?: BusinessHours | null;
  };
}): SlaSettings {
  return {
    firstResponseMs: config.appeals.slaFirstResponseMs,
    resolutionMs: config.appeals.slaResolutionMs,
    hours: config.appeals.businessHours ?? null,
  };
}
