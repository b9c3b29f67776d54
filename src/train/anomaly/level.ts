/**
 * train/anomaly: a level-relative predictor input (DetectOptions.levelWindow, `--level-window`).
 * The predictor is trained on the fit part's standardised values (or seasonal residuals); when
 * the level wanders like a random walk, the scored part's inputs leave the range it was trained
 * on and ordinary points are predicted badly. Here each channel's input becomes its deviation
 * from the median of the `window` inputs before it, so a wandering level is not seen, while a
 * spike, a level shift's first steps or a changed shape still are (the median ignores a new
 * anomaly until it fills half the window). What it gives up: a change slower than the window
 * (a ramp over 150–300 steps) is followed rather than seen. Chosen on half of nab-dev and seeded
 * held-out series and confirmed on the others (README).
 */
import { lowerBound, medianOfSorted } from './local-scale.js';

/** The steps each input's level is the median of, unless told otherwise (0: the values themselves). */
export const LEVEL_WINDOW_DEFAULT = 200;

/** x_t − the median of the finite x among the `window` steps before t (x_t itself when none), per channel of step-major [T, C] values. */
export function levelRelative(x: Float64Array, C: number, window: number): Float64Array {
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`level window must be a positive integer, got ${window}`);
  const T = x.length / C;
  const out = new Float64Array(x.length);
  for (let c = 0; c < C; c++) {
    const past: number[] = [];
    for (let t = 0; t < T; t++) {
      const leaving = t - window - 1 >= 0 ? x[(t - window - 1) * C + c]! : Number.NaN;
      if (Number.isFinite(leaving)) past.splice(lowerBound(past, leaving), 1);
      const entering = t >= 1 ? x[(t - 1) * C + c]! : Number.NaN;
      if (Number.isFinite(entering)) past.splice(lowerBound(past, entering), 0, entering);
      const v = x[t * C + c]!;
      out[t * C + c] = past.length > 0 ? v - medianOfSorted(past) : 0;
    }
  }
  return out;
}
