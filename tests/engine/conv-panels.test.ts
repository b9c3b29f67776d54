// conv2d's weight gradient with the columns written straight into the kernel's panels
// (im2colPanelsArena: window rows of whole panels, as in the conv VAE's layers 2-4): on generated
// geometries whose kw·C is a whole number of panels, the bits of one gemm per product (forward,
// gx and gw, chunks shrunk to cross chunk borders), and float64 gw against a direct loop over
// every output position within 1e-12.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { useConvChunks } from '../../src/engine/conv-wasm.js';
import { KERNELS } from '../../src/engine/kernels.js';
import { wasmRuns } from '../../src/engine/matmul.js';
import { PANEL_COLUMNS } from '../../src/engine/wasm.js';
import { randn, tensor, type Tensor } from '../../src/engine/index.js';
import { createRandom } from '../../src/random.js';
import { expectClose } from '../expect.js';

afterEach(() => {
  useConvChunks(true);
});

interface Case { f64: boolean; B: number; H: number; W: number; C: number; F: number; kh: number; kw: number; stride: number; pad: number; seed: number }

const side = (n: number, k: number, c: Case) => Math.floor((n + 2 * c.pad - k) / c.stride) + 1;

/** gw[ky, kx, c, f] = Σ over b, oy, ox of x at the window's pixel (0 outside the image) · grad[b, oy, ox, f], in float64. */
function directWeightGradient(x: Tensor, grad: ArrayLike<number>, c: Case): Float64Array {
  const Ho = side(c.H, c.kh, c), Wo = side(c.W, c.kw, c);
  const gw = new Float64Array(c.kh * c.kw * c.C * c.F);
  for (let b = 0; b < c.B; b++) for (let oy = 0; oy < Ho; oy++) for (let ox = 0; ox < Wo; ox++) {
    for (let ky = 0; ky < c.kh; ky++) for (let kx = 0; kx < c.kw; kx++) {
      const iy = oy * c.stride - c.pad + ky, ix = ox * c.stride - c.pad + kx;
      if (iy < 0 || iy >= c.H || ix < 0 || ix >= c.W) continue;
      for (let ch = 0; ch < c.C; ch++) {
        const v = x.data[((b * c.H + iy) * c.W + ix) * c.C + ch]!;
        for (let f = 0; f < c.F; f++) gw[((ky * c.kw + kx) * c.C + ch) * c.F + f] += v * grad[((b * Ho + oy) * Wo + ox) * c.F + f]!;
      }
    }
  }
  return gw;
}

const generated = fc
  .record({
    f64: fc.boolean(),
    B: fc.integer({ min: 2, max: 4 }), H: fc.integer({ min: 10, max: 16 }), W: fc.integer({ min: 10, max: 16 }),
    C: fc.constantFrom(8, 16), F: fc.integer({ min: 4, max: 12 }),
    kh: fc.integer({ min: 1, max: 4 }), kw: fc.constantFrom(2, 4),
    stride: fc.integer({ min: 1, max: 2 }), pad: fc.integer({ min: 0, max: 1 }),
    seed: fc.integer({ min: 0, max: 2 ** 30 }),
  })
  .filter((c) => {
    const Ho = side(c.H, c.kh, c), Wo = side(c.W, c.kw, c);
    const M = c.B * Ho * Wo, K = c.kh * c.kw * c.C;
    const wholePanels = (c.kw * c.C) % PANEL_COLUMNS[c.f64 ? 'float64' : 'float32'] === 0;
    return Ho >= 1 && Wo >= 1 && wholePanels && [[M, c.F, K], [M, K, c.F], [K, c.F, M]].every(([m, n, k]) => wasmRuns(m!, n!, k!));
  });

function run(c: Case, x: Tensor, w: Tensor, grad: Float64Array) {
  const attrs = { stride: c.stride, padding: c.pad };
  const cast = (d: Float64Array) => (c.f64 ? d.slice() : Float32Array.from(d));
  const y = KERNELS.conv2d.forward([x, w], attrs);
  const gx = cast(new Float64Array(x.data.length)), gw = cast(new Float64Array(w.data.length));
  KERNELS.conv2d.backward([x, w], y, cast(grad), [gx, gw], attrs);
  return [y.data, gx, gw] as const;
}

describe('conv2d weight gradient with the columns written as panels', () => {
  it('generated geometries (kw·C whole panels): the bits of one gemm per product; float64 gw equals the direct loop within 1e-12', () => {
    let multiChunk = 0;
    fc.assert(
      fc.property(generated, (c) => {
        const random = createRandom(c.seed);
        const dtype = c.f64 ? 'float64' : 'float32';
        const x = tensor(randn([c.B, c.H, c.W, c.C], random).data, [c.B, c.H, c.W, c.C], dtype);
        const w = tensor(randn([c.kh, c.kw, c.C, c.F], random).data, [c.kh, c.kw, c.C, c.F], dtype);
        const grad = randn([c.B, side(c.H, c.kh, c), side(c.W, c.kw, c), c.F], random).data as Float64Array;
        useConvChunks(false);
        const whole = run(c, x, w, grad);
        // Default chunks, then chunks shrunk to one depth block (256 rows) each.
        let chunked = whole;
        for (const entries of [1 << 17, 1]) {
          useConvChunks(true, entries);
          chunked = run(c, x, w, grad);
          ['forward', 'gx', 'gw'].forEach((what, i) => {
            const differ = Array.from(chunked[i]!).filter((v, j) => !Object.is(v, whole[i]![j])).length;
            expect(differ, `${what} (${entries} entries a chunk): entries whose bits differ`).toBe(0);
          });
        }
        if (grad.length / c.F > 256) multiChunk++;
        if (c.f64) expectClose(chunked[2], directWeightGradient(x, grad, c), { atol: 1e-12, rtol: 1e-12 }, 'gw against the direct loop');
      }),
      { seed: 180_019, numRuns: 6 },
    );
    expect(multiChunk).toBeGreaterThan(2);
  });
});
