/**
 * train/anomaly: the NAB score (Lavin and Ahmad 2015, "Evaluating Real-time Anomaly Detection
 * Algorithms – the Numenta Anomaly Benchmark"), standard profile: A_TP = 1, A_FP = −0.11,
 * A_FN = −1, A_TN = 0. Each labelled window earns the scaled sigmoid of the relative position
 * of its first detection (1 at the window's first point, near 0 at its last); a window with no
 * detection costs A_FN; every flagged point outside a window costs 0.11·σ, where σ is −1 before
 * the first window and the scaled sigmoid of the distance past the previous window after it
 * (a flag just after a window costs little). Normalised: 100·(raw − null)/(perfect − null),
 * where the null detector flags nothing (A_FN per window) and the perfect one flags each
 * window's first point (A_TP per window).
 *
 * Details that follow NAB's code (nab/scorer.py, nab/sweeper.py, nab/util.py) rather than the paper:
 *   - scaledSigmoid(x) = 2/(1 + e^{5x}) − 1, and −1 when x > 3;
 *   - a detection at index i of a window [left, right] sits at x = −(right − i + 1)/(right − left + 1),
 *     and its reward is divided by scaledSigmoid(−1) so the first point earns exactly A_TP;
 *   - a false positive at i after a window ending at `right` of width w sits at
 *     x = (i − right)/(w − 1);
 *   - the probationary period is min(floor(0.15·length), 0.15·5000) points; detections there
 *     are not scored;
 *   - each flagged point counts (a run of five false flags costs five times), as NAB thresholds
 *     each row's anomaly score.
 * Here scoring also waits for the detector's scored part (`from`): windows that end before it
 * are left out, so a detector that trains on the first half is not charged for missing windows
 * it could never see.
 */
import { runsOf } from './metrics.js';
import type { Segment } from './types.js';

export const NAB_STANDARD = { truePositive: 1, falsePositive: -0.11, falseNegative: -1 } as const;
const PROBATION_FRACTION = 0.15;

export interface NabScore {
  /** Sum of the rewards and costs. */
  readonly raw: number;
  /** The raw score of the detector that flags nothing, and of the one that flags each window's first point. */
  readonly nullScore: number;
  readonly perfect: number;
  /** 100·(raw − null)/(perfect − null); NaN when no window is scored. */
  readonly normalised: number;
  /** Windows scored, and those with a detection. */
  readonly windows: number;
  readonly detected: number;
  /** Flagged points outside every window (each one costs). */
  readonly falsePositives: number;
  /** The first scored index (the probationary period and the detector's unscored start end there). */
  readonly from: number;
}

/** NAB's scaled sigmoid: 2/(1 + e^{5x}) − 1, and −1 beyond x = 3. */
export function scaledSigmoid(x: number): number {
  return x > 3 ? -1 : 2 / (1 + Math.exp(5 * x)) - 1;
}

/** NAB's probationary period for a file of `length` points. */
export function probationPeriod(length: number): number {
  return Math.min(Math.floor(PROBATION_FRACTION * length), PROBATION_FRACTION * 5000);
}

/** The NAB score of 0/1 `flagged` against the labelled windows (runs of 1 in `labels`), scored from max(probation, `from`). */
export function nabScore(flagged: ArrayLike<number | boolean>, labels: ArrayLike<number>, options: { from?: number } = {}): NabScore {
  if (flagged.length !== labels.length) throw new RangeError(`flags (${flagged.length}) and labels (${labels.length}) differ in length`);
  const T = labels.length;
  const from = Math.max(probationPeriod(T), options.from ?? 0);
  const windows: Segment[] = runsOf(labels).filter((w) => w.end > from);
  const costs = NAB_STANDARD;
  const maxReward = scaledSigmoid(-1);
  const best = new Float64Array(windows.length).fill(Number.NaN);
  let falsePositiveCost = 0;
  let falsePositives = 0;
  let next = 0; // the first window that has not ended before t
  for (let t = from; t < T; t++) {
    while (next < windows.length && windows[next]!.end <= t) next++;
    if (!flagged[t]) continue;
    const w = windows[next];
    if (w && t >= w.start) {
      const right = w.end - 1;
      const width = w.end - w.start;
      const reward = (costs.truePositive * scaledSigmoid(-(right - t + 1) / width)) / maxReward;
      if (Number.isNaN(best[next]!)) best[next] = reward; // the first detection is the best: σ falls through the window
      continue;
    }
    const previous = windows[next - 1];
    const sigma = previous ? scaledSigmoid((t - (previous.end - 1)) / Math.max(1, previous.end - previous.start - 1)) : -1;
    falsePositiveCost += -costs.falsePositive * sigma;
    falsePositives++;
  }
  let raw = falsePositiveCost;
  let detected = 0;
  for (const b of best) {
    if (Number.isNaN(b)) raw += costs.falseNegative;
    else {
      raw += b;
      detected++;
    }
  }
  const nullScore = costs.falseNegative * windows.length;
  const perfect = costs.truePositive * windows.length;
  const normalised = windows.length > 0 ? (100 * (raw - nullScore)) / (perfect - nullScore) : Number.NaN;
  return { raw, nullScore, perfect, normalised, windows: windows.length, detected, falsePositives, from };
}

/** NAB's normalisation over several series: the raw, null and perfect scores are summed first. */
export function nabTotal(scores: readonly NabScore[]): number {
  const sum = (key: 'raw' | 'nullScore' | 'perfect') => scores.reduce((a, s) => a + s[key], 0);
  const span = sum('perfect') - sum('nullScore');
  return span > 0 ? (100 * (sum('raw') - sum('nullScore'))) / span : Number.NaN;
}
