/** train/anomaly: order statistics of scores (numpy's default linear interpolation) and a robust spread. */

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

/** The median and the scaled median absolute deviation (1.4826·MAD: the standard deviation for normal data) of the finite values. */
export function robustSpread(values: ArrayLike<number>): { median: number; spread: number } {
  const median = quantile(values, 0.5);
  const deviations = Array.from(values).filter(Number.isFinite).map((v) => Math.abs(v - median));
  return { median, spread: 1.4826 * quantile(deviations, 0.5) };
}
