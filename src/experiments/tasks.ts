/**
 * Experiments stage: the task interface every benchmark task implements, and the parser of
 * task names (`adding:50`, `delay`, `file:…` once its values are read). A task draws batches
 * of sequences [T, B, inputs] with per-step targets [T, B, outputs], says which steps the loss
 * reads, and scores a batch of predictions by its source paper's success measure.
 */
import { InputError } from '../errors.js';
import type { Random } from '../random.js';
import { zeros, type Tensor } from '../engine/index.js';

export interface TaskBatch {
  /** Inputs [T, B, inputs]. */
  readonly xs: Tensor;
  /** Targets [T, B, outputs]; only the loss steps are read. */
  readonly ys: Tensor;
}

/** Which half of the data a batch comes from (only a user's file keeps them apart). */
export type TaskPart = 'train' | 'test';

export interface Task {
  /** As typed on the command line: `adding:50`. */
  readonly name: string;
  readonly title: string;
  /** The paper the task and its success measure come from. */
  readonly source: string;
  /** The success criterion in words. */
  readonly criterion: string;
  /** Steps a sequence. */
  readonly length: number;
  readonly inputs: number;
  readonly outputs: number;
  /** mse on the readout, or crossEntropy: softmax cross-entropy of the readout's logits against one-hot targets. */
  readonly loss: 'mse' | 'crossEntropy';
  /** The steps [from, to) the loss reads. */
  readonly lossSteps: readonly [number, number];
  /** What `error` measures, for tables and axes. */
  readonly errorName: string;
  /** The task counts as learned when the test error is at or below this. */
  readonly target: number;
  /** The error of a predictor that learned nothing about time (the reference line). */
  readonly chance: number;
  sample(random: Random, batch: number, part: TaskPart): TaskBatch;
  /** The success measure of predictions [T, B, outputs] against `batch` (lower is better). */
  error(predictions: Tensor, batch: TaskBatch): number;
}

/** Zeroed inputs and targets for T steps of B sequences. */
export function emptyBatch(T: number, B: number, inputs: number, outputs: number): TaskBatch {
  return { xs: zeros([T, B, inputs]), ys: zeros([T, B, outputs]) };
}

/** Writes v at step t, sequence b, channel c of a [T, B, n] tensor. */
export function put(tensor: Tensor, t: number, b: number, c: number, v: number): void {
  const [, B, n] = tensor.shape as [number, number, number];
  tensor.data[(t * B + b) * n + c] = v;
}

export function at(tensor: Tensor, t: number, b: number, c: number): number {
  const [, B, n] = tensor.shape as [number, number, number];
  return tensor.data[(t * B + b) * n + c]!;
}

/** A task's name and its length argument: `adding:50` → ['adding', 50]; no number → the default. */
export function splitTaskName(spec: string, known: readonly string[], defaults: Readonly<Record<string, number>>): [string, number] {
  const [name, arg, ...rest] = spec.split(':');
  if (!known.includes(name!) || rest.length) {
    throw new InputError(`unknown task '${spec}' (tasks: ${known.join(', ')}, file:PATH.csv; a length may follow a colon, as in adding:50)`);
  }
  if (arg === undefined || arg === '') return [name!, defaults[name!]!];
  const length = Number(arg);
  if (!Number.isInteger(length) || length < 2 || length > 10_000) throw new InputError(`task '${spec}': the length must be an integer from 2 to 10000, found '${arg}'`);
  return [name!, length];
}
