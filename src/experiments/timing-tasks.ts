/**
 * Experiments stage: the timing tasks of Gers, Schraudolph and Schmidhuber 2002 ("Learning
 * precise timing with LSTM recurrent networks", JMLR 3), where peephole connections let the
 * cell state itself time an interval. Both are scored by exact timing, as in the paper.
 */
import type { Random } from '../random.js';
import type { Tensor } from '../engine/index.js';
import { at, emptyBatch, put, type Task, type TaskBatch } from './tasks.js';

const GERS_2002 = 'Gers, Schraudolph and Schmidhuber 2002, Learning precise timing with LSTM recurrent networks';

/**
 * Measuring spike delays: two input spikes D steps apart (D uniform in [⌈L/2⌉, L]); the
 * output must spike exactly D steps after the second one, so the cell has to measure D and
 * reproduce it. A sequence counts as right when the output's peak after the second input
 * spike falls on the target step; the error is the fraction of sequences wrong.
 */
export function delayTask(maxDelay: number): Task {
  const minDelay = Math.ceil(maxDelay / 2);
  const T = 2 * maxDelay + 4;
  const spikes = (batch: TaskBatch, b: number): [number, number] => {
    let first = -1;
    for (let t = 0; t < T; t++) {
      if (at(batch.xs, t, b, 0) === 0) continue;
      if (first < 0) first = t;
      else return [first, t];
    }
    return [first, first];
  };
  return {
    name: `delay:${maxDelay}`,
    title: `Measure a spike delay (delays ${minDelay} to ${maxDelay})`,
    source: GERS_2002,
    criterion: 'the output peak after the second input spike lies exactly D steps after it (error: fraction of sequences missed)',
    length: T,
    inputs: 1,
    outputs: 1,
    loss: 'mse',
    lossSteps: [0, T],
    errorName: 'fraction of sequences timed wrong',
    target: 0.05,
    chance: 1 - 1 / (maxDelay - minDelay + 1),
    sample(random: Random, B: number) {
      const batch = emptyBatch(T, B, 1, 1);
      for (let b = 0; b < B; b++) {
        const D = minDelay + random.int(maxDelay - minDelay + 1);
        const t1 = random.int(T - 2 * D);
        put(batch.xs, t1, b, 0, 1);
        put(batch.xs, t1 + D, b, 0, 1);
        put(batch.ys, t1 + 2 * D, b, 0, 1);
      }
      return batch;
    },
    error(predictions: Tensor, batch: TaskBatch) {
      const B = batch.xs.shape[1]!;
      let wrong = 0;
      for (let b = 0; b < B; b++) {
        const [t1, t2] = spikes(batch, b);
        let peak = t2 + 1;
        for (let t = t2 + 1; t < T; t++) if (at(predictions, t, b, 0) > at(predictions, peak, b, 0)) peak = t;
        if (peak !== 2 * t2 - t1) wrong++;
      }
      return wrong / B;
    },
  };
}

/**
 * Generating timed spikes: after a trigger at a random step t0 < P, the output must spike at
 * t0 + P, t0 + 2P, … with no further input (the paper's GTS task, here with a trigger so the
 * phase varies). A sequence is right when, after the trigger, the output exceeds 0.5 exactly
 * at the spike steps; the error is the fraction of sequences with any step wrong.
 */
export function spikesTask(period: number): Task {
  const T = 4 * period;
  return {
    name: `spikes:${period}`,
    title: `Generate spikes every ${period} steps`,
    source: GERS_2002,
    criterion: 'after the trigger, the output is above 0.5 exactly at every P-th step (error: fraction of sequences with a step wrong)',
    length: T,
    inputs: 1,
    outputs: 1,
    loss: 'mse',
    lossSteps: [0, T],
    errorName: 'fraction of sequences with a spike wrong',
    target: 0.05,
    chance: 1,
    sample(random: Random, B: number) {
      const batch = emptyBatch(T, B, 1, 1);
      for (let b = 0; b < B; b++) {
        const t0 = random.int(period);
        put(batch.xs, t0, b, 0, 1);
        for (let t = t0 + period; t < T; t += period) put(batch.ys, t, b, 0, 1);
      }
      return batch;
    },
    error(predictions: Tensor, batch: TaskBatch) {
      const B = batch.xs.shape[1]!;
      let wrong = 0;
      for (let b = 0; b < B; b++) {
        let t0 = 0;
        while (at(batch.xs, t0, b, 0) === 0) t0++;
        for (let t = t0 + 1; t < T; t++) {
          if (at(predictions, t, b, 0) > 0.5 !== (at(batch.ys, t, b, 0) === 1)) {
            wrong++;
            break;
          }
        }
      }
      return wrong / B;
    },
  };
}
