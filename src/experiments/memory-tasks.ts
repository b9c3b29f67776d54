/**
 * Experiments stage: the long-range memory tasks, the adding problem (Hochreiter and
 * Schmidhuber 1997, experiment 4, in the two-channel form of Arjovsky, Shah and Bengio 2016)
 * and the copy task (Arjovsky et al. 2016). The length argument sets how far back the cell
 * must reach, so running them at growing lengths shows where each cell stops learning.
 */
import type { Random } from '../random.js';
import { reshape, Tape, type Tensor } from '../engine/index.js';
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

/** Arjovsky et al.'s copy task: 10 symbols to remember, drawn from 8 categories. */
export const COPY_SYMBOLS = 10;
export const COPY_CATEGORIES = 8;

/**
 * The copy task of Arjovsky, Shah and Bengio (2016): S symbols (one-hot, from K categories;
 * 10 of 8 in the paper), then `delay` − 1 blanks, a delimiter, and S more blanks during which
 * the output must repeat the symbols in order; before that it must output blank. Inputs are
 * one-hot over blank, the K categories and the delimiter (10 in the paper); outputs are logits
 * over blank and the K categories, trained with softmax cross-entropy at every step. The
 * error is that cross-entropy in nats per step, as the paper plots it; a predictor that
 * outputs blank until the delimiter and then guesses uniformly scores S·log K / (delay + 2S),
 * the paper's "memoryless" baseline 10·log 8 / (T + 20).
 */
export function copyTask(delay: number, S = COPY_SYMBOLS, K = COPY_CATEGORIES): Task {
  const T = S + delay + S;
  const delimiter = K + 1;
  const baseline = (S * Math.log(K)) / T;
  return {
    name: S === COPY_SYMBOLS && K === COPY_CATEGORIES ? `copy:${delay}` : `copy:${delay} (${S} of ${K})`,
    title: `Copy ${S} symbols after ${delay} steps`,
    source: 'Arjovsky, Shah and Bengio 2016 (after Hochreiter and Schmidhuber 1997)',
    criterion: `test cross-entropy at most 5% of the memoryless baseline ${S}·log ${K}/${T} = ${baseline.toPrecision(3)} nats per step (each copied symbol then has probability about ${(K ** -0.05).toFixed(2)})`,
    length: T,
    inputs: K + 2,
    outputs: K + 1,
    loss: 'crossEntropy',
    lossSteps: [0, T],
    errorName: 'test cross-entropy (nats per step)',
    target: 0.05 * baseline,
    chance: baseline,
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
      const rows = T * batch.xs.shape[1]!;
      const tape = new Tape({ record: false });
      const logits = tape.constant(reshape(predictions, [rows, K + 1]));
      return tape.softmaxCrossEntropy(logits, tape.constant(reshape(batch.ys, [rows, K + 1]))).value.data[0]!;
    },
  };
}

function symbolAt(xs: Tensor, t: number, b: number, K: number): number {
  for (let c = 1; c <= K; c++) if (at(xs, t, b, c) === 1) return c;
  return 0;
}
