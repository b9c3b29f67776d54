// The level-relative predictor input (level.ts): by hand, and unchanged by adding a constant.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/random.js';
import { levelDeparture, levelRelative } from '../../../src/train/anomaly/index.js';

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

describe('levelDeparture', () => {
  it('by hand, reference 2, persistence 3: the median of the last 3 level-relative values; NaN for the first 4 steps', () => {
    // u = 0, 3 − 1, 2 − median(1, 3), 10 − median(3, 2), 4 − median(2, 10), 6 − median(10, 4) = 0, 2, 0, 7.5, −2, −1;
    // medians of the last 3: t = 4 → median(0, 7.5, −2) = 0, t = 5 → median(7.5, −2, −1) = −1, |·| = 1.
    const S = levelDeparture(Float64Array.of(1, 3, 2, 10, 4, 6), 1, 2, 3);
    expect([...S]).toEqual([Number.NaN, Number.NaN, Number.NaN, Number.NaN, 0, 1]);
  });

  it('two channels: the root mean square of the channels\' medians', () => {
    // Channel 0 as above (L_5 = −1); channel 1 is twice channel 0 plus 5 (L_5 = −2): √((1 + 4) / 2).
    const a = [1, 3, 2, 10, 4, 6];
    const x = Float64Array.from(a.flatMap((v) => [v, 2 * v + 5]));
    expect(levelDeparture(x, 2, 2, 3)[5]).toBeCloseTo(Math.sqrt(2.5), 12);
  });

  it('on a generated ramp: |slope|·(reference + 1)/2 once reference + persistence steps of it have passed; 0 on a flat stretch with spikes shorter than persistence/2', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.double({ min: -2, max: 2, noNaN: true }), fc.integer({ min: 5, max: 60 }), fc.integer({ min: 3, max: 25 }), (seed, slope, reference, persistence) => {
        const random = createRandom(seed);
        const flat = 2 * (reference + persistence);
        const ramp = reference + persistence + 1 + random.int(50);
        const spikeAt = reference + persistence + random.int(reference);
        const spikeLength = Math.max(1, Math.floor((persistence - 1) / 2));
        const x = Float64Array.from({ length: flat + ramp }, (_, t) => (t < flat ? 7 + (t >= spikeAt && t < spikeAt + spikeLength ? 50 : 0) : 7 + slope * (t - flat + 1)));
        const S = levelDeparture(x, 1, reference, persistence);
        for (let t = reference + persistence - 1; t < flat; t++) expect(S[t]).toBe(0);
        for (let t = flat + reference + persistence - 1; t < x.length; t++) expect(S[t]).toBeCloseTo((Math.abs(slope) * (reference + 1)) / 2, 9);
      }),
      { seed: 13, numRuns: 30 },
    );
  });
});
