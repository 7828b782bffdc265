import type { SlaWeek } from '../appeals/appeal-reports.service';

/**
 * The weekly SLA attainment chart of /agent/reports: one horizontal bar per ISO week, its length
 * the share of appeals decided that week that met every deadline. The picture is drawn narrow
 * (a 320-unit viewBox, 15-unit text) so that on a 390 px phone it is shown near its own size and
 * every label stays at least 12 px; the `agent/sla-chart` partial draws it, escaped by Handlebars,
 * with the figures again in a table for screen readers.
 */
export interface SlaChart {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly width: number;
  readonly height: number;
  readonly labelX: number;
  readonly barX: number;
  readonly barHeight: number;
  readonly fullWidth: number;
  readonly bars: readonly {
    readonly label: string;
    readonly valueText: string;
    readonly y: number;
    readonly textY: number;
    readonly width: number;
    readonly valueX: number;
    readonly alert: boolean;
  }[];
  readonly table: { readonly head: readonly string[]; readonly rows: readonly (readonly string[])[] };
}

export const SLA_CHART_WIDTH = 320;
export const SLA_CHART_FONT = 15;
const LABEL_COLUMN = 78;
const GAP = 8;
const VALUE_COLUMN = 56;
const ROW = 30;
const BAR = 18;
/** Weeks below this attainment are drawn in the alert colour. */
const ALERT_BELOW = 90;

export function slaChart(weeks: readonly SlaWeek[]): SlaChart {
  const barX = LABEL_COLUMN + GAP;
  const fullWidth = SLA_CHART_WIDTH - barX - VALUE_COLUMN;
  const title = 'Weekly SLA attainment';
  return {
    id: 'sla-attainment',
    title,
    description: weeks.length
      ? `${title}, share of decided appeals that met every deadline: ${weeks.map((week) => `${week.week} ${formatPct(week.metPct)} of ${week.appeals}`).join(', ')}.`
      : `${title}: no appeal was decided in this period.`,
    width: SLA_CHART_WIDTH,
    height: Math.max(1, weeks.length) * ROW + 10,
    labelX: LABEL_COLUMN,
    barX,
    barHeight: BAR,
    fullWidth,
    bars: weeks.map((week, index) => {
      const width = Math.max(2, Math.round((week.metPct / 100) * fullWidth * 10) / 10);
      return {
        label: week.week,
        valueText: formatPct(week.metPct),
        y: 5 + index * ROW + (ROW - BAR) / 2,
        textY: 5 + index * ROW + ROW / 2 + 5,
        width,
        valueX: barX + width + 6,
        alert: week.metPct < ALERT_BELOW,
      };
    }),
    table: {
      head: ['Week', 'Appeals decided', 'Met every deadline'],
      rows: weeks.map((week) => [week.week, String(week.appeals), formatPct(week.metPct)]),
    },
  };
}

function formatPct(value: number): string {
  return `${Number.isInteger(value) ? value : value.toFixed(1)}%`;
}
