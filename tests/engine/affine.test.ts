// tape.affine (kernels-affine.ts), the VAE's dense layer as one op: the same bits as matmul, add
// and relu as separate ops, forward and every gradient, on generated layers large enough for the
// WebAssembly product and epilogue kernels and small enough for the JS loops.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randn, tensor, Tape, type Tensor, type Var } from '../../src/engine/index.js';
import { createRandom } from '../../src/random.js';

interface Layer { M: number; K: number; N: number; relu: boolean; f64: boolean; inputGrad: boolean; seed: number }

/** Output and the gradients of x, W and b for a seeded output gradient, as one op or as three. */
function layer(c: Layer, fused: boolean) {
  const random = createRandom(c.seed);
  const dtype = c.f64 ? 'float64' : 'float32';
  const [x, W, b] = [[c.M, c.K], [c.K, c.N], [c.N]].map((shape) => tensor(randn(shape, random).data, shape, dtype)) as [Tensor, Tensor, Tensor];
  const tape = new Tape();
  const vx = c.inputGrad ? tape.variable(x, 'x') : tape.constant(x, 'x');
  const [vW, vb] = [tape.variable(W, 'W'), tape.variable(b, 'b')];
  let y: Var;
  if (fused) y = tape.affine(vx, vW, vb, { relu: c.relu });
  else {
    y = tape.add(tape.matmul(vx, vW), vb);
    if (c.relu) y = tape.relu(y);
  }
  // Some exact zeros in the output gradient, as a sparse loss would give.
  const seed = tensor(randn(y.value.shape, createRandom(c.seed + 1)).data.map((v, i) => (i % 7 === 0 ? 0 : v)), y.value.shape, dtype);
  tape.backward(y, seed);
  return [y.value.data, vx.grad, vW.grad!, vb.grad!] as const;
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
          const fused = layer(c, true), separate = layer(c, false);
          if (fused[0].length >= 4096) large++;
          ['output', 'x gradient', 'W gradient', 'bias gradient'].forEach((what, i) => {
            const [a, b] = [fused[i], separate[i]];
            if (!a || !b) return expect(a, `${what} only on one side`).toBe(b);
            let differ = 0;
            for (let k = 0; k < a.length; k++) if (!Object.is(a[k], b[k])) differ++;
            expect(differ, `${JSON.stringify(c)} ${what}: entries whose bits differ`).toBe(0);
          });
        },
      ),
      { seed: 190_021, numRuns: 30 },
    );
    expect(large).toBeGreaterThan(7);
  });
});
