/**
 * The NAB score (Lavin and Ahmad 2015), standard profile, on a series of 100 points with one
 * window [40, 50) (width 10). Every expected number is worked out in the comments from
 *   scaledSigmoid(x) = 2/(1 + e^{5x}) − 1,   maxTP = scaledSigmoid(−1) = 2/(1 + e^{−5}) − 1 = 0.9866143,
 * the probationary period min(floor(0.15·100), 750) = 15, null = −1, perfect = 1.
 */
import { describe, expect, it } from 'vitest';
import { nabScore, nabTotal, probationPeriod, scaledSigmoid } from '../../../src/train/anomaly/index.js';

const labels = Array.from({ length: 100 }, (_, t) => (t >= 40 && t < 50 ? 1 : 0));
const flagsAt = (...ts: number[]) => Array.from({ length: 100 }, (_, t) => (ts.includes(t) ? 1 : 0));

describe('NAB score', () => {
  it('scaled sigmoid: 0.9866143 at −1, 0 at 0, −1 beyond 3; probation min(15%, 750)', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.9866143, 6);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(3.01)).toBe(-1);
    expect(probationPeriod(100)).toBe(15);
    expect(probationPeriod(10000)).toBe(750);
  });

  it('a detection on the window\'s first point scores the perfect 100; nothing scores 0', () => {
    // x = −(49 − 40 + 1)/10 = −1 → reward maxTP/maxTP = 1; raw 1 → 100·(1 + 1)/(1 + 1) = 100.
    expect(nabScore(flagsAt(40), labels)).toMatchObject({ raw: 1, nullScore: -1, perfect: 1, normalised: 100, windows: 1, detected: 1, falsePositives: 0 });
    // raw = A_FN = −1 → 0.
    expect(nabScore(flagsAt(), labels)).toMatchObject({ raw: -1, normalised: 0, detected: 0 });
  });

  it('a detection halfway through the window: x = −(49 − 45 + 1)/10 = −0.5 → 0.848283/0.986614 = 0.859793 → 92.990', () => {
    const s = nabScore(flagsAt(45, 46, 47), labels); // only the first detection in a window counts
    expect(s.raw).toBeCloseTo(0.859793, 5);
    expect(s.normalised).toBeCloseTo(92.990, 2);
  });

  it('a false positive before the window costs 0.11 → raw 0.749793, 87.490; flags in the probationary period are not scored', () => {
    const s = nabScore(flagsAt(10, 20, 45), labels);
    expect(s.falsePositives).toBe(1);
    expect(s.raw).toBeCloseTo(0.749793, 5);
    expect(s.normalised).toBeCloseTo(87.490, 2);
  });

  it('false positives after the window: at 52, x = (52 − 49)/9 = 1/3 → 0.11·σ(1/3) = −0.0750488; at 90, x = 41/9 > 3 → −0.11', () => {
    // σ(1/3) = 2/(1 + e^{5/3}) − 1 = 2/6.294490 − 1 = −0.682262.
    expect(nabScore(flagsAt(40, 52), labels).raw).toBeCloseTo(1 - 0.0750488, 6);
    expect(nabScore(flagsAt(40, 90), labels).raw).toBeCloseTo(1 - 0.11, 12);
  });

  it('scores from the detector\'s scored part: a window that ends before `from` is left out', () => {
    expect(nabScore(flagsAt(), labels, { from: 60 })).toMatchObject({ windows: 0, raw: 0, normalised: Number.NaN, from: 60 });
  });

  it('the total over series normalises the summed raw scores: (1 + 0.859793) and (−1) over 3 windows → 100·(0.859793 + 3)/6 = 64.330', () => {
    const perfect = nabScore(flagsAt(40), labels);
    const half = nabScore(flagsAt(45), labels);
    const missed = nabScore(flagsAt(), labels);
    // raw sum 1 + 0.859793 − 1 = 0.859793; null −3; perfect 3 → 100·3.859793/6 = 64.330.
    expect(nabTotal([perfect, half, missed])).toBeCloseTo(64.330, 2);
  });
});
