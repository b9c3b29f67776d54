/**
 * train/anomaly: prediction errors judged against their own recent past. A predictor's errors
 * standardised by the fit part are not stationary on real series: after a level shift the
 * predictor is biased for as long as the series stays shifted, and a stretch noisier than the
 * fit part (heavy-tailed noise, a busier period) lifts every error. Judged against the fit
 * part, both keep crossing the threshold long after anything new happened. Here each channel's
 * standardised error z_t becomes
 *     r_t = (z_t − m_t) / max(1, s_t / LOCAL_SCALE_SLACK),
 * with m_t the median and s_t the scaled median absolute deviation (1.4826·MAD, the standard
 * deviation for normal data) of the `window` errors before t. A new anomaly still stands out
 * (the median ignores it until it fills half the window); a persistent bias is subtracted, and
 * a stretch more than 1.5 times as spread as the fit part is scored in its own units. The scale
 * is never narrowed below 1, the fit part's standard deviation: a quiet or flat stretch does
 * not make rounding noise look large. Window and slack were chosen on half of nab-dev and on
 * seeded held-out series, and confirmed on the other half and other seeds (README).
 */

/** Fewer finite errors than this before t: r_t = z_t (no recent past to judge against). */
export const LOCAL_SCALE_MIN_PAST = 10;
/** The steps each error is judged against, unless told otherwise (0 turns the rule off). */
export const LOCAL_SCALE_DEFAULT = 200;
/** Only a recent spread above this many fit-part deviations widens the scale (sampling wobble of a 200-point MAD does not). */
export const LOCAL_SCALE_SLACK = 1.5;

/** Index of the first element of `sorted` not less than v (binary search). */
export function lowerBound(sorted: readonly number[], v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Where a walk of forEachTrailingWindow stopped: its next step and each channel's sorted window there, to go on from. */
export interface TrailingWalk {
  readonly window: number;
  readonly next: number;
  readonly pasts: readonly (readonly number[])[];
}

/**
 * Walks step-major [T, C] values channel by channel, handing `visit` each index with the finite
 * values among the `window` steps before it, kept sorted (a trailing window that excludes t).
 * With `from`, the walk that stopped there over the first steps of these same values goes on:
 * the windows are those it left, updated by the same steps, so each visit sees exactly what
 * one walk over all the values would have shown it. Returns where this walk stopped.
 */
export function forEachTrailingWindow(x: Float64Array, C: number, window: number, visit: (index: number, past: readonly number[]) => void, from?: TrailingWalk): TrailingWalk {
  const T = x.length / C;
  if (from && (from.window !== window || from.next > T || from.pasts.length !== C)) throw new RangeError(`a walk of window ${from.window} stopped at step ${from.next} of ${from.pasts.length} channel(s) cannot go on over ${T} steps of ${C} with window ${window}`);
  const pasts: number[][] = [];
  for (let c = 0; c < C; c++) {
    const past: number[] = from ? [...from.pasts[c]!] : [];
    pasts.push(past);
    for (let t = from?.next ?? 0; t < T; t++) {
      const leaving = t - window - 1 >= 0 ? x[(t - window - 1) * C + c]! : Number.NaN;
      if (Number.isFinite(leaving)) past.splice(lowerBound(past, leaving), 1);
      const entering = t >= 1 ? x[(t - 1) * C + c]! : Number.NaN;
      if (Number.isFinite(entering)) past.splice(lowerBound(past, entering), 0, entering);
      visit(t * C + c, past);
    }
  }
  return { window, next: T, pasts };
}

export function medianOfSorted(sorted: readonly number[]): number {
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

/**
 * The median of |x − m| over sorted x, in O(n): the deviations below m grow leftwards from m's
 * position and those above grow rightwards, so the k smallest are a merge of the two walks.
 */
export function medianAbsoluteDeviation(sorted: readonly number[], m: number): number {
  const n = sorted.length;
  let left = lowerBound(sorted, m) - 1;
  let right = left + 1;
  const next = (): number => {
    const below = left >= 0 ? m - sorted[left]! : Infinity;
    const above = right < n ? sorted[right]! - m : Infinity;
    if (below <= above) {
      left--;
      return below;
    }
    right++;
    return above;
  };
  const half = (n - 1) >> 1;
  let d = 0;
  for (let k = 0; k <= half; k++) d = next();
  return n % 2 ? d : (d + next()) / 2;
}

/**
 * r_t per channel (file comment) of step-major standardised errors z (T × C; NaN where there
 * is no prediction), each judged against the finite errors among the `window` steps before it.
 */
export function locallyStandardised(z: Float64Array, C: number, window: number, slack = LOCAL_SCALE_SLACK): Float64Array {
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`local scale window must be a positive integer, got ${window}`);
  const out = new Float64Array(z.length);
  forEachTrailingWindow(z, C, window, (i, past) => {
    const v = z[i]!;
    if (!Number.isFinite(v) || past.length < Math.min(window, LOCAL_SCALE_MIN_PAST)) {
      out[i] = v;
      return;
    }
    const m = medianOfSorted(past);
    const s = 1.4826 * medianAbsoluteDeviation(past, m);
    out[i] = (v - m) / Math.max(1, s / slack);
  });
  return out;
}
