/**
 * Plot stage: points joined in order within each group, each point labelled (a trade-off curve:
 * reconstruction against MIG, one point per beta, one line per objective). scatter() joins all
 * points in one line; this keeps one line per group.
 */
import { CHART_CONFIG, chartTitle, type ChartSpec } from './spec.js';

export interface ConnectedGroup {
  readonly name: string;
  readonly color: string;
  readonly points: readonly { readonly x: number; readonly y: number; readonly label: string }[];
}

export interface ConnectedScatterOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly xTitle: string;
  readonly yTitle: string;
}

export function connectedScatter(groups: readonly ConnectedGroup[], options: ConnectedScatterOptions): ChartSpec {
  const rows = groups.flatMap((g) =>
    g.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).map((p, order) => ({ group: g.name, x: Number(p.x.toPrecision(6)), y: Number(p.y.toPrecision(6)), label: p.label, order })),
  );
  const x = { field: 'x', type: 'quantitative', title: options.xTitle, scale: { zero: false } };
  const y = { field: 'y', type: 'quantitative', title: options.yTitle, scale: { zero: false } };
  const color = {
    field: 'group',
    type: 'nominal',
    scale: { domain: groups.map((g) => g.name), range: groups.map((g) => g.color) },
    legend: { title: null, orient: 'bottom', direction: 'horizontal' },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: chartTitle(options.title, options.subtitle),
    width: 440,
    height: 300,
    config: CHART_CONFIG,
    data: { values: rows },
    layer: [
      { mark: { type: 'line', strokeWidth: 1.4 }, encoding: { x, y, color, detail: { field: 'group' }, order: { field: 'order', type: 'quantitative' } } },
      { mark: { type: 'point', filled: true, size: 40, opacity: 1 }, encoding: { x, y, color } },
      { mark: { type: 'text', align: 'left', baseline: 'middle', dx: 6, fontSize: 11, color: '#333333' }, encoding: { x, y, text: { field: 'label' } } },
    ],
  };
}
