import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { OPEN_SQL } from './appeal-queue.service';
import { APPEAL_STATUSES, AppealStatus } from './appeal-workflow';

export interface AppealDashboardStats {
  readonly byStatus: Record<AppealStatus, number>;
  readonly slaBreaches: { readonly openNow: number; readonly firstResponseLast30Days: number; readonly resolutionLast30Days: number };
  /** Open appeals flagged as a flood. */
  readonly openFlood: number;
  /** Over the last 30 days: from filing to the first answer, and to the decision. Null without data. */
  readonly medianFirstResponseMs: number | null;
  readonly medianResolutionMs: number | null;
  /** One entry per UTC day of the last 30, oldest first, for the charts. */
  readonly daily: {
    readonly day: string;
    readonly firstResponses: number;
    readonly medianFirstResponseMs: number | null;
    readonly resolutions: number;
    readonly medianResolutionMs: number | null;
  }[];
}

const DAY_MS = 86_400_000;
const STATS_DAYS = 30;

/** The back-office dashboard's appeal figures: counts by status, SLA breaches, and the median response and resolution times of the last 30 days. */
@Injectable()
export class AppealStatisticsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async dashboard(): Promise<AppealDashboardStats> {
    const now = this.clock.now();
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const since = new Date(today - (STATS_DAYS - 1) * DAY_MS);
    const [statuses, breaches, firstResponses, resolutions] = await Promise.all([
      this.dataSource.query(`SELECT status, count(*)::int AS count FROM appeals GROUP BY status`) as Promise<
        { status: AppealStatus; count: number }[]
      >,
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
    const byStatus = Object.fromEntries(
      APPEAL_STATUSES.map((status) => [status, statuses.find((row) => row.status === status)?.count ?? 0]),
    ) as Record<AppealStatus, number>;
    const days = Array.from({ length: STATS_DAYS }, (_, index) => new Date(since.getTime() + index * DAY_MS).toISOString().slice(0, 10));
    return {
      byStatus,
      slaBreaches: {
        openNow: breaches[0].open_now,
        firstResponseLast30Days: breaches[0].first_response,
        resolutionLast30Days: breaches[0].resolution,
      },
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
  private async medians(
    column: 'first_response_at' | 'resolved_at',
    since: Date,
    now: Date,
  ): Promise<{ overall: number | null; daily: Map<string, { count: number; median: number }> }> {
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
      daily: new Map(
        rows.filter((row) => row.day !== null).map((row) => [row.day!, { count: row.count, median: Math.round(Number(row.median)) }]),
      ),
    };
  }
}
