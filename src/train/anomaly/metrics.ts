/**
 * train/anomaly: detection quality against labels, point by point and per anomalous segment.
 * A labelled segment counts as found when a flagged point falls inside it; a run of flagged
 * points counts as correct when it overlaps a labelled segment or starts within `tolerance`
 * steps after its end (a predictor's input window still holds the anomaly for that long).
 */
import type { Segment } from './types.js';

export interface Scores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export interface PointCounts extends Scores {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
}

export interface SegmentCounts extends Scores {
  /** Labelled segments with at least one flagged point. */
  readonly found: number;
  readonly labelled: number;
  /** Runs of flagged points that touch a labelled segment. */
  readonly correctRuns: number;
  readonly runs: number;
}

export interface DetectionMetrics {
  readonly points: PointCounts;
  readonly segments: SegmentCounts;
}

/**
 * Precision, recall and F1 from counts. Precision is NaN when nothing was flagged, recall NaN
 * when nothing is labelled; F1 is 0 when either is 0 (finding nothing is a score, not a gap).
 */
export function scoresOf(hits: number, flagged: number, correctFlags: number, labelled: number): Scores {
  const precision = flagged > 0 ? correctFlags / flagged : Number.NaN;
  const recall = labelled > 0 ? hits / labelled : Number.NaN;
  let f1: number;
  if (precision === 0 || recall === 0 || (Number.isNaN(precision) && labelled > 0)) f1 = 0;
  else if (Number.isNaN(precision) || Number.isNaN(recall)) f1 = Number.NaN;
  else f1 = (2 * precision * recall) / (precision + recall);
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

/** Point-wise and segment-wise precision, recall and F1 of `flagged` against `labels` on [from, to). */
export function evaluate(
  flagged: ArrayLike<number | boolean>,
  labels: ArrayLike<number>,
  options: { from?: number; to?: number; tolerance?: number } = {},
): DetectionMetrics {
  if (flagged.length !== labels.length) throw new RangeError(`flags (${flagged.length}) and labels (${labels.length}) differ in length`);
  const from = options.from ?? 0;
  const to = options.to ?? labels.length;
  const tolerance = options.tolerance ?? 0;
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
  const labelledSegments = runsOf(labels, from, to);
  const flaggedRuns = runsOf(flagged, from, to);
  const found = labelledSegments.filter((s) => flaggedRuns.some((r) => touches(r, s, 0))).length;
  const correctRuns = flaggedRuns.filter((r) => labelledSegments.some((s) => touches(r, s, tolerance))).length;
  return {
    points: { truePositives: tp, falsePositives: fp, falseNegatives: fn, ...scoresOf(tp, tp + fp, tp, tp + fn) },
    segments: {
      found,
      labelled: labelledSegments.length,
      correctRuns,
      runs: flaggedRuns.length,
      ...scoresOf(found, flaggedRuns.length, correctRuns, labelledSegments.length),
    },
  };
}
