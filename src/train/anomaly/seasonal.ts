/**
 * train/anomaly: seasonal adjustment. A next-value predictor reads a window of `window` points;
 * a daily shape at 5-minute sampling is 288 points long, so the predictor follows it as it
 * goes and a day that lacks its usual jump, or jumps the wrong way, looks ordinary step by
 * step. When a channel repeats with a period longer than the window, the detector models the
 * residual from its seasonal profile instead (the classical decomposition, as in STL's
 * seasonal component, here with a per-phase median):
 *   - period: period.ts (autocorrelation of the values without their level, refined by folding,
 *     a day or a week preferred when the timestamps are dates and the data cannot tell them apart);
 *   - profile: per phase (step index modulo the period, counted from the series' first step),
 *     the median of the fit part's values at that phase (a median, so an anomaly in one cycle
 *     does not enter the profile);
 *   - residual: (value − profile) / the residual's spread at that phase (phaseScales), so the
 *     predictor trains on unit scale and a quiet phase's deviation counts as much as a busy one's.
 */
import { SPREAD_FLOOR } from './baseline.js';
import { detectPeriod } from './period.js';
import { quantile } from './quantile.js';

export interface SeasonalProfile {
  readonly period: number;
  /** The autocorrelation of the fit part (without its level) at the period. */
  readonly acf: number;
  /** The calendar period (a day or a week at the series' time step) the period was taken as, if any. */
  readonly calendar?: 'day' | 'week';
  /** Per phase: the median standardised value. */
  readonly profile: Float64Array;
  /** Per phase: the residual's local standard deviation over the fit part (phaseScales). */
  readonly scale: Float64Array;
}

/** Per phase (t mod period) the median of values[0, fitEnd). */
function medianProfile(values: readonly number[], period: number, fitEnd: number): Float64Array {
  const profile = new Float64Array(period);
  for (let p = 0; p < period; p++) {
    const phase: number[] = [];
    for (let t = p; t < fitEnd; t += period) phase.push(values[t]!);
    profile[p] = quantile(phase, 0.5);
  }
  return profile;
}

/**
 * The profile of channel `c` of the standardised [T, C] values `z` from its fit part [0, fitEnd),
 * when the channel has a period longer than `window`; undefined otherwise. `stepMs`: the time
 * step when the timestamps are dates (a day or a week at that step is preferred; period.ts).
 */
export function seasonalProfile(z: Float64Array, C: number, c: number, fitEnd: number, window: number, stepMs?: number): SeasonalProfile | undefined {
  const values: number[] = [];
  for (let t = 0; t < fitEnd; t++) values.push(z[t * C + c]!);
  const found = detectPeriod(values, stepMs);
  // A period the window already spans is the predictor's to learn.
  if (!found || found.period <= window) return undefined;
  const { period } = found;
  const profile = medianProfile(values, period, fitEnd);
  return { period, acf: found.acf, ...(found.calendar ? { calendar: found.calendar } : {}), profile, scale: phaseScales(leaveOneOutResiduals(values, period, fitEnd), period) };
}

/** The median of sorted[] without its element at index `skip`. */
function medianWithout(sorted: readonly number[], skip: number): number {
  const m = sorted.length - 1;
  const at = (k: number) => sorted[k < skip ? k : k + 1]!;
  return m % 2 === 1 ? at((m - 1) / 2) : (at(m / 2 - 1) + at(m / 2)) / 2;
}

/**
 * The fit part's residuals, each from the median of the other cycles at its phase: a median
 * taken over a few cycles lies close to the values it was taken from, so in-sample residuals run
 * smaller than those of later cycles, and a scale or a predictor fitted to them makes ordinary
 * later noise look anomalous. A phase seen once keeps its value (residual 0).
 */
export function leaveOneOutResiduals(values: ArrayLike<number>, period: number, fitEnd: number): Float64Array {
  const residuals = new Float64Array(fitEnd);
  for (let p = 0; p < Math.min(period, fitEnd); p++) {
    const steps: number[] = [];
    for (let t = p; t < fitEnd; t += period) steps.push(t);
    if (steps.length < 2) continue;
    const order = steps.slice().sort((a, b) => values[a]! - values[b]!);
    const sorted = order.map((t) => values[t]!);
    order.forEach((t, rank) => (residuals[t] = values[t]! - medianWithout(sorted, rank)));
  }
  return residuals;
}

/** Residuals pooled per phase: at least this many for each phase's spread. */
export const SCALE_SAMPLES = 30;

/**
 * Per phase: the standard deviation of the fit part's (leave-one-out) residuals at the phases
 * within ±h of it (h the smallest giving SCALE_SAMPLES residuals), floored at SPREAD_FLOOR. Noise
 * often grows with the level (a busy hour varies more than a quiet one); one scale for all
 * phases makes the busy phases' ordinary noise look anomalous every cycle.
 */
export function phaseScales(residuals: Float64Array, period: number): Float64Array {
  const sums = new Float64Array(period);
  const squares = new Float64Array(period);
  const counts = new Float64Array(period);
  residuals.forEach((d, t) => {
    sums[t % period] += d;
    squares[t % period] += d * d;
    counts[t % period]++;
  });
  const cycles = residuals.length / period;
  const h = Math.min(Math.floor((period - 1) / 2), Math.max(0, Math.ceil((SCALE_SAMPLES / cycles - 1) / 2)));
  const scale = new Float64Array(period);
  for (let p = 0; p < period; p++) {
    let [sum, sq, n] = [0, 0, 0];
    for (let k = p - h; k <= p + h; k++) {
      const q = ((k % period) + period) % period;
      [sum, sq, n] = [sum + sums[q]!, sq + squares[q]!, n + counts[q]!];
    }
    const mean = sum / n;
    scale[p] = Math.max(Math.sqrt(Math.max(0, sq / n - mean * mean)), SPREAD_FLOOR);
  }
  return scale;
}

/**
 * The residual of [T, C] values from each channel's profile, divided by its phase's scale
 * (channels without a profile unchanged); before `fitEnd` (the fit part the profile came from)
 * each from the median of the other cycles, as leaveOneOutResiduals.
 */
export function deseasonalise(z: Float64Array, C: number, profiles: readonly (SeasonalProfile | undefined)[], fitEnd = 0): Float64Array {
  if (profiles.every((p) => !p)) return z;
  const out = z.slice();
  const T = z.length / C;
  profiles.forEach((s, c) => {
    if (!s) return;
    const channel = Float64Array.from({ length: Math.min(fitEnd, T) }, (_, t) => z[t * C + c]!);
    const fitResiduals = leaveOneOutResiduals(channel, s.period, channel.length);
    for (let t = 0; t < T; t++) {
      const residual = t < channel.length ? fitResiduals[t]! : z[t * C + c]! - s.profile[t % s.period]!;
      out[t * C + c] = residual / s.scale[t % s.period]!;
    }
  });
  return out;
}
