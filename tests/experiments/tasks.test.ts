// The task generators and their success measures, checked against facts recomputed here from
// the generated inputs (not from the generator's own bookkeeping), closed forms and hand cases.
import { describe, expect, it } from 'vitest';
import { addingTask, copyTask, delayTask, fileTask, sineTask, spikesTask, taskByName, type TaskBatch } from '../../src/experiments/index.js';
import { zeros, type Tensor } from '../../src/engine/index.js';
import { createRandom } from '../../src/random.js';
import { errorOf } from '../expect.js';

const at = (x: Tensor, t: number, b: number, c: number) => x.data[(t * x.shape[1]! + b) * x.shape[2]! + c]!;
const steps = (x: Tensor, b: number, c: number) => Array.from({ length: x.shape[0]! }, (_, t) => t).filter((t) => at(x, t, b, c) !== 0);
const constant = (batch: TaskBatch, value: number): Tensor => ({ shape: batch.ys.shape, data: new Float64Array(batch.ys.data.length).fill(value) });

describe('adding problem', () => {
  const task = addingTask(12);
  const batch = task.sample(createRandom(3), 500, 'train');
  it('adding:12 marks one value in each half and asks for their sum at the last step (to 1e-12)', () => {
    for (let b = 0; b < 500; b++) {
      const marks = steps(batch.xs, b, 1);
      expect(marks.length).toBe(2);
      expect(marks[0]!).toBeLessThan(6);
      expect(marks[1]!).toBeGreaterThanOrEqual(6);
      expect(Math.abs(at(batch.ys, 11, b, 0) - at(batch.xs, marks[0]!, b, 0) - at(batch.xs, marks[1]!, b, 0))).toBeLessThan(1e-12);
    }
  });
  it('answering 1 scores about 1/6, the variance of a sum of two U(0, 1) (500 sequences, within 0.03)', () => {
    expect(Math.abs(task.error(constant(batch, 1), batch) - 1 / 6)).toBeLessThan(0.03);
    expect(task.error(batch.ys, batch)).toBe(0);
  });
});

describe('timing tasks (Gers et al. 2002)', () => {
  it('delay:10 puts two input spikes 5 to 10 apart and the target the same gap after the second', () => {
    const task = delayTask(10);
    const batch = task.sample(createRandom(4), 300, 'train');
    const gaps = new Set<number>();
    for (let b = 0; b < 300; b++) {
      const [t1, t2] = steps(batch.xs, b, 0) as [number, number];
      gaps.add(t2 - t1);
      expect(steps(batch.ys, b, 0)).toEqual([t2 + (t2 - t1)]);
    }
    expect([...gaps].sort((a, b) => a - b)).toEqual([5, 6, 7, 8, 9, 10]);
  });
  it('delay:10 scores the exact target 0 and the target one step late 1', () => {
    const task = delayTask(10);
    const batch = task.sample(createRandom(4), 50, 'train');
    expect(task.error(batch.ys, batch)).toBe(0);
    const late = zeros(batch.ys.shape);
    late.data.set(batch.ys.data.subarray(0, batch.ys.data.length - 50), 50);
    expect(task.error(late, batch)).toBe(1);
  });
  it('spikes:6 asks for a spike every 6 steps after the trigger; silence fails every sequence', () => {
    const task = spikesTask(6);
    const batch = task.sample(createRandom(5), 40, 'train');
    for (let b = 0; b < 40; b++) {
      const [t0] = steps(batch.xs, b, 0) as [number];
      expect(t0).toBeLessThan(6);
      expect(steps(batch.ys, b, 0)).toEqual([t0 + 6, t0 + 12, t0 + 18].filter((t) => t < 24));
    }
    expect(task.error(batch.ys, batch)).toBe(0);
    expect(task.error(constant(batch, 0), batch)).toBe(1);
  });
});

describe('copy task (Arjovsky et al. 2016)', () => {
  const task = copyTask(4);
  const batch = task.sample(createRandom(6), 20, 'train');
  const oneHotAt = (x: Tensor, t: number, b: number) => Array.from({ length: x.shape[2]! }, (_, c) => c).filter((c) => at(x, t, b, c) === 1);

  it('copy:4 is 10 symbols of 8, 3 blanks, the delimiter, then the 10 symbols repeated (T + 20 = 24 steps)', () => {
    expect([task.length, task.inputs, task.outputs]).toEqual([24, 10, 9]);
    for (let b = 0; b < 20; b++) {
      const symbols = Array.from({ length: 10 }, (_, t) => oneHotAt(batch.xs, t, b));
      for (const s of symbols) expect(s.length === 1 && s[0]! >= 1 && s[0]! <= 8).toBe(true);
      expect(steps(batch.xs, b, 9)).toEqual([13]);
      for (let t = 10; t < 24; t++) if (t !== 13) expect(oneHotAt(batch.xs, t, b)).toEqual([0]);
      expect(Array.from({ length: 10 }, (_, k) => oneHotAt(batch.ys, 14 + k, b))).toEqual(symbols);
      for (let t = 0; t < 14; t++) expect(oneHotAt(batch.ys, t, b)).toEqual([0]);
    }
  });

  /** Logits: 1e4 on the named class at (t, b) and 0 elsewhere, or blank at −1e4 and the 8 symbols level (a uniform guess). */
  const logits = (pick: (t: number, b: number) => number | 'guess'): Tensor => {
    const x = zeros(batch.ys.shape);
    for (let t = 0; t < 24; t++) {
      for (let b = 0; b < 20; b++) {
        const k = pick(t, b);
        if (k === 'guess') x.data[(t * 20 + b) * 9] = -1e4;
        else x.data[(t * 20 + b) * 9 + k] = 1e4;
      }
    }
    return x;
  };
  const target = (t: number, b: number) => oneHotAt(batch.ys, t, b)[0]!;

  it('the error is the cross-entropy per step: 0 for certain right answers, the memoryless baseline 10·log 8/(T + 20) for blanks then guesses (to 1e-12)', () => {
    expect(task.error(logits(target), batch)).toBe(0);
    const baseline = (10 * Math.log(8)) / (4 + 20);
    expect(Math.abs(task.chance - baseline)).toBeLessThan(1e-15);
    expect(Math.abs(task.error(logits((t) => (t < 14 ? 0 : 'guess')), batch) - baseline)).toBeLessThan(1e-12);
    expect(Math.abs(task.target - 0.05 * baseline)).toBeLessThan(1e-15);
  });

  it('a certain wrong symbol costs its logit gap: one wrong copy in 20 × 24 rows costs 1e4 / 480 (to 1e-9)', () => {
    const wrongOnce = logits((t, b) => (t === 20 && b === 3 ? (target(t, b) % 8) + 1 : target(t, b)));
    expect(Math.abs(task.error(wrongOnce, batch) - 1e4 / 480)).toBeLessThan(1e-9);
  });
});

describe('next-value tasks', () => {
  it('sine:20 targets are the next input (to 1e-12); perfect prediction scores 0, the mean about 1 (within 0.1)', () => {
    const task = sineTask(20);
    const batch = task.sample(createRandom(7), 200, 'train');
    for (let b = 0; b < 200; b++) for (let t = 0; t < 19; t++) expect(Math.abs(at(batch.ys, t, b, 0) - at(batch.xs, t + 1, b, 0))).toBeLessThan(1e-12);
    expect(task.error(batch.ys, batch)).toBe(0);
    expect(Math.abs(task.error(constant(batch, 0), batch) - 1)).toBeLessThan(0.1);
  });
  it('file: standardises by the first 80%, tests on the last 20%, and targets the persistence forecast’s NMSE', () => {
    // A ramp with a square wave: persistence error is known in closed form on the test part.
    const values = Float64Array.from({ length: 100 }, (_, i) => (i % 4 < 2 ? 1 : -1));
    const task = fileTask('wave.csv', values, 6);
    // Test part: steps 80..99 (z = ±1: the training part has mean 0, sd 1). Of the 19 steps
    // x_t → x_{t+1}, the 9 from odd t jump by ±2: MSE 36/19; the 19 targets hold nine +1 and
    // ten −1: variance 1 − 1/361.
    expect(Math.abs(task.target - 36 / 19 / (1 - 1 / 361))).toBeLessThan(1e-12);
    const batch = task.sample(createRandom(1), 8, 'test');
    for (let t = 0; t < 6; t++) expect(Math.abs(Math.abs(at(batch.xs, t, 0, 0)) - 1)).toBeLessThan(1e-12);
    expect(errorOf(() => fileTask('short.csv', values.subarray(0, 20), 6)).message).toBe(
      'short.csv: 20 values leave too few for windows of 7 in both the training part (first 80%) and the test part; give a shorter length (file:PATH:N) or more data',
    );
  });
});

describe('taskByName', () => {
  it('reads a length after a colon and says what it knows otherwise', () => {
    expect(taskByName('adding:50').length).toBe(50);
    expect(taskByName('delay').name).toBe('delay:10');
    expect(errorOf(() => taskByName('adder')).message).toBe('unknown task \'adder\' (tasks: delay, spikes, sine, adding, copy, file:PATH.csv; a length may follow a colon, as in adding:50)');
    expect(errorOf(() => taskByName('copy:x')).message).toBe("task 'copy:x': the length must be an integer from 2 to 10000, found 'x'");
  });
});
