// The level-relative predictor input (level.ts): by hand, and unchanged by adding a constant.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/random.js';
import { levelRelative } from '../../../src/train/anomaly/index.js';

describe('levelRelative', () => {
  it('by hand, window 2: x − the median of the (up to) 2 values before it; the first step 0; channel by channel', () => {
    // Channel 0: 1, 3, 2, 10, 4 → 0, 3 − 1, 2 − median(1, 3), 10 − median(3, 2), 4 − median(2, 10).
    // Channel 1: NaN at step 1 is left out of the medians and stays NaN.
    const x = Float64Array.of(1, 5, 3, Number.NaN, 2, 7, 10, 9, 4, 8);
    expect([...levelRelative(x, 2, 2)]).toEqual([0, 0, 2, Number.NaN, 0, 2, 7.5, 2, -2, 0]);
  });

  it('is the same for x and x + c (a level the predictor then never sees), on generated random walks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.integer({ min: 1, max: 40 }), (seed, c, window) => {
        const random = createRandom(seed);
        let level = 0;
        const x = Float64Array.from({ length: 120 }, () => (level += random.normal()));
        const shifted = levelRelative(x.map((v) => v + c), 1, window);
        levelRelative(x, 1, window).forEach((v, t) => expect(shifted[t]).toBeCloseTo(v, 9 - Math.ceil(Math.log10(1 + Math.abs(c)))));
      }),
      { seed: 47, numRuns: 25 },
    );
  });
});
