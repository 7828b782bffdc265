import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** One ISO week and one deciding agent: the appeals they decided that week and how the SLAs went. */
export interface SlaReportRow {
  /** ISO week of the decision, in UTC, as `2026-W49`. */
  readonly week: string;
  /** The deciding agent: the approver of an approval, the author of a rejection's message; null when unknown. */
  readonly agentId: string | null;
  readonly appeals: number;
  /** Of those answered, the share answered before the first-response deadline (0-100, one decimal); null with none. */
  readonly firstResponseMetPct: number | null;
  /** Share decided before the resolution deadline (0-100, one decimal). */
  readonly resolutionMetPct: number;
  /** Median hours from filing to the first answer and to the decision, one decimal; null with no data. */
  readonly medianFirstResponseHours: number | null;
  readonly medianResolutionHours: number;
  /** Appeals that missed a deadline (first response, resolution, or both count once). */
  readonly breaches: number;
}

/** Per ISO week across agents, for the attainment chart. */
export interface SlaWeek {
  readonly week: string;
  readonly appeals: number;
  /** Appeals that met every deadline, in percent (one decimal). */
  readonly metPct: number;
}

export interface SlaReport {
  readonly rows: readonly SlaReportRow[];
  readonly weeks: readonly SlaWeek[];
}

/**
 * The supervisors' SLA report: appeals decided (scheduled or rejected) in a period, grouped by the
 * ISO week of the decision and the deciding agent. A deadline counts as missed when the SLA job
 * flagged it (`first_response_breached_at`, `resolution_breached_at`), so the report agrees with
 * the dashboard and the breach digest.
 */
@Injectable()
export class AppealReportsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Appeals decided in [from, to). */
  async sla(from: Date, to: Date): Promise<SlaReport> {
    const decided = `
      SELECT a.*, to_char(a.resolved_at AT TIME ZONE 'UTC', 'IYYY-"W"IW') AS week,
             COALESCE(a.approved_by, (
               SELECT m.agent_id FROM appeal_messages m
                WHERE m.appeal_id = a.id AND m.author = 'agent' AND m.created_at <= a.resolved_at
                ORDER BY m.created_at DESC LIMIT 1)) AS decider
        FROM appeals a
       WHERE a.resolved_at >= $1 AND a.resolved_at < $2`;
    const [rows, weeks] = await Promise.all([
      this.dataSource.query(
        `WITH decided AS (${decided})
         SELECT week, decider, count(*)::int AS appeals,
                round(100.0 * count(*) FILTER (WHERE first_response_at IS NOT NULL AND first_response_breached_at IS NULL)
                      / NULLIF(count(*) FILTER (WHERE first_response_at IS NOT NULL), 0), 1)::float AS first_met,
                round(100.0 * count(*) FILTER (WHERE resolution_breached_at IS NULL) / count(*), 1)::float AS resolution_met,
                round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_response_at - created_at)) / 3600)::numeric, 1)::float AS median_first,
                round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at)) / 3600)::numeric, 1)::float AS median_resolution,
                count(*) FILTER (WHERE first_response_breached_at IS NOT NULL OR resolution_breached_at IS NOT NULL)::int AS breaches
           FROM decided GROUP BY week, decider ORDER BY week, decider NULLS LAST`,
        [from, to],
      ) as Promise<
        {
          week: string;
          decider: string | null;
          appeals: number;
          first_met: number | null;
          resolution_met: number;
          median_first: number | null;
          median_resolution: number;
          breaches: number;
        }[]
      >,
      this.dataSource.query(
        `WITH decided AS (${decided})
         SELECT week, count(*)::int AS appeals,
                round(100.0 * count(*) FILTER (WHERE first_response_breached_at IS NULL AND resolution_breached_at IS NULL) / count(*), 1)::float AS met
           FROM decided GROUP BY week ORDER BY week`,
        [from, to],
      ) as Promise<{ week: string; appeals: number; met: number }[]>,
    ]);
    return {
      rows: rows.map((row) => ({
        week: row.week,
        agentId: row.decider,
        appeals: row.appeals,
        firstResponseMetPct: row.first_met,
        resolutionMetPct: row.resolution_met,
        medianFirstResponseHours: row.median_first,
        medianResolutionHours: row.median_resolution,
        breaches: row.breaches,
      })),
      weeks: weeks.map((row) => ({ week: row.week, appeals: row.appeals, metPct: row.met })),
    };
  }
}
