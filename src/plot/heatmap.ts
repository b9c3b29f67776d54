/**
 * plot stage: heat maps of square matrices side by side (rows of panels, one colour scale for
 * all of them, or one per panel), for the memory maps: ‖∂hₜ/∂xₛ‖ with s across and t down.
 * Values ≤ 0 (the entries above the diagonal, s > t) are left blank; the scale is logarithmic.
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
  /**
   * 'shared' (default): one log colour scale for every panel, so colours compare across
   * panels; 'panel': each panel its own scale and legend, so a panel whose values span few
   * decades beside one that spans many is not drawn in one flat colour. The legend says which.
   */
  readonly colorScale?: 'shared' | 'panel';
}

/** What each legend's title adds to the colour title, so a reader knows how far colours compare. */
export const COLOR_SCALE_NOTE: Readonly<Record<'shared' | 'panel', string>> = { shared: 'one scale for all panels', panel: 'this panel’s own scale' };

const tidy = (v: number) => Number(v.toPrecision(4));

/** One heat map a panel, on one shared log colour scale or on one per panel. */
export function heatmapGrid(options: HeatmapGridOptions): ChartSpec {
  const size = options.panelPx ?? 160;
  const colorScale = options.colorScale ?? 'shared';
  const colorTitle = [options.colorTitle, COLOR_SCALE_NOTE[colorScale]];
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
        color: { field: 'v', type: 'quantitative', title: colorTitle, scale: { type: 'log', scheme: 'viridis' } },
      },
    };
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title ? { title: options.title } : {}),
    config: { ...CHART_CONFIG, view: { stroke: null } },
    spacing: 16,
    vconcat: options.rows.map((row) => ({ hconcat: row.map(panel), spacing: 12, ...(colorScale === 'panel' ? { resolve: { scale: { color: 'independent' } } } : {}) })),
    resolve: { scale: { color: colorScale === 'shared' ? 'shared' : 'independent' } },
  };
}

/** Label every k-th step so about six labels fit a panel. */
function tickEvery(n: number): number {
  return Math.max(1, Math.ceil(n / 6 / 5) * 5);
}

/**
 * Panels that one shared log scale draws nearly flat: those whose own values span less than
 * `fraction` of the decades all panels span together (a fading cell beside a remembering one).
 */
export function flatPanels(panels: readonly HeatmapPanel[], fraction = 0.25): string[] {
  const span = (p: HeatmapPanel) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < p.values.length; i++) {
      const v = p.values[i]!;
      if (v > 0 && Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    }
    return { lo, hi };
  };
  const spans = panels.map(span);
  const lo = Math.min(...spans.map((s) => s.lo));
  const hi = Math.max(...spans.map((s) => s.hi));
  const decades = Math.log10(hi / lo);
  if (!(decades > 0)) return [];
  return panels.filter((_, k) => spans[k]!.hi >= spans[k]!.lo && Math.log10(spans[k]!.hi / spans[k]!.lo) < fraction * decades).map((p) => p.title);
}
