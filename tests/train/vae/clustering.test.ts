import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/random.js';
import { entropyDeficit, kMeansByBic, massRatio, mixtureByBic } from '../../../src/train/vae/clustering.js';

/** Three well-separated 2-D Gaussian blobs (sd 0.3, centres 10 apart) holding 600, 300 and 100 points. */
function blobs(seed: number): Float64Array {
  const random = createRandom(seed);
  const centres = [[0, 0], [10, 0], [0, 10]];
  const sizes = [600, 300, 100];
  const out: number[] = [];
  sizes.forEach((n, c) => {
    for (let i = 0; i < n; i++) out.push(centres[c]![0]! + 0.3 * random.normal(), centres[c]![1]! + 0.3 * random.normal());
  });
  return Float64Array.from(out);
}

describe('clustering for imbalance', () => {
  for (const [name, fit] of [['k-means', kMeansByBic], ['diagonal Gaussian mixture', mixtureByBic]] as const) {
    it(`${name}: BIC picks the 3 blobs of 600/300/100 among k = 2..6 and recovers their masses (0.005)`, () => {
      for (const seed of [1, 2]) {
        const result = fit(blobs(seed), 2, [2, 3, 4, 5, 6], createRandom(seed));
        expect(result.k, `seed ${seed}`).toBe(3);
        const masses = [...result.masses].sort((a, b) => b - a);
        [0.6, 0.3, 0.1].forEach((m, c) => expect(Math.abs(masses[c]! - m)).toBeLessThan(0.005));
        expect(massRatio(result.masses, 1000)).toBeCloseTo(6, 1);
      }
    });
  }

  it('massRatio ignores clusters under half a point; entropyDeficit is 0 for equal masses and 1 − H/log k otherwise (1e-12)', () => {
    expect(massRatio([0.5, 0.3, 0.2, 0.0001], 1000)).toBeCloseTo(2.5, 12);
    expect(entropyDeficit([0.25, 0.25, 0.25, 0.25])).toBeCloseTo(0, 12);
    const h = -(0.9 * Math.log(0.9) + 0.1 * Math.log(0.1));
    expect(entropyDeficit([0.9, 0.1])).toBeCloseTo(1 - h / Math.log(2), 12);
    expect(entropyDeficit([1])).toBe(0);
  });
});
