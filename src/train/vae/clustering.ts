/**
 * VAE stage: cluster masses for the label-free imbalance estimators. k-means (k-means++ seeding,
 * Lloyd iterations) with k chosen by the spherical-Gaussian BIC of Pelleg and Moore (2000), and
 * a diagonal Gaussian mixture (EM from the k-means partition) with k chosen by its BIC. Points
 * are count × dim, row-major; everything is seeded and deterministic.
 */
import type { Random } from '../../random.js';

export interface Clustering {
  readonly k: number;
  /** Fraction of the points in each cluster (soft for the mixture), summing to 1. */
  readonly masses: readonly number[];
  /** The BIC that chose k (larger is better). */
  readonly bic: number;
}

const LOG_2PI = Math.log(2 * Math.PI);

function squaredDistance(points: ArrayLike<number>, i: number, centres: Float64Array, c: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) {
    const diff = points[i * dim + d]! - centres[c * dim + d]!;
    s += diff * diff;
  }
  return s;
}

/** Lloyd's k-means from k-means++ seeds; returns the assignment and centres. */
export function kMeans(points: ArrayLike<number>, dim: number, k: number, random: Random, iterations = 25): { assignment: Int32Array; centres: Float64Array } {
  const count = points.length / dim;
  const centres = new Float64Array(k * dim);
  const nearest = new Float64Array(count).fill(Infinity);
  let chosen = random.int(count);
  for (let c = 0; c < k; c++) {
    for (let d = 0; d < dim; d++) centres[c * dim + d] = points[chosen * dim + d]!;
    let total = 0;
    for (let i = 0; i < count; i++) total += nearest[i] = Math.min(nearest[i]!, squaredDistance(points, i, centres, c, dim));
    // k-means++: the next seed with probability proportional to the squared distance to the nearest seed.
    let target = random.next() * total;
    chosen = count - 1;
    for (let i = 0; i < count; i++) if ((target -= nearest[i]!) < 0) { chosen = i; break; }
  }
  const assignment = new Int32Array(count);
  for (let iteration = 0; iteration < iterations; iteration++) {
    let moved = false;
    for (let i = 0; i < count; i++) {
      let best = 0;
      let bestDistance = Infinity;
      for (let c = 0; c < k; c++) {
        const s = squaredDistance(points, i, centres, c, dim);
        if (s < bestDistance) [best, bestDistance] = [c, s];
      }
      if (assignment[i] !== best || iteration === 0) moved = true;
      assignment[i] = best;
    }
    if (!moved) break;
    const sizes = new Float64Array(k);
    const sums = new Float64Array(k * dim);
    for (let i = 0; i < count; i++) {
      sizes[assignment[i]!]!++;
      for (let d = 0; d < dim; d++) sums[assignment[i]! * dim + d]! += points[i * dim + d]!;
    }
    // An emptied cluster keeps its old centre.
    for (let c = 0; c < k; c++) if (sizes[c]! > 0) for (let d = 0; d < dim; d++) centres[c * dim + d] = sums[c * dim + d]! / sizes[c]!;
  }
  return { assignment, centres };
}

/** Pelleg and Moore's BIC of a hard partition under identical spherical Gaussians. */
function kMeansBic(points: ArrayLike<number>, dim: number, k: number, assignment: Int32Array, centres: Float64Array): { bic: number; sizes: Float64Array } {
  const count = assignment.length;
  const sizes = new Float64Array(k);
  let distortion = 0;
  for (let i = 0; i < count; i++) {
    sizes[assignment[i]!]!++;
    distortion += squaredDistance(points, i, centres, assignment[i]!, dim);
  }
  const variance = Math.max(distortion / (dim * Math.max(1, count - k)), 1e-12);
  let logLikelihood = -0.5 * dim * count * (LOG_2PI + Math.log(variance)) - 0.5 * dim * (count - k);
  for (const n of sizes) if (n > 0) logLikelihood += n * Math.log(n / count);
  const parameters = k - 1 + k * dim + 1;
  return { bic: logLikelihood - 0.5 * parameters * Math.log(count), sizes };
}

/** k-means with k in `ks` chosen by BIC. */
export function kMeansByBic(points: ArrayLike<number>, dim: number, ks: readonly number[], random: Random): Clustering {
  let best: Clustering | undefined;
  for (const k of ks) {
    const { assignment, centres } = kMeans(points, dim, k, random.fork());
    const { bic, sizes } = kMeansBic(points, dim, k, assignment, centres);
    if (!best || bic > best.bic) best = { k, bic, masses: Array.from(sizes, (n) => n / assignment.length) };
  }
  return best!;
}

/** A fitted diagonal Gaussian mixture: weights (k), means and variances (k × dim, row-major). */
export interface DiagonalMixture extends Clustering {
  readonly dim: number;
  readonly weights: Float64Array;
  readonly means: Float64Array;
  readonly variances: Float64Array;
  /** Log-likelihood of the points it was fitted on. */
  readonly logLikelihood: number;
}

/** log N(x_i; mean_c, diag variance_c) for every point and component (count × k), weights left out. */
export function componentLogDensities(points: ArrayLike<number>, dim: number, mixture: Pick<DiagonalMixture, 'k' | 'means' | 'variances'>): Float64Array {
  const { k, means, variances } = mixture;
  const count = points.length / dim;
  const logNorm = new Float64Array(k);
  const precision = variances.map((v) => 1 / v);
  for (let c = 0; c < k; c++) for (let d = 0; d < dim; d++) logNorm[c]! -= 0.5 * (LOG_2PI + Math.log(variances[c * dim + d]!));
  const out = new Float64Array(count * k);
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < k; c++) {
      let l = logNorm[c]!;
      for (let d = 0; d < dim; d++) l -= 0.5 * (points[i * dim + d]! - means[c * dim + d]!) ** 2 * precision[c * dim + d]!;
      out[i * k + c] = l;
    }
  }
  return out;
}

/** Turns log joint densities (count × k) into responsibilities in place; returns the log-likelihood. */
export function normaliseResponsibilities(logJoint: Float64Array, k: number): number {
  let logLikelihood = 0;
  for (let i = 0; i < logJoint.length / k; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, logJoint[i * k + c]!);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(logJoint[i * k + c]! - max);
    for (let c = 0; c < k; c++) logJoint[i * k + c] = Math.exp(logJoint[i * k + c]! - max) / sum;
    logLikelihood += max + Math.log(sum);
  }
  return logLikelihood;
}

/** EM for a diagonal Gaussian mixture from a hard partition; returns its parameters, BIC and soft masses. */
function diagonalMixture(points: ArrayLike<number>, dim: number, k: number, assignment: Int32Array, iterations = 30): DiagonalMixture {
  const count = assignment.length;
  let resp: Float64Array = new Float64Array(count * k);
  for (let i = 0; i < count; i++) resp[i * k + assignment[i]!] = 1;
  const weights = new Float64Array(k);
  const means = new Float64Array(k * dim);
  const variances = new Float64Array(k * dim);
  let logLikelihood = 0;
  for (let iteration = 0; iteration <= iterations; iteration++) {
    // M step (variance floored so a collapsing component cannot send the likelihood to infinity).
    weights.fill(0);
    means.fill(0);
    variances.fill(0);
    for (let i = 0; i < count; i++) for (let c = 0; c < k; c++) weights[c]! += resp[i * k + c]!;
    for (let i = 0; i < count; i++) for (let c = 0; c < k; c++) for (let d = 0; d < dim; d++) means[c * dim + d]! += (resp[i * k + c]! * points[i * dim + d]!) / Math.max(weights[c]!, 1e-12);
    for (let i = 0; i < count; i++) for (let c = 0; c < k; c++) for (let d = 0; d < dim; d++) variances[c * dim + d]! += (resp[i * k + c]! * (points[i * dim + d]! - means[c * dim + d]!) ** 2) / Math.max(weights[c]!, 1e-12);
    for (let j = 0; j < variances.length; j++) variances[j] = Math.max(variances[j]!, 1e-4);
    for (let c = 0; c < k; c++) weights[c] = weights[c]! / count;
    // E step.
    resp = componentLogDensities(points, dim, { k, means, variances });
    for (let i = 0; i < count; i++) for (let c = 0; c < k; c++) resp[i * k + c]! += Math.log(Math.max(weights[c]!, 1e-300));
    logLikelihood = normaliseResponsibilities(resp, k);
  }
  const masses = new Array<number>(k).fill(0);
  for (let i = 0; i < count; i++) for (let c = 0; c < k; c++) masses[c]! += resp[i * k + c]! / count;
  const parameters = k - 1 + 2 * k * dim;
  return { k, dim, masses, weights, means, variances, logLikelihood, bic: logLikelihood - 0.5 * parameters * Math.log(count) };
}

/** A diagonal Gaussian mixture with k in `ks` chosen by BIC (each fit starts from k-means). */
export function mixtureByBic(points: ArrayLike<number>, dim: number, ks: readonly number[], random: Random, restarts = 1): DiagonalMixture {
  let best: DiagonalMixture | undefined;
  for (const k of ks) {
    // Restarts from other k-means++ seeds; the likeliest fit stands for this k (same parameter count, so same penalty).
    for (let r = 0; r < restarts; r++) {
      const fit = diagonalMixture(points, dim, k, kMeans(points, dim, k, random.fork()).assignment);
      if (!best || fit.bic > best.bic) best = fit;
    }
  }
  return best!;
}

/** Largest over smallest mass (clusters holding under half a point are ignored). */
export function massRatio(masses: readonly number[], count: number): number {
  const kept = masses.filter((m) => m * count >= 0.5);
  return Math.max(...kept) / Math.min(...kept);
}

/** 1 − H(masses) / log k: 0 for equal masses, towards 1 as one cluster takes everything. */
export function entropyDeficit(masses: readonly number[]): number {
  if (masses.length < 2) return 0;
  let h = 0;
  for (const m of masses) if (m > 0) h -= m * Math.log(m);
  return 1 - h / Math.log(masses.length);
}
