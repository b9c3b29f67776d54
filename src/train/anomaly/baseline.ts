/**
 * train/anomaly: the baseline that needs no training. Each point's score is its distance from
 * the mean of the `window` points before it, in units of their standard deviation (root mean
 * square over channels). It sees spikes and the start of level shifts; it cannot see a changed
 * frequency or a flattened segment, whose values stay inside the usual range.
 */
import type { Series } from './types.js';

/** Rolling z-score; NaN for the first `window` steps (no history yet). */
export function rollingZScore(series: Series, window: number): Float64Array {
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
        // A floor on the std keeps a perfectly constant history from dividing by zero.
        const std = Math.sqrt(variance) + 1e-9;
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
