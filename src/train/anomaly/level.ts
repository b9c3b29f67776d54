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
import { forEachTrailingWindow, medianOfSorted } from './local-scale.js';

/** The steps each input's level is the median of, unless told otherwise (0: the values themselves). */
export const LEVEL_WINDOW_DEFAULT = 200;

/** x_t − the median of the finite x among the `window` steps before t (0 when none), per channel of step-major [T, C] values. */
export function levelRelative(x: Float64Array, C: number, window: number): Float64Array {
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`level window must be a positive integer, got ${window}`);
  const out = new Float64Array(x.length);
  forEachTrailingWindow(x, C, window, (i, past) => {
    out[i] = past.length > 0 ? x[i]! - medianOfSorted(past) : 0;
  });
  return out;
}
