// conv2d / convTranspose2d with a bias and relu fused in (conv-epilogue.ts): the same bits as the
// separate add and relu ops after the plain conv, forward and every gradient, on the arena's
// kernels (large maps) and in JS (small ones); gradients against central differences; the bias's
// shape checked.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gradcheck, randn, tensor, Tape, type Tensor, type Var } from '../../src/engine/index.js';
import { createRandom } from '../../src/random.js';
import { reluGradKernel } from '../../src/engine/relu-grad-wasm.js';
import { sharedArena } from '../../src/engine/wasm.js';

type Op = 'conv2d' | 'convTranspose2d';
interface Layer { op: Op; B: number; H: number; C: number; F: number; relu: boolean; f64: boolean; seed: number }

/** Output, and the gradients of x, w and b for a seeded output gradient, fused or as separate ops. */
function layer(c: Layer, fused: boolean) {
  const random = createRandom(c.seed);
  const dtype = c.f64 ? 'float64' : 'float32';
  const wShape = c.op === 'conv2d' ? [4, 4, c.C, c.F] : [c.C, 4, 4, c.F];
  const [x, w, b] = [[c.B, c.H, c.H, c.C], wShape, [c.F]].map((shape) => tensor(randn(shape, random).data, shape, dtype)) as [Tensor, Tensor, Tensor];
  const tape = new Tape();
  const [vx, vw, vb] = [x, w, b].map((t, i) => tape.variable(t, `input${i}`)) as [Var, Var, Var];
  const attrs = { stride: 2, padding: 1 };
  let y: Var;
  if (fused) y = c.op === 'conv2d' ? tape.conv2d(vx, vw, { ...attrs, bias: vb, relu: c.relu }) : tape.convTranspose2d(vx, vw, { ...attrs, bias: vb, relu: c.relu });
  else {
    y = tape.add(c.op === 'conv2d' ? tape.conv2d(vx, vw, attrs) : tape.convTranspose2d(vx, vw, attrs), vb);
    if (c.relu) y = tape.relu(y);
  }
  const seed = tensor(randn(y.value.shape, createRandom(c.seed + 1)).data, y.value.shape, dtype);
  tape.backward(y, seed);
  return [y.value.data, vx.grad!, vw.grad!, vb.grad!] as const;
}

describe('conv with bias and relu fused', () => {
  it('generated layers (VAE-sized maps on the kernels, small ones in JS): output and the gradients of x, w and bias have the bits of conv, add, relu', () => {
    const seed = 180_003;
    let large = 0;
    fc.assert(
      fc.property(
        fc.record({
          op: fc.constantFrom<Op>('conv2d', 'convTranspose2d'), B: fc.integer({ min: 1, max: 3 }), H: fc.constantFrom(2, 4, 16, 32),
          C: fc.constantFrom(1, 3, 8, 32), F: fc.constantFrom(1, 3, 8, 32), relu: fc.boolean(), f64: fc.boolean(), seed: fc.integer({ min: 0, max: 2 ** 30 }),
        }),
        (c) => {
          const fused = layer(c, true), separate = layer(c, false);
          if (fused[0].length >= 4096) large++;
          ['output', 'x gradient', 'w gradient', 'bias gradient'].forEach((what, i) => {
            const [a, b] = [fused[i]!, separate[i]!];
            let differ = 0;
            for (let k = 0; k < a.length; k++) if (!Object.is(a[k], b[k])) differ++;
            expect(differ, `${c.op} ${what}: entries whose bits differ`).toBe(0);
          });
        },
      ),
      { seed, numRuns: 30 },
    );
    expect(large).toBeGreaterThan(5);
  });

    // Piecewise linear in each input: a step of 1e-4 has no truncation error unless it crosses a relu
  // kink (none does for this seed), and keeps rounding (about 1e-16·|sum|/h) far below the tolerance.
  it('gradients of x, w and bias against central differences (float64, h 1e-4, max error < 1e-7)', () => {
    const random = createRandom(1803);
    for (const op of ['conv2d', 'convTranspose2d'] as const) {
      const w = op === 'conv2d' ? [4, 4, 2, 3] : [2, 4, 4, 3];
      const { maxError, analytic } = gradcheck(
        (t, [x, k, b]) => (op === 'conv2d' ? t.conv2d(x!, k!, { stride: 2, padding: 1, bias: b!, relu: true }) : t.convTranspose2d(x!, k!, { stride: 2, padding: 1, bias: b!, relu: true })),
        [randn([2, 4, 4, 2], random), randn(w, random), randn([3], random)],
        { h: 1e-4 },
      );
      expect(analytic.every((a) => a.some((v) => v !== 0))).toBe(true);
      expect(maxError).toBeLessThan(1e-7);
    }
  });

  it("relu's backward kernel: g where y > 0, else 0, and 0 + g (a −0 becomes 0; NaN in y counts as not positive)", () => {
    const arena = sharedArena()!;
    for (const dtype of ['float32', 'float64'] as const) {
      const kernel = reluGradKernel(arena, dtype)!;
      expect(kernel).toBeTypeOf('function');
      const y = [1, 0, -1, Number.NaN, 2, -0, 3, 5], g = [-0, 7, 7, 7, -0, 7, 1.5, -2];
      arena.reset();
      const [yAt, gAt, outAt] = [8, 8, 8].map((n) => arena.alloc(n, dtype)) as [number, number, number];
      arena.view(yAt, 8, dtype).set(y);
      arena.view(gAt, 8, dtype).set(g);
      kernel(8 * (dtype === 'float32' ? 4 : 8), yAt, gAt, outAt);
      const out = Array.from(arena.view(outAt, 8, dtype)).map((v) => (Object.is(v, -0) ? '-0' : v));
      expect(out).toEqual([0, 0, 0, 0, 0, 0, 1.5, -2]);
    }
  });

  it('refuses a bias that is not one value per output channel', () => {
    const t = new Tape();
    const c = (shape: number[]) => t.constant(tensor(new Float64Array(shape.reduce((a, b) => a * b, 1)), shape));
    expect(() => t.conv2d(c([1, 4, 4, 1]), c([3, 3, 1, 2]), { bias: c([3]) })).toThrow("conv2d: tensor 'bias' has shape [3], expected [2]");
    expect(() => t.convTranspose2d(c([1, 2, 2, 1]), c([1, 2, 2, 4]), { bias: c([2, 2]) })).toThrow("convTranspose2d: tensor 'bias' has shape [2, 2], expected [4]");
  });
});
