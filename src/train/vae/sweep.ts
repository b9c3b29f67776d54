/**
 * VAE stage: the beta sweep on dSprites-like sprites. For each objective (beta-VAE,
 * beta-TCVAE), beta and seed, train a VAE and measure on held-out sprites:
 *   1. reconstruction and KL (nats per image, beta = 1 ELBO terms);
 *   2. active latent dimensions (variance of the latent means above 0.01);
 *   3. MIG twice: Chen et al.'s estimator on sampled codes over scale, orientation, x and y
 *      (shape left out, as they do), and disentanglement_lib's on mean codes (20-bin
 *      histograms) over all five factors;
 * then decode latent traversals from one model per objective (the largest beta, first seed).
 * Every run of a seed sees the same data and initial weights, so only beta and the objective differ.
 */
import { createRandom, type Random } from '../../random.js';
import { createVae, type Arch, type Objective, type Vae } from './model.js';
import { setOutputPrior } from './conv-net.js';
import { activeDimensions, latentVariances, mig } from './mig.js';
import { migSampled } from './mig-sampled.js';
import { makeSprites } from './sprites.js';
import { continueTraining, decodeLatents, encodePosteriors, evaluate, type BatchProgress } from './train.js';

export interface SweepOptions {
  readonly betas?: readonly number[];
  readonly objectives?: readonly Objective[];
  readonly latent?: number;
  readonly hidden?: number;
  readonly arch?: Arch;
  readonly epochs?: number;
  readonly batch?: number;
  readonly lr?: number;
  /** Independent trainings per beta and objective (different initial weights and noise). */
  readonly seeds?: number;
  /** Image side (64 or 32), training images, held-out images. */
  readonly side?: number;
  readonly train?: number;
  readonly heldOut?: number;
  /** Draws per entropy estimate of Chen et al.'s MIG. */
  readonly migSamples?: number;
  /**
   * Train only these seeds (1-based, of the `seeds` drawn): one process per seed gives the same
   * models as one process for them all (the seeds are drawn before any training).
   */
  readonly onlySeeds?: readonly number[];
  readonly onBatch?: (run: SweepRun, progress: BatchProgress) => void;
  /**
   * Called after every epoch with that model's held-out measurements (the last epoch's are the
   * run's own; the others cost an evaluation each and leave training unchanged): MIG as training goes on.
   */
  readonly onCheckpoint?: (checkpoint: Checkpoint) => void;
}

export interface SweepRun {
  readonly objective: Objective;
  readonly beta: number;
  /** 1-based. */
  readonly seed: number;
}

/** One run's held-out measurements after `epoch` epochs (`images` training images seen). */
export interface Checkpoint extends SweepRun {
  readonly epoch: number;
  readonly images: number;
  readonly reconstruction: number;
  readonly kl: number;
  readonly activeDims: number;
  readonly mig: number;
  readonly migHistogram: number;
  /** The model as trained so far. */
  readonly model: Vae;
}

export interface SweepRow {
  readonly objective: Objective;
  readonly beta: number;
  /** β × latent / input pixels (Higgins et al. 2017): the weight β has against a reconstruction summed over every pixel. */
  readonly betaNormalised: number;
  /** Held-out reconstruction and KL, nats per image (means over seeds). */
  readonly reconstruction: number;
  readonly kl: number;
  readonly activeDims: number;
  /** Chen et al.'s MIG: mean, sample standard deviation over seeds, each seed's value. */
  readonly mig: number;
  readonly migStd: number;
  readonly migBySeed: readonly number[];
  /** Chen et al.'s gap per factor (mean over seeds), in `migFactors` order. */
  readonly migPerFactor: readonly number[];
  /** disentanglement_lib's MIG (mean codes, histograms, all five factors). */
  readonly migHistogram: number;
  readonly migHistogramStd: number;
}

/** Decoded traversals: row r varies latent `order[r]` over `values`, the others held at one held-out image's code. */
export interface Traversal {
  readonly objective: Objective;
  readonly beta: number;
  readonly order: readonly number[];
  readonly values: readonly number[];
  /** order.length × values.length images, row-major. */
  readonly images: Float32Array;
}

export interface SweepResult {
  readonly side: number;
  readonly train: number;
  readonly heldOut: number;
  readonly latent: number;
  readonly arch: Arch;
  readonly epochs: number;
  readonly seeds: number;
  readonly factorNames: readonly string[];
  readonly migFactors: readonly string[];
  readonly rows: readonly SweepRow[];
  readonly traversals: readonly Traversal[];
}

export const SWEEP_DEFAULTS = {
  betas: [1, 4, 8],
  objectives: ['beta-vae', 'beta-tcvae'] as Objective[],
  latent: 10,
  hidden: 256,
  epochs: 10,
  batch: 64,
  lr: 1e-3,
  seeds: 3,
  side: 64,
  train: 20000,
  heldOut: 5000,
  migSamples: 5000,
};

/**
 * Higgins et al.'s (2017) normalised β: β × latent size / input size. The reconstruction is summed
 * over every pixel and the KL over every latent, so the same β weighs a quarter as much at 64×64
 * as at 32×32 (β 32 at 64×64 and β 8 at 32×32 both give 0.078 with 10 latents).
 */
export function normalisedBeta(beta: number, latent: number, pixels: number): number {
  return (beta * latent) / pixels;
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const std = (values: readonly number[]) => (values.length < 2 ? 0 : Math.sqrt(values.reduce((a, v) => a + (v - mean(values)) ** 2, 0) / (values.length - 1)));

/** Chen et al. leave out dSprites's shape: MIG over scale, orientation, x, y. */
const CHEN_FACTORS = [1, 2, 3, 4];
const TRAVERSAL_VALUES = [-2.5, -1.875, -1.25, -0.625, 0, 0.625, 1.25, 1.875, 2.5];

export function betaSweep(random: Random, options: SweepOptions = {}): SweepResult {
  const o = { ...SWEEP_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof SWEEP_DEFAULTS & SweepOptions;
  const all = makeSprites(random.fork(), { side: o.side, count: o.train + o.heldOut });
  const { dim } = all;
  const factorCount = all.factorNames.length;
  const train = { count: o.train, dim, values: all.values.subarray(0, o.train * dim) };
  const held = { count: o.heldOut, dim, values: all.values.subarray(o.train * dim) };
  const heldFactors = all.factors.subarray(o.train * factorCount);
  const meanPixel = train.values.reduce((a, v) => a + v, 0) / train.values.length;
  const drawn = Array.from({ length: o.seeds }, (_, s) => ({ index: s + 1, model: random.int(2 ** 31), evaluation: random.int(2 ** 31) }));
  const seeds = o.onlySeeds ? drawn.filter((d) => o.onlySeeds!.includes(d.index)) : drawn;
  const rows: SweepRow[] = [];
  const traversals: Traversal[] = [];
  for (const objective of o.objectives) {
    for (const beta of o.betas) {
      const runs = seeds.map((seed, s) => {
        const measure = (model: Vae) => {
          const tested = evaluate(model, held, createRandom(seed.evaluation));
          // The posteriors' means are encodeMeans's (the same batches through the same encoder): one pass, not two.
          const posteriors = encodePosteriors(model, held);
          const means = posteriors.mu;
          const chen = migSampled(posteriors, heldFactors, factorCount, createRandom(seed.evaluation + 1), { factorsUsed: CHEN_FACTORS, samples: o.migSamples });
          return { tested, means, active: activeDimensions(means, o.latent), chen, histogram: mig(means, o.latent, heldFactors, factorCount).mig };
        };
        const run = { objective, beta, seed: seed.index };
        let measured: ReturnType<typeof measure> | undefined;
        // trainVae's steps, with the conv decoder's output bias started at the mean pixel's logit.
        const random = createRandom(seed.model);
        const arch = o.arch === 'conv' ? { arch: o.arch } : {};
        const fresh = createVae({ input: dim, hidden: o.hidden, latent: o.latent, beta, likelihood: 'bernoulli', ...arch }, random.fork());
        if (fresh.params.conv) setOutputPrior(fresh.params.conv, meanPixel);
        const { model } = continueTraining(fresh, train, undefined, random, {
          objective,
          epochs: o.epochs,
          batch: o.batch,
          lr: o.lr,
          onBatch: options.onBatch ? (p) => options.onBatch!(run, p) : undefined,
          onEpoch: (row, trained) => {
            if (row.epoch < o.epochs && !options.onCheckpoint) return;
            const m = measure(trained);
            if (row.epoch === o.epochs) measured = m;
            options.onCheckpoint?.({ ...run, epoch: row.epoch, images: row.epoch * o.train, reconstruction: m.tested.reconstruction, kl: m.tested.kl, activeDims: m.active, mig: m.chen.mig, migHistogram: m.histogram, model: trained });
          },
        });
        measured ??= measure(model);
        if (s === 0 && beta === o.betas.at(-1)) traversals.push(latentTraversal(model, measured.means, objective, beta));
        return measured;
      });
      rows.push(summariseRuns(objective, beta, normalisedBeta(beta, o.latent, dim), runs));
    }
  }
  const migFactors = CHEN_FACTORS.map((k) => all.factorNames[k]!);
  return { side: o.side, train: o.train, heldOut: o.heldOut, latent: o.latent, arch: o.arch ?? 'mlp', epochs: o.epochs, seeds: seeds.length, factorNames: all.factorNames, migFactors, rows, traversals };
}

/** What one training measured at its end (or at a checkpoint): the held-out ELBO terms, the latent means and both MIGs. */
interface RunMeasurement {
  readonly tested: { readonly reconstruction: number; readonly kl: number };
  readonly active: number;
  readonly chen: { readonly mig: number; readonly perFactor: readonly { readonly gap: number }[] };
  readonly histogram: number;
}

/** One table row: the seeds' means, and MIG's spread over them. */
function summariseRuns(objective: Objective, beta: number, betaNormalised: number, runs: readonly RunMeasurement[]): SweepRow {
  const migs = runs.map((r) => r.chen.mig);
  return {
    objective,
    beta,
    betaNormalised,
    reconstruction: mean(runs.map((r) => r.tested.reconstruction)),
    kl: mean(runs.map((r) => r.tested.kl)),
    activeDims: mean(runs.map((r) => r.active)),
    mig: mean(migs),
    migStd: std(migs),
    migBySeed: migs,
    migPerFactor: CHEN_FACTORS.map((_, f) => mean(runs.map((r) => r.chen.perFactor[f]!.gap))),
    migHistogram: mean(runs.map((r) => r.histogram)),
    migHistogramStd: std(runs.map((r) => r.histogram)),
  };
}

/** Each latent (most variable first) swept over TRAVERSAL_VALUES from the first held-out image's code (means: the held-out latent means). */
export function latentTraversal(model: Parameters<typeof decodeLatents>[0], means: Float64Array, objective: Objective, beta: number): Traversal {
  const { latent } = model.config;
  const variances = latentVariances(means, latent);
  const order = Array.from({ length: latent }, (_, j) => j).sort((a, b) => variances[b]! - variances[a]! || a - b);
  const z = new Float64Array(latent * TRAVERSAL_VALUES.length * latent);
  order.forEach((j, r) => {
    TRAVERSAL_VALUES.forEach((value, c) => {
      const at = (r * TRAVERSAL_VALUES.length + c) * latent;
      for (let d = 0; d < latent; d++) z[at + d] = means[d]!;
      z[at + j] = value;
    });
  });
  return { objective, beta, order, values: TRAVERSAL_VALUES, images: decodeLatents(model, z) };
}
