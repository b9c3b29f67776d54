import { describe, expect, it } from 'vitest';
import { loadCell } from '../../../src/index.js';
import { gradcheck, randn } from '../../../src/engine/index.js';
import { createRandom } from '../../../src/random.js';
import { createPredictor, detect, synthSeries, trainingHistory, windowLoss } from '../../../src/train/anomaly/index.js';

describe('BPTT through the next-value predictor', () => {
  it.each(['rnn', 'gru', 'lstm'])('windowLoss(%s) gradients match central differences on a 6-step sequence (rel. error < 1e-6)', (name) => {
    const random = createRandom(7);
    const predictor = createPredictor(loadCell(name), 2, 3, random);
    const xs = randn([6, 2, 2], random);
    const ys = randn([6, 2, 2], random);
    const names = predictor.params.map((p) => p.name);
    const { maxError, analytic } = gradcheck(
      (tape, vars) => windowLoss(tape, predictor, Object.fromEntries(names.map((n, i) => [n, vars[i]!])), xs, ys, 1),
      predictor.params.map((p) => p.value),
      { h: 1e-6 },
    );
    expect(maxError).toBeLessThan(1e-6);
    // The recurrent matrix gets a gradient only through time: it must not be zero.
    const recurrent = names.indexOf(predictor.compiled.recurrent[0]!);
    expect(Math.max(...analytic[recurrent]!.map(Math.abs))).toBeGreaterThan(1e-4);
  });
});

describe('detect() training', () => {
  it('trains rnn (seed 1, hidden 8, window 20, lr 0.01, 12 epochs) on a 1000-point series to a standardised MSE below 0.03, from above 0.3', () => {
    const series = synthSeries({ seed: 1, length: 1000, period: 20, count: 1, kinds: ['spike'] });
    const result = detect(series, { cell: loadCell('rnn'), hidden: 8, window: 20, epochs: 12, lr: 0.01, seed: 1, smooth: 1 });
    const losses = result.history.map((e) => e.loss);
    expect(losses[0]).toBeGreaterThan(0.3);
    expect(losses[losses.length - 1]).toBeLessThan(0.03);
    // The noise alone (0.05 on a signal of std about 0.76) is an MSE of about 0.0043: the floor.
    expect(losses[losses.length - 1]).toBeGreaterThan(0.003);
    // The same seed gives the same run.
    const again = detect(series, { cell: loadCell('rnn'), hidden: 8, window: 20, epochs: 12, lr: 0.01, seed: 1, smooth: 1 });
    expect(again.history.map((e) => e.loss)).toEqual(losses);
    expect(Array.from(again.rnn.scores.slice(900, 910))).toEqual(Array.from(result.rnn.scores.slice(900, 910)));
  });

  it('finds the spike in a short synthetic series and scores it above 3× the threshold', () => {
    const series = synthSeries({ seed: 3, length: 1000, period: 20, count: 1, kinds: ['spike'] });
    const result = detect(series, { cell: loadCell('rnn'), hidden: 8, window: 20, epochs: 12, lr: 0.01, seed: 1, smooth: 1 });
    expect(result.rnn.evaluation!.metrics.events).toMatchObject({ detected: 1, labelled: 1 });
    const spike = series.anomalies[0]!.start;
    expect(result.rnn.flagged[spike]).toBe(1);
    expect(result.rnn.scores[spike]).toBeGreaterThan(3 * result.rnn.threshold);
    expect(result.regions).toEqual({ fitEnd: 300, holdoutEnd: 500, evaluateFrom: 500, separateTraining: false });
  });
});

describe('exploding gradients', () => {
  const series = synthSeries({ seed: 1, length: 1000, period: 20, count: 1, kinds: ['spike'] });
  // The values themselves as input (levelWindow 0): their deviations from the recent level are smaller and explode later.
  const sgd = { cell: loadCell('rnn'), hidden: 8, window: 40, epochs: 6, optimizer: 'sgd' as const, seed: 1, levelWindow: 0 };

  it('SGD at lr 0.5 over 40 steps: without clipping it diverges within 6 epochs, gradient norms past 1e3; clipped at 1 the loss stays below 1', () => {
    const free = trainingHistory(series, { ...sgd, lr: 0.5, clip: 0 });
    const clipped = trainingHistory(series, { ...sgd, lr: 0.5, clip: 1 });
    const last = free[free.length - 1]!;
    expect(last.diverged).toBe(true);
    expect(last.gradNormMax).toBeGreaterThan(1e3);
    // The loss grows every epoch: the gradient feeds on itself through W_hh.
    for (let i = 1; i < free.length; i++) expect(free[i]!.loss).toBeGreaterThan(free[i - 1]!.loss);
    expect(clipped).toHaveLength(6);
    expect(clipped.every((e) => e.loss < 1)).toBe(true);
    expect(clipped[0]!.clippedFraction).toBeGreaterThan(0);
    expect(clipped.every((e) => e.appliedNormMean <= 1 + 1e-9)).toBe(true);
    // Both runs start from the same weights: the first batch's gradient is the same.
    expect(clipped[0]!.gradNormMax).toBeGreaterThan(0);
  });

  it('a diverging run stops with diverged set (trainingHistory) or fails with advice (detect)', () => {
    const history = trainingHistory(series, { ...sgd, lr: 1e8, clip: 0 });
    expect(history[history.length - 1]!.diverged).toBe(true);
    expect(() => detect(series, { ...sgd, lr: 1e8, clip: 0 })).toThrow(/^training diverged in epoch 1 \(loss .*, gradient norm .*\); lower the learning rate or turn clipping on \(--clip\)$/);
  });
});
