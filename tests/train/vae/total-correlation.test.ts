import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../../src/engine/index.js';
import { createRandom } from '../../../src/random.js';
import { stratifiedLogWeights, totalCorrelation, totalCorrelationOnTape } from '../../../src/train/vae/total-correlation.js';

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

  // What β pushes on in beta-TCVAE: two independent uniform factors coded on rotated axes have a
  // larger TC than on the latent axes. The whole population as the batch (M = N, 12 × 12 grid)
  // makes the estimator's mean exact up to the constant log M; the noise is rotated with the codes,
  // so the joint term is the same at every angle and only the marginals differ. Reference: the
  // marginal entropies of the 1-D Gaussian mixtures by quadrature, independent of the estimator.
  it('sees the TC that rotating two uniform factors off the axes adds (quadrature, 0.04 nats)', () => {
    const SIGMA = 0.15;
    const grid = Array.from({ length: 144 }, (_, i) => [((i % 12) / 11 - 0.5) * 3, (Math.floor(i / 12) / 11 - 0.5) * 3]);
    const rotate = ([a, b]: number[], t: number) => [Math.cos(t) * a! - Math.sin(t) * b!, Math.sin(t) * a! + Math.cos(t) * b!];
    const entropy = (means: number[]) => {
      let h = 0;
      const step = SIGMA / 8;
      for (let z = Math.min(...means) - 9 * SIGMA; z <= Math.max(...means) + 9 * SIGMA; z += step) {
        const p = means.reduce((s, m) => s + Math.exp(-0.5 * ((z - m) / SIGMA) ** 2), 0) / (means.length * SIGMA * Math.sqrt(2 * Math.PI));
        if (p > 0) h -= p * Math.log(p) * step;
      }
      return h;
    };
    const marginals = (t: number) => [0, 1].reduce((s, j) => s + entropy(grid.map((v) => rotate(v, t)[j]!)), 0);
    const random = createRandom(11);
    const logvar = new Float64Array(288).fill(2 * Math.log(SIGMA));
    for (const degrees of [20, 45]) {
      const t = (degrees * Math.PI) / 180;
      const draws = 8; // seeds 1-6, both angles: within 0.023 of the quadrature
      let difference = 0;
      for (let d = 0; d < draws; d++) {
        const eps = grid.map(() => [random.normal() * SIGMA, random.normal() * SIGMA]);
        const codes = (angle: number) => {
          const mu = Float64Array.from(grid.flatMap((v) => rotate(v, angle)));
          return { mu, z: Float64Array.from(grid.flatMap((v, i) => rotate([v[0]! + eps[i]![0]!, v[1]! + eps[i]![1]!], angle))) };
        };
        const [rotated, aligned] = [codes(t), codes(0)];
        difference += (totalCorrelation(rotated.z, rotated.mu, logvar, 2, 144).value - totalCorrelation(aligned.z, aligned.mu, logvar, 2, 144).value) / draws;
      }
      const expected = marginals(t) - marginals(0);
      expect(expected, `${degrees}°`).toBeGreaterThan(0.1);
      expect(Math.abs(difference - expected), `${degrees}°: estimator ${difference}, quadrature ${expected}`).toBeLessThanOrEqual(0.04);
    }
  });
});

/** Chen et al.'s minibatch-stratified sampling written out from the paper: row i's own posterior 1/N, the next row (N − M')/(N M'), the rest 1/M', M' = M − 1. */
function referenceStratifiedTc(z: number[], mu: number[], logvar: number[], latent: number, n: number): number {
  const m = z.length / latent;
  const weight = (i: number, k: number) => (k === i ? 1 / n : k === (i + 1) % m ? (n - (m - 1)) / (n * (m - 1)) : 1 / (m - 1));
  const q = (i: number, k: number, j: number) => {
    const v = Math.exp(logvar[k * latent + j]!);
    const d = z[i * latent + j]! - mu[k * latent + j]!;
    return Math.exp(-(d * d) / (2 * v)) / Math.sqrt(2 * Math.PI * v);
  };
  let tc = 0;
  for (let i = 0; i < m; i++) {
    let joint = 0;
    for (let k = 0; k < m; k++) {
      let p = weight(i, k);
      for (let j = 0; j < latent; j++) p *= q(i, k, j);
      joint += p;
    }
    tc += Math.log(joint);
    for (let j = 0; j < latent; j++) {
      let marginal = 0;
      for (let k = 0; k < m; k++) marginal += weight(i, k) * q(i, k, j);
      tc -= Math.log(marginal);
    }
  }
  return tc / m;
}

describe('total correlation (minibatch-stratified sampling)', () => {
  it('weights each row\'s posteriors to a sum of 1 (1e-12)', () => {
    for (const [rows, n] of [[2, 10], [3, 3], [16, 20000], [64, 737280]] as const) {
      const w = stratifiedLogWeights(rows, n);
      for (let i = 0; i < rows; i++) {
        let sum = 0;
        for (let k = 0; k < rows; k++) sum += Math.exp(w[i * rows + k]!);
        expect(sum, `${rows} rows of ${n}`).toBeCloseTo(1, 12);
      }
    }
  });

  it('matches the estimator written out from the paper on 25 seeded batches (1e-9 relative)', () => {
    for (let seed = 1; seed <= 25; seed++) {
      const rows = 3 + (seed % 7);
      const latent = 1 + (seed % 4);
      const { z, mu, logvar } = batch(seed, rows, latent);
      const expected = referenceStratifiedTc(z, mu, logvar, latent, 1000);
      const got = totalCorrelation(z, mu, logvar, latent, 1000, 'mss').value;
      expect(Math.abs(got - expected), `seed ${seed}`).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(expected)));
    }
  });

  it('puts its gradient with respect to z, mu and logvar on the tape (central differences, 1e-6)', () => {
    for (const seed of [3, 4, 5]) {
      const { z, mu, logvar } = batch(seed, 5, 3);
      const tensor = (data: number[]) => ({ shape: [5, 3], data: Float64Array.from(data) });
      const result = gradcheck((tape, [zv, muv, lv]) => totalCorrelationOnTape(tape, zv!, muv!, lv!, 200, 'mss').term, [tensor(z), tensor(mu), tensor(logvar)]);
      expect(result.maxError, `seed ${seed}`).toBeLessThan(1e-6);
    }
  });

  // Every row with the same posterior: q(z) = q(z|x) factorises, so the TC is 0. Stratified
  // weights sum to 1 and find it; minibatch weighting's total weight is M/(N M) = 1/N for the joint
  // and for each marginal, so it is off by (latent − 1) log N whenever N exceeds one.
  it('is 0 when every row shares one posterior, where minibatch weighting is off by (latent − 1) log N (1e-9)', () => {
    const random = createRandom(8);
    const [rows, latent, n] = [16, 4, 20000];
    const mu = Array.from({ length: rows * latent }, (_, i) => [0.3, -0.7, 1.1, 0][i % latent]!);
    const logvar = Array.from({ length: rows * latent }, (_, i) => [-1, 0, -2, 0.5][i % latent]!);
    const z = mu.map((m, i) => m + random.normal() * Math.exp(0.5 * logvar[i]!));
    expect(totalCorrelation(z, mu, logvar, latent, n, 'mss').value).toBeCloseTo(0, 9);
    expect(totalCorrelation(z, mu, logvar, latent, n, 'mws').value).toBeCloseTo((latent - 1) * Math.log(n), 9);
  });
});
