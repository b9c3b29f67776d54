/**
 * VAE stage: which label-free estimator of class imbalance tracks the truth, and in which space?
 *   1. fit the spaces once on the unlabelled pool: a VAE's latent means, PCA of the pixels, and
 *      the raw pixels themselves;
 *   2. for each profile (step, long-tail), majority-to-minority ratio and seed, draw a labelled
 *      subset of fixed size with those class counts (the seed also picks which classes are large);
 *   3. in each space, estimate the imbalance without labels: cluster masses (k-means, and a
 *      diagonal Gaussian mixture in the low-dimensional spaces, k by BIC) as the largest/smallest
 *      mass ratio and as 1 − normalised entropy; the spread (sd) of the kNN log density; and,
 *      against an unlabelled reference pool (label-shift.ts), the kNN divergence and the mixture
 *      proportions of a pool-fitted mixture. k-means with k = the number of classes is an oracle
 *      reference (it is told how many classes there are) and never counts as the best label-free;
 *   4. per estimator and profile: Spearman with the true ratio (the subset's labelled counts), and
 *      for ratio estimators the mean absolute error of the log ratio.
 */
import { createRandom, type Random } from '../../random.js';
import { entropy, labelCounts, selectRows, type Dataset } from './data.js';
import { entropyDeficit, kMeans, kMeansByBic, massRatio, mixtureByBic, type DiagonalMixture } from './clustering.js';
import { imbalancedCounts, imbalancedSubsetRows, type ImbalanceProfile } from './imbalance.js';
import { kthNeighbourRadii, logDensityFromRadii, nearestNeighbours } from './knn.js';
import { divergenceFromRadii, fitReferenceMixture, kthDistances, proportionEstimate, referenceNeighbours } from './label-shift.js';
import { fitPca, projectPca } from './pca.js';
import { spearman } from './stats.js';
import { encodeMeans, trainVae, type BatchProgress } from './train.js';

export type Space = 'vae' | 'pca' | 'pixels';
export type Method =
  | 'kmeans-ratio'
  | 'kmeans-entropy'
  | 'gmm-ratio'
  | 'gmm-entropy'
  | 'knn-spread'
  | 'pool-knn-kl'
  | 'pool-mixture-kl'
  | 'pool-mixture-ratio'
  | 'oracle-k-kmeans-ratio'
  | 'oracle-k-kmeans-entropy';

export interface ImbalanceSweepOptions {
  readonly ratios?: readonly number[];
  readonly profiles?: readonly ImbalanceProfile[];
  readonly seeds?: number;
  /** Rows per subset. */
  readonly total?: number;
  readonly latent?: number;
  readonly hidden?: number;
  readonly epochs?: number;
  readonly batch?: number;
  readonly lr?: number;
  /** Neighbours for the kNN density. */
  readonly k?: number;
  /** Candidate numbers of clusters for BIC. */
  readonly clusters?: readonly number[];
  /** Candidate numbers of components for the reference pool's mixture (BIC). */
  readonly poolComponents?: readonly number[];
  readonly onBatch?: (progress: BatchProgress) => void;
  readonly onSubset?: (done: number, total: number) => void;
}

export interface ImbalanceRun {
  readonly profile: ImbalanceProfile;
  readonly ratio: number;
  readonly seed: number;
  /** Rows per class, largest first. */
  readonly counts: readonly number[];
  /** The subset's largest over smallest class count: the truth the estimators are scored against (the requested ratio after rounding to whole rows). */
  readonly trueRatio: number;
  readonly labelEntropy: number;
  /** Estimator name ('vae kmeans-ratio', 'pca knn-spread', …) → its value on this subset. */
  readonly estimates: Readonly<Record<string, number>>;
  /** Clusters BIC chose per space and clustering ('vae kmeans' → k). */
  readonly chosenK: Readonly<Record<string, number>>;
}

export interface EstimatorSummary {
  readonly name: string;
  /** Whether the estimate is itself a majority-to-minority ratio (so its log error is reported). */
  readonly isRatio: boolean;
  /** Whether it was told the number of classes (a reference row, not a label-free estimator). */
  readonly oracle: boolean;
  readonly spearman: Readonly<Record<string, number>>;
  /** Mean |log estimate − log true ratio| per profile; NaN for scores that are not ratios. */
  readonly maeLogRatio: Readonly<Record<string, number>>;
}

export interface ImbalanceSweepResult {
  readonly profiles: readonly ImbalanceProfile[];
  readonly runs: readonly ImbalanceRun[];
  readonly estimators: readonly EstimatorSummary[];
}

export const IMBALANCE_DEFAULTS = {
  ratios: [1, 2, 5, 10, 20, 50, 100],
  profiles: ['step', 'long-tail'] as ImbalanceProfile[],
  seeds: 3,
  total: 1000,
  latent: 10,
  hidden: 400,
  epochs: 10,
  batch: 128,
  lr: 1e-3,
  k: 10,
  clusters: [2, 3, 4, 5, 6, 8, 10, 12, 15],
  poolComponents: [10, 20, 30, 40],
};

/**
 * One space's view of the pool the subsets are compared with: its rows, (low-dimensional spaces)
 * its mixture, and every data row's distance to its l-th nearest pool row (computed once: every
 * subset has about `total` rows, so one l serves them all).
 */
interface PoolView {
  readonly points: ArrayLike<number>;
  readonly mixture?: DiagonalMixture;
  readonly l: number;
  readonly radii: Float64Array;
}

/** Every estimator on one subset's points in one space (`classes` only for the oracle-k row). */
function estimate(space: Space, points: ArrayLike<number>, rows: readonly number[], dim: number, pool: PoolView, classes: number, o: typeof IMBALANCE_DEFAULTS, random: Random, estimates: Record<string, number>, chosenK: Record<string, number>): void {
  const count = points.length / dim;
  const kmeans = kMeansByBic(points, dim, o.clusters, random.fork());
  estimates[`${space} kmeans-ratio`] = massRatio(kmeans.masses, count);
  estimates[`${space} kmeans-entropy`] = entropyDeficit(kmeans.masses);
  chosenK[`${space} kmeans`] = kmeans.k;
  // A diagonal mixture in 784 dimensions is slow and degenerate (constant border pixels): low-dimensional spaces only.
  if (space !== 'pixels') {
    const gmm = mixtureByBic(points, dim, o.clusters, random.fork());
    estimates[`${space} gmm-ratio`] = massRatio(gmm.masses, count);
    estimates[`${space} gmm-entropy`] = entropyDeficit(gmm.masses);
    chosenK[`${space} gmm`] = gmm.k;
  }
  const radii = kthNeighbourRadii(nearestNeighbours(points, dim, o.k));
  const logDensity = logDensityFromRadii(radii, dim, o.k);
  const mean = logDensity.reduce((a, b) => a + b, 0) / count;
  estimates[`${space} knn-spread`] = Math.sqrt(logDensity.reduce((a, v) => a + (v - mean) ** 2, 0) / (count - 1));
  const poolRadii = rows.map((r) => pool.radii[r]!);
  estimates[`${space} pool-knn-kl`] = divergenceFromRadii(radii, poolRadii, dim, pool.points.length / dim, o.k, pool.l);
  if (pool.mixture) {
    const proportions = proportionEstimate(points, pool.points, pool.mixture);
    estimates[`${space} pool-mixture-kl`] = proportions.divergence;
    estimates[`${space} pool-mixture-ratio`] = proportions.ratio;
  }
  const { assignment } = kMeans(points, dim, classes, random.fork());
  const masses = new Array<number>(classes).fill(0);
  for (const c of assignment) masses[c]! += 1 / count;
  estimates[`${space} oracle-k-kmeans-ratio`] = massRatio(masses, count);
  estimates[`${space} oracle-k-kmeans-entropy`] = entropyDeficit(masses);
}

/** The reference pool in each space: the VAE and PCA views of its rows are given, the pixels are its own. */
function fitPools(allPoints: Record<Space, ArrayLike<number>>, reference: Dataset, [vae, pca]: readonly Float64Array[], o: typeof IMBALANCE_DEFAULTS, random: Random): Record<Space, PoolView> {
  const l = referenceNeighbours(o.k, o.total, reference.count);
  const pool = (space: Space, points: ArrayLike<number>, dim: number): PoolView => ({
    points,
    l,
    radii: kthDistances(allPoints[space], points, dim, l),
    ...(space === 'pixels' ? {} : { mixture: fitReferenceMixture(points, dim, o.poolComponents, random.fork(), 2) }),
  });
  return { vae: pool('vae', vae!, o.latent), pca: pool('pca', pca!, o.latent), pixels: pool('pixels', reference.values, reference.dim) };
}

function summarise(name: string, runs: readonly ImbalanceRun[], profiles: readonly ImbalanceProfile[]): EstimatorSummary {
  const isRatio = name.endsWith('ratio');
  const spearmanBy: Record<string, number> = {};
  const mae: Record<string, number> = {};
  for (const profile of profiles) {
    const mine = runs.filter((r) => r.profile === profile);
    spearmanBy[profile] = spearman(mine.map((r) => r.estimates[name]!), mine.map((r) => r.trueRatio));
    mae[profile] = isRatio ? mine.reduce((a, r) => a + Math.abs(Math.log(r.estimates[name]!) - Math.log(r.trueRatio)), 0) / mine.length : Number.NaN;
  }
  return { name, isRatio, oracle: name.includes('oracle'), spearman: spearmanBy, maeLogRatio: mae };
}

/**
 * The sweep over profiles × ratios × seeds on labelled data (the MNIST training rows in the CLI);
 * `reference` is the unlabelled pool the pool-* estimators compare each subset with (the MNIST
 * test rows in the CLI: disjoint from every subset, and its labels are never read).
 */
export function imbalanceSweep(data: Dataset, reference: Dataset, random: Random, options: ImbalanceSweepOptions = {}): ImbalanceSweepResult {
  const o = { ...IMBALANCE_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof IMBALANCE_DEFAULTS;
  const classes = labelCounts(data.labels!).length;
  const { model } = trainVae(data, undefined, createRandom(random.int(2 ** 31)), { latent: o.latent, hidden: o.hidden, epochs: o.epochs, batch: o.batch, lr: o.lr, beta: 1, onBatch: options.onBatch });
  const pca = fitPca(data.values, data.dim, o.latent);
  const runs: ImbalanceRun[] = [];
  const subsetTotal = o.profiles.length * o.ratios.length * o.seeds;
  const seeds = Array.from({ length: o.seeds }, () => ({ order: random.int(2 ** 31), subset: random.int(2 ** 31), estimate: random.int(2 ** 31) }));
  // Drawn after the seeds, so the subsets stay those of the sweep without the pool estimators.
  const poolRandom = createRandom(random.int(2 ** 31));
  const allPoints: Record<Space, ArrayLike<number>> = { vae: encodeMeans(model, data), pca: projectPca(pca, data.values), pixels: data.values };
  const pools = fitPools(allPoints, reference, [encodeMeans(model, reference), projectPca(pca, reference.values)], o, poolRandom);
  for (const profile of o.profiles) {
    for (const ratio of o.ratios) {
      seeds.forEach((seed, s) => {
        const classOrder = createRandom(seed.order).shuffle(Array.from({ length: classes }, (_, c) => c));
        const counts = imbalancedCounts(profile, ratio, classes, o.total);
        const rows = imbalancedSubsetRows(data, counts, classOrder, createRandom(seed.subset));
        const subset = selectRows(data, rows);
        const estimates: Record<string, number> = {};
        const chosenK: Record<string, number> = {};
        const estimateRandom = createRandom(seed.estimate);
        estimate('vae', encodeMeans(model, subset), rows, o.latent, pools.vae, classes, o, estimateRandom.fork(), estimates, chosenK);
        estimate('pca', projectPca(pca, subset.values), rows, o.latent, pools.pca, classes, o, estimateRandom.fork(), estimates, chosenK);
        estimate('pixels', subset.values, rows, subset.dim, pools.pixels, classes, o, estimateRandom.fork(), estimates, chosenK);
        runs.push({ profile, ratio, seed: s + 1, counts, trueRatio: Math.max(...counts) / Math.min(...counts), labelEntropy: entropy(counts), estimates, chosenK });
        options.onSubset?.(runs.length, subsetTotal);
      });
    }
  }
  const names = Object.keys(runs[0]!.estimates);
  return { profiles: o.profiles, runs, estimators: names.map((name) => summarise(name, runs, o.profiles)) };
}
