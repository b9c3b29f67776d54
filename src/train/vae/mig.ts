/**
 * VAE stage: disentanglement and capacity measures on latent codes.
 * MIG, the Mutual Information Gap of Chen et al. 2018 ("Isolating Sources of Disentanglement
 * in VAEs"), computed as disentanglement_lib does: each latent's means histogram-discretised
 * into equal-width bins, discrete mutual information with each factor, and per factor the gap
 * between the two most informative latents divided by the factor's entropy.
 * Active dimensions follow Burda et al. 2016: Var_x(E_q[z_j | x]) above a threshold.
 */

/** Bin index (0..bins-1) of each value: equal-width bins over [min, max], max in the last bin. */
export function discretize(values: ArrayLike<number>, bins: number): Int32Array {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    min = Math.min(min, values[i]!);
    max = Math.max(max, values[i]!);
  }
  const out = new Int32Array(values.length);
  const width = (max - min) / bins;
  if (!(width > 0)) return out;
  for (let i = 0; i < values.length; i++) out[i] = Math.min(bins - 1, Math.floor((values[i]! - min) / width));
  return out;
}

/** Mutual information (nats) between two discrete variables given as integer codes per sample. */
export function mutualInformation(a: Int32Array, b: Int32Array): number {
  const n = a.length;
  // reduce, not Math.max(...a): spreading tens of thousands of codes overflows the call stack.
  const rows = a.reduce((m, v) => Math.max(m, v), -Infinity) + 1;
  const cols = b.reduce((m, v) => Math.max(m, v), -Infinity) + 1;
  const joint = new Float64Array(rows * cols);
  const pa = new Float64Array(rows);
  const pb = new Float64Array(cols);
  for (let i = 0; i < n; i++) {
    joint[a[i]! * cols + b[i]!]! += 1 / n;
    pa[a[i]!]! += 1 / n;
    pb[b[i]!]! += 1 / n;
  }
  let mi = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const p = joint[r * cols + c]!;
      if (p > 0) mi += p * Math.log(p / (pa[r]! * pb[c]!));
    }
  }
  return Math.max(0, mi);
}

/** Entropy (nats) of a discrete variable given as integer codes per sample. */
export function discreteEntropy(a: Int32Array): number {
  return mutualInformation(a, a);
}

export interface MigResult {
  /** Mean over factors of the normalised gap, in [0, 1]. */
  readonly mig: number;
  /** Per factor: the normalised gap, and the two latents with the most information about it. */
  readonly perFactor: readonly { readonly gap: number; readonly best: number; readonly second: number }[];
  /** mutualInfo[j][k]: I(z_j; v_k) in nats. */
  readonly mutualInfo: readonly (readonly number[])[];
}

/**
 * MIG of latent codes (count × latent, row-major) against discrete factors (count × factors,
 * row-major integer levels). `bins` is the histogram resolution for the codes (20, as in
 * disentanglement_lib).
 */
export function mig(codes: Float64Array | Float32Array, latent: number, factors: Int32Array, factorCount: number, bins = 20): MigResult {
  const count = codes.length / latent;
  const column = (j: number) => {
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = codes[i * latent + j]!;
    return out;
  };
  const factor = (k: number) => {
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) out[i] = factors[i * factorCount + k]!;
    return out;
  };
  const binned = Array.from({ length: latent }, (_, j) => discretize(column(j), bins));
  const factorCodes = Array.from({ length: factorCount }, (_, k) => factor(k));
  const mutualInfo = binned.map((z) => factorCodes.map((v) => mutualInformation(z, v)));
  const perFactor = factorCodes.map((v, k) => {
    const ranked = mutualInfo.map((row, j) => ({ j, mi: row[k]! })).sort((a, b) => b.mi - a.mi || a.j - b.j);
    const h = discreteEntropy(v);
    const first = ranked[0]!;
    const second = ranked[1] ?? { j: -1, mi: 0 };
    return { gap: h > 0 ? (first.mi - second.mi) / h : 0, best: first.j, second: second.j };
  });
  return { mig: perFactor.reduce((s, f) => s + f.gap, 0) / Math.max(1, factorCount), perFactor, mutualInfo };
}

/** Variance over the data of each latent mean (count × latent, row-major). */
export function latentVariances(means: Float64Array | Float32Array, latent: number): Float64Array {
  const count = means.length / latent;
  const mean = new Float64Array(latent);
  const variance = new Float64Array(latent);
  for (let i = 0; i < count; i++) for (let j = 0; j < latent; j++) mean[j]! += means[i * latent + j]! / count;
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < latent; j++) {
      const d = means[i * latent + j]! - mean[j]!;
      variance[j]! += (d * d) / count;
    }
  }
  return variance;
}

/** Latent dimensions whose mean varies across the data by more than `threshold` (Burda et al. 2016: 0.01). */
export function activeDimensions(means: Float64Array | Float32Array, latent: number, threshold = 0.01): number {
  return latentVariances(means, latent).filter((v) => v > threshold).length;
}
