// Long series in the detection chart (issue 13: 22,695-point NAB series): lines are thinned to
// each bucket's first, lowest, highest and last finite point (M4), checked on a hand-worked case.
import { describe, expect, it } from 'vitest';
import { decimateLine } from '../../src/plot/detection.js';

describe('decimateLine', () => {
  it('keeps first, lowest, highest and last finite point of each of 2·width buckets, in step order', () => {
    // Width 1 px: 2 buckets, [0, 10) and [10, 20); more than 8 points per pixel, so thinned.
    const y = Array.from({ length: 20 }, (_, t) => t % 5);
    y[0] = Number.NaN;
    y[4] = Number.NaN;
    y[13] = 9;
    // Bucket 1: first finite t=1 (1), lowest t=5 (0), highest t=9 (4), last t=9. Bucket 2: first and lowest t=10 (0), highest t=13 (9), last t=19 (4).
    expect(decimateLine(y, undefined, 1)).toEqual({ x: [1, 5, 9, 10, 13, 19], y: [1, 0, 4, 0, 9, 4] });
    const times = y.map((_, t) => 1000 + 2 * t);
    expect(decimateLine(y, times, 1)!.x).toEqual([1002, 1010, 1018, 1020, 1026, 1038]);
  });

  it('leaves lines of at most 8 points per pixel whole, and bounds the rest to 8 points per pixel', () => {
    expect(decimateLine(new Float64Array(5760), undefined, 720)).toBeUndefined();
    const long = Float64Array.from({ length: 22_695 }, (_, t) => Math.sin(t / 7) + (t === 12_345 ? 50 : 0));
    const thin = decimateLine(long, undefined, 720)!;
    expect(thin.x.length).toBeLessThanOrEqual(4 * 2 * 720);
    expect(thin.x.length).toBeGreaterThan(2 * 2 * 720);
    expect(Math.max(...thin.y)).toBe(long[12_345]);
    expect(thin.x).toContain(12_345);
  });
});
