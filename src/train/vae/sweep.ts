/**
 * VAE stage: the beta sweep. For each beta, train a VAE on the synthetic shapes (known
 * factors x, y, scale) and measure what beta buys and costs:
 *   1. reconstruction and KL on held-out shapes (nats per image);
 *   2. active latent dimensions (variance of the latent means above 0.01);
 *   3. MIG of the held-out latent means against the true factors.
 * Every beta sees the same data and the same initial weights, so only beta differs; with
 * several seeds, each seed is a fresh initialisation and noise stream, and the rows report the
 * mean over seeds (and MIG's spread), because one run's MIG is noisy.
 */
import { createRandom, type Random } from '../../random.js';
import { activeDimensions, mig } from './mig.js';
import { makeShapes, type ShapesOptions } from './shapes-dataset.js';
import { encodeMeans, evaluate, trainVae, type BatchProgress } from './train.js';

export interface SweepOptions {
  readonly betas?: readonly number[];
  readonly latent?: number;
  readonly hidden?: number;
  readonly epochs?: number;
  readonly batch?: number;
  readonly lr?: number;
  /** Independent trainings per beta (different initial weights and noise). */
  readonly seeds?: number;
  /** Shapes for training; a further quarter as many are held out for the measurements. */
  readonly shapes?: ShapesOptions;
  readonly onBatch?: (beta: number, seed: number, progress: BatchProgress) => void;
}

export interface SweepRow {
  readonly beta: number;
  /** Held-out reconstruction (negative log-likelihood) and KL, nats per image (means over seeds). */
  readonly reconstruction: number;
  readonly kl: number;
  /** Mean over seeds of the number of active latent dimensions. */
  readonly activeDims: number;
  /** Mean MIG over seeds, its standard deviation (0 for one seed), and each seed's value. */
  readonly mig: number;
  readonly migStd: number;
  readonly migBySeed: readonly number[];
  /** Normalised gap per factor (mean over seeds), in the order of `factorNames`. */
  readonly migPerFactor: readonly number[];
}

export interface SweepResult {
  readonly factorNames: readonly string[];
  readonly latent: number;
  readonly seeds: number;
  readonly rows: readonly SweepRow[];
}

export const SWEEP_DEFAULTS = { betas: [0.25, 0.5, 1, 2, 4, 8], latent: 8, hidden: 256, epochs: 20, batch: 64, lr: 1e-3, seeds: 3 };

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const std = (values: readonly number[]) => (values.length < 2 ? 0 : Math.sqrt(values.reduce((a, v) => a + (v - mean(values)) ** 2, 0) / (values.length - 1)));

export function betaSweep(random: Random, options: SweepOptions = {}): SweepResult {
  const betas = options.betas ?? SWEEP_DEFAULTS.betas;
  const latent = options.latent ?? SWEEP_DEFAULTS.latent;
  const trainCount = options.shapes?.count ?? 4096;
  const all = makeShapes(random.fork(), { ...options.shapes, count: trainCount + Math.ceil(trainCount / 4) });
  const dim = all.dim;
  const train = { count: trainCount, dim, values: all.values.subarray(0, trainCount * dim) };
  const heldCount = all.count - trainCount;
  const held = { count: heldCount, dim, values: all.values.subarray(trainCount * dim) };
  const heldFactors = all.factors.subarray(trainCount * all.factorNames.length);
  const seeds = Array.from({ length: options.seeds ?? SWEEP_DEFAULTS.seeds }, () => ({ model: random.int(2 ** 31), evaluation: random.int(2 ** 31) }));
  const rows = betas.map((beta) => {
    const runs = seeds.map((seed, s) => {
      const { model } = trainVae(train, undefined, createRandom(seed.model), {
        beta,
        latent,
        hidden: options.hidden ?? SWEEP_DEFAULTS.hidden,
        epochs: options.epochs ?? SWEEP_DEFAULTS.epochs,
        batch: options.batch ?? SWEEP_DEFAULTS.batch,
        lr: options.lr ?? SWEEP_DEFAULTS.lr,
        onBatch: options.onBatch ? (p) => options.onBatch!(beta, s + 1, p) : undefined,
      });
      const tested = evaluate(model, held, createRandom(seed.evaluation));
      const means = encodeMeans(model, held);
      const score = mig(means, latent, heldFactors, all.factorNames.length);
      return { tested, active: activeDimensions(means, latent), score };
    });
    const migs = runs.map((r) => r.score.mig);
    return {
      beta,
      reconstruction: mean(runs.map((r) => r.tested.reconstruction)),
      kl: mean(runs.map((r) => r.tested.kl)),
      activeDims: mean(runs.map((r) => r.active)),
      mig: mean(migs),
      migStd: std(migs),
      migBySeed: migs,
      migPerFactor: all.factorNames.map((_, f) => mean(runs.map((r) => r.score.perFactor[f]!.gap))),
    };
  });
  return { factorNames: all.factorNames, latent, seeds: seeds.length, rows };
}
