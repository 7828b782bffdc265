/**
 * Server-rendered SVG charts: these functions only compute geometry; the `agent/chart` partial
 * draws it (so every label is escaped by Handlebars like any other text), with a title and a
 * description for screen readers and the figures again in a visually hidden table.
 */

export type ChartTone = 'default' | 'alert';

export interface BarDatum {
  readonly label: string;
  readonly value: number;
  readonly tone?: ChartTone;
}

export interface SeriesPoint {
  readonly at: Date;
  readonly value: number;
}

export interface Series {
  readonly name: string;
  readonly points: readonly SeriesPoint[];
  readonly tone?: ChartTone;
}

interface ChartBase {
  /** Unique on the page: the SVG's title and description ids derive from it. */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly width: number;
  readonly height: number;
  /** The figures as a table: what screen readers (and tests) read. */
  readonly table: { readonly head: readonly string[]; readonly rows: readonly (readonly string[])[] };
}

export interface BarChart extends ChartBase {
  readonly kind: 'bar';
  readonly bars: readonly {
    readonly label: string;
    readonly valueText: string;
    readonly alert: boolean;
    readonly y: number;
    readonly textY: number;
    readonly width: number;
    readonly valueX: number;
  }[];
  readonly labelX: number;
  readonly barX: number;
  readonly barHeight: number;
}

export interface LineChart extends ChartBase {
  readonly kind: 'line';
  readonly lines: readonly {
    readonly name: string;
    readonly alert: boolean;
    readonly points: string;
    readonly legendX: number;
    readonly legendEndX: number;
    readonly legendTextX: number;
  }[];
  readonly plot: { readonly left: number; readonly right: number; readonly top: number; readonly bottom: number };
  readonly yTicks: readonly { readonly y: number; readonly label: string }[];
  readonly xTicks: readonly { readonly x: number; readonly label: string; readonly anchor: 'start' | 'middle' | 'end' }[];
  /** Where the y labels end (right-aligned) and where the x labels sit. */
  readonly yLabelX: number;
  readonly xLabelY: number;
  readonly legendY: number;
}

export type Chart = BarChart | LineChart;

/**
 * Drawn at phone size: a 360-unit picture with 14-unit text (app.css) is shown about 1:1 on a
 * 390 px screen, so no label falls under 11 px there; wider screens enlarge it at most 1.5 times.
 */
const WIDTH = 360;
const ROW = 30;
const BAR = 18;
const LABEL_COLUMN = 136;
const VALUE_COLUMN = 44;
/** What fits in LABEL_COLUMN at 14 units; the table keeps every label whole. */
const LABEL_CHARACTERS = 17;
const LEGEND_SPACING = 170;

/** Horizontal bars, one row per datum, largest first; the value is written after each bar. */
export function barChart(
  id: string,
  title: string,
  data: readonly BarDatum[],
  options: { description?: string; unit?: string } = {},
): BarChart {
  const sorted = [...data].sort((a, b) => b.value - a.value || a.label.localeCompare(b.label));
  const max = Math.max(1, ...sorted.map((datum) => datum.value));
  const barX = LABEL_COLUMN + 10;
  const span = WIDTH - barX - VALUE_COLUMN;
  const unit = options.unit ? ` ${options.unit}` : '';
  return {
    kind: 'bar',
    id,
    title,
    description:
      options.description ?? `${title}: ${sorted.map((datum) => `${datum.label} ${datum.value}${unit}`).join(', ') || 'no data'}.`,
    width: WIDTH,
    height: Math.max(1, sorted.length) * ROW + 10,
    labelX: LABEL_COLUMN,
    barX,
    barHeight: BAR,
    bars: sorted.map((datum, index) => ({
      label: truncate(datum.label, LABEL_CHARACTERS),
      valueText: String(datum.value),
      alert: datum.tone === 'alert',
      y: 5 + index * ROW + (ROW - BAR) / 2,
      textY: 5 + index * ROW + ROW / 2 + 4,
      // Zero still shows as a sliver, so the row does not look missing.
      width: Math.max(2, round((datum.value / max) * span)),
      valueX: barX + Math.max(2, round((datum.value / max) * span)) + 6,
    })),
    table: { head: ['', options.unit ?? 'Value'], rows: sorted.map((datum) => [datum.label, String(datum.value)]) },
  };
}

/** One or more series over [from, to], on a shared y axis from 0; the x axis labels the start, middle and end. */
export function timeSeriesChart(
  id: string,
  title: string,
  series: readonly Series[],
  options: { from: Date; to: Date; description?: string; formatTime?: (at: Date) => string },
): LineChart {
  const height = 220;
  const plot = { left: 40, right: WIDTH - 16, top: 14, bottom: height - 58 };
  const from = options.from.getTime();
  const span = Math.max(1, options.to.getTime() - from);
  const max = niceMax(Math.max(0, ...series.flatMap((line) => line.points.map((point) => point.value))));
  const x = (at: Date) => round(plot.left + ((at.getTime() - from) / span) * (plot.right - plot.left));
  const y = (value: number) => round(plot.bottom - (value / max) * (plot.bottom - plot.top));
  const format = options.formatTime ?? ((at: Date) => `${at.toISOString().slice(11, 16)}`);
  const times = [...new Set(series.flatMap((line) => line.points.map((point) => point.at.getTime())))].sort((a, b) => a - b);
  return {
    kind: 'line',
    id,
    title,
    description:
      options.description ??
      `${title}, ${format(options.from)} to ${format(options.to)} UTC: ${series.map((line) => `${line.name} ${line.points.reduce((sum, point) => sum + point.value, 0)} in all`).join(', ')}.`,
    width: WIDTH,
    height,
    plot,
    lines: series.map((line, index) => ({
      name: line.name,
      alert: line.tone === 'alert',
      points: line.points.map((point) => `${x(point.at)},${y(point.value)}`).join(' '),
      legendX: plot.left + index * LEGEND_SPACING,
      legendEndX: plot.left + index * LEGEND_SPACING + 20,
      legendTextX: plot.left + index * LEGEND_SPACING + 26,
    })),
    yTicks: [0, max / 2, max].map((value) => ({ y: y(value), label: formatNumber(value) })),
    // The outer labels are aligned inwards so they stay inside the picture.
    xTicks: (
      [
        [from, 'start'],
        [from + span / 2, 'middle'],
        [from + span, 'end'],
      ] as const
    ).map(([at, anchor]) => ({ x: x(new Date(at)), label: format(new Date(at)), anchor })),
    yLabelX: plot.left - 6,
    xLabelY: plot.bottom + 22,
    legendY: height - 12,
    table: {
      head: ['Time (UTC)', ...series.map((line) => line.name)],
      rows: times.map((at) => [
        format(new Date(at)),
        ...series.map((line) => String(line.points.find((point) => point.at.getTime() === at)?.value ?? 0)),
      ]),
    },
  };
}

/** 1, 2, 5, 10, 20, 50...: the smallest such step at or above `value` (at least 1). */
export function niceMax(value: number): number {
  if (value <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
