// tape.affine (kernels-affine.ts), the VAE's dense layer as one op: the same bits as matmul, add
// and relu as separate ops, forward and every gradient, on generated layers large enough for the
// WebAssembly product and epilogue kernels and small enough for the JS loops.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randn, tensor, Tape, type Tensor, type Var } from '../../src/engine/index.js';
import { createRandom } from '../../src/random.js';

interface Layer { M: number; K: number; N: number; relu: boolean; f64: boolean; inputGrad: boolean; seed: number; zeroColumns?: (k: number) => boolean }

/** The layer's x, W, b and output gradient, seeded (drawn once for both sides of a comparison). */
function inputs(c: Layer): [Tensor, Tensor, Tensor, Tensor] {
  const random = createRandom(c.seed);
  const dtype = c.f64 ? 'float64' : 'float32';
  const [x, W, b] = [[c.M, c.K], [c.K, c.N], [c.N]].map((shape) => tensor(randn(shape, random).data, shape, dtype)) as [Tensor, Tensor, Tensor];
  // Pixels that are zero in every image of the batch (MNIST's borders), and scattered zeros.
  for (let i = 0; i < x.data.length; i++) if (c.zeroColumns?.(i % c.K) || (c.zeroColumns && i % 3 === 0)) x.data[i] = 0;
  // Some exact zeros in the output gradient, as a sparse loss would give.
  const seed = tensor(randn([c.M, c.N], createRandom(c.seed + 1)).data.map((v, i) => (i % 7 === 0 ? 0 : v)), [c.M, c.N], dtype);
  return [x, W, b, seed];
}

/** Output and the gradients of x, W and b for the output gradient, as one op or as three. */
function layer(c: Layer, fused: boolean, [x, W, b, seed]: [Tensor, Tensor, Tensor, Tensor]) {
  const tape = new Tape();
  const vx = c.inputGrad ? tape.variable(x, 'x') : tape.constant(x, 'x');
  const [vW, vb] = [tape.variable(W, 'W'), tape.variable(b, 'b')];
  let y: Var;
  if (fused) y = tape.affine(vx, vW, vb, { relu: c.relu });
  else {
    y = tape.add(tape.matmul(vx, vW), vb);
    if (c.relu) y = tape.relu(y);
  }
  tape.backward(y, seed);
  return [y.value.data, vx.grad, vW.grad!, vb.grad!] as const;
}

/** Both sides on the same inputs: the number of entries whose bits differ, per result. */
function compare(c: Layer, label: string): number {
  const data = inputs(c);
  const fused = layer(c, true, data), separate = layer(c, false, data);
  ['output', 'x gradient', 'W gradient', 'bias gradient'].forEach((what, i) => {
    const [a, b] = [fused[i], separate[i]];
    if (!a || !b) return expect(a, `${what} only on one side`).toBe(b);
    let differ = 0;
    for (let k = 0; k < a.length; k++) if (!Object.is(a[k], b[k])) differ++;
    expect(differ, `${label}: ${what}: entries whose bits differ`).toBe(0);
  });
  return fused[0].length;
}

describe('tape.affine', () => {
  it('generated layers (VAE-sized on the kernels, small ones in JS): output and the gradients of x, W and b have the bits of matmul, add, relu', () => {
    let large = 0;
    fc.assert(
      fc.property(
        fc.record({
          M: fc.constantFrom(1, 3, 32, 128), K: fc.constantFrom(1, 5, 20, 300), N: fc.constantFrom(7, 20, 128, 400),
          relu: fc.boolean(), f64: fc.boolean(), inputGrad: fc.boolean(), seed: fc.integer({ min: 0, max: 2 ** 30 }),
        }),
        (c) => {
          if (compare(c, JSON.stringify(c)) >= 4096) large++;
        },
      ),
      { seed: 190_021, numRuns: 30 },
    );
    expect(large).toBeGreaterThan(7);
  });

  it('inputs with columns zero in every row (the products leave them out): the same bits, in every depth block and when a whole block is zero', () => {
    const zeroColumns: Record<string, (k: number) => boolean> = {
      'columns 256 to 511 (a whole depth block) and the last 40': (k) => (k >= 256 && k < 512) || k >= 744,
      'all but 12': (k) => k % 64 !== 5,
      'every column': () => true,
    };
    let cases = 0;
    for (const [name, zero] of Object.entries(zeroColumns)) {
      for (const [relu, f64, inputGrad] of [[true, false, false], [false, true, true]] as const) {
        compare({ M: 128, K: 784, N: 256, relu, f64, inputGrad, seed: 1900 + cases++, zeroColumns: zero }, `${name}, relu ${relu}, f64 ${f64}`);
      }
    }
  });
  it('h feeding two layers whose W is shared (mu and logvar in the VAE encoder): the gradients that sum two contributions (h, W; the first written over zeros, the second added) have the bits of the separate ops', () => {
    for (const f64 of [false, true]) {
      const random = createRandom(f64 ? 31 : 32);
      const dtype = f64 ? 'float64' : 'float32';
      const [h, W, b1, b2] = [[128, 400], [400, 20], [20], [20]].map((shape) => tensor(randn(shape, random).data, shape, dtype));
      const run = (fused: boolean) => {
        const tape = new Tape();
        const [vh, vW, v1, v2] = [tape.variable(h!, 'h'), tape.variable(W!, 'W'), tape.variable(b1!, 'b1'), tape.variable(b2!, 'b2')];
        const dense = (b: Var) => (fused ? tape.affine(vh, vW, b) : tape.add(tape.matmul(vh, vW), b));
        // Different weights on the two outputs, so neither gradient is the other's.
        tape.backward(tape.add(tape.sum(dense(v1)), tape.sum(tape.scale(tape.relu(dense(v2)), 3))));
        return [vh.grad!, vW.grad!];
      };
      const [fused, separate] = [run(true), run(false)];
      for (const [i, what] of ['h gradient', 'W gradient'].entries()) {
        let differ = 0;
        for (let k = 0; k < fused[i]!.length; k++) if (!Object.is(fused[i]![k], separate[i]![k])) differ++;
        expect(differ, `${dtype}: ${what}: entries whose bits differ`).toBe(0);
      }
    }
  });
});
