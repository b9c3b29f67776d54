/**
 * plot stage: heat maps of square matrices side by side (rows of panels, one colour scale for
 * all of them), for the memory maps: ‖∂h_t/∂x_s‖ with s across and t down. Values ≤ 0 (the
 * entries above the diagonal, s > t) are left blank; the scale is logarithmic.
 */
import { CHART_CONFIG, type ChartSpec } from './spec.js';

export interface HeatmapPanel {
  readonly title: string;
  /** n×n values, row-major: row r (drawn top to bottom), column c. */
  readonly values: ArrayLike<number>;
  readonly n: number;
}

export interface HeatmapGridOptions {
  /** Rows of panels; every row has the same number of panels. */
  readonly rows: readonly (readonly HeatmapPanel[])[];
  readonly title?: string;
  readonly xTitle: string;
  readonly yTitle: string;
  readonly colorTitle: string;
  readonly panelPx?: number;
}

const tidy = (v: number) => Number(v.toPrecision(4));

/** One heat map a panel, all on one shared log colour scale. */
export function heatmapGrid(options: HeatmapGridOptions): ChartSpec {
  const size = options.panelPx ?? 160;
  const panel = (p: HeatmapPanel): ChartSpec => {
    const values: { r: number; c: number; v: number }[] = [];
    for (let r = 0; r < p.n; r++) for (let c = 0; c < p.n; c++) if (p.values[r * p.n + c]! > 0) values.push({ r, c, v: tidy(p.values[r * p.n + c]!) });
    return {
      title: p.title,
      width: size,
      height: size,
      data: { values },
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'c', type: 'ordinal', title: options.xTitle, axis: { labelExpr: `datum.value % ${tickEvery(p.n)} == 0 ? datum.label : ''`, labelAngle: 0 } },
        y: { field: 'r', type: 'ordinal', title: options.yTitle, axis: { labelExpr: `datum.value % ${tickEvery(p.n)} == 0 ? datum.label : ''` } },
        color: { field: 'v', type: 'quantitative', title: options.colorTitle, scale: { type: 'log', scheme: 'viridis' } },
      },
    };
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title ? { title: options.title } : {}),
    config: { ...CHART_CONFIG, view: { stroke: null } },
    spacing: 16,
    vconcat: options.rows.map((row) => ({ hconcat: row.map(panel), spacing: 12 })),
    resolve: { scale: { color: 'shared' } },
  };
}

/** Label every k-th step so about six labels fit a panel. */
function tickEvery(n: number): number {
  return Math.max(1, Math.ceil(n / 6 / 5) * 5);
}
