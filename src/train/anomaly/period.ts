/**
 * train/anomaly: the period of a channel's fit part, for the seasonal profile (seasonal.ts).
 * A profile one step off slips a step per cycle, and the scored part lies many cycles after the
 * fit part, so the period must be exact, not merely close. Three stages:
 *   1. coarse: the shortest autocorrelation peak after the first zero crossing (so a slow wander
 *      or a trend is not a season) that comes near the highest (PEAK_FRACTION: a daily series
 *      repeats every two days as well), among lags that leave MIN_CYCLES whole periods, of the values
 *      minus their centred moving average over the longest lag searched. Without that, a level
 *      that wanders like a random walk adds a slowly decaying autocorrelation to the season's
 *      and moves the peak (machine-temperature-like series: 291 or 292 for a day of 288 steps);
 *      seasonal when the highest peak reaches SEASONAL_MIN_ACF;
 *   2. refine: a peak is broad (a cosine's top), and noise moves it by several lags, so among the
 *      lags the fit part cannot tell from it (within P²/(2n), half the Rayleigh resolution P/C of
 *      C = n/P cycles) the one at which the same level-free values fold best (foldResidual: the
 *      least spread about the per-phase means; phase dispersion minimisation, Stellingwerf 1978);
 *   3. calendar: with dated timestamps, a day or a week at the series' step is taken when it
 *      lies in the range of stage 2 and folds as well, within two standard errors of the folded
 *      residual (foldResidual's relativeError): real seasons are
 *      calendar ones, and with a handful of cycles the data alone cannot place the period to the
 *      step (on seeded machine-temperature-like series, refined estimates of a 288-step day still
 *      spread from 284 to 291).
 */

/** An autocorrelation at the period below this is no season (r = 0.5: a quarter of the variance explained). */
export const SEASONAL_MIN_ACF = 0.5;
/** The fit part must hold this many whole periods for a per-phase median. */
export const MIN_CYCLES = 3;
/** The longest period searched (a week at 5-minute sampling), which bounds the search's cost. */
export const MAX_PERIOD = 2016;
export interface Period {
  readonly period: number;
  /** The autocorrelation at the period of the values without their level (stage 1). */
  readonly acf: number;
  /** The calendar period the estimate was snapped to (stage 3), if any. */
  readonly calendar?: 'day' | 'week';
}

/** Seasonal periods a calendar gives a series sampled every `stepMs` milliseconds: a day and a week, when a whole number of steps. */
export function calendarPeriods(stepMs: number | undefined): { name: 'day' | 'week'; period: number }[] {
  if (!(stepMs !== undefined && stepMs > 0)) return [];
  const day = 86_400_000 / stepMs;
  return [
    { name: 'day' as const, period: day },
    { name: 'week' as const, period: 7 * day },
  ].filter((c) => Number.isInteger(c.period) && c.period >= 2);
}

/** Sample autocorrelation r(0..maxLag) of the finite values (the biased estimator, as R's acf). */
export function autocorrelation(values: readonly number[], maxLag: number): Float64Array {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const centred = values.map((v) => v - mean);
  const variance = centred.reduce((a, d) => a + d * d, 0);
  const r = new Float64Array(maxLag + 1);
  if (!(variance > 0)) return r;
  for (let k = 0; k <= maxLag; k++) {
    let s = 0;
    for (let t = k; t < n; t++) s += centred[t]! * centred[t - k]!;
    r[k] = s / variance;
  }
  return r;
}

/** values[t] minus the mean of the `width` values centred on t (the window kept inside the series at its ends). */
export function withoutLevel(values: readonly number[], width: number): number[] {
  const n = values.length;
  const prefix = new Float64Array(n + 1);
  values.forEach((v, t) => (prefix[t + 1] = prefix[t]! + v));
  const w = Math.min(width, n);
  return values.map((v, t) => {
    const from = Math.min(Math.max(0, t - Math.floor(w / 2)), n - w);
    return v - (prefix[from + w]! - prefix[from]!) / w;
  });
}

export interface Fold {
  /** The mean square left per degree of freedom (points minus phases). */
  readonly residual: number;
  /** How far that mean square could move by chance: its relative standard error, √(2 / effective points). */
  readonly relativeError: number;
}

/**
 * How badly `values` fold at `period`: the mean square of each value's deviation from its
 * phase's mean, per degree of freedom (points minus phases). The relative error counts points
 * as independent after discounting the deviations' lag-1 autocorrelation ρ (effective points
 * n(1 − ρ)/(1 + ρ)): AR(1)-like noise makes neighbouring points near copies.
 */
export function foldResidual(values: readonly number[], period: number): Fold {
  const n = values.length;
  if (n <= period) return { residual: Number.POSITIVE_INFINITY, relativeError: 0 };
  const sums = new Float64Array(period);
  const counts = new Float64Array(period);
  values.forEach((v, t) => {
    sums[t % period] += v;
    counts[t % period]++;
  });
  let squares = 0;
  let lagged = 0;
  let previous = 0;
  values.forEach((v, t) => {
    const e = v - sums[t % period]! / counts[t % period]!;
    squares += e * e;
    if (t > 0) lagged += e * previous;
    previous = e;
  });
  const rho = squares > 0 ? Math.max(0, lagged / squares) : 0;
  const effective = Math.max(1, ((n - period) * (1 - rho)) / (1 + rho));
  return { residual: squares / (n - period), relativeError: Math.sqrt(2 / effective) };
}

/** Peaks this close to the highest (as a fraction of it) count as high: a series that repeats every P steps also repeats every 2P, and noise decides which peak is higher. */
export const PEAK_FRACTION = 0.9;

/**
 * Stage 1: the shortest autocorrelation peak after the first zero crossing, at lags 2..maxLag,
 * that reaches PEAK_FRACTION of the highest such peak (whose height is returned as `highest`),
 * moved to the top of the stretch of lags above that fraction it lies in.
 */
function firstHighPeak(r: Float64Array, maxLag: number): { period: number; highest: number } | undefined {
  let k = 1;
  while (k <= maxLag && r[k]! > 0) k++;
  const peaks: number[] = [];
  for (k = Math.max(k, 2); k <= maxLag; k++) if (r[k]! >= r[k - 1]! && r[k]! >= r[k + 1]!) peaks.push(k);
  if (peaks.length === 0) return undefined;
  const highest = Math.max(...peaks.map((p) => r[p]!));
  // Noise makes small local peaks on a broad peak's shoulder: take the top of the hill the first high one stands on.
  let top = peaks.find((p) => r[p]! >= PEAK_FRACTION * highest)!;
  for (let j = top; j <= maxLag && r[j]! >= PEAK_FRACTION * highest; j++) if (r[j]! > r[top]!) top = j;
  return { period: top, highest };
}

/** The lags within P²/(2n) of `centre` (at least ±1), between 2 and maxLag. */
function unresolved(centre: number, n: number, maxLag: number): number[] {
  const reach = Math.max(1, Math.ceil((centre * centre) / (2 * n)));
  const lags: number[] = [];
  for (let k = Math.max(2, centre - reach); k <= Math.min(maxLag, centre + reach); k++) lags.push(k);
  return lags;
}

/**
 * The period of `values` by the three stages of the file comment, or undefined when no lag
 * qualifies. `stepMs`: the series' time step in milliseconds when its timestamps are dates.
 */
export function detectPeriod(values: readonly number[], stepMs?: number): Period | undefined {
  const n = values.length;
  const maxLag = Math.min(Math.floor(n / MIN_CYCLES), MAX_PERIOD);
  if (maxLag < 2) return undefined;
  const levelled = withoutLevel(values, maxLag);
  const r = autocorrelation(levelled, maxLag + 1);
  const peak = firstHighPeak(r, maxLag);
  if (!peak || peak.highest < SEASONAL_MIN_ACF) return undefined;
  const folded = new Map<number, Fold>();
  const fold = (k: number) => folded.get(k) ?? folded.set(k, foldResidual(levelled, k)).get(k)!;
  const period = unresolved(peak.period, n, maxLag).reduce((a, b) => (fold(b).residual < fold(a).residual ? b : a));
  // As good as the period's fold: within two of its standard errors.
  const asGood = (k: number) => fold(k).residual <= (1 + 2 * fold(period).relativeError) * fold(period).residual;
  const range = unresolved(period, n, maxLag);
  const calendar = calendarPeriods(stepMs).find((c) => range.includes(c.period) && asGood(c.period));
  if (calendar) return { period: calendar.period, acf: r[calendar.period]!, calendar: calendar.name };
  return { period, acf: r[period]! };
}
