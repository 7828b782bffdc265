import { Injectable, OnModuleInit } from '@nestjs/common';
import { Clock } from '../../../common/clock';
import { AuditService } from '../../audit/audit.service';
import { timeSeriesChart } from './charts';
import { DashboardPanel, DashboardPanelProvider, DashboardPanels } from './dashboard-panels';

const HOUR_MS = 3_600_000;
const HOURS = 24;

/** Account sign-ins per hour over the last 24 hours, succeeded and failed, read from the audit log. */
@Injectable()
export class SignInActivityPanel implements DashboardPanelProvider, OnModuleInit {
  readonly order = 60;

  constructor(
    private readonly registry: DashboardPanels,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async panels(): Promise<DashboardPanel[]> {
    const to = new Date(Math.floor(this.clock.nowMs() / HOUR_MS) * HOUR_MS + HOUR_MS);
    const from = new Date(to.getTime() - HOURS * HOUR_MS);
    const rows = await this.audit.hourlyCounts(['sign_in.succeeded', 'sign_in.failed'], from);
    const series = (action: string) =>
      Array.from({ length: HOURS }, (_, index) => {
        const at = new Date(from.getTime() + index * HOUR_MS);
        return { at, value: rows.find((row) => row.action === action && row.hour.getTime() === at.getTime())?.count ?? 0 };
      });
    const succeeded = series('sign_in.succeeded');
    const failed = series('sign_in.failed');
    const total = (points: { value: number }[]) => points.reduce((sum, point) => sum + point.value, 0);
    return [
      {
        id: 'sign-in-activity',
        title: 'Account sign-ins, last 24 hours',
        figures: [
          { label: 'Succeeded', value: total(succeeded), tone: 'success' },
          { label: 'Failed', value: total(failed), tone: total(failed) ? 'warning' : undefined },
        ],
        chart: timeSeriesChart(
          'sign-in-activity',
          'Account sign-ins per hour',
          [
            { name: 'Succeeded', points: succeeded },
            { name: 'Failed', points: failed, tone: 'alert' },
          ],
          { from, to: new Date(to.getTime() - HOUR_MS) },
        ),
        link: { href: '/agent/audit', label: 'Audit log' },
      },
    ];
  }
}
