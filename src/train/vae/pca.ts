/**
 * VAE stage: a 2-D view of latent codes with more than two dimensions, for the latent
 * scatter: the codes projected on their two leading principal components (power iteration
 * with deflation on the latent × latent covariance; the latent is small).
 */

/** Projects count × dim points onto their top two principal axes; returns count × 2 values. */
export function projectTo2d(points: Float64Array, dim: number): Float64Array {
  const count = points.length / dim;
  if (dim === 2) return Float64Array.from(points);
  if (dim === 1) return Float64Array.from({ length: count * 2 }, (_, i) => (i % 2 === 0 ? points[i / 2]! : 0));
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let d = 0; d < dim; d++) mean[d]! += points[i * dim + d]! / count;
  const cov = new Float64Array(dim * dim);
  for (let i = 0; i < count; i++) {
    for (let a = 0; a < dim; a++) {
      const da = points[i * dim + a]! - mean[a]!;
      for (let b = 0; b < dim; b++) cov[a * dim + b]! += (da * (points[i * dim + b]! - mean[b]!)) / count;
    }
  }
  const axes: Float64Array[] = [];
  for (let component = 0; component < 2; component++) {
    // A fixed, non-degenerate start so the result is deterministic.
    let v = Float64Array.from({ length: dim }, (_, d) => 1 + d / dim);
    for (let iter = 0; iter < 200; iter++) {
      const next = new Float64Array(dim);
      for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) next[a]! += cov[a * dim + b]! * v[b]!;
      for (const axis of axes) {
        const dot = next.reduce((s, x, d) => s + x * axis[d]!, 0);
        for (let d = 0; d < dim; d++) next[d]! -= dot * axis[d]!;
      }
      const norm = Math.hypot(...next);
      if (norm === 0) break;
      v = next.map((x) => x / norm);
    }
    // Sign convention: the largest entry positive, so reruns do not mirror the plot.
    let largest = 0;
    for (let d = 1; d < dim; d++) if (Math.abs(v[d]!) > Math.abs(v[largest]!)) largest = d;
    if (v[largest]! < 0) v = v.map((x) => -x);
    axes.push(v);
  }
  const out = new Float64Array(count * 2);
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < 2; c++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += (points[i * dim + d]! - mean[d]!) * axes[c]![d]!;
      out[i * 2 + c] = s;
    }
  }
  return out;
}

/** The mean and the top `components` principal axes (rows, unit length) of count × dim points. */
export interface PcaBasis {
  readonly dim: number;
  readonly mean: Float64Array;
  readonly axes: Float64Array;
}

/**
 * PCA by orthogonal (subspace) iteration on the dim × dim covariance: `components` vectors
 * multiplied by the covariance and re-orthonormalised (Gram-Schmidt), from a fixed start.
 */
export function fitPca(points: ArrayLike<number>, dim: number, components: number, iterations = 60): PcaBasis {
  const count = points.length / dim;
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let d = 0; d < dim; d++) mean[d]! += points[i * dim + d]! / count;
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let d = 0; d < dim; d++) row[d] = points[i * dim + d]! - mean[d]!;
    for (let a = 0; a < dim; a++) {
      const ra = row[a]! / count;
      if (ra === 0) continue;
      for (let b = a; b < dim; b++) cov[a * dim + b]! += ra * row[b]!;
    }
  }
  for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) cov[a * dim + b] = cov[b * dim + a]!;
  let axes = Float64Array.from({ length: components * dim }, (_, i) => Math.sin(i * 12.9898 + 1) + 1e-3 * (i % dim));
  for (let iteration = 0; iteration < iterations; iteration++) {
    const next = new Float64Array(components * dim);
    for (let c = 0; c < components; c++) {
      for (let a = 0; a < dim; a++) {
        let s = 0;
        for (let b = 0; b < dim; b++) s += cov[a * dim + b]! * axes[c * dim + b]!;
        next[c * dim + a] = s;
      }
      for (let p = 0; p < c; p++) {
        let dot = 0;
        for (let d = 0; d < dim; d++) dot += next[c * dim + d]! * next[p * dim + d]!;
        for (let d = 0; d < dim; d++) next[c * dim + d]! -= dot * next[p * dim + d]!;
      }
      let norm = 0;
      for (let d = 0; d < dim; d++) norm += next[c * dim + d]! ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let d = 0; d < dim; d++) next[c * dim + d]! /= norm;
    }
    axes = next;
  }
  return { dim, mean, axes };
}

/** Coordinates of count × dim points on a basis's axes (count × components). */
export function projectPca(basis: PcaBasis, points: ArrayLike<number>): Float64Array {
  const { dim, mean, axes } = basis;
  const components = axes.length / dim;
  const count = points.length / dim;
  const out = new Float64Array(count * components);
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < components; c++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += (points[i * dim + d]! - mean[d]!) * axes[c * dim + d]!;
      out[i * components + c] = s;
    }
  }
  return out;
}
