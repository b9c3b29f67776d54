/**
 * VAE stage: MIG as Chen et al. 2018 estimate it ("Isolating Sources of Disentanglement", §5
 * and their metric_helpers). The codes are samples z ~ q(z|x), not means, and every entropy is
 * of the aggregate posterior: H(z_j) = −E log (1/N Σ_n q(z_j | x_n)), estimated on up to
 * `samples` stratified draws; H(z_j | v_k) is the same inside each subset v_k = value, weighted by
 * the value's frequency. I(z_j; v_k) = H(z_j) − H(z_j | v_k), and MIG averages over the chosen
 * factors the gap between the two most informative latents, divided by H(v_k).
 */
import type { Random } from '../../random.js';
import { discreteEntropy } from './mig.js';
import type { MigResult } from './mig.js';

/** Diagonal Gaussian posteriors q(z|x_n): count × latent means and log variances, row-major. */
export interface Posteriors {
  readonly latent: number;
  readonly mu: Float64Array;
  readonly logvar: Float64Array;
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Entropy of each latent of the mixture (1/|rows|) Σ_{n ∈ rows} q(z|x_n), from `draws` (indices
 * into rows) whose sampled codes `z` are evaluated under every component of the subset.
 */
function mixtureEntropies(posteriors: Posteriors, terms: LogDensityTerms, z: Float64Array, rows: readonly number[], draws: readonly number[]): Float64Array {
  const { latent, mu } = posteriors;
  const { precision, offset } = terms;
  const n = rows.length;
  const logDensity = new Float64Array(n * latent);
  const entropy = new Float64Array(latent);
  for (const s of draws) {
    for (let r = 0; r < n; r++) {
      const row = rows[r]!;
      for (let j = 0; j < latent; j++) {
        const at = row * latent + j;
        const d = z[s * latent + j]! - mu[at]!;
        logDensity[r * latent + j] = offset[at]! - 0.5 * d * d * precision[at]!;
      }
    }
    for (let j = 0; j < latent; j++) {
      let max = -Infinity;
      for (let r = 0; r < n; r++) max = Math.max(max, logDensity[r * latent + j]!);
      let sum = 0;
      for (let r = 0; r < n; r++) sum += Math.exp(logDensity[r * latent + j]! - max);
      entropy[j]! -= (max + Math.log(sum) - Math.log(n)) / draws.length;
    }
  }
  return entropy;
}

/** Per row and latent: 1 / σ² and −½ log(2π σ²), so a log density is offset − ½ (z − μ)² · precision. */
interface LogDensityTerms {
  readonly precision: Float64Array;
  readonly offset: Float64Array;
}

/** Up to `samples` of `rows`, drawn without replacement (all of them when there are fewer). */
function drawSubset(rows: readonly number[], samples: number, random: Random): number[] {
  return rows.length <= samples ? [...rows] : random.shuffle([...rows]).slice(0, samples);
}

export interface SampledMigOptions {
  /** Factor columns to average over (Chen et al. leave out dSprites's shape: [1, 2, 3, 4]). */
  readonly factorsUsed?: readonly number[];
  /** Draws for each entropy estimate (Chen et al.: 10,000). */
  readonly samples?: number;
}

/**
 * Chen et al.'s MIG of posteriors against discrete factors (count × factorCount level indices).
 * `random` draws the codes z ~ q(z|x) and the stratified entropy samples.
 */
export function migSampled(posteriors: Posteriors, factors: Int32Array, factorCount: number, random: Random, options: SampledMigOptions = {}): MigResult {
  const { latent, mu, logvar } = posteriors;
  const count = mu.length / latent;
  const samples = options.samples ?? 10000;
  const used = options.factorsUsed ?? Array.from({ length: factorCount }, (_, k) => k);
  const z = new Float64Array(count * latent);
  random.fillNormal(z);
  for (let i = 0; i < z.length; i++) z[i] = mu[i]! + Math.exp(logvar[i]! / 2) * z[i]!;
  const terms = { precision: logvar.map((lv) => Math.exp(-lv)), offset: logvar.map((lv) => -0.5 * (lv + LOG_2PI)) };
  const all = Array.from({ length: count }, (_, i) => i);
  const marginal = mixtureEntropies(posteriors, terms, z, all, drawSubset(all, samples, random));
  const mutualInfo = Array.from({ length: latent }, () => new Array<number>(used.length).fill(0));
  const perFactor = used.map((k, u) => {
    const byValue = new Map<number, number[]>();
    const codes = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const v = (codes[i] = factors[i * factorCount + k]!);
      if (!byValue.has(v)) byValue.set(v, []);
      byValue.get(v)!.push(i);
    }
    const conditional = new Float64Array(latent);
    for (const rows of byValue.values()) {
      const h = mixtureEntropies(posteriors, terms, z, rows, drawSubset(rows, samples, random));
      for (let j = 0; j < latent; j++) conditional[j]! += (h[j]! * rows.length) / count;
    }
    for (let j = 0; j < latent; j++) mutualInfo[j]![u] = Math.max(0, marginal[j]! - conditional[j]!);
    const ranked = mutualInfo.map((row, j) => ({ j, mi: row[u]! })).sort((a, b) => b.mi - a.mi || a.j - b.j);
    const second = ranked[1] ?? { j: -1, mi: 0 };
    const hv = discreteEntropy(codes);
    return { gap: hv > 0 ? (ranked[0]!.mi - second.mi) / hv : 0, best: ranked[0]!.j, second: second.j };
  });
  return { mig: perFactor.reduce((s, f) => s + f.gap, 0) / Math.max(1, used.length), perFactor, mutualInfo };
}
