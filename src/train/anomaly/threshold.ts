/**
 * train/anomaly: a threshold from scores on held-out normal data. The q-quantile of those
 * scores (linear interpolation between order statistics, numpy's default) is the level that
 * a fraction 1 − q of normal points would exceed.
 */

/** The q-quantile (0 ≤ q ≤ 1) of the finite values, linear between order statistics. */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
  const sorted = Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) throw new RangeError('quantile of no finite values');
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}

/** Threshold = the q-quantile of the scores in [from, to) (held-out normal data). */
export function pickThreshold(scores: ArrayLike<number>, from: number, to: number, q: number): number {
  const slice: number[] = [];
  for (let t = from; t < to; t++) slice.push(scores[t]!);
  return quantile(slice, q);
}

/** 1 where score > threshold (NaN scores, such as warm-up steps, are never flagged). */
export function flag(scores: ArrayLike<number>, threshold: number): Uint8Array {
  const out = new Uint8Array(scores.length);
  for (let t = 0; t < scores.length; t++) out[t] = scores[t]! > threshold ? 1 : 0;
  return out;
}
