/**
 * train/anomaly: flagged runs trimmed back to the points that caused them. The score averages
 * the squared error over the `smooth` trailing steps, so one spike keeps the score above the
 * threshold for `smooth` steps after it: flagged with its neighbours, the spike costs point
 * precision that a pointwise detector does not pay. A run is therefore trimmed to the span
 * from its first to its last point whose own (unaveraged) score exceeds the same threshold.
 * The span stays one run (a sustained anomaly whose points dip below the threshold now and
 * then is not cut into several false-positive runs), and a run without such a point, an
 * anomaly visible only on average, is kept whole.
 */
import { runsOf } from './metrics.js';

/** flags with each run cut to [first, last] point whose pointScore > threshold (runs with none kept). */
export function localiseRuns(flags: Uint8Array, pointScores: ArrayLike<number>, threshold: number): Uint8Array {
  const out = flags.slice();
  for (const run of runsOf(flags)) {
    let first = -1;
    let last = -1;
    for (let t = run.start; t < run.end; t++) {
      if (!(pointScores[t]! > threshold)) continue;
      if (first < 0) first = t;
      last = t;
    }
    if (first < 0) continue;
    out.fill(0, run.start, first);
    out.fill(0, last + 1, run.end);
  }
  return out;
}
