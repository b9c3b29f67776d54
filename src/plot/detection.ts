/**
 * plot stage: the two figures of an anomaly detection run, from plain arrays. The detection
 * chart stacks the series (labelled anomalies shaded, flagged points in red) over the score
 * with its threshold, against the step index or the series' timestamps (a UTC time axis for
 * dates, a number axis for numbers); the training chart shows the loss and the gradient norm per epoch,
 * before and after clipping, so exploding gradients are visible.
 */
import { hconcat, lineChart, vconcat, type Band, type ChartSpec, type XRule } from './spec.js';

/**
 * The x values of a series' steps: times in ms since 1970-01-01 UTC ('temporal', drawn on a
 * UTC time axis) or plain numbers ('quantitative'), one per step, in step order.
 */
export interface DetectionTime {
  readonly kind: 'temporal' | 'quantitative';
  readonly values: ArrayLike<number>;
}

export interface DetectionChartInput {
  /** One array of values per channel. */
  readonly channels: readonly { readonly name: string; readonly values: ArrayLike<number> }[];
  readonly scores: ArrayLike<number>;
  readonly threshold: number;
  /** Indices of flagged points. */
  readonly flagged: readonly number[];
  /** Labelled anomalous ranges [start, end). */
  readonly labelled?: readonly Band[];
  /** Index where the scored (evaluated) part begins, marked with a vertical line. */
  readonly evaluateFrom?: number;
  /** The baseline's scores and threshold, drawn in a third panel when given. */
  readonly baseline?: { readonly scores: ArrayLike<number>; readonly threshold: number; readonly name: string };
  readonly title?: string;
  readonly scoreName?: string;
  readonly widthPx?: number;
  /** Draw the steps at these x values (the series' timestamps) instead of at their index. */
  readonly time?: DetectionTime;
  /** The x axis title (default: 'time step', or 'time' with `time`). */
  readonly xTitle?: string;
}

/**
 * Step index → x value: the index itself, or the timestamps interpolated linearly between
 * steps (and extrapolated past the ends), so a band from step 4.5 to 5.5 or a rule at a
 * step lands halfway between the neighbouring timestamps.
 */
function stepToX(time: DetectionTime | undefined, length: number): (step: number) => number {
  if (!time) return (step) => step;
  if (time.values.length !== length) throw new RangeError(`${time.values.length} timestamps for ${length} steps`);
  const v = time.values;
  if (v.length === 1) return () => v[0]!;
  return (step) => {
    const lo = Math.min(Math.max(Math.floor(step), 0), v.length - 2);
    const fraction = step - lo;
    return fraction === 0 ? v[lo]! : fraction === 1 ? v[lo + 1]! : v[lo]! + fraction * (v[lo + 1]! - v[lo]!);
  };
}

/** Lines longer than this many points per pixel of width are thinned (decimateLine). */
const MAX_POINTS_PER_PX = 8;

/**
 * A long line thinned for a chart `widthPx` wide (M4 aggregation, Jugel et al. 2014): the steps
 * fall into 2·widthPx buckets, and each keeps its first, lowest, highest and last finite point,
 * so every spike and the line's path at the drawn resolution survive in at most 8 points per
 * pixel. Lines up to MAX_POINTS_PER_PX points per pixel are returned whole (undefined).
 */
export function decimateLine(y: ArrayLike<number>, x: ArrayLike<number> | undefined, widthPx: number): { x: number[]; y: number[] } | undefined {
  const T = y.length;
  if (T <= MAX_POINTS_PER_PX * widthPx) return undefined;
  const buckets = 2 * widthPx;
  const keep: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * T) / buckets);
    const to = Math.floor(((b + 1) * T) / buckets);
    let first = -1, last = -1, low = -1, high = -1;
    for (let t = from; t < to; t++) {
      const v = y[t]!;
      if (!Number.isFinite(v)) continue;
      if (first < 0) first = low = high = t;
      last = t;
      if (v < y[low]!) low = t;
      if (v > y[high]!) high = t;
    }
    if (first >= 0) keep.push(...[...new Set([first, low, high, last])].sort((a, c) => a - c));
  }
  return { x: keep.map((t) => (x ? x[t]! : t)), y: keep.map((t) => y[t]!) };
}

/** A line for lineChart, thinned when long (decimateLine); `x` undefined draws at the step index. */
function line(name: string, y: ArrayLike<number>, x: ArrayLike<number> | undefined, widthPx: number): { name: string; y: ArrayLike<number>; x?: ArrayLike<number> } {
  const thin = decimateLine(y, x, widthPx);
  return thin ? { name, ...thin } : { name, y, ...(x ? { x } : {}) };
}

/** Series + flagged points over score + threshold (+ baseline score), sharing the time axis. */
export function detectionChart(input: DetectionChartInput): ChartSpec {
  const widthPx = input.widthPx ?? 720;
  const xTitle = input.xTitle ?? (input.time ? 'time' : 'time step');
  const length = input.scores.length;
  const xOf = stepToX(input.time, length);
  const time = input.time;
  // The steps' x values for every series drawn (undefined: the index, as lineChart's default).
  const x = time ? time.values : undefined;
  const axis = time ? { timeX: time.kind === 'temporal', exactX: true } : {};
  const xDomain: [number, number] = [xOf(0), xOf(Math.max(1, length - 1))];
  const xRules: XRule[] = input.evaluateFrom !== undefined && input.evaluateFrom > 0 ? [{ x: xOf(input.evaluateFrom), label: 'scored from here →' }] : [];
  const bands = (input.labelled ?? []).map((b) => ({ start: xOf(b.start), end: xOf(b.end) }));
  const first = input.channels[0]!;
  // A score under its threshold, on the shared x axis with the labelled segments shaded.
  const scorePanel = (name: string, yTitle: string, scores: ArrayLike<number>, threshold: number, heightPx: number, color: string) =>
    lineChart({
      series: [line(name, scores, x, widthPx)],
      rules: [{ y: threshold, label: `threshold ${threshold.toFixed(2)}`, color: '#d62728' }],
      bands,
      xTitle,
      yTitle,
      widthPx,
      heightPx,
      xDomain,
      ...axis,
      colors: { [name]: color },
    });
  const panels: ChartSpec[] = [
    lineChart({
      series: input.channels.map((c) => line(c.name, c.values, x, widthPx)),
      // Every channel's value at a flagged step: the score is joint, so is the flag.
      points: input.channels.flatMap((c) => input.flagged.map((t) => ({ x: xOf(t), y: c.values[t]! }))),
      pointsLabel: 'flagged',
      bands,
      xRules,
      xTitle,
      yTitle: input.channels.length === 1 ? first.name : 'value',
      widthPx,
      heightPx: 180,
      xDomain,
      ...axis,
    }),
    scorePanel(input.scoreName ?? 'score', 'score (σ)', input.scores, input.threshold, 120, '#444444'),
  ];
  if (input.baseline) {
    const { name, scores, threshold } = input.baseline;
    panels.push(scorePanel(name, `${name} (σ)`, scores, threshold, 100, '#999999'));
  }
  return vconcat(panels, input.title ? { title: input.title } : {});
}

const RUN_COLORS = ['#4c78a8', '#e45756', '#54a24b'];
const LIGHT_RUN_COLORS = ['#9ecae9', '#ff9d98', '#88d27a'];

/** One training run's per-epoch figures. */
export interface TrainingRun {
  readonly name: string;
  readonly loss: ArrayLike<number>;
  /** Gradient norm before clipping: the largest over each epoch's batches. */
  readonly gradNormMax: ArrayLike<number>;
  /** Gradient norm actually applied (after clipping), mean over each epoch's batches. */
  readonly appliedNormMean?: ArrayLike<number>;
}

export interface TrainingChartInput {
  readonly runs: readonly TrainingRun[];
  /** The clipping level, drawn as a line on the gradient panel. */
  readonly clip?: number;
  readonly title?: string;
}

/**
 * Loss per epoch beside the gradient norm per epoch (log scales) for one or more runs (with
 * and without clipping, say). A run that diverged stops where its values stop being finite.
 */
export function trainingChart(input: TrainingChartInput): ChartSpec {
  const longest = Math.max(...input.runs.map((r) => r.loss.length));
  const epochs = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const showVertices = longest <= 40;
  // One colour per run in both panels; the applied norm is a lighter shade of its run's colour.
  const colors: Record<string, string> = {};
  const gradientSeries = input.runs.flatMap((r, i) => {
    colors[r.name] = RUN_COLORS[i % RUN_COLORS.length]!;
    colors[`${r.name}: max before clipping`] = RUN_COLORS[i % RUN_COLORS.length]!;
    colors[`${r.name}: mean applied`] = LIGHT_RUN_COLORS[i % LIGHT_RUN_COLORS.length]!;
    return [
      { name: `${r.name}: max before clipping`, x: epochs(r.gradNormMax.length), y: r.gradNormMax },
      ...(r.appliedNormMean ? [{ name: `${r.name}: mean applied`, x: epochs(r.appliedNormMean.length), y: r.appliedNormMean }] : []),
    ];
  });
  return hconcat(
    [
      lineChart({
        series: input.runs.map((r) => ({ name: r.name, x: epochs(r.loss.length), y: r.loss })),
        colors,
        logY: true,
        xTitle: 'epoch',
        yTitle: 'training loss (MSE, standardised)',
        widthPx: 300,
        heightPx: 200,
        showVertices,
        integerX: true,
        xDomain: [1, Math.max(2, longest)],
      }),
      lineChart({
        series: gradientSeries,
        colors,
        rules: input.clip !== undefined && Number.isFinite(input.clip) && input.clip > 0 ? [{ y: input.clip, label: `clip ${input.clip}` }] : [],
        logY: true,
        xTitle: 'epoch',
        yTitle: 'gradient norm',
        widthPx: 300,
        heightPx: 200,
        showVertices,
        integerX: true,
        xDomain: [1, Math.max(2, longest)],
      }),
    ],
    input.title ? { title: input.title } : {},
  );
}
