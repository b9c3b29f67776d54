import { describe, expect, it } from 'vitest';
import { adam, Tape } from '../../../src/engine/index.js';
import { createRandom } from '../../../src/random.js';
import { batchLoss, createVae, fromJsonModel, optimizerFor, parameterList, reparameterize, toJsonModel, type Vae } from '../../../src/train/vae/model.js';
import { makeShapes } from '../../../src/train/vae/shapes-dataset.js';
import { expectClose } from '../../expect.js';
import { encodeMeans, evaluate, manifold, normalQuantile, trainVae } from '../../../src/train/vae/train.js';

/** input 2, hidden 1, latent 1, with weights chosen so every intermediate is a round number. */
function handModel(): Vae {
  const model = createVae({ input: 2, hidden: 1, latent: 1, beta: 1, likelihood: 'bernoulli' }, createRandom(0));
  const set = (name: keyof Vae['params'], values: number[]) => model.params[name]!.value.data.set(values);
  set('encW', [0, 0]);
  set('encB', [1]); // h = relu(1) = 1
  set('muW', [0.5]);
  set('muB', [0]); // mu = 0.5
  set('logvarW', [0]);
  set('logvarB', [Math.log(0.25)]); // sigma² = 0.25
  set('decW', [1]);
  set('decB', [0]);
  set('outW', [1, -2]);
  set('outB', [0, 0.5]);
  return model;
}

const softplus = (x: number) => Math.log1p(Math.exp(x));

describe('vae model', () => {
  it('batchLoss: KL against its closed form and the Bernoulli reconstruction by hand (1e-6)', () => {
    const model = handModel();
    const x = { shape: [1, 2], data: Float32Array.from([1, 0]) };
    const eps = { shape: [1, 1], data: Float32Array.from([2]) };
    const pieces = batchLoss(new Tape(), model, x, eps);
    // KL(N(0.5, 0.25) ‖ N(0, 1)) = −½(1 + log 0.25 − 0.25 − 0.25)
    const kl = -0.5 * (1 + Math.log(0.25) - 0.25 - 0.25);
    // z = 0.5 + 0.5·2 = 1.5 → logits [1.5, −2.5]; BCE = softplus(−1.5) + softplus(−2.5)
    const recon = softplus(-1.5) + softplus(-2.5);
    expect(pieces.kl).toBeCloseTo(kl, 6);
    expect(pieces.reconstruction).toBeCloseTo(recon, 6);
    expect(pieces.loss.value.data[0]).toBeCloseTo(kl + recon, 6);
  });

  it("evaluate: the PyTorch example's test loss (BCE of the decoded probabilities against the grey values, summed over pixels, + KL, over the row count) by hand (1e-4)", () => {
    // The PyTorch example's test(): F.binary_cross_entropy(recon, x, reduction='sum') on the
    // [0, 1] greys (ToTensor, no binarisation) plus KL, summed over batches, over len(test set).
    const model = handModel();
    model.params.encW.value.data.set([1, -1]); // h = 1 + x₀ − x₁
    model.params.logvarB.value.data.set([-60]); // σ ≈ 1e-13: z = mu whatever the noise
    const rows = [[0.2, 0.7], [1, 0], [0.5, 0.5]];
    const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
    let recon = 0, kl = 0;
    for (const [x0, x1] of rows as [number, number][]) {
      const mu = 0.5 * (1 + x0 - x1);
      // decoder: h₂ = relu(z), logits [h₂, −2h₂ + 0.5]
      const p = [sigmoid(mu), sigmoid(-2 * mu + 0.5)];
      recon -= x0 * Math.log(p[0]!) + (1 - x0) * Math.log(1 - p[0]!) + x1 * Math.log(p[1]!) + (1 - x1) * Math.log(1 - p[1]!);
      kl += -0.5 * (1 - 60 - mu * mu - Math.exp(-60));
    }
    const data = { count: 3, dim: 2, values: Float32Array.from(rows.flat()) };
    const result = evaluate(model, data, createRandom(5), 2); // batches of 2 and 1 rows
    expectClose([result.reconstruction, result.kl, result.loss], [recon / 3, kl / 3, (recon + kl) / 3], { atol: 1e-4 });
  });

  it('beta weights the KL term in the loss only', () => {
    const model = handModel();
    const beta4: Vae = { ...model, config: { ...model.config, beta: 4 } };
    const x = { shape: [1, 2], data: Float32Array.from([1, 0]) };
    const eps = { shape: [1, 1], data: Float32Array.from([2]) };
    const pieces = batchLoss(new Tape(), beta4, x, eps);
    expect(pieces.loss.value.data[0]).toBeCloseTo(pieces.reconstruction + 4 * pieces.kl, 5);
  });

  it('Gaussian likelihood: −log N(x; m, σ²) summed over dimensions, σ² = 1 at initialisation', () => {
    const model = handModel();
    const gaussian = createVae({ ...model.config, likelihood: 'gaussian' }, createRandom(0));
    for (const name of ['encW', 'encB', 'muW', 'muB', 'logvarW', 'logvarB', 'decW', 'decB', 'outW', 'outB'] as const) {
      gaussian.params[name].value.data.set(model.params[name].value.data);
    }
    const x = { shape: [1, 2], data: Float32Array.from([1, 0]) };
    const eps = { shape: [1, 1], data: Float32Array.from([2]) };
    const pieces = batchLoss(new Tape(), gaussian, x, eps);
    // means [1.5, −2.5]: ½[(1.5−1)² + (−2.5)²] + log 2π
    expect(pieces.reconstruction).toBeCloseTo(0.5 * (0.25 + 6.25) + Math.log(2 * Math.PI), 5);
  });

  it('the reparameterized sample has the mean and variance of q (4000 draws, 4 standard errors)', () => {
    const n = 4000;
    const tape = new Tape();
    const mu = tape.variable({ shape: [n, 1], data: new Float32Array(n).fill(0.5) });
    const logvar = tape.variable({ shape: [n, 1], data: new Float32Array(n).fill(Math.log(0.25)) });
    const eps = new Float32Array(n);
    createRandom(9).fillNormal(eps);
    const z = reparameterize(tape, mu, logvar, { shape: [n, 1], data: eps }).value.data;
    const mean = z.reduce((a, b) => a + b, 0) / n;
    const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / n));
    // Var of the sample variance of a normal: 2σ⁴/(n−1).
    expect(Math.abs(variance - 0.25)).toBeLessThan(4 * Math.sqrt((2 * 0.25 ** 2) / (n - 1)));
  });

  it('a short seeded run on shapes lowers the test negative ELBO from about 45 nats to below 20 (measured 15.3)', () => {
    const data = makeShapes(createRandom(1), { side: 8, count: 640 });
    const train = { ...data, count: 512, values: data.values.subarray(0, 512 * 64) };
    const test = { ...data, count: 128, values: data.values.subarray(512 * 64) };
    const before = evaluate(createVae({ input: 64, hidden: 64, latent: 4, beta: 1, likelihood: 'bernoulli' }, createRandom(2).fork()), test, createRandom(3));
    const result = trainVae(train, test, createRandom(2), { hidden: 64, latent: 4, epochs: 12, batch: 32, lr: 3e-3 });
    const last = result.history.at(-1)!;
    expect(before.loss).toBeGreaterThan(40);
    expect(last.testLoss).toBeLessThan(20);
    expect(last.trainLoss).toBeLessThan(result.history[0]!.trainLoss);
    // Same seed, same numbers.
    const again = trainVae(train, test, createRandom(2), { hidden: 64, latent: 4, epochs: 12, batch: 32, lr: 3e-3 });
    expect(again.history.at(-1)!.testLoss).toBe(last.testLoss);
  });

  it('round-trips through JSON and decodes a 2-D manifold', () => {
    const model = createVae({ input: 4, hidden: 3, latent: 2, beta: 1, likelihood: 'bernoulli' }, createRandom(4));
    const copy = fromJsonModel(JSON.parse(JSON.stringify(toJsonModel(model))));
    const data = { count: 2, dim: 4, values: Float32Array.from([0, 1, 0.5, 0.25, 1, 1, 0, 0]) };
    expect(Array.from(encodeMeans(copy, data))).toEqual(Array.from(encodeMeans(model, data)));
    expect(manifold(model, 3).length).toBe(9 * 4);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326347874, 8);
  });

  it('fromJsonModel names what is wrong with a model file', () => {
    const json = toJsonModel(createVae({ input: 4, hidden: 3, latent: 2, beta: 1, likelihood: 'bernoulli' }, createRandom(4))) as { params: Record<string, { shape: number[]; data: number[] }> };
    const fail = (value: unknown) => {
      try {
        fromJsonModel(value, 'm.json');
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    };
    expect(fail({ hello: 1 })).toBe('m.json: not a gateflow VAE model (expected "format": "gateflow-vae")');
    const { encW: _dropped, ...rest } = json.params;
    expect(fail({ ...json, params: rest })).toBe("m.json: parameter 'encW' is missing");
    expect(fail({ ...json, params: { ...json.params, muB: { shape: [3], data: [0, 0, 0] } } })).toBe("m.json: parameter 'muB' has shape [3], expected [2]");
    expect(fail({ ...json, config: { ...(json as unknown as { config: object }).config, likelihood: 'poisson' } })).toBe("m.json: unknown likelihood 'poisson' (bernoulli, gaussian)");
  });
  it("optimizerFor's resident weights and gradients (in Adam's WebAssembly memory) train to the bits of the copying path: 256-64-4 on 16×16 shapes, 4 Adam steps of batch 32", () => {
    const data = makeShapes(createRandom(5), { count: 128 });
    const run = (resident: boolean) => {
      const model = createVae({ input: 256, hidden: 64, latent: 4, beta: 1, likelihood: 'bernoulli' }, createRandom(6));
      const optimizer = resident ? optimizerFor(model, 1e-3) : adam(parameterList(model), { lr: 1e-3, moments: 'float32' });
      const noise = createRandom(7);
      const losses: number[] = [];
      for (let b = 0; b < 4; b++) {
        const x = { shape: [32, 256], data: data.values.subarray(b * 32 * 256, (b + 1) * 32 * 256) };
        const eps = { shape: [32, 4], data: new Float32Array(32 * 4) };
        noise.fillNormal(eps.data);
        const tape = new Tape();
        const pieces = batchLoss(tape, model, x, eps);
        optimizer.zeroGrad();
        tape.backward(pieces.loss);
        optimizer.step();
        losses.push(pieces.loss.value.data[0]!);
      }
      return { losses, params: parameterList(model).map((p) => [...p.value.data]) };
    };
    const [resident, copying] = [run(true), run(false)];
    expect(resident.losses).toEqual(copying.losses);
    expect(resident.losses[3]).toBeLessThan(resident.losses[0]!);
    resident.params.forEach((p, k) => expect(p, `parameter ${k}`).toEqual(copying.params[k]));
  });
});
