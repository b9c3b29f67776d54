import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/random.js';
import { entropy } from '../../../src/train/vae/data.js';
import { flatteningDivergence, imbalanceScore, imbalancedCounts, imbalancedSubset } from '../../../src/train/vae/imbalance.js';

/** Separate unit Gaussians in 2-D (centres 8 apart on a line), `counts[c]` points each. */
function mixture(counts: readonly number[], seed: number): Float64Array {
  const random = createRandom(seed);
  const total = counts.reduce((a, b) => a + b, 0);
  const points = new Float64Array(total * 2);
  let i = 0;
  counts.forEach((n, c) => {
    for (let t = 0; t < n; t++, i++) {
      points[2 * i] = 8 * c + random.normal();
      points[2 * i + 1] = random.normal();
    }
  });
  return points;
}

describe('imbalance', () => {
  it('flatteningDivergence is 0 for a constant density and log C − H(π) for blocks of densities π_c', () => {
    expect(flatteningDivergence([2, 2, 2])).toBeCloseTo(0, 12);
    // 900 points at density 0.9, 100 at 0.1 (two equal-volume regions): log 2 − H(0.9, 0.1).
    const logp = [...Array<number>(900).fill(Math.log(0.9)), ...Array<number>(100).fill(Math.log(0.1))];
    expect(flatteningDivergence(logp)).toBeCloseTo(Math.log(2) - entropy([9, 1]), 12);
  });

  it('scores a balanced two-Gaussian mixture near 0 and a 9:1 mixture between 0 and log 2 − H(0.9, 0.1) = 0.368', () => {
    // Measured over seeds 1-3: balanced −0.05 to −0.06, 9:1 0.17 to 0.29. The score falls short
    // of 0.368 because the 100-point minority samples its own tails more thinly.
    for (const seed of [1, 2, 3]) {
      const balanced = imbalanceScore(mixture([500, 500], seed), 2, createRandom(2));
      const skewed = imbalanceScore(mixture([900, 100], seed), 2, createRandom(2));
      expect(Math.abs(balanced.score)).toBeLessThan(0.1);
      expect(skewed.score).toBeGreaterThan(0.12);
      expect(skewed.score).toBeLessThan(0.368 + 0.05);
      expect(skewed.score).toBeGreaterThan(balanced.score + 0.15);
    }
  });

  it('orders five-class mixtures by their true ratio', () => {
    const scores = [1, 4, 16, 64].map((ratio) => imbalanceScore(mixture(imbalancedCounts('long-tail', ratio, 5, 1000), 3), 2, createRandom(4)).score);
    for (let i = 1; i < scores.length; i++) expect(scores[i]!).toBeGreaterThan(scores[i - 1]!);
  });

  it('imbalancedCounts: step and long-tail profiles with the requested ratio and total', () => {
    expect(imbalancedCounts('step', 4, 4, 100)).toEqual([40, 40, 10, 10]);
    expect(imbalancedCounts('long-tail', 100, 3, 111)).toEqual([100, 10, 1]);
    expect(imbalancedCounts('step', 1, 10, 2000)).toEqual(Array<number>(10).fill(200));
  });

  it('imbalancedSubset draws the requested rows per class', () => {
    const labels = Int32Array.from({ length: 60 }, (_, i) => i % 3);
    const data = { count: 60, dim: 1, values: Float32Array.from(labels), labels };
    const subset = imbalancedSubset(data, [10, 5, 1], [2, 0, 1], createRandom(5));
    const counts = [0, 0, 0];
    subset.labels!.forEach((l, i) => {
      counts[l]!++;
      expect(subset.values[i]).toBe(l);
    });
    expect(counts).toEqual([5, 1, 10]);
  });
});
