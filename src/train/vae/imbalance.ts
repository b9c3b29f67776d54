/**
 * VAE stage: how imbalanced is a dataset, judged from its encoded points alone (no labels)?
 *
 * The score is the divergence between the data and its density-flattened reweighting:
 *   S = mean_i log p̂(z_i) + log mean_i 1/p̂(z_i)   (≥ 0 by Jensen; 0 when p̂ is constant),
 * with p̂ the kNN density. If the classes sit in equal-shaped, separate regions of latent space
 * with proportions π_c, then p̂ ≈ π_c · q(z) on class c and S = log C − H(π) + S_shape, where
 * S_shape is the same term for one class alone. We estimate S_shape by the same computation on
 * a standard normal sample of the same size and dimension, and report the excess S − S_shape:
 * about 0 for a balanced set, growing as the label entropy H(π) falls below log C.
 */
import { InputError } from '../../errors.js';
import type { Random } from '../../random.js';
import { selectRows, type Dataset } from './data.js';
import { knnLogDensity } from './knn.js';
import { encodeMeans, trainVae, type BatchProgress } from './train.js';

/** The flattening divergence of a set of log densities (stable log-mean-exp). */
export function flatteningDivergence(logDensity: ArrayLike<number>): number {
  const n = logDensity.length;
  let mean = 0;
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    mean += logDensity[i]! / n;
    min = Math.min(min, logDensity[i]!);
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(min - logDensity[i]!);
  return mean + Math.log(sum / n) - min;
}

export interface ImbalanceScore {
  /** S − S_shape: the label-free imbalance score (nats). */
  readonly score: number;
  /** S on the data. */
  readonly divergence: number;
  /** S_shape: the same on a standard normal sample of equal size and dimension. */
  readonly reference: number;
  /** kNN log density of every point. */
  readonly logDensity: Float64Array;
}

/** The label-free imbalance score of `points` (count × dim, row-major), kNN with `k` neighbours. */
export function imbalanceScore(points: ArrayLike<number>, dim: number, random: Random, k = 10): ImbalanceScore {
  const count = points.length / dim;
  const logDensity = knnLogDensity(points, dim, k);
  const gaussian = new Float64Array(count * dim);
  random.fillNormal(gaussian);
  const divergence = flatteningDivergence(logDensity);
  const reference = flatteningDivergence(knnLogDensity(gaussian, dim, k));
  return { score: divergence - reference, divergence, reference, logDensity };
}

/** How class sizes fall off: half the classes large (`step`) or a geometric decay (`long-tail`). */
export type ImbalanceProfile = 'step' | 'long-tail';

/**
 * Rows per class for `classes` classes, `total` rows in all, with majority-to-minority ratio
 * `ratio`: step = the first half of the classes `ratio` times larger than the rest;
 * long-tail = class c of size ∝ ratio^(-c / (classes - 1)) (Cui et al. 2019). At least 1 per class.
 */
export function imbalancedCounts(profile: ImbalanceProfile, ratio: number, classes: number, total: number): number[] {
  const weights = Array.from({ length: classes }, (_, c) =>
    profile === 'step' ? (c < Math.ceil(classes / 2) ? ratio : 1) : Math.pow(ratio, -c / Math.max(1, classes - 1)),
  );
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => Math.max(1, Math.round((total * w) / sum)));
}

/**
 * The rows of `data` for a subset with `counts[c]` rows of the class `classOrder[c]`, drawn
 * without replacement in a seeded order. Throws an InputError if a class has too few rows.
 */
export function imbalancedSubsetRows(data: Dataset, counts: readonly number[], classOrder: readonly number[], random: Random): number[] {
  if (!data.labels) throw new InputError('imbalanced subsets need labelled data');
  const byClass = new Map<number, number[]>();
  data.labels.forEach((label, i) => {
    if (!byClass.has(label)) byClass.set(label, []);
    byClass.get(label)!.push(i);
  });
  const chosen: number[] = [];
  counts.forEach((n, c) => {
    const rows = random.shuffle([...(byClass.get(classOrder[c]!) ?? [])]);
    if (rows.length < n) throw new InputError(`class ${classOrder[c]} has ${rows.length} rows, ${n} wanted (ask for fewer rows per subset)`);
    chosen.push(...rows.slice(0, n));
  });
  return random.shuffle(chosen);
}

/** The subset of `data` that imbalancedSubsetRows picks. */
export function imbalancedSubset(data: Dataset, counts: readonly number[], classOrder: readonly number[], random: Random): Dataset {
  return selectRows(data, imbalancedSubsetRows(data, counts, classOrder, random));
}

/** Trains a VAE (beta 1) on `data` and scores its latent means: the label-free measurement on one dataset. */
export function measureImbalance(data: Dataset, random: Random, options: { latent: number; hidden: number; epochs: number; k: number; onBatch?: (p: BatchProgress) => void }) {
  const { model, history } = trainVae(data, undefined, random.fork(), { latent: options.latent, hidden: options.hidden, epochs: options.epochs, beta: 1, onBatch: options.onBatch });
  const means = encodeMeans(model, data);
  return { model, history, means, ...imbalanceScore(means, options.latent, random.fork(), options.k) };
}
