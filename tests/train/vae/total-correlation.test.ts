import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../../src/engine/index.js';
import { createRandom } from '../../../src/random.js';
import { totalCorrelation, totalCorrelationOnTape } from '../../../src/train/vae/total-correlation.js';

/** Chen et al.'s minibatch-weighted sampling written out directly: nested loops, log of a plain sum of exps. */
function referenceTc(z: number[], mu: number[], logvar: number[], latent: number, n: number): number {
  const m = z.length / latent;
  const logq = (i: number, k: number, j: number) => {
    const v = Math.exp(logvar[k * latent + j]!);
    const d = z[i * latent + j]! - mu[k * latent + j]!;
    return -0.5 * Math.log(2 * Math.PI * v) - (d * d) / (2 * v);
  };
  let tc = 0;
  for (let i = 0; i < m; i++) {
    let joint = 0;
    for (let k = 0; k < m; k++) {
      let s = 0;
      for (let j = 0; j < latent; j++) s += logq(i, k, j);
      joint += Math.exp(s);
    }
    tc += Math.log(joint / (n * m));
    for (let j = 0; j < latent; j++) {
      let marginal = 0;
      for (let k = 0; k < m; k++) marginal += Math.exp(logq(i, k, j));
      tc -= Math.log(marginal / (n * m));
    }
  }
  return tc / m;
}

function batch(seed: number, rows: number, latent: number) {
  const random = createRandom(seed);
  const draw = (scale: number) => Array.from({ length: rows * latent }, () => random.normal() * scale);
  return { z: draw(1), mu: draw(0.8), logvar: draw(0.3) };
}

describe('total correlation (minibatch-weighted sampling)', () => {
  it('is 0 for one row from a one-row dataset: a diagonal Gaussian factorises (1e-12)', () => {
    expect(totalCorrelation([0.3, -1.2, 2], [0.1, 0, 1], [0, -1, 0.5], 3, 1).value).toBeCloseTo(0, 12);
  });

  it('matches the estimator written out directly on 25 seeded batches (1e-9 relative)', () => {
    for (let seed = 1; seed <= 25; seed++) {
      const rows = 2 + (seed % 7);
      const latent = 1 + (seed % 4);
      const { z, mu, logvar } = batch(seed, rows, latent);
      const expected = referenceTc(z, mu, logvar, latent, 1000);
      const got = totalCorrelation(z, mu, logvar, latent, 1000).value;
      expect(Math.abs(got - expected), `seed ${seed}`).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(expected)));
    }
  });

  it('puts its gradient with respect to z, mu and logvar on the tape (central differences, 1e-6)', () => {
    for (const seed of [3, 4, 5]) {
      const { z, mu, logvar } = batch(seed, 5, 3);
      const tensor = (data: number[]) => ({ shape: [5, 3], data: Float64Array.from(data) });
      const result = gradcheck((tape, [zv, muv, lv]) => totalCorrelationOnTape(tape, zv!, muv!, lv!, 200).term, [tensor(z), tensor(mu), tensor(logvar)]);
      expect(result.maxError, `seed ${seed}`).toBeLessThan(1e-6);
    }
  });
});
