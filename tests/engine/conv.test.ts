// conv2d and convTranspose2d: forward against direct loops written here (no im2col), the two
// ops as each other's adjoint, gradients against central differences, and typed shape errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/random.js';
import { gradcheck, randn, tensor, Tape, type Tensor } from '../../src/engine/index.js';
import { expectClose } from '../expect.js';
import { directConv, directTranspose, type Geometry } from './conv-reference.js';

const run = (f: (t: Tape) => ReturnType<Tape['conv2d']>) => f(new Tape({ record: false })).value;
const conv = (x: Tensor, w: Tensor, stride: number, padding: number) => run((t) => t.conv2d(t.constant(x), t.constant(w), { stride, padding }));
const convT = (x: Tensor, w: Tensor, stride: number, padding: number) => run((t) => t.convTranspose2d(t.constant(x), t.constant(w), { stride, padding }));

const geometry = fc.record({
  B: fc.integer({ min: 1, max: 2 }), H: fc.integer({ min: 1, max: 7 }), W: fc.integer({ min: 1, max: 7 }),
  C: fc.integer({ min: 1, max: 3 }), F: fc.integer({ min: 1, max: 3 }),
  kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }),
  stride: fc.integer({ min: 1, max: 3 }), pad: fc.integer({ min: 0, max: 2 }), seed: fc.integer({ min: 0, max: 2 ** 30 }),
}).filter((g) => {
  // The conv must have an output, and the transpose of that output must too.
  const Ho = Math.floor((g.H + 2 * g.pad - g.kh) / g.stride) + 1, Wo = Math.floor((g.W + 2 * g.pad - g.kw) / g.stride) + 1;
  return Ho >= 1 && Wo >= 1 && (Ho - 1) * g.stride - 2 * g.pad + g.kh >= 1 && (Wo - 1) * g.stride - 2 * g.pad + g.kw >= 1;
});

describe('conv2d / convTranspose2d forward', () => {
  it('a 3×3 image by a 2×2 kernel of ones, stride 1, no padding, sums each 2×2 window', () => {
    const y = conv(tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]), tensor([1, 1, 1, 1], [2, 2, 1, 1]), 1, 0);
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(y.data)).toEqual([12, 16, 24, 28]);
  });

  it('convTranspose2d of a 2×2 image by a 2×2 kernel of ones at stride 2 copies each pixel into a 2×2 block', () => {
    const y = convT(tensor([1, 2, 3, 4], [1, 2, 2, 1]), tensor([1, 1, 1, 1], [1, 2, 2, 1]), 2, 0);
    expect(y.shape).toEqual([1, 4, 4, 1]);
    expect(Array.from(y.data)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });

  it('generated geometries: both ops equal the direct loops within 1e-12, and are adjoint (⟨conv x, y⟩ = ⟨x, convT y⟩)', () => {
    const seed = 180_001;
    let adjointCases = 0;
    fc.assert(
      fc.property(geometry, (g) => {
        const random = createRandom(g.seed);
        const x = randn([g.B, g.H, g.W, g.C], random);
        const w = randn([g.kh, g.kw, g.C, g.F], random);
        const y = conv(x, w, g.stride, g.pad);
        const reference = directConv(x, w, g);
        expect(y.shape).toEqual(reference.shape);
        expectClose(y.data, reference.data, { atol: 1e-12, rtol: 1e-12 }, 'conv2d');
        // The transpose with w' [F, kh, kw, C], w'[f, ky, kx, c] = w[ky, kx, c, f], maps y-space back to x-space.
        const wt = new Float64Array(w.data.length);
        for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) for (let c = 0; c < g.C; c++) for (let f = 0; f < g.F; f++) {
          wt[((f * g.kh + ky) * g.kw + kx) * g.C + c] = w.data[((ky * g.kw + kx) * g.C + c) * g.F + f]!;
        }
        const u = randn(y.shape, random);
        const tg = { ...g, H: y.shape[1]!, W: y.shape[2]!, C: g.F, F: g.C };
        const back = convT(u, tensor(wt, [g.F, g.kh, g.kw, g.C]), g.stride, g.pad);
        expectClose(back.data, directTranspose(u, tensor(wt, [g.F, g.kh, g.kw, g.C]), tg).data, { atol: 1e-12, rtol: 1e-12 }, 'convTranspose2d');
        // Adjoint only when the transpose gives back x's size ((H + 2p − kh) divisible by s; else rows the conv reads are cropped).
        if (back.shape[1] !== g.H || back.shape[2] !== g.W) return;
        adjointCases++;
        let lhs = 0, rhs = 0;
        for (let i = 0; i < y.data.length; i++) lhs += y.data[i]! * u.data[i]!;
        for (let i = 0; i < x.data.length; i++) rhs += x.data[i]! * back.data[i]!;
        expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-10 * (1 + Math.abs(lhs)));
      }),
      { seed, numRuns: 150 },
    );
    expect(adjointCases).toBeGreaterThan(50);
  });

  it('float32 on the WebAssembly product (Burgess et al.\'s third layer at 32×32, one image: 64 × 512 · 512 × 32) matches float64 within 1e-5 relative', () => {
    const random = createRandom(3);
    const g = { B: 1, H: 16, W: 16, C: 32, F: 32, kh: 4, kw: 4, stride: 2, pad: 1 };
    const x = randn([g.B, g.H, g.W, g.C], random);
    const w = randn([4, 4, 32, 32], random);
    const y = conv(tensor(x.data, x.shape, 'float32'), tensor(w.data, w.shape, 'float32'), 2, 1);
    expect(y.data).toBeInstanceOf(Float32Array);
    expectClose(y.data, directConv(x, w, g).data, { atol: 1e-4, rtol: 1e-5 }, 'float32 conv2d');
  });
});

describe('conv2d / convTranspose2d gradients against central differences (float64, h 1e-6, max error < 1e-7)', () => {
  const random = createRandom(18);
  const cases: [string, Geometry][] = [
    ['3×3 kernel, stride 1, padding 1', { B: 2, H: 5, W: 4, C: 2, F: 3, kh: 3, kw: 3, stride: 1, pad: 1 }],
    ['4×4 kernel, stride 2, padding 1 (the VAE\'s layers)', { B: 1, H: 6, W: 6, C: 2, F: 2, kh: 4, kw: 4, stride: 2, pad: 1 }],
    ['2×3 kernel, stride 3, no padding (skipped rows)', { B: 2, H: 7, W: 5, C: 1, F: 2, kh: 2, kw: 3, stride: 3, pad: 0 }],
  ];
  it.each(cases)('conv2d, %s', (_name, g) => {
    const { maxError, analytic } = gradcheck((t, [x, w]) => t.conv2d(x!, w!, { stride: g.stride, padding: g.pad }), [randn([g.B, g.H, g.W, g.C], random), randn([g.kh, g.kw, g.C, g.F], random)]);
    expect(analytic.every((a) => a.some((v) => v !== 0))).toBe(true);
    expect(maxError).toBeLessThan(1e-7);
  });
  it.each(cases)('convTranspose2d, %s', (_name, g) => {
    const { maxError, analytic } = gradcheck((t, [x, w]) => t.convTranspose2d(x!, w!, { stride: g.stride, padding: g.pad }), [randn([g.B, g.H, g.W, g.C], random), randn([g.C, g.kh, g.kw, g.F], random)]);
    expect(analytic.every((a) => a.some((v) => v !== 0))).toBe(true);
    expect(maxError).toBeLessThan(1e-7);
  });
  it('reshape passes the gradient through unchanged', () => {
    const { maxError } = gradcheck((t, [x]) => t.reshape(x!, [2, 6]), [randn([2, 2, 3, 1], random)]);
    expect(maxError).toBeLessThan(1e-9);
  });
});

describe('conv2d / convTranspose2d errors', () => {
  const t = new Tape();
  const c = (shape: number[]) => t.constant(tensor(new Float64Array(shape.reduce((a, b) => a * b, 1)), shape));
  it('conv2d refuses a weight whose input channels differ from the image', () => {
    expect(() => t.conv2d(c([1, 4, 4, 2]), c([3, 3, 1, 5]))).toThrow("conv2d: tensor 'w' has shape [3, 3, 1, 5], expected [kh, kw, 2, filters]");
  });
  it('conv2d refuses an image that is not [batch, height, width, channels]', () => {
    expect(() => t.conv2d(c([4, 4]), c([3, 3, 1, 5]))).toThrow("conv2d: tensor 'x' has shape [4, 4], expected [batch, height, width, channels]");
  });
  it('conv2d refuses a kernel larger than the padded image', () => {
    expect(() => t.conv2d(c([1, 2, 2, 1]), c([4, 4, 1, 1]))).toThrow("conv2d: kernel larger than the padded image: tensor 'w' has shape [4, 4, 1, 1], expected [at most 2, at most 2, 1, 1]");
  });
  it('convTranspose2d refuses mismatched channels, and a stride of 0', () => {
    expect(() => t.convTranspose2d(c([1, 2, 2, 3]), c([2, 4, 4, 1]))).toThrow("convTranspose2d: tensor 'w' has shape [2, 4, 4, 1], expected [3, kh, kw, filters]");
    expect(() => t.convTranspose2d(c([1, 2, 2, 2]), c([2, 4, 4, 1]), { stride: 0 })).toThrow('convTranspose2d: stride must be a positive integer, got 0');
  });
});
