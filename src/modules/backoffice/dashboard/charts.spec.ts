import { barChart, niceMax, timeSeriesChart } from './charts';

describe('charts', () => {
  it('draws bars largest first, scaled to the largest, with their figures in a table', () => {
    const chart = barChart('failures', 'Failures', [
      { label: 'sms', value: 1 },
      { label: 'email', value: 4, tone: 'alert' },
      { label: 'none', value: 0 },
    ]);
    expect(chart.bars.map((bar) => [bar.label, bar.valueText, bar.alert])).toEqual([
      ['email', '4', true],
      ['sms', '1', false],
      ['none', '0', false],
    ]);
    expect(chart.bars[0].width).toBe(4 * chart.bars[1].width);
    expect(chart.bars[2].width).toBe(2);
    expect(chart.bars[1].y).toBeGreaterThan(chart.bars[0].y);
    expect(chart.description).toBe('Failures: email 4, sms 1, none 0.');
    expect(chart.table.rows).toEqual([
      ['email', '4'],
      ['sms', '1'],
      ['none', '0'],
    ]);
  });

  it('places a time series on [from, to] with a y axis from 0 to a round maximum', () => {
    const from = new Date('2026-11-22T00:00:00Z');
    const to = new Date('2026-11-22T02:00:00Z');
    const points = [0, 1, 2].map((hour, index) => ({ at: new Date(from.getTime() + hour * 3_600_000), value: [3, 7, 0][index] }));
    const chart = timeSeriesChart('signins', 'Sign-ins', [{ name: 'Succeeded', points }], { from, to });
    const [first, , last] = chart.lines[0].points.split(' ').map((point) => point.split(',').map(Number));
    expect(first[0]).toBe(chart.plot.left);
    expect(last).toEqual([chart.plot.right, chart.plot.bottom]);
    expect(chart.yTicks.map((tick) => tick.label)).toEqual(['0', '5', '10']);
    expect(chart.xTicks.map((tick) => [tick.label, tick.anchor])).toEqual([
      ['00:00', 'start'],
      ['01:00', 'middle'],
      ['02:00', 'end'],
    ]);
    expect(chart.table.rows).toEqual([
      ['00:00', '3'],
      ['01:00', '7'],
      ['02:00', '0'],
    ]);
  });

  it('rounds maxima up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 11, 250, 999].map(niceMax)).toEqual([1, 1, 5, 10, 20, 500, 1000]);
  });
});
