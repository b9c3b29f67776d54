// tape.softmaxCrossEntropy: values against log-sum-exp written out here with Math (and a closed
// form), gradients against central differences, and logits of ±1e4 that a naive
// log(softmax) turns into NaN or infinity.
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/random.js';
import { gradcheck, randn, tensor, Tape, type Tensor } from '../../src/engine/index.js';
import { expectClose } from '../expect.js';

const random = createRandom(11);

/** One-hot rows [N, C] for the given classes. */
function oneHot(classes: readonly number[], C: number): Tensor {
  return tensor(classes.map((k) => Array.from({ length: C }, (_, c) => (c === k ? 1 : 0))));
}

/** Soft targets: each row a random distribution over C classes. */
function distributions(N: number, C: number): Tensor {
  const t = randn([N, C], random);
  for (let n = 0; n < N; n++) {
    let sum = 0;
    for (let c = 0; c < C; c++) sum += (t.data[n * C + c] = Math.exp(t.data[n * C + c]!));
    for (let c = 0; c < C; c++) t.data[n * C + c]! /= sum;
  }
  return t;
}

/** −Σ y log(e^x / Σ e^x), the textbook form (fine for moderate logits). */
function naive(logits: Tensor, target: Tensor): number {
  const [N, C] = logits.shape as [number, number];
  let loss = 0;
  for (let n = 0; n < N; n++) {
    let z = 0;
    for (let c = 0; c < C; c++) z += Math.exp(logits.data[n * C + c]!);
    for (let c = 0; c < C; c++) loss -= target.data[n * C + c]! * Math.log(Math.exp(logits.data[n * C + c]!) / z);
  }
  return loss / N;
}

const run = (logits: Tensor, target: Tensor, reduction?: 'sum' | 'mean') => {
  const tape = new Tape({ record: false });
  return tape.softmaxCrossEntropy(tape.constant(logits), tape.constant(target), reduction).value.data[0]!;
};

describe('softmaxCrossEntropy', () => {
  it('logits [1, 2, 3] against class 0 cost log(e + e² + e³) − 1 = 2.4076059644443806 (to 1e-15)', () => {
    expectClose([run(tensor([[1, 2, 3]]), oneHot([0], 3))], [Math.log(Math.E + Math.E ** 2 + Math.E ** 3) - 1], { atol: 1e-15 });
    expectClose([run(tensor([[1, 2, 3]]), oneHot([0], 3))], [2.4076059644443806], { atol: 1e-15 });
  });

  it('matches the textbook −Σ y log softmax on random logits and targets, mean and sum (rtol 1e-13)', () => {
    const logits = randn([6, 5], random);
    for (const target of [oneHot([0, 4, 2, 2, 1, 3], 5), distributions(6, 5)]) {
      expectClose([run(logits, target)], [naive(logits, target)], { rtol: 1e-13 });
      expectClose([run(logits, target, 'sum')], [6 * naive(logits, target)], { rtol: 1e-13 });
    }
  });

  it('an all-zero target row adds nothing to the sum', () => {
    const logits = randn([2, 4], random);
    const target = tensor([[0, 1, 0, 0], [0, 0, 0, 0]]);
    const first = { shape: [1, 4], data: logits.data.slice(0, 4) };
    expectClose([run(logits, target, 'sum')], [run(first, oneHot([1], 4), 'sum')], { atol: 1e-15 });
  });

  it.each([
    ['one-hot targets, mean', () => [randn([4, 5], random), oneHot([1, 0, 4, 2], 5)], 'mean'],
    ['soft targets, sum (the gradient reaches the targets too)', () => [randn([3, 6], random), distributions(3, 6)], 'sum'],
    ['a single row [C]', () => [randn([7], random), tensor([0, 0, 1, 0, 0, 0, 0])], 'mean'],
  ] as const)('gradient with %s matches central differences (h 1e-6, max |a − n| / (1 + |n|) < 1e-8)', (_name, make, reduction) => {
    const [logits, target] = make();
    const { maxError, analytic } = gradcheck((t, [x, y]) => t.softmaxCrossEntropy(x!, y!, reduction), [logits!, target!]);
    expect(analytic[0]!.some((g) => g !== 0)).toBe(true);
    expect(maxError).toBeLessThan(1e-8);
  });

  it('logits of ±1e4: finite loss and gradient, with the values of the limit (atol 1e-12)', () => {
    const logits = tensor([[1e4, -1e4, 0], [-1e4, -1e4, 1e4], [-1e4, -1e4, -1e4]]);
    const target = oneHot([1, 2, 0], 3);
    expect(Number.isNaN(naive(logits, target))).toBe(true); // what the fused op is for
    const tape = new Tape();
    const x = tape.variable(logits);
    const loss = tape.softmaxCrossEntropy(x, tape.constant(target));
    tape.backward(loss);
    // Row 0: log Σ e^x = 1e4, so −log p_1 = 2e4; row 1: p_2 = 1, cost 0; row 2: uniform, log 3.
    expectClose([loss.value.data[0]!], [(2e4 + 0 + Math.log(3)) / 3], { atol: 1e-12 });
    // ∂/∂x = (softmax − y) / N per row.
    expectClose(x.grad!, [1 / 3, -1 / 3, 0, 0, 0, 0, (1 / 3 - 1) / 3, 1 / 9, 1 / 9], { atol: 1e-12 });
    // Central differences still agree there, with a step the loss's size allows (h 1e-3, 1e-8).
    const { maxError } = gradcheck((t, [v]) => t.softmaxCrossEntropy(v!, t.constant(target)), [logits], { h: 1e-3 });
    expect(maxError).toBeLessThan(1e-8);
  });

  it('refuses a target of another shape, naming both', () => {
    const tape = new Tape();
    expect(() => tape.softmaxCrossEntropy(tape.constant(randn([2, 3], random)), tape.constant(randn([2, 4], random)))).toThrow(
      "softmaxCrossEntropy: tensor 'target' has shape [2, 4], expected [2, 3]",
    );
  });
});
