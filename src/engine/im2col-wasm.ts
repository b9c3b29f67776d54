/**
 * Engine stage: im2colRows and col2imRows (im2col.ts) on the WebAssembly arena, for images and
 * column matrices that live there. A window row inside the image is kw·C contiguous values, and
 * for one output row (b, oy) and one ky the windows of consecutive ox sit `stride·C` apart in the
 * image and `ld` apart in the columns: one strided call of the elementwise copy (im2col) or add
 * (col2im) kernel moves all of them, where a JS loop over typed arrays cost 3–6 ns a value.
 * Windows that cross the left or right border go through the JS versions. The adds reach each
 * pixel in the JS order (for one (b, oy) a pixel row is touched by one ky only, and by its ox
 * in increasing order), so the sums are the same bits.
 */
import { col2imRows, im2colRows, type Geometry } from './im2col.js';
import type { Data, DType } from './tensor.js';
import type { ElementwiseKernel, UnaryKernel, WasmArena } from './wasm.js';

/** An image or column matrix in the arena: its byte offset and a view of it. */
export interface Placed {
  readonly at: number;
  readonly view: Data;
}

export interface ColumnKernels {
  readonly copy: UnaryKernel;
  readonly add: ElementwiseKernel;
  readonly bytes: number;
}

/** The arena's copy and add kernels for a dtype, or null when a window row is not a whole number of 16-byte vectors. */
export function columnKernels(arena: WasmArena, dtype: DType, g: Geometry): ColumnKernels | null {
  const bytes = dtype === 'float32' ? 4 : 8;
  if ((g.kw * g.C * bytes) % 16 !== 0) return null;
  const { unary, binary } = arena.elementwise(dtype);
  return unary.copy && binary.add ? { copy: unary.copy, add: binary.add, bytes } : null;
}

/** The output positions ox whose windows lie inside the image's width: [first, end). */
function insideColumns(g: Geometry): [number, number] {
  const first = Math.ceil(g.pad / g.stride);
  const end = Math.floor((g.W - g.kw + g.pad) / g.stride) + 1;
  return [Math.min(first, g.Wo), Math.max(Math.min(end, g.Wo), Math.min(first, g.Wo))];
}

/**
 * Visits rows [row0, row1) as runs of one output row (b, oy): `border(row)` for each window
 * crossing the left edge, then `inside(b, oy, ox0, n, row)` for the n windows inside (row: the
 * first one's row), then `border` for those crossing the right edge.
 */
function runs(g: Geometry, row0: number, row1: number, border: (row: number) => void, inside: (b: number, oy: number, ox0: number, n: number, row: number) => void): void {
  const [first, end] = insideColumns(g);
  let row = row0;
  while (row < row1) {
    const ox = row % g.Wo;
    const oy = ((row - ox) / g.Wo) % g.Ho;
    const b = (row - ox - oy * g.Wo) / (g.Wo * g.Ho);
    const stop = Math.min(row1, row - ox + g.Wo);
    let r = row;
    for (; r < stop && r - row + ox < first; r++) border(r);
    const lastInside = Math.min(stop, row - ox + end);
    if (lastInside > r) {
      inside(b, oy, r - row + ox, lastInside - r, r);
      r = lastInside;
    }
    for (; r < stop; r++) border(r);
    row = stop;
  }
}

/** im2colRows of the image x into the columns at cols (row stride ld), both in the arena. */
export function im2colArena(k: ColumnKernels, x: Placed, g: Geometry, row0: number, row1: number, cols: Placed, ld: number): void {
  const { H, W, C, kh, kw, stride, pad } = g;
  const span = kw * C;
  const e = k.bytes;
  runs(
    g, row0, row1,
    (row) => im2colRows(x.view, g, row, row + 1, cols.view.subarray((row - row0) * ld), ld),
    (b, oy, ox0, n, row) => {
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * stride - pad + ky;
        const to = (row - row0) * ld + ky * span;
        if (iy < 0 || iy >= H) for (let r = 0; r < n; r++) cols.view.fill(0, to + r * ld, to + r * ld + span);
        else k.copy(n, span * e, cols.at + to * e, ld * e, x.at + ((b * H + iy) * W + ox0 * stride - pad) * C * e, stride * C * e);
      }
    },
  );
}

/** col2imRows of the columns at cols (row stride ld) added onto the image x, both in the arena. */
export function col2imArena(k: ColumnKernels, cols: Placed, ld: number, g: Geometry, row0: number, row1: number, x: Placed): void {
  const { H, W, C, kh, kw, stride, pad } = g;
  const span = kw * C;
  const e = k.bytes;
  runs(
    g, row0, row1,
    (row) => col2imRows(cols.view.subarray((row - row0) * ld), ld, g, row, row + 1, x.view),
    (b, oy, ox0, n, row) => {
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * stride - pad + ky;
        if (iy < 0 || iy >= H) continue;
        const pixel = x.at + ((b * H + iy) * W + ox0 * stride - pad) * C * e;
        k.add(n, span * e, pixel, stride * C * e, pixel, stride * C * e, cols.at + ((row - row0) * ld + ky * span) * e, ld * e);
      }
    },
  );
}

/**
 * im2colRows of the image x (padded: no window crosses its border) straight into the kernel's
 * panels (panels.ts) at `panels`, rows [row0, row1) as that many panel rows: the bytes that
 * packing the row-major columns would give, without writing them first. Needs a window row of
 * whole panels (kw·C a multiple of `panelColumns`); each ky's window row is split into its
 * panels, one strided copy each.
 */
export function im2colPanelsArena(k: ColumnKernels, x: Placed, g: Geometry, row0: number, row1: number, panels: number, panelColumns: number): void {
  const { H, W, C, kh, kw, stride, pad } = g;
  const e = k.bytes;
  const perRow = (kw * C) / panelColumns;
  const panelRow = panelColumns * e;
  const panelBytes = (row1 - row0) * panelRow;
  runs(
    g, row0, row1,
    () => {
      throw new RangeError('im2colPanelsArena: a window crosses the image border (pad the image first)');
    },
    (b, oy, ox0, n, row) => {
      for (let ky = 0; ky < kh; ky++) {
        const pixel = x.at + ((b * H + oy * stride - pad + ky) * W + ox0 * stride - pad) * C * e;
        for (let q = 0; q < perRow; q++) k.copy(n, panelRow, panels + (ky * perRow + q) * panelBytes + (row - row0) * panelRow, panelRow, pixel + q * panelRow, stride * C * e);
      }
    },
  );
}
