/**
 * plot stage: the two figures of an anomaly detection run, from plain arrays. The detection
 * chart stacks the series (labelled anomalies shaded, flagged points in red) over the score
 * with its threshold; the training chart shows the loss and the gradient norm per epoch,
 * before and after clipping, so exploding gradients are visible.
 */
import { hconcat, lineChart, vconcat, type Band, type ChartSpec, type XRule } from './spec.js';

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
}

/** Series + flagged points over score + threshold (+ baseline score), sharing the time axis. */
export function detectionChart(input: DetectionChartInput): ChartSpec {
  const widthPx = input.widthPx ?? 720;
  const xTitle = 'time step';
  const xDomain: [number, number] = [0, Math.max(1, input.scores.length - 1)];
  const xRules: XRule[] = input.evaluateFrom !== undefined && input.evaluateFrom > 0 ? [{ x: input.evaluateFrom, label: 'scored →' }] : [];
  const bands = input.labelled ?? [];
  const first = input.channels[0]!;
  const panels: ChartSpec[] = [
    lineChart({
      series: input.channels.map((c) => ({ name: c.name, y: c.values })),
      points: input.flagged.map((t) => ({ x: t, y: first.values[t]! })),
      pointsLabel: 'flagged',
      bands,
      xRules,
      xTitle,
      yTitle: input.channels.length === 1 ? first.name : 'value',
      widthPx,
      heightPx: 180,
      xDomain,
    }),
    lineChart({
      series: [{ name: input.scoreName ?? 'score', y: input.scores }],
      rules: [{ y: input.threshold, label: `threshold ${input.threshold.toFixed(2)}`, color: '#d62728' }],
      bands,
      xTitle,
      yTitle: 'score (σ)',
      widthPx,
      heightPx: 120,
      xDomain,
      colors: { [input.scoreName ?? 'score']: '#444444' },
    }),
  ];
  if (input.baseline) {
    panels.push(
      lineChart({
        series: [{ name: input.baseline.name, y: input.baseline.scores }],
        rules: [{ y: input.baseline.threshold, label: `threshold ${input.baseline.threshold.toFixed(2)}`, color: '#d62728' }],
        bands,
        xTitle,
        yTitle: `${input.baseline.name} (σ)`,
        widthPx,
        heightPx: 100,
        xDomain,
        colors: { [input.baseline.name]: '#999999' },
      }),
    );
  }
  return vconcat(panels, input.title ? { title: input.title } : {});
}

export interface TrainingChartInput {
  readonly loss: ArrayLike<number>;
  /** Gradient norm before clipping (mean over each epoch's batches) and its maximum. */
  readonly gradNormMean: ArrayLike<number>;
  readonly gradNormMax: ArrayLike<number>;
  /** Gradient norm applied after clipping (mean per epoch). */
  readonly appliedNormMean: ArrayLike<number>;
  readonly clip?: number;
  readonly title?: string;
}

/** Loss per epoch beside the gradient norm per epoch (log scales), with the clipping level. */
export function trainingChart(input: TrainingChartInput): ChartSpec {
  const epochs = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const x = epochs(input.loss.length);
  return hconcat(
    [
      lineChart({ series: [{ name: 'training loss', x, y: input.loss }], logY: true, xTitle: 'epoch', yTitle: 'loss (MSE, standardised)', widthPx: 300, heightPx: 200, showVertices: x.length <= 40 }),
      lineChart({
        series: [
          { name: 'max before clipping', x, y: input.gradNormMax },
          { name: 'mean before clipping', x, y: input.gradNormMean },
          { name: 'mean applied', x, y: input.appliedNormMean },
        ],
        colors: { 'max before clipping': '#e45756', 'mean before clipping': '#f58518', 'mean applied': '#4c78a8' },
        rules: input.clip !== undefined && Number.isFinite(input.clip) && input.clip > 0 ? [{ y: input.clip, label: `clip ${input.clip}` }] : [],
        logY: true,
        xTitle: 'epoch',
        yTitle: 'gradient norm',
        widthPx: 300,
        heightPx: 200,
        showVertices: x.length <= 40,
      }),
    ],
    input.title ? { title: input.title } : {},
  );
}
