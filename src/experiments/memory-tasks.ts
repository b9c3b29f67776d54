/**
 * Experiments stage: the long-range memory tasks, the adding problem (Hochreiter and
 * Schmidhuber 1997, experiment 4, in the two-channel form of Arjovsky, Shah and Bengio 2016)
 * and the copy task (Arjovsky et al. 2016). The length argument sets how far back the cell
 * must reach, so running them at growing lengths shows where each cell stops learning.
 */
import type { Random } from '../random.js';
import type { Tensor } from '../engine/index.js';
import { at, emptyBatch, put, type Task, type TaskBatch } from './tasks.js';

/**
 * The adding problem: channel 0 holds values uniform in [0, 1], channel 1 marks two of them,
 * one in each half of the sequence; the output at the last step must be their sum. The error
 * is the test MSE; always answering 1 scores 1/6 ≈ 0.167 (Arjovsky et al.'s baseline), and
 * 0.01 is Hochreiter and Schmidhuber's stopping criterion on the mean squared error.
 */
export function addingTask(T: number): Task {
  const half = Math.floor(T / 2);
  return {
    name: `adding:${T}`,
    title: `Adding problem (T = ${T})`,
    source: 'Hochreiter and Schmidhuber 1997; Arjovsky, Shah and Bengio 2016',
    criterion: 'test MSE of the sum at the last step at most 0.01 (always answering 1 scores 0.167)',
    length: T,
    inputs: 2,
    outputs: 1,
    loss: 'mse',
    lossSteps: [T - 1, T],
    errorName: 'test MSE',
    target: 0.01,
    chance: 1 / 6,
    sample(random: Random, B: number) {
      const batch = emptyBatch(T, B, 2, 1);
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < T; t++) put(batch.xs, t, b, 0, random.next());
        const first = random.int(half);
        const second = half + random.int(T - half);
        put(batch.xs, first, b, 1, 1);
        put(batch.xs, second, b, 1, 1);
        put(batch.ys, T - 1, b, 0, at(batch.xs, first, b, 0) + at(batch.xs, second, b, 0));
      }
      return batch;
    },
    error(predictions: Tensor, batch: TaskBatch) {
      const B = batch.xs.shape[1]!;
      let sum = 0;
      for (let b = 0; b < B; b++) sum += (at(predictions, T - 1, b, 0) - at(batch.ys, T - 1, b, 0)) ** 2;
      return sum / B;
    },
  };
}

/** Symbols to remember and the categories they come from: Arjovsky et al. use 10 of 8; fewer keeps runs small. */
export const COPY_SYMBOLS = 3;
export const COPY_CATEGORIES = 8;

/**
 * The copy task: S symbols (one-hot, from K categories; default COPY_SYMBOLS of
 * COPY_CATEGORIES), then `delay` − 1 blanks, a delimiter, and S more blanks during which the output must repeat the
 * symbols in order; before that it must output blank. Inputs are one-hot over blank, the
 * categories and the delimiter; outputs are logits over blank and the categories. The error
 * is the fraction of copied symbols wrong (argmax); guessing scores 7/8.
 */
export function copyTask(delay: number, S = COPY_SYMBOLS, K = COPY_CATEGORIES): Task {
  const T = S + delay + S;
  const delimiter = K + 1;
  return {
    name: S === COPY_SYMBOLS && K === COPY_CATEGORIES ? `copy:${delay}` : `copy:${delay} (${S} of ${K})`,
    title: `Copy ${S} symbols after ${delay} steps`,
    source: 'Arjovsky, Shah and Bengio 2016 (after Hochreiter and Schmidhuber 1997)',
    criterion: `at most 5% of the copied symbols wrong (guessing gets ${K - 1}/${K} wrong)`,
    length: T,
    inputs: K + 2,
    outputs: K + 1,
    loss: 'bce',
    lossSteps: [0, T],
    errorName: 'fraction of copied symbols wrong',
    target: 0.05,
    chance: (K - 1) / K,
    sample(random: Random, B: number) {
      const batch = emptyBatch(T, B, K + 2, K + 1);
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < T; t++) {
          const symbol = t < S ? 1 + random.int(K) : 0;
          put(batch.xs, t, b, t === S + delay - 1 ? delimiter : symbol, 1);
          put(batch.ys, t, b, t >= S + delay ? symbolAt(batch.xs, t - S - delay, b, K) : 0, 1);
        }
      }
      return batch;
    },
    error(predictions: Tensor, batch: TaskBatch) {
      const B = batch.xs.shape[1]!;
      let wrong = 0;
      for (let b = 0; b < B; b++) {
        for (let t = S + delay; t < T; t++) if (argmax(predictions, t, b, K + 1) !== argmax(batch.ys, t, b, K + 1)) wrong++;
      }
      return wrong / (B * S);
    },
  };
}

function symbolAt(xs: Tensor, t: number, b: number, K: number): number {
  for (let c = 1; c <= K; c++) if (at(xs, t, b, c) === 1) return c;
  return 0;
}

function argmax(values: Tensor, t: number, b: number, n: number): number {
  let best = 0;
  for (let c = 1; c < n; c++) if (at(values, t, b, c) > at(values, t, b, best)) best = c;
  return best;
}
