import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/random.js';
import { makeShapes, renderSquare } from '../../../src/train/vae/shapes-dataset.js';
import { betaSweep, normalisedBeta } from '../../../src/train/vae/sweep.js';

describe('squares and the beta sweep', () => {
  it('renderSquare covers pixels by their exact overlap with the square', () => {
    const out = new Float32Array(16);
    renderSquare(out, 4, 2, 2, 1.5); // square [1.25, 2.75]²
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0.5625, 0.5625, 0, 0, 0.5625, 0.5625, 0, 0, 0, 0, 0]);
  });

  it('makeShapes draws every factor level and keeps every square inside the image', () => {
    const data = makeShapes(createRandom(1), { side: 16, count: 600 });
    expect(data.factorNames).toEqual(['x', 'y', 'scale']);
    for (let f = 0; f < 3; f++) {
      const seen = new Set<number>();
      for (let i = 0; i < data.count; i++) seen.add(data.factors[i * 3 + f]!);
      expect(seen.size).toBe(data.factorLevels[f]);
    }
    // Ink is conserved: each image's total intensity is the square's area (side 16 · 0.2 … 0.45).
    for (let i = 0; i < 20; i++) {
      const ink = data.values.subarray(i * 256, (i + 1) * 256).reduce((a, b) => a + b, 0);
      const scale = data.factors[i * 3 + 2]!;
      const size = 16 * (0.2 + (0.25 * scale) / 3);
      expect(ink).toBeCloseTo(size * size, 3);
    }
  });

  it('sweeps objectives × betas × seeds on sprites: beta-TCVAE at β = 1 is beta-VAE exactly, a larger β-VAE β costs KL, traversals cover every latent', () => {
    const result = betaSweep(createRandom(0), { betas: [1, 8], latent: 3, hidden: 8, epochs: 2, seeds: 2, side: 32, train: 128, heldOut: 100, migSamples: 100, batch: 32 });
    expect(result.rows.map((r) => `${r.objective} ${r.beta}`)).toEqual(['beta-vae 1', 'beta-vae 8', 'beta-tcvae 1', 'beta-tcvae 8']);
    const [vae1, vae8, tc1, tc8] = result.rows;
    // With β = 1 the TC term has weight β − 1 = 0: same seeds, same training, same numbers.
    expect(tc1).toEqual({ ...vae1, objective: 'beta-tcvae' });
    expect(tc8!.reconstruction).not.toBe(vae8!.reconstruction);
    expect(vae8!.kl).toBeLessThan(vae1!.kl);
    expect(vae1!.migBySeed).toHaveLength(2);
    // Higgins et al.'s normalised β, β × latent / pixels: 3 latents over 32 × 32 pixels.
    expect(result.rows.map((r) => r.betaNormalised)).toEqual([3 / 1024, 24 / 1024, 3 / 1024, 24 / 1024]);
    expect(result.migFactors).toEqual(['scale', 'orientation', 'x', 'y']);
    for (const row of result.rows) for (const m of [row.mig, row.migHistogram]) expect(m >= 0 && m <= 1).toBe(true);
    expect(result.traversals.map((t) => `${t.objective} ${t.beta}`)).toEqual(['beta-vae 8', 'beta-tcvae 8']);
    for (const t of result.traversals) {
      expect([...t.order].sort()).toEqual([0, 1, 2]);
      expect(t.images.length).toBe(3 * 9 * 1024);
    }
  });

  it('onlySeeds trains only those of the drawn seeds: the same models, numbered as in the full sweep', () => {
    const options = { betas: [4], objectives: ['beta-tcvae' as const], latent: 3, hidden: 8, epochs: 1, seeds: 2, side: 32, train: 64, heldOut: 60, migSamples: 60, batch: 32 };
    const full = betaSweep(createRandom(6), options);
    const seen: number[] = [];
    const second = betaSweep(createRandom(6), { ...options, onlySeeds: [2], onCheckpoint: (c) => seen.push(c.seed) });
    expect(second.seeds).toBe(1);
    expect(seen).toEqual([2]);
    expect(second.rows[0]!.migBySeed).toEqual([full.rows[0]!.migBySeed[1]]);
    expect(full.rows[0]!.migBySeed[0]).not.toBe(full.rows[0]!.migBySeed[1]);
  });

  it('normalised β: β × latent / pixels, so β 32 at 64×64 weighs what β 8 does at 32×32 (10 latents: 0.078125)', () => {
    expect(normalisedBeta(32, 10, 64 * 64)).toBe(0.078125);
    expect(normalisedBeta(8, 10, 32 * 32)).toBe(0.078125);
    expect(normalisedBeta(4, 10, 64 * 64)).toBeCloseTo(0.00977, 5); // the bar's β 4 at 64×64
    expect(normalisedBeta(1, 10, 32 * 32) / normalisedBeta(1, 10, 64 * 64)).toBe(4);
  });

  it('checkpoints: one per epoch and run, the last one the run\'s own measurements, and training unchanged by them', () => {
    const options = { betas: [4], objectives: ['beta-tcvae' as const], latent: 3, hidden: 8, epochs: 3, seeds: 1, side: 32, train: 64, heldOut: 60, migSamples: 60, batch: 32 };
    const plain = betaSweep(createRandom(5), options);
    const seen: { epoch: number; images: number; mig: number; reconstruction: number; kl: number; migHistogram: number }[] = [];
    const checked = betaSweep(createRandom(5), { ...options, onCheckpoint: (c) => seen.push(c) });
    expect(checked.rows).toEqual(plain.rows);
    expect(seen.map((c) => [c.epoch, c.images])).toEqual([[1, 64], [2, 128], [3, 192]]);
    const last = seen.at(-1)!, row = plain.rows[0]!;
    expect([last.mig, last.reconstruction, last.kl, last.migHistogram]).toEqual([row.mig, row.reconstruction, row.kl, row.migHistogram]);
    // Earlier checkpoints measure earlier models: the held-out reconstruction moves between epochs.
    expect(new Set(seen.map((c) => c.reconstruction)).size).toBe(3);
  });
});
