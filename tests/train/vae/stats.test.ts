import { describe, expect, it } from 'vitest';
import { ranks, spearman } from '../../../src/train/vae/stats.js';
import { entropy } from '../../../src/train/vae/data.js';

describe('spearman', () => {
  it('averages tied ranks', () => {
    expect(ranks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
  });
  it('is 1 for any increasing relation and -1 for a decreasing one', () => {
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 1000])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [9, 4, 1, 0])).toBeCloseTo(-1, 12);
  });
  it('matches the textbook formula 1 - 6Σd²/(n(n²-1)) without ties', () => {
    // ranks a = 1..5, b = 2,1,4,3,5: Σd² = 4, rho = 1 - 24/120 = 0.8
    expect(spearman([1, 2, 3, 4, 5], [20, 10, 40, 30, 50])).toBeCloseTo(0.8, 12);
  });
  it('entropy of counts is in nats', () => {
    expect(entropy([5, 5])).toBeCloseTo(Math.log(2), 12);
    expect(entropy([1, 0, 0])).toBe(0);
  });
});
