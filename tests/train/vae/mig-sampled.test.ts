import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/random.js';
import { mig } from '../../../src/train/vae/mig.js';
import { rotation } from './rotation.js';
import { migSampled, type Posteriors } from '../../../src/train/vae/mig-sampled.js';

const LEVELS = [3, 4, 5, 5];

/** Every combination of four factors (3 × 4 × 5 × 5 = 300 rows), as level indices. */
function factorGrid(): Int32Array {
  const out: number[] = [];
  for (let a = 0; a < LEVELS[0]!; a++) for (let b = 0; b < LEVELS[1]!; b++) for (let c = 0; c < LEVELS[2]!; c++) for (let d = 0; d < LEVELS[3]!; d++) out.push(a, b, c, d);
  return Int32Array.from(out);
}

/** Posteriors whose means are `codes` (rows × 4) and whose standard deviation is 0.02 (levels are 1 apart). */
function posteriors(codes: Float64Array): Posteriors {
  return { latent: 4, mu: codes, logvar: new Float64Array(codes.length).fill(2 * Math.log(0.02)) };
}


/** codes (rows × 4) times Rᵀ. */
function rotate(R: number[][], codes: Float64Array): Float64Array {
  const out = new Float64Array(codes.length);
  for (let i = 0; i < codes.length / 4; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) out[i * 4 + j]! += R[j]![k]! * codes[i * 4 + k]!;
  return out;
}

describe('MIG, Chen et al. 2018 estimator (sampled codes)', () => {
  const factors = factorGrid();
  const count = factors.length / 4;
  // Each latent is one factor's level index: a perfectly disentangled code.
  const identity = Float64Array.from(factors);

  it('gives 1 for identity codes (within 0.02) and names each factor\'s own latent', () => {
    const result = migSampled(posteriors(identity), factors, 4, createRandom(1), { samples: 1000 });
    expect(Math.abs(result.mig - 1)).toBeLessThan(0.02);
    expect(result.perFactor.map((f) => f.best)).toEqual([0, 1, 2, 3]);
    // I(z_k; v_k) is the factor's entropy, log(levels) for a full grid (within 0.02 nats).
    LEVELS.forEach((levels, k) => expect(Math.abs(result.mutualInfo[k]![k]! - Math.log(levels))).toBeLessThan(0.02));
  });

  it('gives 0 (below 0.03) under the Hadamard rotation, and well below 1 (mean 0.19) under random rotations', () => {
    // The Hadamard rotation gives every latent the same |weight| on every factor, so no factor has a gap.
    // A random rotation usually leaves one latent leaning towards a factor: measured 0.269, 0.234, 0.124, 0.138 (seeds 2-5).
    const hadamard = [[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]].map((r) => r.map((v) => v / 2));
    const gaps = [hadamard, ...[2, 3, 4, 5].map(rotation)].map((R) => migSampled(posteriors(rotate(R, identity)), factors, 4, createRandom(1), { samples: 1000 }).mig);
    expect(gaps[0]).toBeLessThan(0.03);
    for (const gap of gaps.slice(1)) expect(gap).toBeLessThan(0.3);
    expect(gaps.slice(1).reduce((a, b) => a + b, 0) / 4).toBeLessThan(0.25);
  });

  it('keeps its value (within 0.01) when the latents are permuted and flipped', () => {
    const permutation = [2, 0, 3, 1];
    const permuted = new Float64Array(count * 4);
    for (let i = 0; i < count; i++) for (let j = 0; j < 4; j++) permuted[i * 4 + j] = -1.5 * identity[i * 4 + permutation[j]!]!;
    // Half the identity code's information: latent 0 sees factor 0 only through its parity.
    const partial = Float64Array.from(identity, (v, i) => (i % 4 === 0 ? v % 2 : v));
    const partialPermuted = new Float64Array(count * 4);
    for (let i = 0; i < count; i++) for (let j = 0; j < 4; j++) partialPermuted[i * 4 + j] = partial[i * 4 + permutation[j]!]!;
    const a = migSampled(posteriors(partial), factors, 4, createRandom(1), { samples: 1000 });
    const b = migSampled(posteriors(partialPermuted), factors, 4, createRandom(1), { samples: 1000 });
    expect(Math.abs(a.mig - b.mig)).toBeLessThan(0.01);
    expect(migSampled(posteriors(permuted), factors, 4, createRandom(1), { samples: 1000 }).mig).toBeGreaterThan(0.98);
  });

  it('averages only the chosen factors (Chen et al. leave out dSprites\'s shape)', () => {
    // Latent 0 carries nothing: factor 0 has no gap, the other three have 1.
    const blind = Float64Array.from(identity, (v, i) => (i % 4 === 0 ? 0 : v));
    const all = migSampled(posteriors(blind), factors, 4, createRandom(1), { samples: 1000 });
    const lastThree = migSampled(posteriors(blind), factors, 4, createRandom(1), { samples: 2000, factorsUsed: [1, 2, 3] });
    expect(Math.abs(all.mig - 0.75)).toBeLessThan(0.02);
    expect(Math.abs(lastThree.mig - 1)).toBeLessThan(0.02);
  });
});

describe('MIG, disentanglement_lib variant (mean codes, 20-bin histograms)', () => {
  const factors = factorGrid();
  const count = factors.length / 4;

  it('gives 1 for identity codes, 0 under the Hadamard rotation, and the same value for a permuted copy (1e-12)', () => {
    const identity = Float64Array.from(factors);
    expect(mig(identity, 4, factors, 4).mig).toBeCloseTo(1, 12);
    const hadamard = [[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]].map((r) => r.map((v) => v / 2));
    expect(mig(rotate(hadamard, identity), 4, factors, 4).mig).toBeLessThan(0.03);
    const mixed = Float64Array.from(rotate(rotation(2), identity), (v, i) => (i % 4 === 1 ? factors[i]! : v));
    const permuted = new Float64Array(factors.length);
    for (let i = 0; i < factors.length / 4; i++) for (let j = 0; j < 4; j++) permuted[i * 4 + j] = mixed[i * 4 + ((j + 1) % 4)]!;
    expect(mig(permuted, 4, factors, 4).mig).toBeCloseTo(mig(mixed, 4, factors, 4).mig, 12);
  });
});
