/**
 * train/anomaly: a next-value predictor. Any cell with one input and a state (rnn, gru, lstm,
 * a user's .cell) reads a window of standardised points; a linear readout of the output state
 * after each step predicts the next point. Training is BPTT over each window on the engine's
 * tape, with Adam and gradient-norm clipping; scoring runs the engine's fast forward path on
 * every window at once.
 */
import type { CellGraph } from '../../cell/index.js';
import {
  BufferPool,
  Tape,
  adam,
  clipGradNorm,
  sgd,
  compile,
  gradNorm,
  parameter,
  sameShape,
  sizeOf,
  zeros,
  type CompiledCell,
  type Optimizer,
  type Parameter,
  type Tensor,
  type Var,
} from '../../engine/index.js';
import { InputError } from '../../errors.js';
import type { Random } from '../../random.js';

/** Readout parameter names (kept apart from any name a cell may use). */
export const READOUT_WEIGHT = 'readout.W';
export const READOUT_BIAS = 'readout.b';

export interface Predictor {
  readonly cell: CellGraph;
  readonly compiled: CompiledCell;
  readonly channels: number;
  readonly hidden: number;
  /** The cell's input that receives each point. */
  readonly input: string;
  /** The state the readout reads (h when the cell has one, else its last state). */
  readonly output: string;
  /** The cell's parameters, then the readout's W [outputs, size of output] and b [outputs] (outputs: the channels unless createPredictor was told otherwise). */
  readonly params: readonly Parameter[];
}

/** Sizes for the cell: its input dimension is the channel count, every state dimension is `hidden`. */
function sizesFor(cell: CellGraph, channels: number, hidden: number, others: Readonly<Record<string, number>> = {}): Record<string, number> {
  if (cell.inputs.length !== 1) {
    throw new InputError(`cell '${cell.name}' has ${cell.inputs.length} inputs (${cell.inputs.map((i) => `'${i.name}'`).join(', ')}); the detector feeds one`);
  }
  if (cell.states.length === 0) throw new InputError(`cell '${cell.name}' has no state, so it cannot carry a series forward`);
  if (cell.noises.length > 0) throw new InputError(`cell '${cell.name}' draws noise; the detector needs a deterministic cell`);
  const sizes: Record<string, number> = {};
  for (const d of cell.inputs[0]!.shape) if (typeof d === 'string') sizes[d] = channels;
  for (const s of cell.states) for (const d of s.shape) if (typeof d === 'string' && !(d in sizes)) sizes[d] = hidden;
  for (const d of cell.dims) if (!(d in sizes) && d in others) sizes[d] = others[d]!;
  const unsized = cell.dims.filter((d) => !(d in sizes));
  if (unsized.length) {
    throw new InputError(`cell '${cell.name}' uses dimension ${unsized.map((d) => `'${d}'`).join(', ')}, which the detector cannot size (it sizes the input as the channels and the states as --hidden)`);
  }
  return sizes;
}

/**
 * A fresh predictor with PyTorch-style initial weights. The readout predicts `outputs` values
 * a step (default: the channel count, the next point); experiments read other widths out and
 * size a cell's other dimensions (a rank, a read-out width) with `others`.
 */
export function createPredictor(cell: CellGraph, channels: number, hidden: number, random: Random, outputs = channels, others: Readonly<Record<string, number>> = {}): Predictor {
  const compiled = compile(cell, sizesFor(cell, channels, hidden, others), { fuseMatmuls: true });
  const output = compiled.states.find((s) => s.name === 'h')?.name ?? compiled.states[compiled.states.length - 1]!.name;
  const outputSize = sizeOf(compiled.states.find((s) => s.name === output)!.shape);
  const cellParams = compiled.initParams(random);
  const bound = 1 / Math.sqrt(outputSize);
  const W = zeros([outputs, outputSize]);
  random.fillUniform(W.data, -bound, bound);
  const b = zeros([outputs]);
  return {
    cell,
    compiled,
    channels,
    hidden,
    input: compiled.inputs[0]!.name,
    output,
    params: [...cellParams, parameter(READOUT_WEIGHT, W), parameter(READOUT_BIAS, b)],
  };
}

/**
 * A predictor around given parameter values (a saved model). Every shape is checked against
 * the compiled cell before anything is built, so sizes claimed by a file allocate nothing.
 */
export function restorePredictor(cell: CellGraph, channels: number, hidden: number, values: ReadonlyMap<string, Tensor>): Predictor {
  const compiled = compile(cell, sizesFor(cell, channels, hidden), { fuseMatmuls: true });
  const output = compiled.states.find((s) => s.name === 'h')?.name ?? compiled.states[compiled.states.length - 1]!.name;
  const outputSize = sizeOf(compiled.states.find((s) => s.name === output)!.shape);
  const expected = [...compiled.params, { name: READOUT_WEIGHT, shape: [channels, outputSize] }, { name: READOUT_BIAS, shape: [channels] }];
  const params = expected.map((p) => {
    const value = values.get(p.name);
    if (!value) throw new InputError(`the model has no parameter '${p.name}' [${p.shape.join(', ')}]`);
    if (!sameShape(value.shape, p.shape)) {
      throw new InputError(`the model's parameter '${p.name}' has shape [${value.shape.join(', ')}], expected [${p.shape.join(', ')}]`);
    }
    return parameter(p.name, value);
  });
  return { cell, compiled, channels, hidden, input: compiled.inputs[0]!.name, output, params };
}

/**
 * Predictions for a batch of windows on a tape: xs is [steps, batch, channels]; returns, for
 * each step t, the readout after it ([batch, outputs]: the prediction of the next point). `vars` maps every
 * parameter name to its Var (so gradient checks can pass variables of their own).
 */
export function predictWindows(tape: Tape, predictor: Predictor, vars: Readonly<Record<string, Var>>, xs: Tensor): Var[] {
  const [T, B] = xs.shape as [number, number];
  const C = predictor.channels;
  const states = predictor.compiled.states;
  let previous: Record<string, Var> = {};
  for (const s of states) previous[s.name] = tape.constant(zeros([B, ...s.shape]), `${s.name}_0`);
  const predictions: Var[] = [];
  // A cell that reads x_prev (a QRNN's convolution) gets the input one step back, zeros at the first step.
  const lagged = predictor.cell.nodes.some((n) => n.kind === 'input_prev');
  for (let t = 0; t < T; t++) {
    const values: Record<string, Var> = { ...vars };
    values[predictor.input] = tape.constant({ shape: [B, C], data: xs.data.subarray(t * B * C, (t + 1) * B * C) }, predictor.input);
    if (lagged) values[`${predictor.input}_prev`] = tape.constant(t > 0 ? { shape: [B, C], data: xs.data.subarray((t - 1) * B * C, t * B * C) } : zeros([B, C]), `${predictor.input}_prev`);
    for (const s of states) values[`${s.name}_prev`] = previous[s.name]!;
    const out = predictor.compiled.step(tape, values);
    previous = Object.fromEntries(states.map((s) => [s.name, out[s.name]!]));
    predictions.push(tape.linear(out[predictor.output]!, vars[READOUT_WEIGHT]!, vars[READOUT_BIAS]));
  }
  return predictions;
}

/** Mean squared error of the predictions from step `warmup` on against the next points. */
export function windowLoss(tape: Tape, predictor: Predictor, vars: Readonly<Record<string, Var>>, xs: Tensor, targets: Tensor, warmup: number): Var {
  const [T, B] = xs.shape as [number, number];
  const C = predictor.channels;
  const predictions = predictWindows(tape, predictor, vars, xs).slice(warmup);
  const predicted = tape.concat(predictions, 0);
  const target = tape.constant({ shape: [(T - warmup) * B, C], data: targets.data.subarray(warmup * B * C) }, 'target');
  return tape.mse(predicted, target);
}

export interface TrainOptions {
  readonly window: number;
  readonly epochs: number;
  /** Gradient-norm clipping threshold; 0 or Infinity turns clipping off. */
  readonly clip: number;
  readonly lr?: number;
  /** 'adam' (default) or 'sgd' (plain SGD with momentum 0.9, where unclipped gradients hurt most). */
  readonly optimizer?: OptimizerName;
  /** What a diverged batch (non-finite gradient, loss non-finite or above 1e6) does: 'throw' an InputError (default) or 'stop' and return the epochs so far. */
  readonly onDivergence?: 'throw' | 'stop';
  readonly batch?: number;
  /** Steps between the starts of consecutive training windows (default window / 5). */
  readonly stride?: number;
  readonly random: Random;
  /** Called after every batch (for a progress bar): batches done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called after every epoch with its statistics. */
  readonly onEpoch?: (stats: EpochStats) => void;
}

export type OptimizerName = 'adam' | 'sgd';

export interface EpochStats {
  readonly epoch: number;
  /** Mean training loss (MSE on standardised values) over the epoch's batches. */
  readonly loss: number;
  /** Gradient norm before clipping: the mean and the largest over the batches. */
  readonly gradNormMean: number;
  readonly gradNormMax: number;
  /** Gradient norm actually applied (after clipping), mean over the batches. */
  readonly appliedNormMean: number;
  /** Fraction of batches whose gradient was clipped. */
  readonly clippedFraction: number;
  /** Set on the last epoch when training stopped because it diverged. */
  readonly diverged?: boolean;
}

/**
 * A loss this large on standardised data means predictions 1000 standard deviations off:
 * training has diverged even if the numbers are still finite (tanh keeps the state bounded,
 * so the readout can grow for a long time before anything overflows).
 */
const DIVERGED_LOSS = 1e6;

/** Steps at the start of each window left out of the loss: the state has seen too little yet. */
export function warmupOf(window: number): number {
  return Math.min(10, Math.floor(window / 5));
}

/** The running sums of an epoch's batches, for its EpochStats. */
class EpochSums {
  private lossSum = 0;
  private normSum = 0;
  private normMax = 0;
  private appliedSum = 0;
  private clipped = 0;
  private batches = 0;

  add(loss: number, norm: number, applied: number, wasClipped: boolean): void {
    this.lossSum += loss;
    this.normSum += norm;
    this.normMax = Math.max(this.normMax, norm);
    this.appliedSum += applied;
    if (wasClipped) this.clipped++;
    this.batches++;
  }

  stats(epoch: number): EpochStats {
    const { lossSum, normSum, normMax, appliedSum, clipped, batches } = this;
    return {
      epoch,
      loss: lossSum / batches,
      gradNormMean: normSum / batches,
      gradNormMax: normMax,
      appliedNormMean: appliedSum / batches,
      clippedFraction: clipped / batches,
    };
  }

  /** The epoch so far with the batch that diverged, which ends it (a non-finite loss makes the mean that loss). */
  diverged(epoch: number, lossValue: number, norm: number, applied: number): EpochStats {
    this.add(lossValue, norm, applied, false);
    return { ...this.stats(epoch), diverged: true };
  }
}

/** The windows starting at `starts` as inputs and next-point targets, each [window, B, C]. */
function windowBatch(z: Float64Array, starts: readonly number[], window: number, C: number): { xs: Tensor; ys: Tensor } {
  const B = starts.length;
  const xs = zeros([window, B, C]);
  const ys = zeros([window, B, C]);
  starts.forEach((start, b) => {
    for (let t = 0; t < window; t++) {
      for (let c = 0; c < C; c++) {
        xs.data[(t * B + b) * C + c] = z[(start + t) * C + c]!;
        ys.data[(t * B + b) * C + c] = z[(start + t + 1) * C + c]!;
      }
    }
  });
  return { xs, ys };
}

/** One batch's loss and gradient (clipped to `clip`), not yet applied: the loss, the norm before clipping and after. */
function batchGradient(predictor: Predictor, pool: BufferPool, optimizer: Optimizer, batch: { xs: Tensor; ys: Tensor }, warmup: number, clip: number): { lossValue: number; norm: number; applied: number } {
  pool.reset();
  const tape = new Tape({ pool });
  const vars = Object.fromEntries(predictor.params.map((p) => [p.name, tape.param(p)]));
  const loss = windowLoss(tape, predictor, vars, batch.xs, batch.ys, warmup);
  optimizer.zeroGrad();
  tape.backward(loss);
  const norm = clipGradNorm(predictor.params, clip);
  const applied = norm > clip ? gradNorm(predictor.params) : norm;
  return { lossValue: loss.value.data[0]!, norm, applied };
}

/**
 * Trains on the standardised points z ([length, channels]) in [0, end): each epoch takes
 * windows of `window` + 1 points every `stride` steps (from a random offset), shuffles them,
 * and takes Adam steps on batches of them, clipping the gradient norm.
 */
export function trainPredictor(predictor: Predictor, z: Float64Array, end: number, options: TrainOptions): EpochStats[] {
  const { window, random } = options;
  const batch = options.batch ?? 16;
  const clip = options.clip > 0 && Number.isFinite(options.clip) ? options.clip : Infinity;
  const warmup = warmupOf(window);
  if (end < window + 1) throw new InputError(`training needs at least ${window + 1} points (window + 1), found ${end}`);
  const optimizer =
    options.optimizer === 'sgd' ? sgd(predictor.params, { lr: options.lr ?? 0.05, momentum: 0.9 }) : adam(predictor.params, { lr: options.lr ?? 5e-3 });
  const stride = options.stride ?? Math.max(1, Math.floor(window / 5));
  const lastStart = end - window - 1;
  const perEpoch = Math.floor(lastStart / stride) + 1;
  const batchesPerEpoch = Math.ceil(perEpoch / batch);
  const history: EpochStats[] = [];
  // Every batch records the same ops on the same shapes: its tape reuses the last one's buffers.
  const pool = new BufferPool();
  let done = 0;
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    // A random offset each epoch, so window boundaries do not always fall on the same steps.
    const offset = random.int(stride);
    const starts = random.shuffle(Array.from({ length: perEpoch }, (_, i) => Math.min(offset + i * stride, lastStart)));
    const sums = new EpochSums();
    for (let first = 0; first < starts.length; first += batch) {
      const windows = windowBatch(z, starts.slice(first, first + batch), window, predictor.channels);
      const { lossValue, norm, applied } = batchGradient(predictor, pool, optimizer, windows, warmup, clip);
      if (!Number.isFinite(lossValue) || !Number.isFinite(norm) || lossValue > DIVERGED_LOSS) {
        if (options.onDivergence !== 'stop') {
          throw new InputError(`training diverged in epoch ${epoch} (loss ${lossValue}, gradient norm ${norm}); lower the learning rate or turn clipping on (--clip)`);
        }
        const stats = sums.diverged(epoch, lossValue, norm, applied);
        history.push(stats);
        options.onEpoch?.(stats);
        return history;
      }
      optimizer.step();
      sums.add(lossValue, norm, applied, norm > clip);
      options.onProgress?.(++done, batchesPerEpoch * options.epochs);
    }
    const stats = sums.stats(epoch);
    history.push(stats);
    options.onEpoch?.(stats);
  }
  return history;
}

/**
 * Prediction errors for every point t ≥ window + horizon − 1: z_t minus its forecast from the
 * `window` points that end `horizon` steps before it. With horizon 1 that is the next-value
 * prediction the model was trained for; with horizon k the model runs k − 1 more steps on its
 * own predictions (free-running), so it cannot simply follow an anomaly it is inside of (a
 * flat stretch is easy to predict one step ahead once the window is flat). Each window starts
 * from a zero state, as in training. Earlier rows are NaN. Runs the windows in chunks through
 * the engine's forward path (no tape).
 */
export function predictionErrors(predictor: Predictor, z: Float64Array, length: number, window: number, horizon = 1, chunk = 1024): Float64Array {
  const C = predictor.channels;
  const errors = new Float64Array(length * C).fill(Number.NaN);
  const W = predictor.params.find((p) => p.name === READOUT_WEIGHT)!.value;
  const b = predictor.params.find((p) => p.name === READOUT_BIAS)!.value;
  const H = W.shape[1]!;
  const cellParams = predictor.params.filter((p) => p.name !== READOUT_WEIGHT && p.name !== READOUT_BIAS);
  const readout = (final: Tensor, B: number): Tensor => {
    const y = zeros([1, B, C]);
    for (let r = 0; r < B; r++) {
      for (let c = 0; c < C; c++) {
        let v = b.data[c]!;
        for (let k = 0; k < H; k++) v += W.data[c * H + k]! * final.data[r * H + k]!;
        y.data[r * C + c] = v;
      }
    }
    return y;
  };
  const firstTarget = window + horizon - 1;
  for (let first = firstTarget; first < length; first += chunk) {
    const B = Math.min(chunk, length - first);
    const xs = zeros([window, B, C]);
    for (let r = 0; r < B; r++) {
      const start = first + r - horizon + 1 - window;
      for (let t = 0; t < window; t++) {
        for (let c = 0; c < C; c++) xs.data[(t * B + r) * C + c] = z[(start + t) * C + c]!;
      }
    }
    let result = predictor.compiled.forward(cellParams, { inputs: { [predictor.input]: xs } });
    let y = readout(result.final[predictor.output]!, B);
    for (let step = 1; step < horizon; step++) {
      result = predictor.compiled.forward(cellParams, { inputs: { [predictor.input]: y }, initial: result.final });
      y = readout(result.final[predictor.output]!, B);
    }
    for (let r = 0; r < B; r++) {
      const target = first + r;
      for (let c = 0; c < C; c++) errors[target * C + c] = z[target * C + c]! - y.data[r * C + c]!;
    }
  }
  return errors;
}
