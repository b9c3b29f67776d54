/**
 * plot stage: charts as data, rendered at the edge.
 *
 * Builders return plain vega-lite JSON; `renderChart` turns any vega-lite spec into a
 * deterministic, font-free SVG (labels are Computer Modern glyph outlines, so resvg's PNG
 * shows them with no system font); `imageGrid` tiles grey images into PNG bytes.
 *
 * @example
 * ```ts
 * import { lineChart, scatter, vconcat, renderChart, imageGrid } from '../plot/index.js';
 * import { svgToPng, writeFileAtomic } from '../io/index.js';
 *
 * // Loss curves, or gradient norms on a log axis (one series per cell):
 * const curves = lineChart({
 *   series: [{ name: 'rnn', y: rnnNorms }, { name: 'lstm', y: lstmNorms }],
 *   logY: true, title: 'Gradient norm by step', xTitle: 'steps back', yTitle: '‖∂L/∂h‖',
 * });
 * // A series with a threshold line and flagged points:
 * const score = lineChart({
 *   series: [{ name: 'score', y: scores }],
 *   rules: [{ y: threshold, label: `threshold ${threshold.toFixed(2)}` }],
 *   points: flagged.map((i) => ({ x: i, y: scores[i] })), pointsLabel: 'flagged',
 * });
 * // Learning curves over seeds: the mean as a line, the range shaded (`low`, `high`):
 * const learning = lineChart({ series: [{ name: 'lstm', x: steps, y: mean, low: min, high: max }], logY: true });
 * // Memory maps side by side on one log colour scale (row-major n×n values, s ≤ t drawn):
 * const maps = heatmapGrid({ rows: [[{ title: 'rnn', values: norms, n: T }]], xTitle: 's', yTitle: 't', colorTitle: '‖∂ℎₜ/∂𝑥ₛ‖', colorScale: 'panel' });
 * // A latent space coloured by digit (categories sort numerically):
 * const latent = scatter({ points: zs.map(([x, y], i) => ({ x, y, category: String(labels[i]) })), categoryTitle: 'digit' });
 * const svg = await renderChart(vconcat([curves, score]));
 * writeFileAtomic('out/chart.svg', svg);
 * writeFileAtomic('out/chart.png', svgToPng(svg));
 * // 16 reconstructions of 28×28 digits (values in [0, 1]), 8 a row:
 * writeFileAtomic('out/recon.png', imageGrid(images, 28, 28, 8, { scale: 2 }));
 * ```
 *
 * Any hand-written vega-lite spec renders too; spread `CHART_CONFIG` into its `config` for the
 * house style. Data goes inline (`data.values`); numbers in specs are rounded to 6 significant
 * digits, numbers in the SVG to 2 decimals.
 */
export {
  lineChart,
  scatter,
  barChart,
  vconcat,
  hconcat,
  CHART_CONFIG,
  CATEGORY_COLORS,
  type ChartSpec,
  type Series,
  type RuleLine,
  type MarkedPoint,
  type Band,
  type XRule,
  type LineChartOptions,
  type ScatterPoint,
  type ScatterOptions,
  type Bar,
  type BarChartOptions,
} from './spec.js';
export { detectionChart, trainingChart, type DetectionChartInput, type DetectionTime, type TrainingChartInput, type TrainingRun } from './detection.js';
/** Lines on a log-2 x axis, measured (solid) against reference (dashed), with per-seed points. */
export { logLineChart, type LogLine, type LogLineOptions } from './log-lines.js';
/** Labelled points joined in order, one line per group (a trade-off curve over beta). */
export { connectedScatter, type ConnectedGroup, type ConnectedScatterOptions } from './connected-scatter.js';
export { heatmapGrid, flatPanels, type HeatmapPanel, type HeatmapGridOptions } from './heatmap.js';
export { renderChart, formatNumber, type RenderOptions } from './render.js';
export { imageGrid, encodeGreyPng, type ImageGridOptions } from './png.js';
