/**
 * Engine stage: the column matrix of a convolution and its adjoint, over a range of its rows so
 * a product can run in chunks that stay in cache (conv-wasm.ts). Images are channels-last
 * [B, H, W, C]; row r of the column matrix is output position r (batch, then y, then x), its
 * columns (ky, kx, c), zero where the window leaves the image.
 */
import type { Data } from './tensor.js';

/** A convolution's two sides: the image [B, H, W, C] and the column grid Ho × Wo it slides over. */
export interface Geometry {
  readonly B: number;
  readonly H: number;
  readonly W: number;
  readonly C: number;
  readonly kh: number;
  readonly kw: number;
  readonly stride: number;
  readonly pad: number;
  readonly Ho: number;
  readonly Wo: number;
}

/** Rows [row0, row1) of the column matrix of x into cols, row i at cols[(i − row0)·ld ...]. */
export function im2colRows(x: Data, g: Geometry, row0: number, row1: number, cols: Data, ld: number): void {
  const { H, W, C, kh, kw, stride, pad, Ho, Wo } = g;
  const span = kw * C;
  for (let row = row0; row < row1; row++) {
    const ox = row % Wo;
    const oy = ((row - ox) / Wo) % Ho;
    const b = (row - ox - oy * Wo) / (Wo * Ho);
    let at = (row - row0) * ld;
    const ix0 = ox * stride - pad;
    const inside = ix0 >= 0 && ix0 + kw <= W;
    for (let ky = 0; ky < kh; ky++, at += span) {
      const iy = oy * stride - pad + ky;
      if (iy < 0 || iy >= H) {
        cols.fill(0, at, at + span);
        continue;
      }
      const from = ((b * H + iy) * W + ix0) * C;
      // A window row inside the image is kw·C contiguous values of x.
      if (inside) for (let k = 0; k < span; k++) cols[at + k] = x[from + k]!;
      else for (let kx = 0; kx < kw; kx++) {
        const ix = ix0 + kx;
        const to = at + kx * C;
        if (ix < 0 || ix >= W) cols.fill(0, to, to + C);
        else for (let c = 0; c < C; c++) cols[to + c] = x[from + kx * C + c]!;
      }
    }
  }
}

/** The adjoint of im2colRows: each entry of rows [row0, row1) added back onto the pixel it was read from. */
export function col2imRows(cols: Data, ld: number, g: Geometry, row0: number, row1: number, x: Data): void {
  const { H, W, C, kh, kw, stride, pad, Ho, Wo } = g;
  const span = kw * C;
  for (let row = row0; row < row1; row++) {
    const ox = row % Wo;
    const oy = ((row - ox) / Wo) % Ho;
    const b = (row - ox - oy * Wo) / (Wo * Ho);
    let at = (row - row0) * ld;
    const ix0 = ox * stride - pad;
    const inside = ix0 >= 0 && ix0 + kw <= W;
    for (let ky = 0; ky < kh; ky++, at += span) {
      const iy = oy * stride - pad + ky;
      if (iy < 0 || iy >= H) continue;
      const to = ((b * H + iy) * W + ix0) * C;
      if (inside) for (let k = 0; k < span; k++) x[to + k] += cols[at + k]!;
      else for (let kx = 0; kx < kw; kx++) {
        const ix = ix0 + kx;
        if (ix < 0 || ix >= W) continue;
        for (let c = 0; c < C; c++) x[to + kx * C + c] += cols[at + kx * C + c]!;
      }
    }
  }
}

/**
 * The geometry over the image with its zero border made real: [B, H + 2·pad, W + 2·pad, C] and
 * no padding, so every window lies inside (no border cases: the column-matrix moves run on the
 * kernels for whole output rows). The same windows, the same values (the border's zeros), and
 * the adjoint's adds reach each inner pixel in the same order.
 */
export function paddedGeometry(g: Geometry): Geometry {
  return { ...g, H: g.H + 2 * g.pad, W: g.W + 2 * g.pad, pad: 0 };
}

/** Entries of an image of this geometry. */
export function imageLength(g: Geometry): number {
  return g.B * g.H * g.W * g.C;
}

/** x [B, H, W, C] into the padded image `into` (paddedGeometry(g)), border zero (only the border is written with zeros: the images are megabytes). */
export function padImage(x: Data, g: Geometry, into: Data): void {
  if (g.pad === 0) return into.set(x.subarray(0, imageLength(g)));
  const p = g.pad, Wp = g.W + 2 * p, Hp = g.H + 2 * p, row = g.W * g.C;
  for (let b = 0; b < g.B; b++) {
    // From the image's top border to its first row's left border, then each row and the gap to the next row's start.
    let zeroFrom = b * Hp * Wp * g.C;
    for (let y = 0; y < g.H; y++) {
      const at = ((b * Hp + y + p) * Wp + p) * g.C;
      into.fill(0, zeroFrom, at);
      into.set(x.subarray((b * g.H + y) * row, (b * g.H + y + 1) * row), at);
      zeroFrom = at + row;
    }
    into.fill(0, zeroFrom, (b + 1) * Hp * Wp * g.C);
  }
}

/** The inside of the padded image `from` back into out [B, H, W, C] (the border dropped). */
export function cropImage(from: Data, g: Geometry, out: Data): void {
  if (g.pad === 0) return out.set(from.subarray(0, imageLength(g)));
  const p = g.pad, Wp = g.W + 2 * p, Hp = g.H + 2 * p, row = g.W * g.C;
  for (let b = 0; b < g.B; b++) for (let y = 0; y < g.H; y++) {
    const at = ((b * Hp + y + p) * Wp + p) * g.C;
    out.set(from.subarray(at, at + row), (b * g.H + y) * row);
  }
}
