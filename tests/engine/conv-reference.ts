// Convolutions straight from their definitions (no im2col, no gemm), the references of the conv tests.
import type { Tensor } from '../../src/engine/index.js';

export interface Geometry { B: number; H: number; W: number; C: number; F: number; kh: number; kw: number; stride: number; pad: number }

/** out[b, oy, ox, f] = Σ x[b, oy·s − p + ky, ox·s − p + kx, c] · w[ky, kx, c, f], straight from the definition. */
export function directConv(x: Tensor, w: Tensor, g: Geometry): { shape: number[]; data: Float64Array } {
  const Ho = Math.floor((g.H + 2 * g.pad - g.kh) / g.stride) + 1;
  const Wo = Math.floor((g.W + 2 * g.pad - g.kw) / g.stride) + 1;
  const data = new Float64Array(g.B * Ho * Wo * g.F);
  for (let b = 0; b < g.B; b++) for (let oy = 0; oy < Ho; oy++) for (let ox = 0; ox < Wo; ox++) for (let f = 0; f < g.F; f++) {
    let s = 0;
    for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) for (let c = 0; c < g.C; c++) {
      const iy = oy * g.stride - g.pad + ky, ix = ox * g.stride - g.pad + kx;
      if (iy >= 0 && iy < g.H && ix >= 0 && ix < g.W) s += x.data[((b * g.H + iy) * g.W + ix) * g.C + c]! * w.data[((ky * g.kw + kx) * g.C + c) * g.F + f]!;
    }
    data[((b * Ho + oy) * Wo + ox) * g.F + f] = s;
  }
  return { shape: [g.B, Ho, Wo, g.F], data };
}

/** The transpose as a scatter: each input pixel adds w[c, ky, kx, :] · x at (y·s − p + ky, x·s − p + kx). */
export function directTranspose(x: Tensor, w: Tensor, g: Geometry): { shape: number[]; data: Float64Array } {
  const Ho = (g.H - 1) * g.stride - 2 * g.pad + g.kh;
  const Wo = (g.W - 1) * g.stride - 2 * g.pad + g.kw;
  const data = new Float64Array(g.B * Ho * Wo * g.F);
  for (let b = 0; b < g.B; b++) for (let y = 0; y < g.H; y++) for (let xx = 0; xx < g.W; xx++) for (let c = 0; c < g.C; c++) {
    const v = x.data[((b * g.H + y) * g.W + xx) * g.C + c]!;
    for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) {
      const oy = y * g.stride - g.pad + ky, ox = xx * g.stride - g.pad + kx;
      if (oy < 0 || oy >= Ho || ox < 0 || ox >= Wo) continue;
      for (let f = 0; f < g.F; f++) data[((b * Ho + oy) * Wo + ox) * g.F + f] += v * w.data[((c * g.kh + ky) * g.kw + kx) * g.F + f]!;
    }
  }
  return { shape: [g.B, Ho, Wo, g.F], data };
}
