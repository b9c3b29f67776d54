import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/random.js';
import { gradientVariances, gradvar } from '../../../src/train/vae/gradvar.js';

describe('gradvar', () => {
  it('closed forms: mu=1, sigma=1 gives 30 (score function) and 4 (reparameterized)', () => {
    expect(gradientVariances(1, 1)).toEqual({ scoreFunction: 30, reparameterized: 4 });
    expect(gradientVariances(2, 0.5)).toEqual({ scoreFunction: 16 / 0.25 + 56 + 3.75, reparameterized: 1 });
  });

  it('measured variances match the closed forms within 15 % and both means are unbiased', () => {
    const result = gradvar(createRandom(3), { mu: 1, sigma: 1, sampleCounts: [1, 4, 16], repeats: 4000 });
    for (const row of result.rows) {
      expect(Math.abs(row.scoreFunctionVariance / row.scoreFunctionExact - 1)).toBeLessThan(0.15);
      expect(Math.abs(row.reparameterizedVariance / row.reparameterizedExact - 1)).toBeLessThan(0.15);
      // Standard error of the mean over 4000 repeats: sqrt(var/4000).
      expect(Math.abs(row.scoreFunctionMean - 2)).toBeLessThan(4 * Math.sqrt(row.scoreFunctionExact / 4000));
      expect(Math.abs(row.reparameterizedMean - 2)).toBeLessThan(4 * Math.sqrt(row.reparameterizedExact / 4000));
    }
    expect(result.rows[0]!.scoreFunctionVariance / result.rows[0]!.reparameterizedVariance).toBeGreaterThan(5);
  });
});
