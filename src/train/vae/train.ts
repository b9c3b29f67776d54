/**
 * VAE stage: training and evaluation. trainVae runs, per epoch:
 *   1. a seeded shuffle of the training rows, then minibatches of `batch` rows;
 *   2. per batch: noise eps ~ N(0, I), the negative ELBO on the tape, backward, one Adam step;
 *   3. evaluation on the test rows (one seeded z sample per row, as the PyTorch example does);
 * and returns the model and one row of losses (nats per row) per epoch. Inference helpers
 * (latent means, reconstructions, decoding a grid of z) run on a tape that records nothing.
 */
import { BufferPool, Tape, type Tensor } from '../../engine/index.js';
import { createRandom, type Random } from '../../random.js';
import { permutation, type Dataset } from './data.js';
import { batchLoss, createVae, decode, encode, optimizerFor, rowsTensor, type Arch, type Likelihood, type Objective, type Vae } from './model.js';
import type { Posteriors } from './mig-sampled.js';

export interface TrainOptions {
  readonly hidden?: number;
  readonly latent?: number;
  readonly beta?: number;
  /** What beta weights: the whole KL (beta-vae, the default) or its total-correlation part (beta-tcvae). */
  readonly objective?: Objective;
  readonly likelihood?: Likelihood;
  /** mlp (default) or conv (Burgess et al.'s convolutions; square images, side a multiple of 16). */
  readonly arch?: Arch;
  readonly epochs?: number;
  readonly batch?: number;
  readonly lr?: number;
  /** Called after every minibatch (for a progress bar); `loss` is that batch's negative ELBO. */
  readonly onBatch?: (progress: BatchProgress) => void;
  /** Called after every epoch with its row of the history. */
  readonly onEpoch?: (row: EpochRow) => void;
}

export interface BatchProgress {
  readonly epoch: number;
  readonly epochs: number;
  readonly batch: number;
  readonly batches: number;
  readonly loss: number;
}

/** One epoch's losses, nats per row; `test*` are NaN without test rows. */
export interface EpochRow {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly trainReconstruction: number;
  readonly trainKl: number;
  readonly testLoss: number;
  readonly testReconstruction: number;
  readonly testKl: number;
}

export interface TrainResult {
  readonly model: Vae;
  readonly history: readonly EpochRow[];
}

/** Defaults of the quality bar's model: 784-400-20, beta 1, batch 128, Adam at 1e-3. */
export const TRAIN_DEFAULTS = { hidden: 400, latent: 20, beta: 1, likelihood: 'bernoulli' as Likelihood, epochs: 10, batch: 128, lr: 1e-3 };

function noise(rows: number, latent: number, random: Random): Tensor {
  const data = new Float32Array(rows * latent);
  random.fillNormal(data);
  return { shape: [rows, latent], data };
}

/** Rows `order[start..start+rows)` of `data` copied into `into` ([rows, dim]). */
function gather(data: Dataset, order: Int32Array, start: number, rows: number, into: Float32Array): Tensor {
  const { dim } = data;
  for (let r = 0; r < rows; r++) {
    const row = order[start + r]!;
    into.set(data.values.subarray(row * dim, (row + 1) * dim), r * dim);
  }
  return { shape: [rows, dim], data: into.subarray(0, rows * dim) };
}

export interface Evaluation {
  /** Negative ELBO with beta = 1, nats per row. */
  readonly loss: number;
  readonly reconstruction: number;
  readonly kl: number;
}

/** The negative ELBO (beta = 1) on `data`, one z sample per row, batched. */
export function evaluate(model: Vae, data: Dataset, random: Random, batch = 500): Evaluation {
  let reconstruction = 0;
  let kl = 0;
  for (let start = 0; start < data.count; start += batch) {
    const rows = Math.min(batch, data.count - start);
    const x = rowsTensor(data.values, start, rows, data.dim);
    const pieces = batchLoss(new Tape({ record: false }), model, x, noise(rows, model.config.latent, random));
    reconstruction += pieces.reconstruction * rows;
    kl += pieces.kl * rows;
  }
  return { loss: (reconstruction + kl) / data.count, reconstruction: reconstruction / data.count, kl: kl / data.count };
}

/** Trains a fresh model on `train`, evaluating on `test` after each epoch. */
export function trainVae(train: Dataset, test: Dataset | undefined, random: Random, options: TrainOptions = {}): TrainResult {
  const o = { ...TRAIN_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof TRAIN_DEFAULTS & TrainOptions;
  const arch = o.arch === undefined || o.arch === 'mlp' ? {} : { arch: o.arch };
  const model = createVae({ input: train.dim, hidden: o.hidden, latent: o.latent, beta: o.beta, likelihood: o.likelihood, ...arch }, random.fork());
  return continueTraining(model, train, test, random, o);
}

/** Runs `epochs` more epochs of Adam on an existing model (fresh optimizer state). */
export function continueTraining(model: Vae, train: Dataset, test: Dataset | undefined, random: Random, options: TrainOptions = {}): TrainResult {
  const epochs = options.epochs ?? TRAIN_DEFAULTS.epochs;
  const batch = Math.min(options.batch ?? TRAIN_DEFAULTS.batch, train.count);
  const optimizer = optimizerFor(model, options.lr ?? TRAIN_DEFAULTS.lr);
  const shuffleRandom = random.fork();
  const noiseRandom = random.fork();
  const evalSeed = random.int(2 ** 31);
  const buffer = new Float32Array(batch * train.dim);
  const batches = Math.ceil(train.count / batch);
  const history: EpochRow[] = [];
  // Every batch records the same ops on the same shapes: its tape takes the previous one's
  // buffers (zeroed, so the same bits) instead of allocating megabytes afresh each batch.
  const pool = new BufferPool();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = Int32Array.from(permutation(train.count, shuffleRandom));
    let loss = 0;
    let reconstruction = 0;
    let kl = 0;
    for (let b = 0; b < batches; b++) {
      const start = b * batch;
      const rows = Math.min(batch, train.count - start);
      const x = gather(train, order, start, rows, buffer);
      const tape = new Tape({ pool });
      const pieces = batchLoss(tape, model, x, noise(rows, model.config.latent, noiseRandom), { objective: options.objective, datasetSize: train.count });
      optimizer.zeroGrad();
      tape.backward(pieces.loss);
      optimizer.step();
      pool.reset();
      const { beta } = model.config;
      const batchValue = pieces.tc === undefined ? pieces.reconstruction + beta * pieces.kl : pieces.reconstruction + pieces.kl + (beta - 1) * pieces.tc;
      loss += batchValue * rows;
      reconstruction += pieces.reconstruction * rows;
      kl += pieces.kl * rows;
      options.onBatch?.({ epoch, epochs, batch: b + 1, batches, loss: batchValue });
    }
    // The same evaluation noise every epoch, so test curves move only with the model.
    const tested = test ? evaluate(model, test, createRandom(evalSeed)) : undefined;
    const row: EpochRow = {
      epoch,
      trainLoss: loss / train.count,
      trainReconstruction: reconstruction / train.count,
      trainKl: kl / train.count,
      testLoss: tested?.loss ?? Number.NaN,
      testReconstruction: tested?.reconstruction ?? Number.NaN,
      testKl: tested?.kl ?? Number.NaN,
    };
    history.push(row);
    options.onEpoch?.(row);
  }
  return { model, history };
}

/** Latent means E_q[z | x] of every row (count × latent, row-major). */
export function encodeMeans(model: Vae, data: Dataset, batch = 500): Float64Array {
  const { latent } = model.config;
  const out = new Float64Array(data.count * latent);
  for (let start = 0; start < data.count; start += batch) {
    const rows = Math.min(batch, data.count - start);
    const tape = new Tape({ record: false });
    const x = rowsTensor(data.values, start, rows, data.dim);
    const { mu } = encode(tape, model, tape.constant(x));
    out.set(mu.value.data, start * latent);
  }
  return out;
}

/** The posteriors q(z|x) = N(mu, exp(logvar)) of every row (for Chen et al.'s sampled MIG). */
export function encodePosteriors(model: Vae, data: Dataset, batch = 500): Posteriors {
  const { latent } = model.config;
  const mu = new Float64Array(data.count * latent);
  const logvar = new Float64Array(data.count * latent);
  for (let start = 0; start < data.count; start += batch) {
    const rows = Math.min(batch, data.count - start);
    const tape = new Tape({ record: false });
    const encoded = encode(tape, model, tape.constant(rowsTensor(data.values, start, rows, data.dim)));
    mu.set(encoded.mu.value.data, start * latent);
    logvar.set(encoded.logvar.value.data, start * latent);
  }
  return { latent, mu, logvar };
}

/** The decoder's mean image for each z (count × latent): sigmoid of the logits (Bernoulli) or the Gaussian mean. */
export function decodeLatents(model: Vae, z: Float32Array | Float64Array): Float32Array {
  const { latent, input } = model.config;
  const rows = z.length / latent;
  const tape = new Tape({ record: false });
  const location = decode(tape, model, tape.constant({ shape: [rows, latent], data: Float32Array.from(z) }));
  const out = new Float32Array(rows * input);
  for (let i = 0; i < out.length; i++) {
    const v = location.value.data[i]!;
    out[i] = model.config.likelihood === 'bernoulli' ? 1 / (1 + Math.exp(-v)) : v;
  }
  return out;
}

/** Reconstructions through the latent means (deterministic), one image per row of `data`. */
export function reconstruct(model: Vae, data: Dataset): Float32Array {
  return decodeLatents(model, encodeMeans(model, data));
}

/** `count` images decoded from z ~ N(0, I). */
export function samplePrior(model: Vae, count: number, random: Random): Float32Array {
  const z = new Float32Array(count * model.config.latent);
  random.fillNormal(z);
  return decodeLatents(model, z);
}

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9),
 * for placing a grid of z at evenly spaced quantiles of the prior (Kingma and Welling, fig. 4).
 */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.928510446969, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/**
 * For a 2-D latent: `side` × `side` images decoded from z at the prior's quantiles
 * (row-major, z₂ decreasing down the rows so the picture matches a plot's axes).
 */
export function manifold(model: Vae, side: number): Float32Array {
  if (model.config.latent !== 2) throw new RangeError(`the manifold needs a 2-D latent, this model has ${model.config.latent}`);
  const z = new Float32Array(side * side * 2);
  for (let row = 0; row < side; row++) {
    for (let col = 0; col < side; col++) {
      z[(row * side + col) * 2] = normalQuantile((col + 0.5) / side);
      z[(row * side + col) * 2 + 1] = normalQuantile(1 - (row + 0.5) / side);
    }
  }
  return decodeLatents(model, z);
}
