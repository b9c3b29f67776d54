/**
 * Plot stage: lines on a log-2 x axis (and optionally log y). Colour names the group, the dash
 * says measured (solid, with markers) or reference (dashed), each with its own legend; sample
 * counts, betas and class ratios all grow geometrically, and lineChart has no log x axis.
 */
import { CHART_CONFIG, chartTitle, type ChartSpec } from './spec.js';

export interface LogLineOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly xTitle: string;
  readonly yTitle: string;
  readonly measured: string;
  readonly reference?: string;
  readonly logY?: boolean;
  readonly yDomain?: readonly [number, number];
  /** Individual values behind measured lines (one per seed), drawn as small open circles in the line's colour. */
  readonly spread?: readonly { readonly name: string; readonly x: readonly number[]; readonly y: readonly number[] }[];
}

export interface LogLine {
  /** The colour group (an estimator, a profile, a factor). */
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly color: string;
  /** A reference (closed form, bound): dashed, without markers. */
  readonly dashed?: boolean;
}

/** The chart: one layer of lines, one of markers on the measured lines, one of the per-seed values. */
export function logLineChart(lines: readonly LogLine[], options: LogLineOptions): ChartSpec {
  const kindOf = (line: LogLine) => (line.dashed ? options.reference ?? 'reference' : options.measured);
  const rows = lines.flatMap((line) =>
    line.x
      .map((x, i) => ({ series: line.name, kind: kindOf(line), x: Number(x.toPrecision(6)), y: Number(line.y[i]!.toPrecision(6)) }))
      .filter((r) => Number.isFinite(r.y) && (!options.logY || r.y > 0)),
  );
  const groups = [...new Set(lines.map((l) => l.name))];
  const kinds = [...new Set(lines.map(kindOf))];
  const color = {
    field: 'series',
    type: 'nominal',
    scale: { domain: groups, range: groups.map((g) => lines.find((l) => l.name === g)!.color) },
    legend: { title: null, orient: 'bottom', direction: 'horizontal' },
  };
  const strokeDash = {
    field: 'kind',
    type: 'nominal',
    scale: { domain: kinds, range: kinds.map((k) => (k === options.measured ? [1, 0] : [5, 3])) },
    legend: kinds.length > 1 ? { title: null, orient: 'bottom', direction: 'horizontal', symbolStrokeColor: '#444444' } : null,
  };
  const x = { field: 'x', type: 'quantitative', title: options.xTitle, scale: { type: 'log', base: 2, nice: false }, axis: { values: [...new Set(lines.flatMap((l) => l.x))] } };
  const y = { field: 'y', type: 'quantitative', title: options.yTitle, scale: options.logY ? { type: 'log' } : { zero: false, ...(options.yDomain ? { domain: [...options.yDomain] } : {}) } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: chartTitle(options.title, options.subtitle),
    width: 440,
    height: 260,
    config: CHART_CONFIG,
    data: { values: rows },
    layer: [
      { mark: { type: 'line', strokeWidth: 1.6 }, encoding: { x, y, color, strokeDash, detail: { field: 'kind' }, order: { field: 'x', type: 'quantitative' } } },
      { transform: [{ filter: { field: 'kind', equal: options.measured } }], mark: { type: 'point', filled: true, size: 36, opacity: 1 }, encoding: { x, y, color } },
      ...(options.spread?.length
        ? [
            {
              data: { values: options.spread.flatMap((set) => set.x.map((xv, i) => ({ series: set.name, x: Number(xv.toPrecision(6)), y: Number(set.y[i]!.toPrecision(6)) }))) },
              mark: { type: 'point', filled: false, size: 22, opacity: 0.8, strokeWidth: 1 },
              encoding: { x, y, color },
            },
          ]
        : []),
    ],
  };
}
