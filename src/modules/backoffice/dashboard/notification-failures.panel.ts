import { Injectable, OnModuleInit } from '@nestjs/common';
import { NotificationsBackofficeService } from '../../notifications/notifications-backoffice.service';
import { barChart } from './charts';
import { DashboardPanel, DashboardPanelProvider, DashboardPanels } from './dashboard-panels';

/** Messages that failed in the last 24 hours, by template and channel. */
@Injectable()
export class NotificationFailuresPanel implements DashboardPanelProvider, OnModuleInit {
  readonly order = 50;

  constructor(
    private readonly registry: DashboardPanels,
    private readonly notifications: NotificationsBackofficeService,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async panels(): Promise<DashboardPanel[]> {
    const counts = await this.notifications.failureCounts();
    const id = 'notification-failures';
    return [
      {
        id,
        title: 'Notification failures, last 24 hours',
        figures: [
          { label: 'Retrying', value: counts.failed, tone: counts.failed ? 'warning' : undefined },
          { label: 'Dead', value: counts.dead, tone: counts.dead ? 'danger' : 'success' },
        ],
        chart: counts.byTemplate.length
          ? barChart(
              id,
              'Failed and dead messages by template and channel',
              counts.byTemplate.map((row) => ({
                label: `${row.template} (${row.channel})`,
                value: row.failed + row.dead,
                tone: row.dead ? 'alert' : 'default',
              })),
              { unit: 'messages' },
            )
          : undefined,
        empty: 'No message failed in the last 24 hours.',
        link: { href: '/agent/notifications', label: 'Failed notifications' },
      },
    ];
  }
}
