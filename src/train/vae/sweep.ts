/**
 * VAE stage: the beta sweep. For each beta, train a VAE on the synthetic shapes (known
 * factors x, y, scale) and measure what beta buys and costs:
 *   1. reconstruction and KL on held-out shapes (nats per image);
 *   2. active latent dimensions (variance of the latent means above 0.01);
 *   3. MIG of the held-out latent means against the true factors.
 * Every beta sees the same data and the same initial weights, so only beta differs.
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
  /** Shapes for training; a further quarter as many are held out for the measurements. */
  readonly shapes?: ShapesOptions;
  readonly onBatch?: (beta: number, progress: BatchProgress) => void;
}

export interface SweepRow {
  readonly beta: number;
  /** Held-out reconstruction (negative log-likelihood) and KL, nats per image. */
  readonly reconstruction: number;
  readonly kl: number;
  readonly activeDims: number;
  readonly mig: number;
  /** Normalised gap per factor, in the order of `factorNames`. */
  readonly migPerFactor: readonly number[];
}

export interface SweepResult {
  readonly factorNames: readonly string[];
  readonly latent: number;
  readonly rows: readonly SweepRow[];
}

export const SWEEP_DEFAULTS = { betas: [0.25, 0.5, 1, 2, 4, 8], latent: 8, hidden: 256, epochs: 20, batch: 64, lr: 1e-3 };

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
  const modelSeed = random.int(2 ** 31);
  const evalSeed = random.int(2 ** 31);
  const rows = betas.map((beta) => {
    const { model } = trainVae(train, undefined, createRandom(modelSeed), {
      beta,
      latent,
      hidden: options.hidden ?? SWEEP_DEFAULTS.hidden,
      epochs: options.epochs ?? SWEEP_DEFAULTS.epochs,
      batch: options.batch ?? SWEEP_DEFAULTS.batch,
      lr: options.lr ?? SWEEP_DEFAULTS.lr,
      onBatch: options.onBatch ? (p) => options.onBatch!(beta, p) : undefined,
    });
    const tested = evaluate(model, held, createRandom(evalSeed));
    const means = encodeMeans(model, held);
    const score = mig(means, latent, heldFactors, all.factorNames.length);
    return {
      beta,
      reconstruction: tested.reconstruction,
      kl: tested.kl,
      activeDims: activeDimensions(means, latent),
      mig: score.mig,
      migPerFactor: score.perFactor.map((f) => f.gap),
    };
  });
  return { factorNames: all.factorNames, latent, rows };
}
