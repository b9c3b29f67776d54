import { describe, expect, it } from 'vitest';
import { evaluate, flag, hampelScore, pickThreshold, quantile, rangeScores, referenceFlags, rollingZScore, runsOf } from '../../../src/train/anomaly/index.js';
import { scoresOf } from '../../../src/train/anomaly/metrics.js';

describe('threshold', () => {
  it('quantile interpolates between order statistics as numpy does', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([4, 1, 3, 2], 0.25)).toBe(1.75);
    expect(quantile([4, 1, 3, 2], 1)).toBe(4);
    expect(quantile([4, 1, 3, 2], 0)).toBe(1);
    expect(quantile([Number.NaN, 5, 1], 1)).toBe(5);
    expect(() => quantile([1], 1.5)).toThrow('quantile must be in [0, 1], got 1.5');
  });

  it('pickThreshold reads only the held-out range; flag never flags NaN', () => {
    expect(pickThreshold([100, 100, 1, 2, 3, 100], 2, 5, 1)).toBe(3);
    expect(Array.from(flag([Number.NaN, 0.5, 3, 3.0001], 3))).toEqual([0, 0, 0, 1]);
  });
});

describe('metrics', () => {
  // Windows [1, 3) and [5, 6); flags at 1, 4 and 7.
  const labels = [0, 1, 1, 0, 0, 1, 0, 0];
  const flags = [0, 1, 0, 0, 1, 0, 0, 1];

  it('runsOf finds maximal runs, including one that reaches the end', () => {
    expect(runsOf([1, 1, 0, 1, 0, 0, 1])).toEqual([{ start: 0, end: 2 }, { start: 3, end: 4 }, { start: 6, end: 7 }]);
    expect(runsOf([1, 1, 0, 1], 1, 3)).toEqual([{ start: 1, end: 2 }]);
  });

  it('point-wise: 1 hit, 2 false alarms, 2 misses → precision = recall = F1 = 1/3', () => {
    const { points } = evaluate(flags, labels);
    expect(points).toEqual({ truePositives: 1, falsePositives: 2, falseNegatives: 2, precision: 1 / 3, recall: 1 / 3, f1: 1 / 3 });
  });

  it('events: 1 of 2 windows detected with delay 0; runs at 4 and 7 touch no window → 2 false-positive runs', () => {
    const { events } = evaluate(flags, labels);
    expect(events).toEqual({ detected: 1, labelled: 2, runs: 3, falsePositiveRuns: 2, delays: [0] });
  });

  it('events with tolerance: a run starting fewer than `tolerance` steps after a window belongs to it', () => {
    // Tolerance 1: the run at 4 starts 1 step after [1, 3) ends (4 < 3 + 1 fails), the run at 7 1 step after [5, 6) → both false.
    expect(evaluate(flags, labels, { tolerance: 1 }).events.falsePositiveRuns).toBe(2);
    // Tolerance 2: 4 < 3 + 2 and 7 < 6 + 2 → neither is false.
    expect(evaluate(flags, labels, { tolerance: 2 }).events.falsePositiveRuns).toBe(0);
  });

  it('detection delay: steps from a window\'s start to its first flag', () => {
    // Windows [2, 6) and [8, 10); first flags at 4 and 9 → delays 2 and 1.
    const { events } = evaluate([0, 0, 0, 0, 1, 1, 0, 0, 0, 1], [0, 0, 1, 1, 1, 1, 0, 0, 1, 1]);
    expect(events.delays).toEqual([2, 1]);
  });

  it('composite F1 (Garg et al. 2021): point precision 1/3, event recall 1/2 → 2·(1/6)/(5/6) = 0.4', () => {
    const { composite } = evaluate(flags, labels);
    expect(composite.precision).toBeCloseTo(1 / 3, 12);
    expect(composite.recall).toBe(0.5);
    expect(composite.f1).toBeCloseTo(0.4, 12);
  });

  it('range-based (Tatbul et al. 2018, α 0.5, flat bias, γ 1/x): recall 0.375, precision 1/3, F1 6/17', () => {
    // Recall: [1,3) exists (1) and half of it is flagged → 0.5·1 + 0.5·0.5 = 0.75; [5,6) → 0; mean 0.375.
    // Precision: run [1,2) lies wholly in a window → 1; runs [4,5) and [7,8) → 0; mean 1/3.
    // F1 = 2·(1/3)·0.375 / (1/3 + 0.375) = 0.25 / (17/24) = 6/17.
    const { range } = evaluate(flags, labels);
    expect(range.recall).toBeCloseTo(0.375, 12);
    expect(range.precision).toBeCloseTo(1 / 3, 12);
    expect(range.f1).toBeCloseTo(6 / 17, 12);
  });

  it('range-based cardinality: one window [0, 6) flagged in 3 pieces covering 4 steps → overlap (4/6)·(1/3), recall 0.5 + 0.5·2/9', () => {
    const r = rangeScores([{ start: 0, end: 6 }], [{ start: 0, end: 1 }, { start: 2, end: 3 }, { start: 4, end: 6 }]);
    expect(r.recall).toBeCloseTo(0.5 + 1 / 9, 12);
    expect(r.precision).toBe(1);
  });

  it('flagging everything cannot win: one window of 2 in 10 points → point precision 0.2, composite F1 2·0.2/1.2 = 1/3, range precision 0.2', () => {
    const windowLabels = [0, 0, 1, 1, 0, 0, 0, 0, 0, 0];
    const { everything, nothing } = referenceFlags(10, 0);
    const all = evaluate(everything, windowLabels);
    expect(all.points.precision).toBeCloseTo(0.2, 12);
    expect(all.composite.f1).toBeCloseTo(1 / 3, 12);
    expect(all.range).toMatchObject({ recall: 1, precision: 0.2 });
    expect(all.events).toMatchObject({ detected: 1, falsePositiveRuns: 0, runs: 1 });
    const none = evaluate(nothing, windowLabels);
    expect(none.composite).toEqual({ precision: Number.NaN, recall: 0, f1: 0 });
    expect(none.range).toEqual({ precision: Number.NaN, recall: 0, f1: 0 });
  });

  it('evaluates only [from, to)', () => {
    const { points, events } = evaluate(flags, labels, { from: 4 });
    expect(points).toMatchObject({ truePositives: 0, falsePositives: 2, falseNegatives: 1 });
    expect(events).toMatchObject({ detected: 0, labelled: 1, runs: 2 });
  });

  it('flagging nothing scores F1 0 with an undefined (NaN) precision; no labels leaves recall NaN', () => {
    expect(scoresOf(0, 0, 0, 3)).toEqual({ precision: Number.NaN, recall: 0, f1: 0 });
    expect(scoresOf(0, 2, 0, 0)).toEqual({ precision: 0, recall: Number.NaN, f1: 0 });
    expect(scoresOf(0, 0, 0, 0)).toEqual({ precision: Number.NaN, recall: Number.NaN, f1: Number.NaN });
  });
});

describe('rolling z-score baseline', () => {
  it('scores a point by its distance from the previous window in standard deviations', () => {
    const scores = rollingZScore({ channels: ['v'], values: Float64Array.from([0, 2, 0, 2, 10, 1]), length: 6 }, 4);
    expect(Array.from(scores.slice(0, 4)).every(Number.isNaN)).toBe(true);
    // Window [0, 2, 0, 2]: mean 1, population std 1 → (10 − 1) / 1.
    expect(scores[4]).toBeCloseTo(9, 6);
    // Window [2, 0, 2, 10]: mean 3.5, std sqrt(14.75).
    expect(scores[5]).toBeCloseTo(2.5 / Math.sqrt(14.75), 6);
  });

  it('takes the root mean square over channels', () => {
    const values = Float64Array.from([0, 0, 2, 2, 0, 0, 2, 2, 10, 1]);
    const scores = rollingZScore({ channels: ['a', 'b'], values, length: 5 }, 4);
    expect(scores[4]).toBeCloseTo(Math.sqrt((81 + 0) / 2), 6);
  });
});

describe('baseline spread floor and the Hampel identifier', () => {
  it('a flat history is divided by 1% of the channel scale, not by 1e-9 (a rounding step of 1e-6 scores 1e-4, not 1000)', () => {
    const flat = { channels: ['v'], values: Float64Array.from([5, 5, 5, 5, 5.000001]), length: 5 };
    // std of the window is 0 → floor 0.01 · 1 → (5.000001 − 5) / 0.01 = 1e-4.
    expect(rollingZScore(flat, 4, Float64Array.of(1))[4]).toBeCloseTo(1e-4, 9);
    expect(hampelScore(flat, 4, Float64Array.of(1))[4]).toBeCloseTo(1e-4, 9);
  });

  it('Hampel: distance from the window median in scaled MADs, and a spike in the window barely moves it', () => {
    const s = (values: number[]) => ({ channels: ['v'], values: Float64Array.from(values), length: values.length });
    // History [1, 2, 3, 4]: median 2.5, |deviations| sorted [0.5, 0.5, 1.5, 1.5] → MAD 1, spread 1.4826; (100 − 2.5)/1.4826 = 65.7628.
    expect(hampelScore(s([1, 2, 3, 4, 100]), 4, Float64Array.of(1))[4]).toBeCloseTo(65.7628, 3);
    // History [1, 2, 3, 1000]: median 2.5, |deviations| [0.5, 0.5, 1.5, 997.5] → MAD 1; (3 − 2.5)/1.4826 = 0.33725.
    expect(hampelScore(s([1, 2, 3, 1000, 3]), 4, Float64Array.of(1))[4]).toBeCloseTo(0.33725, 4);
  });
});
