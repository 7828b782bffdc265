import { Controller, Get, Query, Render, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Clock } from '../../common/clock';
import { csvRecord } from '../../common/csv';
import { FieldError, ValidationFailedError } from '../../common/errors/domain-error';
import { AgentsService } from '../agents/agents.service';
import { AppealReportsService } from '../appeals/appeal-reports.service';
import { RequireRole } from './agent-auth.guard';
import { AgentPages } from './agent-pages.decorator';
import { slaChart } from './sla-chart';

export const SLA_CSV_HEADER = [
  'week',
  'agent',
  'appeals',
  'first_response_met_pct',
  'resolution_met_pct',
  'median_first_response_h',
  'median_resolution_h',
  'breaches',
] as const;

const DAY_MS = 86_400_000;
/** Without `from`, the report covers the last eight weeks up to `to` (today by default). */
const DEFAULT_DAYS = 56;
/** A longer period would make one request scan years of appeals. */
const MAX_DAYS = 366;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

interface Period {
  readonly from: string;
  readonly to: string;
  readonly start: Date;
  /** The day after `to`: the period is [start, end). */
  readonly end: Date;
}

/** SLA reports for supervisors: per ISO week and deciding agent, as a page with a chart and as CSV. */
@AgentPages()
@RequireRole('supervisor')
@Controller('agent/reports')
export class ReportsPagesController {
  constructor(
    private readonly reports: AppealReportsService,
    private readonly agents: AgentsService,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Render('agent/reports')
  async page(@Query('from') from?: string, @Query('to') to?: string) {
    const period = this.period(from, to);
    const { report, rows } = await this.report(period);
    const query = new URLSearchParams({ from: period.from, to: period.to }).toString();
    return {
      title: 'Reports',
      from: period.from,
      to: period.to,
      csvHref: `/agent/reports/sla.csv?${query}`,
      chart: slaChart(report.weeks),
      rows: rows.map((row) => ({
        ...row,
        firstResponseMetPct: row.firstResponseMetPct ?? '–',
        medianFirstResponseHours: row.medianFirstResponseHours ?? '–',
      })),
    };
  }

  @Get('sla.csv')
  async csv(@Res() response: Response, @Query('from') from?: string, @Query('to') to?: string): Promise<void> {
    const period = this.period(from, to);
    const { rows } = await this.report(period);
    const body = [
      csvRecord(SLA_CSV_HEADER),
      ...rows.map((row) =>
        csvRecord([
          row.week,
          row.agent,
          row.appeals,
          row.firstResponseMetPct,
          row.resolutionMetPct,
          row.medianFirstResponseHours,
          row.medianResolutionHours,
          row.breaches,
        ]),
      ),
    ].join('');
    response
      .status(200)
      .type('text/csv; charset=utf-8')
      .set('Content-Disposition', `attachment; filename="sla-${period.from}-${period.to}.csv"`)
      .set('Cache-Control', 'no-store')
      .send(body);
  }

  /** The report with the agents' names, by week then name. */
  private async report(period: Period) {
    const report = await this.reports.sla(period.start, period.end);
    const names = await this.agents.namesOf(report.rows.map((row) => row.agentId));
    const rows = report.rows
      .map((row) => ({ ...row, agent: (row.agentId && names.get(row.agentId)) || 'Unknown' }))
      .sort((a, b) => a.week.localeCompare(b.week) || a.agent.localeCompare(b.agent));
    return { report, rows };
  }

  private period(from: string | undefined, to: string | undefined): Period {
    const errors: FieldError[] = [];
    const today = this.clock.now().toISOString().slice(0, 10);
    const toText = to || today;
    const end = parseDay(toText);
    if (!end) errors.push({ field: 'to', message: 'Enter the last day as YYYY-MM-DD.' });
    const fromText = from || (end ? new Date(end.getTime() - (DEFAULT_DAYS - 1) * DAY_MS).toISOString().slice(0, 10) : today);
    const start = parseDay(fromText);
    if (!start) errors.push({ field: 'from', message: 'Enter the first day as YYYY-MM-DD.' });
    if (start && end && start > end) errors.push({ field: 'from', message: 'The first day must not be after the last day.' });
    if (start && end && end.getTime() - start.getTime() >= MAX_DAYS * DAY_MS)
      errors.push({ field: 'from', message: `A report covers at most ${MAX_DAYS} days.` });
    if (errors.length || !start || !end) throw new ValidationFailedError(errors);
    return { from: fromText, to: toText, start, end: new Date(end.getTime() + DAY_MS) };
  }
}

/** A calendar day (UTC midnight), or undefined for anything but a real YYYY-MM-DD date. */
function parseDay(text: string): Date | undefined {
  if (!DATE.test(text)) return undefined;
  const day = new Date(`${text}T00:00:00Z`);
  return Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== text ? undefined : day;
}
