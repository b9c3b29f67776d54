/**
 * VAE stage: imbalance of a subset measured against an unlabelled reference pool (label shift).
 * If the subset differs from the pool only in its class proportions (p_sub(x | y) = p_ref(x | y)),
 * the density ratio p_sub(x) / p_ref(x) is π_sub(y) / π_ref(y) wherever the classes do not
 * overlap, so KL(p_sub ‖ p_ref) = KL(π_sub ‖ π_ref) (less when they overlap), which for a balanced
 * pool of C classes is log C − H(π_sub): the label entropy deficit. Two ways to estimate it:
 *   - the kNN divergence estimator of Wang, Kulkarni and Verdú (2009), in any space;
 *   - mixture proportions: a Gaussian mixture fitted on the pool, its weights alone re-estimated by
 *     EM on the subset (Saerens et al. 2002's EM for new priors, with components in place of
 *     classes); the model's density ratio gives the divergence and, at the pool's points, the ratio.
 */
import type { Random } from '../../random.js';
import { componentLogDensities, mixtureByBic, normaliseResponsibilities, type DiagonalMixture } from './clustering.js';

/** Distance from each query row to its k-th nearest row of `reference` (both row-major, `dim` wide). */
export function kthDistances(queries: ArrayLike<number>, reference: ArrayLike<number>, dim: number, k: number): Float64Array {
  const count = queries.length / dim;
  const refCount = reference.length / dim;
  if (!(k >= 1 && k <= refCount)) throw new RangeError(`k = ${k} needs 1 ≤ k ≤ reference points (${refCount})`);
  // One monomorphic float64 copy of each side keeps the O(count · refCount · dim) loop fast.
  const ref = Float64Array.from(reference);
  const row = new Float64Array(dim);
  const out = new Float64Array(count);
  // The k smallest squared distances so far, kept sorted ascending (k is small).
  const best = new Float64Array(k);
  for (let i = 0; i < count; i++) {
    for (let d = 0; d < dim; d++) row[d] = queries[i * dim + d]!;
    best.fill(Infinity);
    for (let j = 0; j < refCount; j++) {
      let s = 0;
      const base = j * dim;
      for (let d = 0; d < dim; d++) {
        const diff = row[d]! - ref[base + d]!;
        s += diff * diff;
      }
      if (s >= best[k - 1]!) continue;
      let t = k - 1;
      while (t > 0 && best[t - 1]! > s) best[t] = best[--t]!;
      best[t] = s;
    }
    out[i] = Math.sqrt(best[k - 1]!);
  }
  return out;
}

/** ψ(n) for a positive integer n: −γ + Σ_{j<n} 1/j. */
function digamma(n: number): number {
  let sum = -0.5772156649015329;
  for (let j = 1; j < n; j++) sum += 1 / j;
  return sum;
}

/**
 * Wang, Kulkarni and Verdú's (2009) kNN estimate of KL(P ‖ Q) in nats from n rows of P and m of Q:
 * (d / n) Σ_i log(ν_l(i) / ρ_k(i)) + ψ(k) − ψ(l) + log(m / (n − 1)), with ρ_k(i) the distance from
 * x_i to its k-th nearest other row of P and ν_l(i) to its l-th nearest row of Q. Taking
 * l = k · m / (n − 1) makes both balls hold the same expected mass, so the error from data lying
 * on fewer than d dimensions (which scales both radii alike) cancels instead of being multiplied
 * by d. Rows of P found in Q must be removed from Q first.
 */
export function knnDivergence(sample: ArrayLike<number>, reference: ArrayLike<number>, dim: number, k: number): number {
  const n = sample.length / dim;
  const m = reference.length / dim;
  const l = referenceNeighbours(k, n, m);
  // The k-th nearest other row of P is the (k+1)-th nearest row when P is its own reference.
  return divergenceFromRadii(kthDistances(sample, sample, dim, k + 1), kthDistances(sample, reference, dim, l), dim, m, k, l);
}

/** l = k · m / (n − 1), within 1..m: the reference neighbours whose ball holds the sample's k-ball mass. */
export function referenceNeighbours(k: number, n: number, m: number): number {
  return Math.max(1, Math.min(m, Math.round((k * m) / (n - 1))));
}

/** knnDivergence from the radii: ρ_k(i) within the sample, ν_l(i) in a reference of m rows. */
export function divergenceFromRadii(rho: ArrayLike<number>, nu: ArrayLike<number>, dim: number, m: number, k: number, l: number): number {
  const n = rho.length;
  let sum = 0;
  // Floored distances: duplicated rows would otherwise give log 0.
  for (let i = 0; i < n; i++) sum += Math.log(Math.max(nu[i]!, 1e-12)) - Math.log(Math.max(rho[i]!, 1e-12));
  return (dim / n) * sum + digamma(k) - digamma(l) + Math.log(m / (n - 1));
}

/** A pool's mixture, fitted once; k by BIC over `ks`, the best of `restarts` EM runs per k. */
export function fitReferenceMixture(reference: ArrayLike<number>, dim: number, ks: readonly number[], random: Random, restarts = 3): DiagonalMixture {
  return mixtureByBic(reference, dim, ks, random, restarts);
}

/**
 * Mixture weights for `points` with the components of `mixture` held fixed: EM on the weights alone
 * (a concave problem, so one answer). A Dirichlet prior worth one point, spread as the pool's
 * weights, keeps a component the subset never visits at a small positive weight.
 */
export function mixtureProportions(points: ArrayLike<number>, mixture: DiagonalMixture, iterations = 300, tolerance = 1e-9): Float64Array {
  const { k } = mixture;
  const count = points.length / mixture.dim;
  const logDensity = componentLogDensities(points, mixture.dim, mixture);
  let weights = Float64Array.from(mixture.weights);
  const joint = new Float64Array(logDensity.length);
  for (let iteration = 0; iteration < iterations; iteration++) {
    for (let i = 0; i < count; i++) for (let c = 0; c < k; c++) joint[i * k + c] = logDensity[i * k + c]! + Math.log(weights[c]!);
    normaliseResponsibilities(joint, k);
    const next = Float64Array.from(mixture.weights, (w) => w / (count + 1));
    for (let i = 0; i < count; i++) for (let c = 0; c < k; c++) next[c]! += joint[i * k + c]! / (count + 1);
    let change = 0;
    for (let c = 0; c < k; c++) change = Math.max(change, Math.abs(next[c]! - weights[c]!));
    weights = next;
    if (change < tolerance) break;
  }
  return weights;
}

/** log p_sub(x) − log p_ref(x) at every row of `points`: the two mixtures differ only in their weights. */
export function logDensityRatio(points: ArrayLike<number>, mixture: DiagonalMixture, weights: ArrayLike<number>): Float64Array {
  const { k } = mixture;
  const logDensity = componentLogDensities(points, mixture.dim, mixture);
  const out = new Float64Array(logDensity.length / k);
  const logMix = (i: number, w: ArrayLike<number>) => {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, logDensity[i * k + c]! + Math.log(w[c]!));
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(logDensity[i * k + c]! + Math.log(w[c]!) - max);
    return max + Math.log(sum);
  };
  for (let i = 0; i < out.length; i++) out[i] = logMix(i, weights) - logMix(i, mixture.weights);
  return out;
}

/** The value below which a fraction `q` of `values` lies (linear interpolation between order statistics). */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low]! + (position - low) * (sorted[high]! - sorted[low]!);
}

export interface ProportionEstimate {
  /** Mean log density ratio over the subset's rows: the plug-in KL(p_sub ‖ p_ref) in nats. */
  readonly divergence: number;
  /**
   * exp of the spread between the upper and lower `tail` quantiles of the log density ratio over the
   * pool's rows: the largest over smallest class proportion when each class holds more than `tail`
   * of a balanced pool.
   */
  readonly ratio: number;
}

/** Both mixture-proportion summaries of a subset against the pool it is compared with. */
export function proportionEstimate(subset: ArrayLike<number>, reference: ArrayLike<number>, mixture: DiagonalMixture, tail = 0.05): ProportionEstimate {
  const weights = mixtureProportions(subset, mixture);
  const onSubset = logDensityRatio(subset, mixture, weights);
  const onPool = logDensityRatio(reference, mixture, weights);
  const divergence = onSubset.reduce((a, b) => a + b, 0) / onSubset.length;
  return { divergence, ratio: Math.exp(quantile(onPool, 1 - tail) - quantile(onPool, tail)) };
}
