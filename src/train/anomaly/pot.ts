/**
 * train/anomaly: a threshold from the tail of the held-out scores by peaks over threshold
 * (Siffer, Fouque, Termier, Largouët 2017, "Anomaly Detection in Streams with Extreme Value
 * Theory", the initialisation step of SPOT). The excesses over an initial high quantile t are
 * fitted with a generalised Pareto distribution (shape γ, scale σ) by maximum likelihood, and
 * the threshold is the level that a fraction `risk` of normal points would exceed:
 *   z = t + (σ/γ)·((risk·n/N_t)^(−γ) − 1)      (t − σ·ln(risk·n/N_t) when γ = 0),
 * with n scores and N_t excesses. One spike in the held-out part moves the fit a little
 * instead of becoming the threshold. The shape is kept at γ ≥ 0: a prediction error has no
 * upper end point, and a negative shape fitted to a few dozen excesses of a light (Gaussian,
 * γ = 0 in the limit) tail puts the threshold just above the sample's maximum, which later
 * ordinary noise crosses; and at most MAX_SHAPE, with the scale refitted at that shape.
 */
import { quantile } from './quantile.js';

export interface GpdFit {
  readonly shape: number;
  readonly scale: number;
}

export interface PotThreshold {
  readonly threshold: number;
  /** The initial threshold t and the number of excesses over it that the tail was fitted to. */
  readonly initial: number;
  readonly excesses: number;
  readonly fit: GpdFit;
}

/** Log-likelihood of the GPD on excesses y > 0 (−∞ outside the support). */
export function gpdLogLikelihood(y: readonly number[], { shape, scale }: GpdFit): number {
  if (!(scale > 0)) return -Infinity;
  let total = -y.length * Math.log(scale);
  for (const v of y) {
    if (Math.abs(shape) < 1e-12) total -= v / scale;
    else {
      const u = 1 + (shape * v) / scale;
      if (u <= 0) return -Infinity;
      total -= (1 + 1 / shape) * Math.log(u);
    }
  }
  return total;
}

/**
 * Grimshaw's reduction (used by SPOT): for x = γ/σ the likelihood is maximised by
 * γ(x) = mean(ln(1 + x·y)), σ = γ/x, so the fit is a search over one variable. x runs over a
 * grid from −1/max(y) (the support's edge) to a large positive value, then a golden-section
 * refinement around the best grid point. x = 0 is the exponential fit (γ = 0, σ = mean);
 * `unbounded` searches x ≥ 0 only (γ ≥ 0).
 */
export function fitGpd(y: readonly number[], unbounded = false): GpdFit {
  if (y.length === 0 || !y.every((v) => v >= 0 && Number.isFinite(v))) throw new RangeError('fitGpd needs finite non-negative excesses');
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  // reduce, not Math.max(...y): a long series has more excesses than the call stack takes arguments.
  const top = y.reduce((m, v) => Math.max(m, v), -Infinity);
  if (!(top > 0)) return { shape: 0, scale: Math.max(mean, 1e-12) };
  const fitAt = (x: number): GpdFit => {
    if (Math.abs(x) < 1e-12) return { shape: 0, scale: mean };
    let s = 0;
    for (const v of y) s += Math.log(1 + x * v);
    const shape = s / y.length;
    return { shape, scale: shape / x };
  };
  const objective = (x: number) => gpdLogLikelihood(y, fitAt(x));
  // x < 0 is a negative shape: a tail with an upper end point (ruled out when `unbounded`).
  const lower = unbounded ? 0 : (-1 / top) * (1 - 1e-6);
  const upper = 1000 / mean;
  const grid: number[] = [0];
  if (lower < 0) for (let k = 1; k <= 60; k++) grid.push(lower * (1 - (k - 1) / 60) ** 2); // dense near the support's edge
  for (let k = 0; k <= 60; k++) grid.push((upper * 10 ** (-6 + (6 * k) / 60)));
  grid.sort((a, b) => a - b);
  let bestIndex = 0;
  let bestValue = -Infinity;
  grid.forEach((x, i) => {
    const v = objective(x);
    if (v > bestValue) [bestIndex, bestValue] = [i, v];
  });
  let a = grid[Math.max(0, bestIndex - 1)]!;
  let b = grid[Math.min(grid.length - 1, bestIndex + 1)]!;
  const ratio = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 80; i++) {
    const c = b - ratio * (b - a);
    const d = a + ratio * (b - a);
    if (objective(c) >= objective(d)) b = d;
    else a = c;
  }
  const refined = (a + b) / 2;
  return objective(refined) >= bestValue ? fitAt(refined) : fitAt(grid[bestIndex]!);
}

/** P(Y > y) under the GPD. */
export function gpdSurvival(y: number, { shape, scale }: GpdFit): number {
  if (Math.abs(shape) < 1e-12) return Math.exp(-y / scale);
  const u = 1 + (shape * y) / scale;
  return u <= 0 ? 0 : u ** (-1 / shape);
}

/**
 * The largest tail shape the threshold extrapolates with. A shape fitted to a dozen excesses
 * is too variable to extrapolate with (Hosking and Wallis 1987: maximum likelihood does not
 * show its efficiency even at 500 points; its asymptotic standard deviation (1 + γ)/√N_t is
 * 0.3 at N_t = 11), and at risk 1e-3 the threshold lies beyond the sample's largest score,
 * where the shape decides everything: on nab-dev's speed_7578 (509 normal scores, 11 excesses,
 * five of them one spike's averaged score) the lstm's fit jumped to γ 1.2 and put the
 * threshold at 15.1, three times the normal part's largest score (8.3 with γ held at 0.5).
 * γ = 1/2 is where the tail's variance becomes infinite; a prediction error's tail heavier
 * than that says more about anomalies among the normal scores than about the noise. Clamped
 * rather than replaced by the exponential (γ = 0): both were compared on nab-dev half A and
 * held-out seeds 1–12 (README), where the clamp changed nothing and the exponential lowered
 * the lstm's thresholds on Student-t noise (γ about 0.25; 3 more false-positive runs).
 */
export const MAX_SHAPE = 0.5;

/**
 * The maximum-likelihood scale of a GPD with its shape fixed at γ > 0, for excesses y > 0:
 * the root of (1 + γ)·Σ y/(σ + γy) = N, whose left side falls from (1 + γ)N/γ at σ → 0 to
 * at most N at σ = (1 + γ)·mean(y), so bisection (on log σ) finds it.
 */
export function gpdScaleAt(y: readonly number[], shape: number): number {
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  const excess = (scale: number) => (1 + shape) * y.reduce((a, v) => a + v / (scale + shape * v), 0) - y.length;
  let lo = Math.log(mean * 1e-12);
  let hi = Math.log((1 + shape) * mean);
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (excess(Math.exp(mid)) > 0) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

/** The tail fitted to excesses: the GPD with γ ≥ 0, its shape held at `maxShape` when the fit goes beyond. */
export function fitTail(excesses: readonly number[], maxShape = MAX_SHAPE): GpdFit {
  const fit = fitGpd(excesses, true);
  return fit.shape <= maxShape ? fit : { shape: maxShape, scale: gpdScaleAt(excesses, maxShape) };
}

/** At most this many of the largest excesses are tested as outliers of the tail. */
const MAX_TAIL_OUTLIERS = 3;
/** An excess is an outlier when a normal sample of this size would hold fewer than this many as large. */
const TAIL_OUTLIER_EXPECTED = 0.01;

/**
 * The POT threshold of the finite `scores` at `risk` (e.g. 1e-3), with the initial threshold at
 * quantile `level` (e.g. 0.98). In the spirit of SPOT's streaming rule (an anomaly does not
 * update the tail), the largest excess is left out of the fit while the tail fitted to the
 * others expects fewer than 0.01 excesses as large among them (up to 3 times): one spike among
 * the normal scores then does not set the tail's shape, and a clean sample loses a point
 * with probability about 1%. The tail is fitTail's (γ in [0, maxShape]; Infinity, the rule
 * before the clamp, is for comparing). The
 * excesses and the fit do not depend on `risk`, so the threshold falls as the risk rises.
 */
export function potThreshold(scores: ArrayLike<number>, risk: number, level = 0.98, maxShape = MAX_SHAPE): PotThreshold {
  if (!(risk > 0 && risk < 1)) throw new RangeError(`risk must lie in (0, 1), got ${risk}`);
  const finite = Array.from(scores).filter(Number.isFinite);
  const initial = quantile(finite, level);
  const excesses = finite.filter((v) => v > initial).map((v) => v - initial).sort((a, b) => a - b);
  if (excesses.length === 0) return { threshold: initial, initial, excesses: 0, fit: { shape: 0, scale: 0 } };
  let fit = fitTail(excesses, maxShape);
  for (let k = 0; k < MAX_TAIL_OUTLIERS && excesses.length > 3; k++) {
    const rest = excesses.slice(0, -1);
    const restFit = fitTail(rest, maxShape);
    if (rest.length * gpdSurvival(excesses[excesses.length - 1]!, restFit) >= TAIL_OUTLIER_EXPECTED) break;
    excesses.pop();
    fit = restFit;
  }
  const r = (risk * finite.length) / excesses.length;
  const threshold = Math.abs(fit.shape) < 1e-9 ? initial - fit.scale * Math.log(r) : initial + (fit.scale / fit.shape) * (r ** -fit.shape - 1);
  return { threshold, initial, excesses: excesses.length, fit };
}
