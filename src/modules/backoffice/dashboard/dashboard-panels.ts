import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { SignedInAgent } from '../../agents/signed-in-agent';
import { Chart } from './charts';

/**
 * One panel of the back-office dashboard (`GET /agent`): a title, optional headline figures,
 * an optional chart from `charts.ts`, and a link to the page with the details.
 */
export interface DashboardPanel {
  /** Unique on the dashboard; also the chart's id when there is one. */
  readonly id: string;
  readonly title: string;
  readonly summary?: string;
  readonly figures?: readonly {
    readonly label: string;
    readonly value: string | number;
    readonly tone?: 'danger' | 'warning' | 'success';
  }[];
  readonly chart?: Chart;
  /** Shown instead of the chart when there is nothing to draw. */
  readonly empty?: string;
  readonly link?: { readonly href: string; readonly label: string };
  /** More links under the chart (one per bar, say), each to the page of its details. */
  readonly links?: readonly { readonly href: string; readonly label: string }[];
  /** Spans both columns of the grid. */
  readonly wide?: boolean;
}

/**
 * What a module implements to put panels on the dashboard. Register the provider once, from
 * the module that owns the data:
 *
 * ```ts
 * @Injectable()
 * export class AppealsDashboardPanels implements DashboardPanelProvider, OnModuleInit {
 *   readonly order = 10; // appeals first
 *   constructor(private readonly registry: DashboardPanels, private readonly appeals: AppealsStats) {}
 *   onModuleInit() { this.registry.register(this); }
 *   async panels(viewer: SignedInAgent): Promise<DashboardPanel[]> {
 *     const byStatus = await this.appeals.countByStatus();
 *     return [{ id: 'appeals-by-status', title: 'Appeals by status', chart: barChart('appeals-by-status', 'Appeals by status', byStatus), link: { href: '/agent/appeals', label: 'Open the queue' } }];
 *   }
 * }
 * ```
 *
 * Return `[]` to show nothing to this viewer (a supervisors-only panel, say). A provider that
 * fails puts an error panel in its place; the rest of the dashboard still renders.
 */
export interface DashboardPanelProvider {
  /** Panels are shown by this, smaller first (appeals 10-40, notifications 50, sign-ins 60). */
  readonly order: number;
  panels(viewer: SignedInAgent): Promise<DashboardPanel[]>;
}

/** The dashboard's panel providers, filled by each module at start-up. */
@Injectable()
export class DashboardPanels {
  private readonly providers: DashboardPanelProvider[] = [];

  constructor(private readonly logger: PinoLogger) {
    logger.setContext(DashboardPanels.name);
  }

  register(provider: DashboardPanelProvider): void {
    this.providers.push(provider);
    this.providers.sort((a, b) => a.order - b.order);
  }

  /** Every provider's panels for `viewer`, in order. */
  async render(viewer: SignedInAgent): Promise<DashboardPanel[]> {
    const results = await Promise.all(
      this.providers.map((provider) =>
        provider.panels(viewer).catch((error: unknown): DashboardPanel[] => {
          this.logger.error({ err: error, provider: provider.constructor.name }, 'dashboard panel failed');
          return [
            { id: `failed-${provider.constructor.name}`, title: 'This panel could not be loaded', empty: 'Reload the page to try again.' },
          ];
        }),
      ),
    );
    return results.flat();
  }
}
