/**
 * train/anomaly: detection quality against labels, chosen so that flagging everything does
 * not score well:
 *   - point-wise precision, recall and F1;
 *   - events: labelled windows detected (a flagged point inside), false-positive runs (flagged
 *     runs that touch no window and do not start within `tolerance` steps after one: a
 *     predictor's input window still holds the anomaly for that long), detection delay;
 *   - the composite F-score of Garg et al. 2021 ("An evaluation of anomaly detection and
 *     diagnosis in multivariate time series"): event-wise recall with point-wise precision,
 *     so one run over the whole span finds every event but pays for each flagged point;
 *   - range-based precision and recall of Tatbul et al. 2018 (range-metrics.ts).
 * NAB's score lives in nab.ts.
 */
import { rangeScores } from './range-metrics.js';
import { f1Of, type Scores } from './scores.js';
import type { Segment } from './types.js';

export { f1Of, type Scores } from './scores.js';

export interface PointCounts extends Scores {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
}

export interface EventCounts {
  /** Labelled windows with at least one flagged point. */
  readonly detected: number;
  readonly labelled: number;
  /** Runs of flagged points. */
  readonly runs: number;
  /** Runs that touch no labelled window (nor start within `tolerance` steps after one). */
  readonly falsePositiveRuns: number;
  /** Per detected window, in order: steps from its start to its first flagged point. */
  readonly delays: readonly number[];
}

export interface DetectionMetrics {
  readonly points: PointCounts;
  readonly events: EventCounts;
  /** Garg et al. 2021: precision point-wise, recall event-wise. */
  readonly composite: Scores;
  /** Tatbul et al. 2018, with the parameters in range-metrics.ts. */
  readonly range: Scores;
}

/**
 * Precision, recall and F1 from counts. Precision is NaN when nothing was flagged, recall NaN
 * when nothing is labelled; F1 is 0 when nothing was flagged but something is labelled.
 */
export function scoresOf(hits: number, flagged: number, correctFlags: number, labelled: number): Scores {
  const precision = flagged > 0 ? correctFlags / flagged : Number.NaN;
  const recall = labelled > 0 ? hits / labelled : Number.NaN;
  const f1 = Number.isNaN(precision) && labelled > 0 ? 0 : f1Of(precision, recall);
  return { precision, recall, f1 };
}

/** Maximal runs of 1s in `mask` within [from, to), as half-open segments. */
export function runsOf(mask: ArrayLike<number | boolean>, from = 0, to = mask.length): Segment[] {
  const runs: Segment[] = [];
  let start = -1;
  for (let t = from; t < to; t++) {
    const on = Boolean(mask[t]);
    if (on && start < 0) start = t;
    if (!on && start >= 0) {
      runs.push({ start, end: t });
      start = -1;
    }
  }
  if (start >= 0) runs.push({ start, end: to });
  return runs;
}

function touches(run: Segment, segment: Segment, tolerance: number): boolean {
  return run.start < segment.end + tolerance && segment.start < run.end;
}

function countPoints(flagged: ArrayLike<number | boolean>, labels: ArrayLike<number>, from: number, to: number): PointCounts {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let t = from; t < to; t++) {
    const f = Boolean(flagged[t]);
    const l = labels[t] === 1;
    if (f && l) tp++;
    else if (f) fp++;
    else if (l) fn++;
  }
  return { truePositives: tp, falsePositives: fp, falseNegatives: fn, ...scoresOf(tp, tp + fp, tp, tp + fn) };
}

function countEvents(windows: readonly Segment[], runs: readonly Segment[], flagged: ArrayLike<number | boolean>, tolerance: number): EventCounts {
  const delays: number[] = [];
  for (const w of windows) {
    for (let t = w.start; t < w.end; t++) {
      if (flagged[t]) {
        delays.push(t - w.start);
        break;
      }
    }
  }
  const falsePositiveRuns = runs.filter((r) => !windows.some((w) => touches(r, w, tolerance))).length;
  return { detected: delays.length, labelled: windows.length, runs: runs.length, falsePositiveRuns, delays };
}

/** Every metric of `flagged` against `labels` on [from, to). */
export function evaluate(
  flagged: ArrayLike<number | boolean>,
  labels: ArrayLike<number>,
  options: { from?: number; to?: number; tolerance?: number } = {},
): DetectionMetrics {
  if (flagged.length !== labels.length) throw new RangeError(`flags (${flagged.length}) and labels (${labels.length}) differ in length`);
  const from = options.from ?? 0;
  const to = options.to ?? labels.length;
  const points = countPoints(flagged, labels, from, to);
  const windows = runsOf(labels, from, to);
  const runs = runsOf(flagged, from, to);
  const events = countEvents(windows, runs, flagged, options.tolerance ?? 0);
  const eventRecall = windows.length > 0 ? events.detected / windows.length : Number.NaN;
  const composite = { precision: points.precision, recall: eventRecall, f1: Number.isNaN(points.precision) && windows.length > 0 ? 0 : f1Of(points.precision, eventRecall) };
  return { points, events, composite, range: rangeScores(windows, runs) };
}

/** The two reference detectors every report prints: flag no point, and flag every point of [from, to). */
export function referenceFlags(length: number, from: number): { nothing: Uint8Array; everything: Uint8Array } {
  const everything = new Uint8Array(length);
  everything.fill(1, from);
  return { nothing: new Uint8Array(length), everything };
}
