import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MetricsService } from '../../infrastructure/metrics/metrics.service';
import { APPEAL_STATUSES, AppealStatus } from './appeal-workflow';

/** `appeals{status}` for /metrics (docs/api.md), counted in PostgreSQL at scrape time on the status index. */
@Injectable()
export class AppealMetrics {
  constructor(metrics: MetricsService, @InjectDataSource() dataSource: DataSource) {
    metrics.gauge({
      name: 'appeals',
      help: 'Appeals by status',
      labelNames: ['status'],
      async collect() {
        // A scrape during a database outage reports nothing rather than failing.
        const rows = (await dataSource
          .query(`SELECT status, count(*)::int AS count FROM appeals GROUP BY status`)
          .catch(() => undefined)) as { status: AppealStatus; count: number }[] | undefined;
        if (rows) for (const status of APPEAL_STATUSES) this.set({ status }, rows.find((row) => row.status === status)?.count ?? 0);
      },
    });
  }
}
