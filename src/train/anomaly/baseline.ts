/**
 * train/anomaly: baselines that need no training.
 *   - Rolling z-score: each point's distance from the mean of the `window` points before it, in
 *     units of their standard deviation (root mean square over channels). It sees spikes and
 *     the start of level shifts; not a changed frequency or a flattened segment.
 *   - Hampel identifier (Hampel 1974; Pearson 2002, "Outliers in process modeling and
 *     identification"): the distance from the median of the `window` points before it, in
 *     units of their scaled median absolute deviation. The robust version of the same idea: a
 *     burst inside the window moves neither the median nor the MAD much.
 * Both divide by a spread floored at a fraction of the channel's own scale (its standard
 * deviation over the fit part): a flat stretch otherwise scores by rounding noise.
 */
import type { Series } from './types.js';

/** The spread floor, as a fraction of a channel's scale. */
export const SPREAD_FLOOR = 0.01;

/** Per channel: the standard deviation of [from, to) (1 where it is 0 or undefined), the scale the floor is taken of. */
export function channelScale(series: Series, from = 0, to = series.length): Float64Array {
  const C = series.channels.length;
  const scale = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let sum = 0;
    let sumSq = 0;
    let n = 0;
    for (let t = from; t < to; t++) {
      const v = series.values[t * C + c]!;
      if (!Number.isFinite(v)) continue;
      sum += v;
      sumSq += v * v;
      n++;
    }
    const mean = n > 0 ? sum / n : 0;
    const std = n > 1 ? Math.sqrt(Math.max(0, sumSq / n - mean * mean)) : 0;
    scale[c] = std > 0 ? std : 1;
  }
  return scale;
}

/** Rolling z-score; NaN for the first `window` steps (no history yet). `scale` defaults to channelScale over the whole series. */
export function rollingZScore(series: Series, window: number, scale: Float64Array = channelScale(series)): Float64Array {
  const { length: T, values } = series;
  const C = series.channels.length;
  const scores = new Float64Array(T).fill(Number.NaN);
  const sum = new Float64Array(C);
  const sumSq = new Float64Array(C);
  for (let t = 0; t < T; t++) {
    if (t >= window) {
      let total = 0;
      for (let c = 0; c < C; c++) {
        const mean = sum[c]! / window;
        const variance = Math.max(sumSq[c]! / window - mean * mean, 0);
        const std = Math.max(Math.sqrt(variance), SPREAD_FLOOR * scale[c]!);
        const z = (values[t * C + c]! - mean) / std;
        total += z * z;
      }
      scores[t] = Math.sqrt(total / C);
    }
    for (let c = 0; c < C; c++) {
      const v = values[t * C + c]!;
      sum[c] += v;
      sumSq[c] += v * v;
      if (t >= window) {
        const old = values[(t - window) * C + c]!;
        sum[c] -= old;
        sumSq[c] -= old * old;
      }
    }
  }
  return scores;
}

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  return n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

/** Hampel identifier scores; NaN for the first `window` steps. */
export function hampelScore(series: Series, window: number, scale: Float64Array = channelScale(series)): Float64Array {
  const { length: T, values } = series;
  const C = series.channels.length;
  const scores = new Float64Array(T).fill(Number.NaN);
  for (let t = window; t < T; t++) {
    let total = 0;
    for (let c = 0; c < C; c++) {
      const history: number[] = [];
      for (let k = t - window; k < t; k++) history.push(values[k * C + c]!);
      history.sort((a, b) => a - b);
      const m = median(history);
      const deviations = history.map((v) => Math.abs(v - m)).sort((a, b) => a - b);
      const spread = Math.max(1.4826 * median(deviations), SPREAD_FLOOR * scale[c]!);
      total += ((values[t * C + c]! - m) / spread) ** 2;
    }
    scores[t] = Math.sqrt(total / C);
  }
  return scores;
}
