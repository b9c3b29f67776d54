/**
 * VAE stage: does the label-free imbalance score track the true imbalance? For each profile
 * (step, long-tail) and majority-to-minority ratio, draw a labelled subset of fixed size with
 * those class counts, train a VAE on it, score its latent means without the labels, and
 * compare with the truth: the ratio and the label entropy, by Spearman rank correlation.
 * The subset size stays fixed so that only the class proportions change between runs.
 *
 * Two protocols, because they answer different questions:
 *   shared      one encoder trained on the whole pool; each subset is only encoded. Tests the
 *               density measure itself on a fixed latent geometry.
 *   per-subset  a fresh VAE trained on each subset, as a user would on their own data. The KL
 *               term pulls every aggregate posterior towards N(0, I) whatever the class
 *               proportions, which is exactly where a latent-density measure can fail.
 */
import { createRandom, type Random } from '../../random.js';
import { entropy, labelCounts, type Dataset } from './data.js';
import { imbalanceScore, imbalancedCounts, imbalancedSubset, type ImbalanceProfile } from './imbalance.js';
import { spearman } from './stats.js';
import { encodeMeans, trainVae, type BatchProgress } from './train.js';

/** Which encoder scores a subset: one trained on the whole pool, or one trained on the subset. */
export type EncoderProtocol = 'shared' | 'per-subset';

export interface ImbalanceSweepOptions {
  /** Protocols to run (default both). */
  readonly encoders?: readonly EncoderProtocol[];
  readonly ratios?: readonly number[];
  readonly profiles?: readonly ImbalanceProfile[];
  /** Rows per subset. */
  readonly total?: number;
  readonly latent?: number;
  readonly hidden?: number;
  readonly epochs?: number;
  readonly batch?: number;
  readonly lr?: number;
  /** Neighbours for the kNN density. */
  readonly k?: number;
  readonly onBatch?: (run: { encoder: EncoderProtocol; profile?: ImbalanceProfile; ratio?: number }, progress: BatchProgress) => void;
}

export interface ImbalanceRun {
  readonly encoder: EncoderProtocol;
  readonly profile: ImbalanceProfile;
  readonly ratio: number;
  /** Rows per class, largest first (class ids are in `classOrder`). */
  readonly counts: readonly number[];
  readonly classOrder: readonly number[];
  /** True label entropy, nats. */
  readonly labelEntropy: number;
  /** The label-free score and its two parts. */
  readonly score: number;
  readonly divergence: number;
  readonly reference: number;
}

export interface Correlations {
  /** Spearman(score, ratio). */
  readonly withRatio: number;
  /** Spearman(score, −label entropy): positive when the score rises as the labels grow less even. */
  readonly withEntropyDeficit: number;
}

export interface ProtocolCorrelations {
  readonly overall: Correlations;
  readonly byProfile: Readonly<Record<string, Correlations>>;
}

export interface ImbalanceSweepResult {
  readonly runs: readonly ImbalanceRun[];
  /** Per encoder protocol: over all its runs and per profile. */
  readonly correlations: Readonly<Partial<Record<EncoderProtocol, ProtocolCorrelations>>>;
}

export const IMBALANCE_DEFAULTS = {
  encoders: ['shared', 'per-subset'] as EncoderProtocol[],
  ratios: [1, 2, 5, 10, 20, 50, 100],
  profiles: ['step', 'long-tail'] as ImbalanceProfile[],
  total: 1500,
  latent: 2,
  hidden: 400,
  epochs: 10,
  batch: 128,
  lr: 1e-3,
  k: 10,
};

function correlations(runs: readonly ImbalanceRun[]): Correlations {
  const scores = runs.map((r) => r.score);
  return {
    withRatio: spearman(scores, runs.map((r) => r.ratio)),
    withEntropyDeficit: spearman(scores, runs.map((r) => -r.labelEntropy)),
  };
}

/** Trains a VAE on `data` and scores its latent means: the label-free measurement on one dataset. */
export function measureImbalance(
  data: Dataset,
  random: Random,
  options: Omit<ImbalanceSweepOptions, 'ratios' | 'profiles' | 'total' | 'onBatch'> & { onBatch?: (p: BatchProgress) => void } = {},
) {
  const o = { ...IMBALANCE_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof IMBALANCE_DEFAULTS;
  const { model, history } = trainVae(data, undefined, random.fork(), { ...o, beta: 1, onBatch: options.onBatch });
  const means = encodeMeans(model, data);
  const scored = imbalanceScore(means, o.latent, random.fork(), o.k);
  return { model, history, means, ...scored };
}

/** The sweep over protocols × profiles × ratios on labelled data (MNIST train rows in the CLI). */
export function imbalanceSweep(data: Dataset, random: Random, options: ImbalanceSweepOptions = {}): ImbalanceSweepResult {
  const o = { ...IMBALANCE_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof IMBALANCE_DEFAULTS & ImbalanceSweepOptions;
  const classes = labelCounts(data.labels!).length;
  // One seeded class order for every run: which digits are the majority stays fixed.
  const classOrder = random.shuffle(Array.from({ length: classes }, (_, c) => c));
  const subsetSeed = random.int(2 ** 31);
  const trainSeed = random.int(2 ** 31);
  const scoreSeed = random.int(2 ** 31);
  const training = { latent: o.latent, hidden: o.hidden, epochs: o.epochs, batch: o.batch, lr: o.lr, beta: 1 };
  const runs: ImbalanceRun[] = [];
  const correlationsByProtocol: Partial<Record<EncoderProtocol, ProtocolCorrelations>> = {};
  for (const encoder of o.encoders) {
    const shared =
      encoder === 'shared'
        ? trainVae(data, undefined, createRandom(trainSeed), { ...training, onBatch: options.onBatch ? (p) => options.onBatch!({ encoder }, p) : undefined }).model
        : undefined;
    for (const profile of o.profiles) {
      for (const ratio of o.ratios) {
        const counts = imbalancedCounts(profile, ratio, classes, o.total);
        const subset = imbalancedSubset(data, counts, classOrder, createRandom(subsetSeed));
        const model =
          shared ??
          trainVae(subset, undefined, createRandom(trainSeed), { ...training, onBatch: options.onBatch ? (p) => options.onBatch!({ encoder, profile, ratio }, p) : undefined }).model;
        const scored = imbalanceScore(encodeMeans(model, subset), o.latent, createRandom(scoreSeed), o.k);
        runs.push({
          encoder,
          profile,
          ratio,
          counts,
          classOrder,
          labelEntropy: entropy(counts),
          score: scored.score,
          divergence: scored.divergence,
          reference: scored.reference,
        });
      }
    }
    const mine = runs.filter((r) => r.encoder === encoder);
    const byProfile: Record<string, Correlations> = {};
    for (const profile of o.profiles) byProfile[profile] = correlations(mine.filter((r) => r.profile === profile));
    correlationsByProtocol[encoder] = { overall: correlations(mine), byProfile };
  }
  return { runs, correlations: correlationsByProtocol };
}
