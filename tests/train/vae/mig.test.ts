import { describe, expect, it } from 'vitest';
import { activeDimensions, discretize, mig, mutualInformation } from '../../../src/train/vae/mig.js';

/** All 4×4 combinations of two factors with 4 levels each, repeated. */
function grid(): Int32Array {
  const out: number[] = [];
  for (let rep = 0; rep < 3; rep++) for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) out.push(a, b);
  return Int32Array.from(out);
}

describe('mig', () => {
  it('discretize puts equal-width bins over [min, max] with max in the last bin', () => {
    expect(Array.from(discretize([0, 0.24, 0.26, 0.5, 0.99, 1], 4))).toEqual([0, 0, 1, 2, 3, 3]);
  });

  it('mutual information of a variable with itself is its entropy, with an independent one 0', () => {
    const f = grid();
    const a = Int32Array.from({ length: 48 }, (_, i) => f[2 * i]!);
    const b = Int32Array.from({ length: 48 }, (_, i) => f[2 * i + 1]!);
    expect(mutualInformation(a, a)).toBeCloseTo(Math.log(4), 12);
    expect(mutualInformation(a, b)).toBeCloseTo(0, 12);
  });

  it('is 1 when each latent copies one factor (a perfectly disentangled code)', () => {
    const factors = grid();
    const codes = Float64Array.from(factors, (v) => v * 0.7 - 1);
    const result = mig(codes, 2, factors, 2);
    expect(result.mig).toBeCloseTo(1, 12);
    expect(result.perFactor.map((f) => f.best)).toEqual([0, 1]);
  });

  it('is 0 when two latents carry the same factor equally (no gap)', () => {
    const factors = grid();
    const codes: number[] = [];
    for (let i = 0; i < 48; i++) codes.push(factors[2 * i]!, factors[2 * i]! * -2, factors[2 * i + 1]!);
    // factor 0: latents 0 and 1 both hold log 4 → gap 0; factor 1: latent 2 alone → gap 1. Mean 0.5.
    const result = mig(Float64Array.from(codes), 3, factors, 2);
    expect(result.perFactor[0]!.gap).toBeCloseTo(0, 12);
    expect(result.perFactor[1]!.gap).toBeCloseTo(1, 12);
    expect(result.mig).toBeCloseTo(0.5, 12);
  });

  it('gives the hand-computed gap when a latent sees a factor only coarsely', () => {
    const factors = grid();
    const codes: number[] = [];
    // latent 0 = factor 0 exactly (I = log 4); latent 1 = factor 0 halved into 2 levels (I = log 2).
    for (let i = 0; i < 48; i++) codes.push(factors[2 * i]!, factors[2 * i]! >= 2 ? 1 : 0);
    const result = mig(Float64Array.from(codes), 2, factors, 2);
    // factor 0: (log 4 - log 2) / log 4 = 0.5; factor 1: no latent informative → 0.
    expect(result.perFactor[0]!.gap).toBeCloseTo(0.5, 12);
    expect(result.perFactor[1]!.gap).toBeCloseTo(0, 12);
    expect(result.mig).toBeCloseTo(0.25, 12);
  });

  it('activeDimensions counts latents whose means vary by more than 0.01', () => {
    // dim 0 varies ±1 (var 1), dim 1 by ±0.05 (var 0.0025), dim 2 by ±0.2 (var 0.04).
    const means = Float64Array.from([1, 0.05, 0.2, -1, -0.05, -0.2]);
    expect(activeDimensions(means, 3)).toBe(2);
  });
});
