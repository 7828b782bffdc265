import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppealDashboardStats, AppealStatisticsService } from '../../appeals/appeal-statistics.service';
import { APPEAL_STATUSES, AppealStatus, CLOSED_STATUSES, OPEN_STATUSES } from '../../appeals/appeal-workflow';
import { formatDuration } from '../../../common/views/formats';
import { queueHref, STATUS_LABELS } from '../appeal-views';
import { barChart, timeSeriesChart } from './charts';
import { DashboardPanel, DashboardPanelProvider, DashboardPanels } from './dashboard-panels';

const HOUR_MS = 3_600_000;

/**
 * The appeals on the dashboard: the queue by status, SLA breaches, and the median times to the
 * first response and to a decision over the last 30 days; each links to the queue, filtered.
 */
@Injectable()
export class AppealsPanel implements DashboardPanelProvider, OnModuleInit {
  readonly order = 10;

  constructor(
    private readonly registry: DashboardPanels,
    private readonly statistics: AppealStatisticsService,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async panels(): Promise<DashboardPanel[]> {
    const stats = await this.statistics.dashboard();
    // The two charts span the grid, so their labels stay legible; the figures-only panel sits beside the others.
    return [byStatus(stats), responseTimes(stats), slaBreaches(stats), floods(stats)];
  }
}

function byStatus(stats: AppealDashboardStats): DashboardPanel {
  const open = OPEN_STATUSES.reduce((sum, status) => sum + stats.byStatus[status], 0);
  const closed = CLOSED_STATUSES.reduce((sum, status) => sum + stats.byStatus[status], 0);
  const id = 'appeals-by-status';
  return {
    id,
    title: 'Appeals by status',
    figures: [
      { label: 'Open', value: open, tone: open ? 'warning' : 'success' },
      {
        label: 'Awaiting a supervisor',
        value: stats.byStatus.pending_second_approval,
        tone: stats.byStatus.pending_second_approval ? 'warning' : undefined,
      },
      { label: 'Closed', value: closed },
    ],
    chart:
      open + closed > 0
        ? barChart(
            id,
            'Appeals by status',
            APPEAL_STATUSES.map((status) => ({
              label: STATUS_LABELS[status],
              value: stats.byStatus[status],
              tone: status === 'objected' || status === 'rejected' ? 'alert' : 'default',
            })),
            { unit: 'appeals' },
          )
        : undefined,
    empty: 'No appeal has been filed yet.',
    links: APPEAL_STATUSES.filter((status) => stats.byStatus[status] > 0).map((status) => ({
      href: statusHref(status),
      label: `${STATUS_LABELS[status]} (${stats.byStatus[status]})`,
    })),
    link: { href: queueHref({ status: 'open' }), label: 'Open appeals' },
    wide: true,
  };
}

function slaBreaches(stats: AppealDashboardStats): DashboardPanel {
  const { openNow, firstResponseLast30Days, resolutionLast30Days } = stats.slaBreaches;
  return {
    id: 'appeals-sla',
    title: 'SLA breaches',
    summary: 'Open appeals past a deadline now, and deadlines missed over the last 30 days.',
    figures: [
      { label: 'Breached now', value: openNow, tone: openNow ? 'danger' : 'success' },
      { label: 'First responses late, 30 days', value: firstResponseLast30Days, tone: firstResponseLast30Days ? 'warning' : undefined },
      { label: 'Resolutions late, 30 days', value: resolutionLast30Days, tone: resolutionLast30Days ? 'warning' : undefined },
    ],
    link: { href: queueHref({ sla: 'breached' }), label: 'Breached appeals' },
  };
}

/** Appeals filed for account details that reached the limit of open appeals: they keep the owner out until closed. */
function floods(stats: AppealDashboardStats): DashboardPanel {
  return {
    id: 'appeals-flood',
    title: 'Appeal floods',
    summary:
      'Open appeals filed for account details that reached the limit of open appeals: while they stay open, nobody (the owner included) can file for those details.',
    figures: [{ label: 'Flagged as a flood, open', value: stats.openFlood, tone: stats.openFlood ? 'danger' : 'success' }],
    link: { href: queueHref({ status: 'open', flood: true }), label: 'Flagged appeals' },
  };
}

function responseTimes(stats: AppealDashboardStats): DashboardPanel {
  const id = 'appeals-response-times';
  const from = new Date(`${stats.daily[0].day}T00:00:00Z`);
  const to = new Date(`${stats.daily[stats.daily.length - 1].day}T00:00:00Z`);
  // Days without an answer have no median: the line joins the days that have one.
  const hours = (pick: (day: AppealDashboardStats['daily'][number]) => number | null) =>
    stats.daily.flatMap((day) => {
      const ms = pick(day);
      return ms === null ? [] : [{ at: new Date(`${day.day}T00:00:00Z`), value: Math.round((ms / HOUR_MS) * 10) / 10 }];
    });
  const firstResponse = hours((day) => day.medianFirstResponseMs);
  const resolution = hours((day) => day.medianResolutionMs);
  const median = (ms: number | null) => (ms === null ? '—' : formatDuration(ms));
  return {
    id,
    title: 'Median response times, last 30 days',
    summary:
      'From filing to the first answer the person sees, and to the decision (approval scheduled or rejection), by the day it happened, in hours.',
    figures: [
      { label: 'First response', value: median(stats.medianFirstResponseMs) },
      { label: 'Resolution', value: median(stats.medianResolutionMs) },
    ],
    chart:
      firstResponse.length || resolution.length
        ? timeSeriesChart(
            id,
            'Median hours to first response and to resolution, by day',
            [
              { name: 'First response (h)', points: firstResponse },
              { name: 'Resolution (h)', points: resolution, tone: 'alert' },
            ],
            { from, to, formatTime: (at) => at.toISOString().slice(5, 10) },
          )
        : undefined,
    empty: 'No appeal was answered in the last 30 days.',
    link: { href: queueHref({ status: 'open' }), label: 'Work the queue' },
    wide: true,
  };
}

function statusHref(status: AppealStatus): string {
  return queueHref({ status });
}
