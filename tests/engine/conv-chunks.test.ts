// conv2d and convTranspose2d in chunks on the WebAssembly kernel (conv-wasm.ts, im2col-wasm.ts):
// the same bits as one gemm per product on generated geometries large enough for the kernel, with
// chunks shrunk so an op crosses chunk borders; values against the direct loops; gradients
// through the chunked path against central differences.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { useConvChunks } from '../../src/engine/conv-wasm.js';
import { KERNELS } from '../../src/engine/kernels.js';
import { wasmRuns } from '../../src/engine/matmul.js';
import { sharedArena } from '../../src/engine/wasm.js';
import { gradcheck, randn, tensor, type Tensor } from '../../src/engine/index.js';
import { createRandom } from '../../src/random.js';
import { expectClose } from '../expect.js';
import { directConv, directTranspose } from './conv-reference.js';

afterEach(() => {
  useConvChunks(true);
});

type Op = 'conv2d' | 'convTranspose2d';
interface Case { op: Op; f64: boolean; B: number; H: number; W: number; C: number; F: number; kh: number; kw: number; stride: number; pad: number; entries: number; seed: number }

/** Output side and the three products [M, N, K] of an op (forward, gx, gw), as conv.ts hands them to gemm. */
function products(c: Case): { Ho: number; Wo: number; list: [number, number, number][] } {
  if (c.op === 'conv2d') {
    const Ho = Math.floor((c.H + 2 * c.pad - c.kh) / c.stride) + 1, Wo = Math.floor((c.W + 2 * c.pad - c.kw) / c.stride) + 1;
    const M = c.B * Ho * Wo, K = c.kh * c.kw * c.C;
    return { Ho, Wo, list: [[M, c.F, K], [M, K, c.F], [K, c.F, M]] };
  }
  const Ho = (c.H - 1) * c.stride - 2 * c.pad + c.kh, Wo = (c.W - 1) * c.stride - 2 * c.pad + c.kw;
  const M = c.B * c.H * c.W, K = c.kh * c.kw * c.F;
  return { Ho, Wo, list: [[M, K, c.C], [M, c.C, K], [c.C, K, M]] };
}

const generated = fc
  .record({
    op: fc.constantFrom<Op>('conv2d', 'convTranspose2d'), f64: fc.boolean(),
    B: fc.integer({ min: 1, max: 4 }), H: fc.integer({ min: 4, max: 14 }), W: fc.integer({ min: 4, max: 14 }),
    C: fc.integer({ min: 1, max: 24 }), F: fc.integer({ min: 1, max: 24 }),
    kh: fc.integer({ min: 1, max: 5 }), kw: fc.integer({ min: 1, max: 5 }),
    stride: fc.integer({ min: 1, max: 3 }), pad: fc.integer({ min: 0, max: 2 }),
    entries: fc.constantFrom(1, 1, 4096, 1 << 17), seed: fc.integer({ min: 0, max: 2 ** 30 }),
  })
  .filter((c) => {
    const { Ho, Wo, list } = products(c);
    return Ho >= 1 && Wo >= 1 && list.every(([m, n, k]) => wasmRuns(m, n, k));
  });

/** Forward, then backward into gradients that already hold values (they accumulate). */
function runOp(c: Case, x: Tensor, w: Tensor, grad: Float64Array, gx0: Float64Array, gw0: Float64Array) {
  const attrs = { stride: c.stride, padding: c.pad };
  const cast = (d: Float64Array) => (c.f64 ? d.slice() : Float32Array.from(d));
  const y = KERNELS[c.op].forward([x, w], attrs);
  const gx = cast(gx0), gw = cast(gw0);
  KERNELS[c.op].backward([x, w], y, cast(grad), [gx, gw], attrs);
  return [y.data, gx, gw] as const;
}

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  let differ = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) differ++;
  expect(differ, `${what}: entries whose bits differ`).toBe(0);
}

describe('conv2d / convTranspose2d in chunks on the WebAssembly kernel', () => {
  it('the arena exists on this runtime (else every chunked case below would test the fallback)', () => {
    expect(sharedArena()).not.toBeNull();
  });

  it('generated geometries: forward, gx and gw have the bits of one gemm per product; float64 forward equals the direct loops within 1e-12', () => {
    const seed = 180_002;
    let multiChunk = 0;
    fc.assert(
      fc.property(generated, (c) => {
        const random = createRandom(c.seed);
        const dtype = c.f64 ? 'float64' : 'float32';
        const wShape = c.op === 'conv2d' ? [c.kh, c.kw, c.C, c.F] : [c.C, c.kh, c.kw, c.F];
        const x = tensor(randn([c.B, c.H, c.W, c.C], random).data, [c.B, c.H, c.W, c.C], dtype);
        const w = tensor(randn(wShape, random).data, wShape, dtype);
        const { Ho, Wo, list } = products(c);
        const grad = randn([c.B, Ho, Wo, c.F], random).data as Float64Array;
        const gx0 = randn(x.shape, random).data as Float64Array, gw0 = randn(w.shape, random).data as Float64Array;
        useConvChunks(false);
        const whole = runOp(c, x, w, grad, gx0, gw0);
        useConvChunks(true, c.entries);
        const chunked = runOp(c, x, w, grad, gx0, gw0);
        ['forward', 'gx', 'gw'].forEach((what, i) => sameBits(chunked[i]!, whole[i]!, `${c.op} ${what}`));
        if (c.entries === 1 && list[0]![0] > 256) multiChunk++;
        if (c.f64) {
          const g = { ...c, F: c.F };
          const reference = c.op === 'conv2d' ? directConv(x, w, g) : directTranspose(x, w, g);
          expectClose(chunked[0], reference.data, { atol: 1e-12, rtol: 1e-12 }, `${c.op} against the direct loops`);
        }
      }),
      { seed, numRuns: 40 },
    );
    expect(multiChunk).toBeGreaterThan(3);
  });
});

// Each op is linear in each input, so central differences have no truncation error: a step of 1e-3
// keeps the rounding of the 512-output sum (about 1e-16·|sum|/h) far below the tolerance.
describe('gradients through the chunked path against central differences (float64, h 1e-3, max error < 1e-7)', () => {
  const random = createRandom(1802);
  it('conv2d, 16×16 × 2 channels → 16 filters, 4×4 at stride 2, padding 1 (every product on the kernel)', () => {
    for (const p of [[64, 16, 32], [64, 32, 16], [32, 16, 64]] as const) expect(wasmRuns(...p)).toBe(true);
    useConvChunks(true, 1);
    const { maxError, analytic } = gradcheck((t, [x, w]) => t.conv2d(x!, w!, { stride: 2, padding: 1 }), [randn([1, 16, 16, 2], random), randn([4, 4, 2, 16], random)], { h: 1e-3 });
    expect(analytic.every((a) => a.some((v) => v !== 0))).toBe(true);
    expect(maxError).toBeLessThan(1e-7);
  });
  it('convTranspose2d, 8×8 × 8 channels → 4 filters, 4×4 at stride 2, padding 1', () => {
    for (const p of [[64, 64, 8], [64, 8, 64], [8, 64, 64]] as const) expect(wasmRuns(...p)).toBe(true);
    useConvChunks(true, 1);
    const { maxError, analytic } = gradcheck((t, [x, w]) => t.convTranspose2d(x!, w!, { stride: 2, padding: 1 }), [randn([1, 8, 8, 8], random), randn([8, 4, 4, 4], random)], { h: 1e-3 });
    expect(analytic.every((a) => a.some((v) => v !== 0))).toBe(true);
    expect(maxError).toBeLessThan(1e-7);
  });
});
