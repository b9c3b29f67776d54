/**
 * Experiments stage: next-value prediction, the side of the peephole question where no
 * precise timing is needed: a noisy mixture of two sines, and a user's own series (the
 * values of `--task file:train.csv`). The error is the normalised MSE (the test MSE over the
 * variance of the targets), so 1 is what predicting the mean scores.
 */
import { InputError } from '../errors.js';
import type { Random } from '../random.js';
import type { Tensor } from '../engine/index.js';
import { at, emptyBatch, put, type Task, type TaskBatch } from './tasks.js';

/** Steps at the start of a window the loss and the error leave out: the state has seen too little. */
const WARMUP = 5;

function nmse(predictions: Tensor, batch: TaskBatch, from: number): number {
  const [T, B] = batch.ys.shape as [number, number];
  let sum = 0;
  let sumSq = 0;
  let err = 0;
  for (let t = from; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const y = at(batch.ys, t, b, 0);
      sum += y;
      sumSq += y * y;
      err += (at(predictions, t, b, 0) - y) ** 2;
    }
  }
  const n = (T - from) * B;
  const variance = sumSq / n - (sum / n) ** 2;
  return err / n / Math.max(variance, 1e-12);
}

const SINE_NOISE = 0.05;

/**
 * x_t = sin(2πt/12 + φ₁) + 0.5 sin(2πt/5 + φ₂) + 0.05 ε_t with random phases; predict x_{t+1}.
 * The noise alone leaves a normalised MSE of about 0.004; the target is 0.05.
 */
export function sineTask(T: number): Task {
  return {
    name: `sine:${T}`,
    title: `Next value of two noisy sines (T = ${T})`,
    source: 'next-value prediction (no timing needed: the control case of the peephole question)',
    criterion: 'normalised test MSE (MSE / variance of the targets) at most 0.05; the noise floor is about 0.004',
    length: T,
    inputs: 1,
    outputs: 1,
    loss: 'mse',
    lossSteps: [WARMUP, T],
    errorName: 'normalised test MSE',
    target: 0.05,
    chance: 1,
    sample(random: Random, B: number) {
      const batch = emptyBatch(T, B, 1, 1);
      for (let b = 0; b < B; b++) {
        const p1 = random.uniform(0, 2 * Math.PI);
        const p2 = random.uniform(0, 2 * Math.PI);
        const value = (t: number) => Math.sin((2 * Math.PI * t) / 12 + p1) + 0.5 * Math.sin((2 * Math.PI * t) / 5 + p2) + SINE_NOISE * random.normal();
        let x = value(0);
        for (let t = 0; t < T; t++) {
          const next = value(t + 1);
          put(batch.xs, t, b, 0, x);
          put(batch.ys, t, b, 0, next);
          x = next;
        }
      }
      return batch;
    },
    error: (predictions, batch) => nmse(predictions, batch, WARMUP),
  };
}

/** Share of a user's series that trains; the rest is the test part. */
export const FILE_TRAIN_SHARE = 0.8;

/**
 * Next-value prediction on a user's series (one channel), standardised by the training
 * part's mean and standard deviation: windows of T + 1 points from the first 80% train, from
 * the last 20% test. The target is the persistence forecast's normalised MSE on the test
 * part (predicting x_{t+1} = x_t): learning it means beating that.
 */
export function fileTask(file: string, values: Float64Array, T: number): Task {
  const split = Math.floor(values.length * FILE_TRAIN_SHARE);
  if (split < T + 1 || values.length - split < T + 1) {
    throw new InputError(`${file}: ${values.length} values leave too few for windows of ${T + 1} in both the training part (first 80%) and the test part; give a shorter length (file:PATH:N) or more data`);
  }
  let mean = 0;
  for (let i = 0; i < split; i++) mean += values[i]! / split;
  let variance = 0;
  for (let i = 0; i < split; i++) variance += (values[i]! - mean) ** 2 / split;
  const std = Math.sqrt(variance) || 1;
  const z = values.map((v) => (v - mean) / std);
  const window = (random: Random, part: 'train' | 'test') => (part === 'train' ? random.int(split - T) : split + random.int(values.length - split - T));
  return {
    name: `file:${file}`,
    title: `Next value of ${file} (T = ${T})`,
    source: 'next-value prediction on the user’s series',
    criterion: 'normalised test MSE below that of the persistence forecast x_{t+1} = x_t on the last 20%',
    length: T,
    inputs: 1,
    outputs: 1,
    loss: 'mse',
    lossSteps: [Math.min(WARMUP, T - 1), T],
    errorName: 'normalised test MSE',
    target: persistenceError(z, split, values.length),
    chance: 1,
    sample(random: Random, B: number, part) {
      const batch = emptyBatch(T, B, 1, 1);
      for (let b = 0; b < B; b++) {
        const start = window(random, part);
        for (let t = 0; t < T; t++) {
          put(batch.xs, t, b, 0, z[start + t]!);
          put(batch.ys, t, b, 0, z[start + t + 1]!);
        }
      }
      return batch;
    },
    error: (predictions, batch) => nmse(predictions, batch, Math.min(WARMUP, T - 1)),
  };
}

/** The persistence forecast's normalised MSE on z[from, to): x_{t+1} predicted by x_t. */
function persistenceError(z: Float64Array, from: number, to: number): number {
  const n = to - from - 1;
  let err = 0;
  let mean = 0;
  for (let t = from; t < to - 1; t++) {
    err += (z[t + 1]! - z[t]!) ** 2 / n;
    mean += z[t + 1]! / n;
  }
  let variance = 0;
  for (let t = from; t < to - 1; t++) variance += (z[t + 1]! - mean) ** 2 / n;
  return err / Math.max(variance, 1e-12);
}
