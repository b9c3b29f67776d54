/**
 * plot stage: chart builders. Each takes plain numbers and returns a vega-lite spec as plain
 * JSON (no functions, no library objects), so a spec can be snapshotted, merged or written
 * to a file, and rendered later by renderChart. Key order is fixed by construction.
 */

/** A vega-lite specification as plain JSON. */
export type ChartSpec = { readonly [key: string]: unknown };

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Ten distinguishable colours (Tableau 10, vega's default category scheme). */
export const CATEGORY_COLORS: readonly string[] = [
  '#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac',
];
const FLAG_COLOR = '#d62728';
const RULE_COLOR = '#444444';

/** The house style shared by every chart (labels are drawn as Computer Modern outlines). */
export const CHART_CONFIG: ChartSpec = {
  background: 'white',
  font: 'Latin Modern Roman, CMU Serif, serif',
  padding: 8,
  view: { stroke: '#cccccc' },
  axis: {
    domainColor: '#888888',
    gridColor: '#eeeeee',
    labelFontSize: 11,
    tickColor: '#888888',
    titleFontSize: 12,
    titleFontWeight: 'normal',
  },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  title: { anchor: 'start', fontSize: 14, fontWeight: 'normal', offset: 8 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  line: { strokeWidth: 1.5 },
};

/** One line of a line chart. `x` defaults to 0, 1, 2, … */
/** A chart's title, with its subtitle (set in the charts' font) when there is one. */
export function chartTitle(title: string, subtitle?: string): string | ChartSpec {
  return subtitle ? { text: title, subtitle, subtitleFont: CHART_CONFIG.font, subtitleFontSize: 12 } : title;
}

export interface Series {
  readonly name: string;
  readonly y: ArrayLike<number>;
  readonly x?: ArrayLike<number>;
  /** A spread around the line (the range over seeds), shaded in the line's colour: both or neither. */
  readonly low?: ArrayLike<number>;
  readonly high?: ArrayLike<number>;
}

/** A horizontal reference line (a threshold), labelled at its right end. */
export interface RuleLine {
  readonly y: number;
  readonly label?: string;
  readonly color?: string;
}

/** A shaded x range behind the lines (for example a labelled anomaly). */
export interface Band {
  readonly start: number;
  readonly end: number;
}

/** A vertical reference line (for example where the scored part begins), labelled at its top, on its left. */
export interface XRule {
  readonly x: number;
  readonly label?: string;
}

/** A point drawn over the lines (for example a flagged anomaly). */
export interface MarkedPoint {
  readonly x: number;
  readonly y: number;
}

export interface LineChartOptions {
  readonly series: readonly Series[];
  readonly title?: string;
  readonly xTitle?: string;
  readonly yTitle?: string;
  /** Log-scaled y axis; values ≤ 0 cannot be drawn on it and are left out. */
  readonly logY?: boolean;
  readonly widthPx?: number;
  readonly heightPx?: number;
  /** Threshold lines. */
  readonly rules?: readonly RuleLine[];
  /** Points drawn on top in red, listed in the legend under `pointsLabel`. */
  readonly points?: readonly MarkedPoint[];
  readonly pointsLabel?: string;
  /** Shaded x ranges behind everything. */
  readonly bands?: readonly Band[];
  readonly bandColor?: string;
  /** Vertical lines. */
  readonly xRules?: readonly XRule[];
  /** A marker on every vertex (for short series such as a sweep). */
  readonly showVertices?: boolean;
  /** Colours by series name; unnamed series take the category colours in order. */
  readonly colors?: Readonly<Record<string, string>>;
  /** Legend title; the legend is shown when there are several series or marked points. */
  readonly legendTitle?: string;
  readonly xDomain?: readonly [number, number];
  readonly yDomain?: readonly [number, number];
  /** Whole-number ticks on x (epochs, steps). */
  readonly integerX?: boolean;
  /**
   * x values (of series, points, bands, rules and `xDomain`) are times in milliseconds since
   * 1970-01-01 UTC, drawn on a UTC time axis (the same labels on every machine).
   */
  readonly timeX?: boolean;
  /** Keep x values as given instead of rounding them to 6 significant digits (large timestamps). */
  readonly exactX?: boolean;
}

/** Log-axis labels: vega's own (it blanks crowded minor ticks), but 1e+12 / 1e-5 at the extremes rather than 1,000,000,000,000. */
const LOG_LABEL = "datum.label == '' ? '' : abs(datum.value) >= 1e5 || (abs(datum.value) < 1e-3 && datum.value != 0) ? format(datum.value, '.0e') : datum.label";

/** Milliseconds since 1970 as ISO-8601 UTC text (whole seconds when there is no fraction). */
function utcText(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace('.000Z', 'Z') : String(ms);
}

/** Rounds to 6 significant digits so specs stay small and readable (plots need no more). */
function tidy(value: number): number {
  return Number(value.toPrecision(6));
}

function seriesRows(series: readonly Series[], logY: boolean, tidyX: (x: number) => number): { series: string; x: number; y: number }[] {
  const rows: { series: string; x: number; y: number }[] = [];
  for (const s of series) {
    if (s.x && s.x.length !== s.y.length) throw new RangeError(`series '${s.name}' has ${s.x.length} x values and ${s.y.length} y values`);
    for (let i = 0; i < s.y.length; i++) {
      const y = s.y[i]!;
      const x = s.x ? s.x[i]! : i;
      if (!Number.isFinite(y) || !Number.isFinite(x) || (logY && y <= 0)) continue;
      rows.push({ series: s.name, x: tidyX(x), y: tidy(y) });
    }
  }
  return rows;
}

/** The shaded spreads' rows: x with low and high, where all three can be drawn. */
function spreadRows(series: readonly Series[], logY: boolean, tidyX: (x: number) => number): { series: string; x: number; low: number; high: number }[] {
  return series.flatMap((s) => {
    if (!s.low || !s.high) return [];
    return Array.from({ length: s.y.length }, (_, i) => ({ series: s.name, x: tidyX(s.x ? s.x[i]! : i), low: tidy(s.low![i]!), high: tidy(s.high![i]!) })).filter(
      (r) => Number.isFinite(r.x) && Number.isFinite(r.low) && Number.isFinite(r.high) && !(logY && r.low <= 0),
    );
  });
}

function colorScale(names: readonly string[], colors: Readonly<Record<string, string>> = {}): { domain: string[]; range: string[] } {
  let next = 0;
  const range = names.map((name) => colors[name] ?? CATEGORY_COLORS[next++ % CATEGORY_COLORS.length]!);
  return { domain: [...names], range };
}

function axisTitle(title: string | undefined, fallback: string): string {
  return title ?? fallback;
}

/** A line chart's x handling: tidied (or exact) numbers, or UTC times. */
interface LineAxes {
  readonly logY: boolean;
  readonly timeX: boolean;
  readonly tidyX: (x: number) => number;
  readonly xType: string;
  /** Every layer's x names the UTC scale, or vega-lite describes that layer's marks in local time. */
  readonly utc: Record<string, unknown>;
  readonly xTitle: string;
  readonly x: Record<string, unknown>;
  readonly y: Record<string, unknown>;
  readonly color: Record<string, unknown>;
  /** Clip only when the caller narrows a domain; otherwise markers at the edges stay whole. */
  readonly clip: boolean;
  readonly pointsLabel: string;
  readonly hasPoints: boolean;
}

/**
 * Lines (one per series) with optional threshold rules and marked points: training curves,
 * gradient norms on a log axis, a time series with its flagged anomalies.
 */
export function lineChart(options: LineChartOptions): ChartSpec {
  const axes = lineAxes(options);
  const layers: ChartSpec[] = [];
  const overlays: ChartSpec[] = [];
  if ((options.bands?.length ?? 0) > 0) layers.push(bandLayer(options, options.bands!, axes));
  for (const rule of options.xRules ?? []) {
    layers.push(xRuleLayer(rule, axes));
    // Drawn last, with a halo, so data never hides it.
    if (rule.label) overlays.push(xRuleLabel(rule.label, rule.x, axes));
  }
  const spread = spreadRows(options.series, axes.logY, axes.tidyX);
  if (spread.length) {
    layers.push({
      data: { values: spread },
      mark: { type: 'area', opacity: 0.18, clip: axes.clip },
      encoding: { x: axes.x, y: { ...axes.y, field: 'low' }, y2: { field: 'high' }, color: axes.color },
    });
  }
  layers.push(
    {
      data: { values: seriesRows(options.series, axes.logY, axes.tidyX) },
      mark: options.showVertices ? { type: 'line', point: true, clip: axes.clip } : { type: 'line', clip: axes.clip },
      // On a time axis the line is drawn in x order by default; an order channel would be described in local time.
      encoding: { x: axes.x, y: axes.y, color: axes.color, ...(axes.timeX ? {} : { order: { field: 'x', type: 'quantitative' } }) },
    },
  );
  if (axes.hasPoints) {
    layers.push({
      data: { values: options.points!.map((p) => ({ series: axes.pointsLabel, x: axes.tidyX(p.x), y: tidy(p.y) })) },
      mark: { type: 'point', filled: true, size: 28, opacity: 0.9 },
      encoding: { x: { field: 'x', type: axes.xType, ...axes.utc }, y: { field: 'y', type: 'quantitative' }, color: { field: 'series', type: 'nominal' } },
    });
  }
  for (const rule of options.rules ?? []) layers.push(...yRuleLayers(rule, options.widthPx ?? 480));
  return withFrame(options, { layer: [...layers, ...overlays] });
}

function lineAxes(options: LineChartOptions): LineAxes {
  const logY = options.logY ?? false;
  const names = options.series.map((s) => s.name);
  const pointsLabel = options.pointsLabel ?? 'marked';
  const hasPoints = (options.points?.length ?? 0) > 0;
  const legendNames = hasPoints ? [...names, pointsLabel] : names;
  const scale = colorScale(legendNames, hasPoints ? { [pointsLabel]: FLAG_COLOR, ...options.colors } : options.colors);
  const showLegend = legendNames.length > 1;
  const yScale: Record<string, unknown> = logY ? { type: 'log' } : { zero: false };
  if (options.yDomain) yScale.domain = [...options.yDomain];
  const timeX = options.timeX ?? false;
  const tidyX = timeX || options.exactX ? (v: number) => v : tidy;
  const xType = timeX ? 'temporal' : 'quantitative';
  const utc = timeX ? { scale: { type: 'utc' } } : {};
  const xScale: Record<string, unknown> = timeX ? { type: 'utc', nice: false } : { zero: false, nice: false };
  if (options.xDomain) xScale.domain = options.xDomain.map(tidyX);
  const color = {
    field: 'series',
    type: 'nominal',
    scale,
    legend: showLegend ? { title: options.legendTitle ?? null } : null,
  };
  const xTitle = axisTitle(options.xTitle, 'x');
  const x = {
    field: 'x',
    type: xType,
    title: xTitle,
    scale: xScale,
    ...(options.integerX ? { axis: { tickMinStep: 1, format: 'd' } } : {}),
  };
  const y = { field: 'y', type: 'quantitative', title: axisTitle(options.yTitle, 'y'), scale: yScale, ...(logY ? { axis: { labelExpr: LOG_LABEL } } : {}) };
  const clip = options.xDomain !== undefined || options.yDomain !== undefined;
  return { logY, timeX, tidyX, xType, utc, xTitle, x, y, color, clip, pointsLabel, hasPoints };
}

/** Shaded x ranges behind the lines. */
function bandLayer(options: LineChartOptions, bands: NonNullable<LineChartOptions['bands']>, axes: LineAxes): ChartSpec {
  const { timeX, tidyX } = axes;
  return {
    data: {
      values: bands.map((b) => ({
        start: tidyX(b.start),
        end: tidyX(b.end),
        // vega-lite would describe x2 in local time; spell the range out in UTC instead.
        ...(timeX ? { range: `${utcText(b.start)} to ${utcText(b.end)}` } : {}),
      })),
    },
    // The outline keeps a one-step band (a spike on a long series) visible as a thin line.
    mark: { type: 'rect', color: options.bandColor ?? '#f4c7c3', opacity: 0.6, stroke: options.bandColor ?? '#f4c7c3', strokeWidth: 1 },
    encoding: {
      x: { field: 'start', type: axes.xType, ...axes.utc, title: axes.xTitle },
      x2: { field: 'end' },
      ...(timeX ? { description: { field: 'range' } } : {}),
    },
  };
}

/** A dashed vertical line at x. */
function xRuleLayer(rule: { readonly x: number }, axes: LineAxes): ChartSpec {
  return {
    data: { values: [{ x: axes.tidyX(rule.x) }] },
    mark: { type: 'rule', color: '#888888', strokeDash: [2, 3] },
    encoding: { x: { field: 'x', type: axes.xType, ...axes.utc, title: axes.xTitle } },
  };
}

/**
 * A vertical line's label, left of the line, where the part before it (in a detection chart,
 * the normal part) has no flagged points to cover.
 */
function xRuleLabel(label: string, x: number, axes: LineAxes): ChartSpec {
  return {
    data: { values: [{ label, x: axes.tidyX(x) }] },
    mark: { type: 'text', align: 'right', baseline: 'top', dx: -3, dy: 3, color: '#555555', fontSize: 10, stroke: 'white', strokeWidth: 3, strokeOpacity: 0.85 },
    encoding: { x: { field: 'x', type: axes.xType, ...axes.utc, title: axes.xTitle }, y: { value: 0 }, text: { field: 'label' } },
  };
}

/** A dashed threshold line at y, with its label at the right end. */
function yRuleLayers(rule: NonNullable<LineChartOptions['rules']>[number], widthPx: number): ChartSpec[] {
  const ruleColor = rule.color ?? RULE_COLOR;
  const layers: ChartSpec[] = [{
    data: { values: [{ y: tidy(rule.y) }] },
    mark: { type: 'rule', color: ruleColor, strokeDash: [6, 4], strokeWidth: 1.2 },
    encoding: { y: { field: 'y', type: 'quantitative' } },
  }];
  if (rule.label) {
    layers.push({
      data: { values: [{ label: rule.label, y: tidy(rule.y) }] },
      mark: { type: 'text', align: 'right', baseline: 'bottom', dx: -4, dy: -3, color: ruleColor, fontSize: 11, stroke: 'white', strokeWidth: 3, strokeOpacity: 0.85 },
      encoding: { x: { value: widthPx }, y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } },
    });
  }
  return layers;
}

function withFrame(options: { title?: string; widthPx?: number; heightPx?: number }, body: ChartSpec, defaults = { width: 480, height: 240 }): ChartSpec {
  return {
    $schema: SCHEMA,
    ...(options.title ? { title: options.title } : {}),
    width: options.widthPx ?? defaults.width,
    height: options.heightPx ?? defaults.height,
    config: CHART_CONFIG,
    ...body,
  };
}

/** A point of a scatter plot; `category` colours it, `label` writes text beside it. */
export interface ScatterPoint {
  readonly x: number;
  readonly y: number;
  readonly category?: string;
  readonly label?: string;
}

export interface ScatterOptions {
  readonly points: readonly ScatterPoint[];
  readonly title?: string;
  readonly xTitle?: string;
  readonly yTitle?: string;
  /** Legend title for the categories (for example 'digit'). */
  readonly categoryTitle?: string;
  /** Category order in the legend; default: sorted, numbers numerically. */
  readonly categories?: readonly string[];
  readonly widthPx?: number;
  readonly heightPx?: number;
  /** Marker area in px² (default 14, small for thousands of points). */
  readonly pointSize?: number;
  readonly opacity?: number;
  /** Join the points in the given order (a sweep, such as reconstruction against KL over beta). */
  readonly connect?: boolean;
  readonly logX?: boolean;
  readonly logY?: boolean;
}

/** Sorts category names, numbers numerically ('2' before '10'). */
function naturalOrder(names: Iterable<string>): string[] {
  return [...new Set(names)].sort((a, b) => {
    const na = Number(a);
    const nb = Number(b);
    if (a !== '' && b !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/**
 * Points, optionally coloured by category and labelled: a latent space coloured by digit,
 * reconstruction against KL for several betas.
 */
export function scatter(options: ScatterOptions): ChartSpec {
  const hasCategory = options.points.some((p) => p.category !== undefined);
  const hasLabels = options.points.some((p) => p.label !== undefined);
  const rows = options.points
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
    .map((p, order) => ({
      x: tidy(p.x),
      y: tidy(p.y),
      ...(hasCategory ? { category: p.category ?? '' } : {}),
      ...(hasLabels ? { label: p.label ?? '' } : {}),
      order,
    }));
  const x = { field: 'x', type: 'quantitative', title: axisTitle(options.xTitle, 'x'), scale: options.logX ? { type: 'log' } : { zero: false } };
  const y = { field: 'y', type: 'quantitative', title: axisTitle(options.yTitle, 'y'), scale: options.logY ? { type: 'log' } : { zero: false } };
  const encoding: Record<string, unknown> = { x, y };
  if (hasCategory) {
    const categories = options.categories ? [...options.categories] : naturalOrder(rows.map((r) => (r as { category: string }).category));
    encoding.color = {
      field: 'category',
      type: 'nominal',
      scale: colorScale(categories),
      legend: { title: options.categoryTitle ?? null },
    };
  } else {
    encoding.color = { value: CATEGORY_COLORS[0] };
  }
  const layers: ChartSpec[] = [];
  if (options.connect) {
    layers.push({
      mark: { type: 'line', color: '#999999', strokeWidth: 1 },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, order: { field: 'order', type: 'quantitative' } },
    });
  }
  layers.push({
    mark: { type: 'point', filled: true, size: options.pointSize ?? 14, opacity: options.opacity ?? 0.75 },
    encoding,
  });
  if (hasLabels) {
    layers.push({
      mark: { type: 'text', align: 'left', baseline: 'middle', dx: 6, fontSize: 11, color: '#333333' },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } },
    });
  }
  return withFrame(options, { data: { values: rows }, layer: layers }, { width: 360, height: 360 });
}

/** One bar; bars sharing a `category` stand side by side, coloured by `group`. */
export interface Bar {
  readonly category: string;
  readonly value: number;
  readonly group?: string;
}

export interface BarChartOptions {
  readonly bars: readonly Bar[];
  readonly title?: string;
  readonly xTitle?: string;
  readonly yTitle?: string;
  readonly groupTitle?: string;
  readonly widthPx?: number;
  readonly heightPx?: number;
  readonly yDomain?: readonly [number, number];
  /** Write each bar's value above it with this many decimals. */
  readonly valueDecimals?: number;
}

/** Bars, grouped side by side when `group` is set: F1 per anomaly kind and method, for example. */
export function barChart(options: BarChartOptions): ChartSpec {
  const categories = [...new Set(options.bars.map((b) => b.category))];
  const groups = [...new Set(options.bars.map((b) => b.group).filter((g): g is string => g !== undefined))];
  const rows = options.bars.map((b) => ({ category: b.category, group: b.group ?? '', value: tidy(b.value) }));
  const yScale: Record<string, unknown> = {};
  if (options.yDomain) yScale.domain = [...options.yDomain];
  const encoding: Record<string, unknown> = {
    x: { field: 'category', type: 'nominal', sort: categories, title: options.xTitle ?? null, axis: { labelAngle: 0 } },
    y: { field: 'value', type: 'quantitative', title: axisTitle(options.yTitle, 'value'), scale: yScale },
  };
  if (groups.length > 0) {
    encoding.xOffset = { field: 'group', type: 'nominal', sort: groups };
    encoding.color = { field: 'group', type: 'nominal', scale: colorScale(groups), legend: { title: options.groupTitle ?? null } };
  } else {
    encoding.color = { value: CATEGORY_COLORS[0] };
  }
  const layers: ChartSpec[] = [{ mark: { type: 'bar' }, encoding }];
  if (options.valueDecimals !== undefined) {
    const { color: _color, ...textEncoding } = encoding;
    layers.push({
      mark: { type: 'text', baseline: 'bottom', dy: -2, fontSize: 9, color: '#333333' },
      encoding: { ...textEncoding, text: { field: 'value', type: 'quantitative', format: `.${options.valueDecimals}f` } },
    });
  }
  return withFrame(options, { data: { values: rows }, layer: layers }, { width: 480, height: 240 });
}

/** The parts of a spec that only a top-level chart may carry. */
function asPanel(spec: ChartSpec): ChartSpec {
  const { $schema: _schema, config: _config, ...panel } = spec;
  return panel;
}

/** Charts stacked top to bottom, sharing the house style (x scales stay independent). */
export function vconcat(charts: readonly ChartSpec[], options: { title?: string; spacingPx?: number } = {}): ChartSpec {
  return {
    $schema: SCHEMA,
    ...(options.title ? { title: options.title } : {}),
    config: CHART_CONFIG,
    spacing: options.spacingPx ?? 16,
    vconcat: charts.map(asPanel),
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
  };
}

/** Charts side by side, sharing the house style. */
export function hconcat(charts: readonly ChartSpec[], options: { title?: string; spacingPx?: number } = {}): ChartSpec {
  return {
    $schema: SCHEMA,
    ...(options.title ? { title: options.title } : {}),
    config: CHART_CONFIG,
    spacing: options.spacingPx ?? 24,
    hconcat: charts.map(asPanel),
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
  };
}
