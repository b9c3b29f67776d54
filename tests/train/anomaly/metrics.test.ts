import { describe, expect, it } from 'vitest';
import { evaluate, flag, pickThreshold, quantile, rollingZScore, runsOf } from '../../../src/train/anomaly/index.js';
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

  it('segment-wise without tolerance: 1 of 2 segments found, 1 of 3 runs correct → F1 0.4', () => {
    const { segments } = evaluate(flags, labels);
    expect(segments).toMatchObject({ found: 1, labelled: 2, correctRuns: 1, runs: 3, precision: 1 / 3, recall: 0.5 });
    expect(segments.f1).toBeCloseTo(0.4, 12);
  });

  it('segment-wise with tolerance 2: runs starting within 2 steps after a segment count as correct → F1 2/3', () => {
    const { segments } = evaluate(flags, labels, { tolerance: 2 });
    expect(segments).toMatchObject({ found: 1, correctRuns: 3, runs: 3, precision: 1, recall: 0.5 });
    expect(segments.f1).toBeCloseTo(2 / 3, 12);
  });

  it('evaluates only [from, to)', () => {
    const { points, segments } = evaluate(flags, labels, { from: 4 });
    expect(points).toMatchObject({ truePositives: 0, falsePositives: 2, falseNegatives: 1 });
    expect(segments).toMatchObject({ found: 0, labelled: 1, runs: 2 });
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
