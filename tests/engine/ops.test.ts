// Every engine op: forward against a hand-computed value, backward against central differences (float64).
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/random.js';
import { gradcheck, randn, tensor, Tape, type Tensor, type Var } from '../../src/engine/index.js';
import { KERNELS } from '../../src/engine/kernels.js';
import { expectClose } from '../expect.js';

const random = createRandom(7);
const r = (...shape: number[]): Tensor => randn(shape, random);
/** Strictly positive entries (for div's denominator). */
const positive = (...shape: number[]): Tensor => {
  const t = r(...shape);
  for (let i = 0; i < t.data.length; i++) t.data[i] = 0.5 + Math.abs(t.data[i]!);
  return t;
};
const unit = (...shape: number[]): Tensor => {
  const t = r(...shape);
  for (let i = 0; i < t.data.length; i++) t.data[i] = 1 / (1 + Math.exp(-t.data[i]!));
  return t;
};

type Case = [string, (tape: Tape, v: Var[]) => Var, Tensor[]];
const CASES: Case[] = [
  ['matmul [3,4]·[4,5]', (t, [a, b]) => t.matmul(a!, b!), [r(3, 4), r(4, 5)]],
  ['matmul [5,9]·[9,6] (i-k-j remainder rows)', (t, [a, b]) => t.matmul(a!, b!), [r(5, 9), r(9, 6)]],
  ['linear x[3,4]·W[5,4]ᵀ + b[5]', (t, [x, W, b]) => t.linear(x!, W!, b!), [r(3, 4), r(5, 4), r(5)]],
  ['affine x[3,4]·W[4,5] + b[5]', (t, [x, W, b]) => t.affine(x!, W!, b!), [r(3, 4), r(4, 5), r(5)]],
  ['affine then relu', (t, [x, W, b]) => t.affine(x!, W!, b!, { relu: true }), [r(3, 4), r(4, 5), r(5)]],
  ['linear without bias', (t, [x, W]) => t.linear(x!, W!), [r(2, 3), r(4, 3)]],
  ['add same shape', (t, [a, b]) => t.add(a!, b!), [r(2, 3), r(2, 3)]],
  ['add bias row [3] onto [2,3]', (t, [a, b]) => t.add(a!, b!), [r(2, 3), r(3)]],
  ['add [1,3] onto [2,3]', (t, [a, b]) => t.add(a!, b!), [r(2, 3), r(1, 3)]],
  ['sub scalar minus [2,3]', (t, [a, b]) => t.sub(a!, b!), [r(), r(2, 3)]],
  ['sub [2,3] minus [3]', (t, [a, b]) => t.sub(a!, b!), [r(2, 3), r(3)]],
  ['mul [2,3] ⊙ [3]', (t, [a, b]) => t.mul(a!, b!), [r(2, 3), r(3)]],
  ['mul [3] ⊙ [2,3]', (t, [a, b]) => t.mul(a!, b!), [r(3), r(2, 3)]],
  ['div [2,3] / [2,3]', (t, [a, b]) => t.div(a!, b!), [r(2, 3), positive(2, 3)]],
  ['div [2,3] / scalar', (t, [a, b]) => t.div(a!, b!), [r(2, 3), positive()]],
  ['scale by 0.5', (t, [a]) => t.scale(a!, 0.5), [r(2, 3)]],
  ['neg', (t, [a]) => t.neg(a!), [r(2, 3)]],
  ['sigmoid', (t, [a]) => t.sigmoid(a!), [r(2, 3)]],
  ['tanh', (t, [a]) => t.tanh(a!), [r(2, 3)]],
  ['relu', (t, [a]) => t.relu(a!), [tensor([[-1.5, -0.3, 0.2], [0.7, -2, 1.1]])]],
  ['exp', (t, [a]) => t.exp(a!), [r(2, 3)]],
  ['softplus', (t, [a]) => t.softplus(a!), [tensor([[-30, -2, 0.1], [1, 5, 40]])]],
  ['square', (t, [a]) => t.square(a!), [r(2, 3)]],
  ['concat along features', (t, [a, b]) => t.concat([a!, b!]), [r(2, 3), r(2, 2)]],
  ['concat along rows', (t, [a, b]) => t.concat([a!, b!], 0), [r(2, 3), r(1, 3)]],
  ['slice (split) along features', (t, [a]) => t.split(a!, [1, 3])[1]!, [r(2, 4)]],
  ['sum of all', (t, [a]) => t.sum(a!), [r(2, 3)]],
  ['sum over the batch axis', (t, [a]) => t.sum(a!, 0), [r(2, 3)]],
  ['mean of all', (t, [a]) => t.mean(a!), [r(2, 3)]],
  ['mean over features', (t, [a]) => t.mean(a!, -1), [r(2, 3)]],
  ['mse mean', (t, [a, b]) => t.mse(a!, b!), [r(2, 3), r(2, 3)]],
  ['mse batchmean', (t, [a, b]) => t.mse(a!, b!, 'batchmean'), [r(2, 3), r(2, 3)]],
  ['bceWithLogits sum', (t, [a, b]) => t.bceWithLogits(a!, b!, 'sum'), [r(2, 3), unit(2, 3)]],
  ['gaussianKl batchmean', (t, [a, b]) => t.gaussianKl(a!, b!, 'batchmean'), [r(2, 3), r(2, 3)]],
];

describe('engine ops: gradients against central differences (float64, h 1e-6)', () => {
  it.each(CASES)('%s', (_name, f, inputs) => {
    const { maxError, analytic } = gradcheck(f, inputs);
    expect(analytic.some((g) => g.some((x) => x !== 0))).toBe(true);
    expect(maxError).toBeLessThan(1e-7);
  });
});

describe('engine ops: forward values', () => {
  const run = (f: (t: Tape) => Var): Var => f(new Tape({ record: false }));
  const c = (t: Tape, v: unknown) => t.constant(tensor(v as number[]));

  it('matmul([[1,2],[3,4]], [[5,6],[7,8]]) is [[19,22],[43,50]]', () => {
    const y = run((t) => t.matmul(c(t, [[1, 2], [3, 4]]), c(t, [[5, 6], [7, 8]])));
    expect(y.value.shape).toEqual([2, 2]);
    expect(Array.from(y.value.data)).toEqual([19, 22, 43, 50]);
  });

  it('linear is x·Wᵀ + b (PyTorch Linear)', () => {
    const y = run((t) => t.linear(c(t, [[1, 2, 3]]), c(t, [[1, 0, 0], [0, 1, 1]]), c(t, [10, 20])));
    expect(Array.from(y.value.data)).toEqual([11, 25]);
  });

  it('add broadcasts a bias row over the batch', () => {
    const y = run((t) => t.add(c(t, [[1, 2], [3, 4]]), c(t, [10, 20])));
    expect(Array.from(y.value.data)).toEqual([11, 22, 13, 24]);
  });

  it('sigmoid and softplus stay finite and exact at ±800', () => {
    const x = [-800, -1, 0, 1, 800];
    const s = run((t) => t.sigmoid(c(t, x)));
    expectClose(s.value.data, [0, 1 / (1 + Math.E), 0.5, 1 / (1 + Math.exp(-1)), 1], { atol: 1e-15 });
    const p = run((t) => t.softplus(c(t, x)));
    expectClose(p.value.data, [0, Math.log1p(Math.exp(-1)), Math.LN2, 1 + Math.log1p(Math.exp(-1)), 800], { rtol: 1e-15, atol: 1e-300 });
  });

  it('bceWithLogits equals −[y log σ(x) + (1−y) log(1−σ(x))]', () => {
    const x = [-2, 0.5, 3], y = [0, 0.3, 1];
    const loss = run((t) => t.bceWithLogits(c(t, x), c(t, y), 'sum'));
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    const expected = x.reduce((acc, xi, i) => acc - (y[i]! * Math.log(s(xi)) + (1 - y[i]!) * Math.log(1 - s(xi))), 0);
    expectClose(loss.value.data, [expected], { rtol: 1e-14 });
  });

  it('bceWithLogits backward is k·(σ(x) − y) and −k·x at logits of ±800, ±3, 0 (batchmean: k = 1/2), the same bits with or without the e^−|x| its forward kept', () => {
    const x = [[-800, -3, -0.25], [0, 3, 800]], y = [[0, 0.3, 1], [0.5, 0, 1]];
    const tape = new Tape();
    const [vx, vy] = [tape.variable(tensor(x)), tape.variable(tensor(y))];
    tape.backward(tape.bceWithLogits(vx, vy, 'batchmean'));
    const sig = (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
    expectClose(vx.grad!, x.flat().map((v, i) => 0.5 * (sig(v) - y.flat()[i]!)), { rtol: 1e-15, atol: 1e-300 }, 'd/dx');
    expectClose(vy.grad!, x.flat().map((v) => -0.5 * v), { rtol: 1e-15 }, 'd/dy');
    // Straight through the kernel with an output the forward never made: the exps are taken afresh.
    const gx = new Float64Array(6);
    KERNELS.bceWithLogits.backward([tensor(x), tensor(y)], tensor(0), new Float64Array([1]), [gx, null], { reduction: 'batchmean' });
    expect([...gx]).toEqual([...vx.grad!]);
  });

  it('gaussianKl of mu 0, logvar 0 is 0, and of mu 1, logvar ln 2 is ½(2 + 1 − 1 − ln 2)', () => {
    const zero = run((t) => t.gaussianKl(c(t, [[0, 0]]), c(t, [[0, 0]]), 'sum'));
    expect(zero.value.data[0]).toBe(0);
    const one = run((t) => t.gaussianKl(c(t, [[1]]), c(t, [[Math.LN2]]), 'sum'));
    expectClose(one.value.data, [0.5 * (2 + 1 - 1 - Math.LN2)], { rtol: 1e-15 });
  });

  it('reductions: sum(axis 0), mean(all), batchmean divides by the rows', () => {
    expect(Array.from(run((t) => t.sum(c(t, [[1, 2], [3, 4]]), 0)).value.data)).toEqual([4, 6]);
    expect(Array.from(run((t) => t.mean(c(t, [[1, 2], [3, 4]]))).value.data)).toEqual([2.5]);
    expect(Array.from(run((t) => t.mse(c(t, [[1, 2], [3, 4]]), c(t, [[0, 0], [0, 0]]), 'batchmean')).value.data)).toEqual([15]);
  });

  it('float32 in, float32 out', () => {
    const y = run((t) => t.tanh(t.constant(tensor([0.5, 1], undefined, 'float32'))));
    expect(y.value.data).toBeInstanceOf(Float32Array);
    expectClose(y.value.data, [Math.tanh(0.5), Math.tanh(1)], { rtol: 1e-7 });
  });
});

describe('engine ops: errors name the tensor and both shapes', () => {
  it('add refuses a non-trailing broadcast', () => {
    const t = new Tape();
    expect(() => t.add(t.constant(tensor([[1, 2, 3]])), t.constant(tensor([1, 2])))).toThrow(
      "add cannot broadcast [2] onto [1, 3]: tensor 'operand' has shape [2], expected [1, 3]",
    );
  });
  it('matmul refuses mismatched inner dims', () => {
    const t = new Tape();
    expect(() => t.matmul(t.constant(tensor([[1, 2]])), t.constant(tensor([[1, 2]])))).toThrow("matmul: tensor 'b' has shape [1, 2], expected [2, n]");
  });
  it('affine refuses a bias that does not match W', () => {
    const t = new Tape();
    expect(() => t.affine(t.constant(tensor([[1, 2]])), t.constant(tensor([[1], [2]])), t.constant(tensor([1, 2])))).toThrow("affine: tensor 'bias' has shape [2], expected [1]");
  });
  it('mixing float32 and float64 is refused', () => {
    const t = new Tape();
    expect(() => t.add(t.constant(tensor([1]), 'a'), t.constant(tensor([1], undefined, 'float32'), 'b'))).toThrow("add: 'b' is float32, expected float64 like 'a'");
  });
});
