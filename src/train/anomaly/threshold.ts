/**
 * train/anomaly: a threshold from scores on held-out normal data. The q-quantile of those
 * scores (linear interpolation between order statistics, numpy's default) is the level that
 * a fraction 1 − q of normal points would exceed.
 */
import { potThreshold } from './pot.js';
import { quantile, robustSpread } from './quantile.js';

export { quantile, robustSpread } from './quantile.js';

/** Threshold = the q-quantile of the scores in [from, to) (held-out normal data). */
export function pickThreshold(scores: ArrayLike<number>, from: number, to: number, q: number): number {
  const slice: number[] = [];
  for (let t = from; t < to; t++) slice.push(scores[t]!);
  return quantile(slice, q);
}

/**
 * How the threshold is read from the held-out normal scores:
 *   - 'pot': peaks over threshold with a generalised Pareto tail (pot.ts) at `risk`;
 *   - 'robust': median + `k`·1.4826·MAD of the scores (a robust z of k);
 *   - 'max': their maximum (the old default: one spike in the held-out part decides);
 *   - 'quantile': their `quantile`-quantile.
 */
export type ThresholdRule = 'pot' | 'robust' | 'max' | 'quantile';
export const THRESHOLD_RULES: readonly ThresholdRule[] = ['pot', 'robust', 'max', 'quantile'];

export interface ThresholdOptions {
  readonly rule: ThresholdRule;
  readonly risk?: number;
  readonly k?: number;
  readonly quantile?: number;
}

/** Default risk of the 'pot' rule and robust z of the 'robust' rule. */
export const DEFAULT_RISK = 1e-3;
export const DEFAULT_ROBUST_K = 6;

/** The threshold from the scores in [from, to) by `options.rule`. */
export function thresholdOf(scores: ArrayLike<number>, from: number, to: number, options: ThresholdOptions): number {
  const slice: number[] = [];
  for (let t = from; t < to; t++) if (Number.isFinite(scores[t]!)) slice.push(scores[t]!);
  if (slice.length === 0) throw new RangeError('no finite score to set a threshold from');
  switch (options.rule) {
    case 'max':
      return quantile(slice, 1);
    case 'quantile':
      return quantile(slice, options.quantile ?? 1);
    case 'robust': {
      const { median, spread } = robustSpread(slice);
      return median + (options.k ?? DEFAULT_ROBUST_K) * spread;
    }
    case 'pot':
      return potThreshold(slice, options.risk ?? DEFAULT_RISK).threshold;
  }
}

/** 1 where score > threshold (NaN scores, such as warm-up steps, are never flagged). */
export function flag(scores: ArrayLike<number>, threshold: number): Uint8Array {
  const out = new Uint8Array(scores.length);
  for (let t = 0; t < scores.length; t++) out[t] = scores[t]! > threshold ? 1 : 0;
  return out;
}

