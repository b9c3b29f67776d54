import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/random.js';
import { makeShapes, renderSquare } from '../../../src/train/vae/shapes-dataset.js';
import { betaSweep } from '../../../src/train/vae/sweep.js';

describe('shapes and the beta sweep', () => {
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

  it('a larger beta buys a smaller KL at the price of reconstruction (tiny sweep, 2 seeds)', () => {
    const result = betaSweep(createRandom(0), { betas: [0.5, 8], latent: 4, hidden: 32, epochs: 3, seeds: 2, shapes: { side: 8, count: 512 } });
    expect(result.rows.map((r) => r.beta)).toEqual([0.5, 8]);
    const [low, high] = result.rows;
    expect(high!.kl).toBeLessThan(low!.kl);
    expect(high!.reconstruction).toBeGreaterThan(low!.reconstruction);
    expect(low!.migBySeed).toHaveLength(2);
    for (const row of result.rows) {
      expect(row.mig).toBeGreaterThanOrEqual(0);
      expect(row.mig).toBeLessThanOrEqual(1);
      expect(row.activeDims).toBeLessThanOrEqual(4);
    }
  });
});
