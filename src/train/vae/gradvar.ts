/**
 * VAE stage: why the reparameterization trick matters, in numbers. For q(z) = N(mu, sigma^2)
 * and f(z) = z^2, two unbiased estimators of d/dmu E_q[f(z)] = 2 mu from S samples:
 *   score function (REINFORCE): mean_s f(z_s) · (z_s − mu) / sigma^2
 *   reparameterized:            mean_s f'(mu + sigma · eps_s) = mean_s 2 (mu + sigma · eps_s)
 * Their per-sample variances have closed forms (moments of N(0, 1): E eps^2 = 1, eps^4 = 3, eps^6 = 15):
 *   score function:  mu^4 / sigma^2 + 14 mu^2 + 15 sigma^2
 *   reparameterized: 4 sigma^2
 * and the variance of the S-sample mean is that divided by S. We measure both by repeating
 * the estimate many times with seeded noise and compare with the closed forms.
 */
import type { Random } from '../../random.js';

/** Closed-form per-sample variances of the two estimators for f(z) = z^2. */
export function gradientVariances(mu: number, sigma: number): { scoreFunction: number; reparameterized: number } {
  return {
    scoreFunction: mu ** 4 / sigma ** 2 + 14 * mu ** 2 + 15 * sigma ** 2,
    reparameterized: 4 * sigma ** 2,
  };
}

export interface GradvarRow {
  /** Samples per estimate. */
  readonly samples: number;
  /** Mean of the estimates (both should be near the true gradient 2 mu). */
  readonly scoreFunctionMean: number;
  readonly reparameterizedMean: number;
  /** Measured variance of the estimates over the repeats. */
  readonly scoreFunctionVariance: number;
  readonly reparameterizedVariance: number;
  /** Closed-form variance (per-sample variance / samples). */
  readonly scoreFunctionExact: number;
  readonly reparameterizedExact: number;
}

export interface GradvarOptions {
  readonly mu?: number;
  readonly sigma?: number;
  /** Sample counts S to try. */
  readonly sampleCounts?: readonly number[];
  /** Independent estimates per sample count, from which the variance is measured. */
  readonly repeats?: number;
}

export interface GradvarResult {
  readonly mu: number;
  readonly sigma: number;
  readonly trueGradient: number;
  readonly repeats: number;
  readonly rows: readonly GradvarRow[];
}

function meanAndVariance(values: Float64Array): { mean: number; variance: number } {
  let mean = 0;
  for (const v of values) mean += v / values.length;
  let variance = 0;
  for (const v of values) variance += (v - mean) ** 2;
  return { mean, variance: variance / (values.length - 1) };
}

/**
 * Both estimators at each sample count, `repeats` times each. They share the same noise eps
 * (z = mu + sigma · eps), so the difference in variance comes from the estimators alone.
 */
export function gradvar(random: Random, options: GradvarOptions = {}): GradvarResult {
  const mu = options.mu ?? 1;
  const sigma = options.sigma ?? 1;
  const repeats = options.repeats ?? 2000;
  const sampleCounts = options.sampleCounts ?? [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
  const exact = gradientVariances(mu, sigma);
  const rows = sampleCounts.map((samples) => {
    const scoreEstimates = new Float64Array(repeats);
    const reparamEstimates = new Float64Array(repeats);
    for (let r = 0; r < repeats; r++) {
      let score = 0;
      let reparam = 0;
      for (let s = 0; s < samples; s++) {
        const eps = random.normal();
        const z = mu + sigma * eps;
        score += (z * z * (z - mu)) / (sigma * sigma);
        reparam += 2 * z;
      }
      scoreEstimates[r] = score / samples;
      reparamEstimates[r] = reparam / samples;
    }
    const sf = meanAndVariance(scoreEstimates);
    const rp = meanAndVariance(reparamEstimates);
    return {
      samples,
      scoreFunctionMean: sf.mean,
      reparameterizedMean: rp.mean,
      scoreFunctionVariance: sf.variance,
      reparameterizedVariance: rp.variance,
      scoreFunctionExact: exact.scoreFunction / samples,
      reparameterizedExact: exact.reparameterized / samples,
    };
  });
  return { mu, sigma, trueGradient: 2 * mu, repeats, rows };
}
