/**
 * train/anomaly: the report of one `rnn detect` run, as text (what the command prints) and as the
 * run's part of report.json. The command parses its options, calls detect(), and hands the
 * results here with the files it was given; nothing here reads or writes a file.
 */
import type { DetectOptions, Detection, TrainedModel } from './detect.js';
import { LOCALISE_DEFAULT } from './detect.js';
import type { EpochStats } from './model.js';
import { minRunFor } from './persist.js';
import { formatEpochs, formatLevel, formatMetrics, formatSeasonal } from './report.js';
import type { Series } from './types.js';

/** The training settings a run used: DetectOptions with the values the command filled in. */
export type DetectSettings = DetectOptions & {
  readonly hidden: number;
  readonly window: number;
  readonly horizon: number;
  readonly epochs: number;
  readonly clip: number;
  readonly seed: number;
  readonly batch: number;
};

/** One detect run: the files as the user named them, the settings, and what came back. */
export interface DetectRun {
  /** The series and training files as given (`--series`, `--train`), and the saved model's (`--model`). */
  readonly seriesFile: string;
  readonly trainFile?: string;
  readonly modelFile?: string;
  /** The cell's file (its name is the detection's rnn method). */
  readonly cellFile: string;
  readonly settings: DetectSettings;
  readonly detection: Detection;
  /** Wall-clock seconds of training. */
  readonly seconds: number;
  /** The same training without clipping (`--compare-clip`). */
  readonly unclipped?: readonly EpochStats[];
  /** Print the NAB score column (`--metric nab`). */
  readonly nab: boolean;
}

/** How to read the metrics table (printed under it). */
const METRICS_NOTE = (tolerance: number) =>
  `(composite F1: windows detected (a flagged point inside) as recall, point-wise precision (Garg et al. 2021); range F1: Tatbul et al. 2018, ` +
  `recall α 0.5, flat bias, cardinality 1/x; FP runs: flagged runs touching no window nor starting within ${tolerance} steps after one; delay: mean steps from a window's start to its first flag)`;

/** What was scored with which model: the saved model's line, or the training's lines and epoch table. */
function modelLines(series: Series, run: DetectRun, saved: TrainedModel | undefined): string[] {
  const { detection, settings } = run;
  const r = detection.regions;
  const name = detection.rnn.name;
  if (saved) return [`model ${run.modelFile}: cell ${name}, hidden ${saved.predictor.hidden}, window ${saved.window}${saved.horizon > 1 ? `, horizon ${saved.horizon}` : ''}; scored steps ${r.evaluateFrom}..${series.length - 1}`];
  const lines = [
    `cell ${name} (${run.cellFile}), hidden ${settings.hidden}, window ${settings.window}${settings.horizon > 1 ? `, horizon ${settings.horizon}` : ''}, ${settings.epochs} epochs, seed ${settings.seed}, trained in ${run.seconds.toFixed(1)} s`,
    r.separateTraining
      ? `fit on ${run.trainFile} steps 0..${r.fitEnd - 1}, threshold from its steps ${r.fitEnd}..${r.holdoutEnd - 1}; scored: all of ${run.seriesFile} from step ${r.evaluateFrom}`
      : `fit on steps 0..${r.fitEnd - 1}, threshold from held-out normal steps ${r.fitEnd}..${r.holdoutEnd - 1}, scored steps ${r.evaluateFrom}..${series.length - 1}`,
    '',
    ...formatEpochs(detection.history, settings.clip),
  ];
  const unclipped = run.unclipped;
  if (unclipped) {
    lines.push('', 'the same training (same seed and initial weights) without clipping:', ...formatEpochs(unclipped, 0));
    const last = unclipped[unclipped.length - 1];
    if (last?.diverged) lines.push(`without clipping, training diverged in epoch ${last.epoch} (mean loss ${last.loss.toExponential(2)}, largest gradient norm ${last.gradNormMax.toExponential(2)})`);
  }
  return lines;
}

/** The text report of a run: the series, the model or training, the fit part's labels, the season, the metrics. */
export function detectRunLines(series: Series & { readonly source?: { readonly file: string } }, run: DetectRun): string[] {
  const { detection, settings } = run;
  const saved = settings.model;
  const C = series.channels.length;
  const lines = [
    `${series.source?.file ?? run.seriesFile}: ${series.length} points × ${C} channel(s) (${series.channels.join(', ')})` +
      (series.labels ? `, ${series.labels.reduce((a, b) => a + b, 0)} labelled anomalous` : ', no labels'),
    ...modelLines(series, run, saved),
  ];
  if (!saved && series.labels) {
    lines.push(`labelled points in the fit part: ${detection.fit.labelledInFit}, in the held-out part: ${detection.fit.labelledInHoldout}; the robust refit replaced ${detection.fit.replaced} fit-part point(s) the first fit could not predict`);
  }
  lines.push(...formatSeasonal(detection.model), ...formatLevel(detection));
  lines.push('', ...formatMetrics(detection, { nab: run.nab }));
  if (series.labels) lines.push(METRICS_NOTE(settings.tolerance ?? detection.model.window));
  return lines;
}

/** The run's settings as report.json records them (detectionSummary's `run`). */
export function detectRunInfo(run: DetectRun): Record<string, unknown> {
  const { detection, settings: s } = run;
  const m = detection.model;
  return {
    series: run.seriesFile,
    ...(run.trainFile ? { train: run.trainFile } : {}),
    cell: run.cellFile,
    hidden: m.predictor.hidden,
    window: m.window,
    horizon: m.horizon,
    smooth: m.smooth,
    localScale: m.localScale,
    levelWindow: m.levelWindow,
    ...(detection.level ? { levelAlarm: true } : {}),
    ...(s.model
      ? { model: run.modelFile }
      : { epochs: s.epochs, clip: s.clip, optimizer: s.optimizer, ...(s.lr !== undefined ? { lr: s.lr } : {}), batch: s.batch, seed: s.seed, threshold: s.thresholdRule, robustFit: s.robustFit, seasonal: s.seasonal, excludeBursts: s.excludeBursts, ensemble: s.ensemble }),
    localise: s.localise ?? LOCALISE_DEFAULT,
    minRun: minRunFor(m.smooth, s.minRun),
  };
}
