/**
 * Engine stage: conv2d and convTranspose2d products on the WebAssembly kernel, a chunk of
 * column-matrix rows at a time. One gemm over the whole batch (conv.ts's fallback) writes a
 * column matrix of up to 33 MB for a 64×64 batch of 64, copies it into the arena, and (for
 * the weight gradient) transposes it there: three passes through memory that cost more than the
 * product. Here each chunk's columns are written straight into the arena and used while they are
 * in cache. The bits are the fallback's: every output element is summed by the same kernel over
 * the same depth blocks in the same order (weight gradients sum over rows, so a chunk is a whole
 * number of the kernel's depth blocks and the running sum stays in the arena between chunks).
 */
import { wasmRuns } from './matmul.js';
import { col2imRows, cropImage, im2colRows, imageLength, padImage, paddedGeometry, type Geometry } from './im2col.js';
import { col2imArena, columnKernels, im2colArena, im2colPanelsArena, type ColumnKernels, type Placed } from './im2col-wasm.js';
import { dtypeOf, type Data, type DType } from './tensor.js';
import { arenaEpilogue, type Epilogue } from './conv-epilogue.js';
import { BLOCK_COLUMNS, DEPTH_BLOCK, PANEL_COLUMNS, paddedColumns, sharedArena, type WasmArena } from './wasm.js';

const NO_EPILOGUE: Epilogue = { bias: undefined, relu: false };

/** Entries of a chunk's column matrix: 512 KB of float32, which stays in the L2 cache. */
const CHUNK_ENTRIES = 1 << 17;

let chunksOn = true;
let chunkEntries = CHUNK_ENTRIES;

/**
 * Turns the chunked path on or off (tests and the benchmark compare it with one gemm per
 * product; tests also shrink the chunks to cross many chunk borders); returns the previous setting.
 */
export function useConvChunks(enabled: boolean, entries = CHUNK_ENTRIES): boolean {
  const previous = chunksOn;
  chunksOn = enabled;
  chunkEntries = entries;
  return previous;
}

/** Rows per chunk for a column matrix `width` wide: whole depth blocks of the kernel. */
function chunkRows(width: number): number {
  return DEPTH_BLOCK * Math.max(1, Math.floor(chunkEntries / (DEPTH_BLOCK * width)));
}

/** The arena, when every product [M, N, K] listed would run on the kernel in gemm() too. */
function arenaFor(products: readonly (readonly [number, number, number])[]): WasmArena | null {
  if (!chunksOn || !products.every(([m, n, k]) => wasmRuns(m, n, k))) return null;
  return sharedArena();
}

/** src [K, N] (or stored [N, K] when transposed) packed into the kernel's panels; returns their offset. */
function packed(arena: WasmArena, dtype: DType, K: number, N: number, src: Data, transposed: boolean): number {
  const raw = arena.alloc(K * N, dtype);
  const panels = arena.alloc(K * paddedColumns(N, dtype), dtype);
  arena.view(raw, K * N, dtype).set(src.subarray(0, K * N));
  arena.pack(dtype, K, N, raw, panels, transposed);
  return panels;
}

/**
 * Column-matrix moves for one op: on the arena's kernels when the window rows allow (image and
 * columns both in the arena), else the JS loops on the views.
 */
class Columns {
  private readonly kernels: ColumnKernels | null;
  private readonly g: Geometry;
  /** g: the convolution's; the images these moves read and write are padded (paddedGeometry). */
  constructor(arena: WasmArena, dtype: DType, g: Geometry) {
    this.g = paddedGeometry(g);
    this.kernels = columnKernels(arena, dtype, this.g);
  }
  im2col(x: Placed, row0: number, row1: number, cols: Placed, ld: number): void {
    if (this.kernels) im2colArena(this.kernels, x, this.g, row0, row1, cols, ld);
    else im2colRows(x.view, this.g, row0, row1, cols.view, ld);
  }
  /**
   * Rows [row0, row1) of the columns as the kernel's panels at `panels`, `cols` the row-major
   * scratch when the window rows are not whole panels (then packed there).
   */
  panels(arena: WasmArena, dtype: DType, x: Placed, row0: number, row1: number, cols: Placed, panels: number): void {
    const K = this.g.kh * this.g.kw * this.g.C;
    const columns = PANEL_COLUMNS[dtype];
    if (this.kernels && (this.g.kw * this.g.C) % columns === 0) return im2colPanelsArena(this.kernels, x, this.g, row0, row1, panels, columns);
    this.im2col(x, row0, row1, cols, K);
    arena.pack(dtype, row1 - row0, K, cols.at, panels, false);
  }
  col2im(cols: Placed, ld: number, row0: number, row1: number, x: Placed): void {
    if (this.kernels) col2imArena(this.kernels, cols, ld, this.g, row0, row1, x);
    else col2imRows(cols.view, ld, this.g, row0, row1, x.view);
  }
}

/** Offsets for `lengths` entries each, then (the memory no longer growing) a view of each. */
function place(arena: WasmArena, dtype: DType, lengths: readonly number[]): Placed[] {
  const offsets = lengths.map((n) => arena.alloc(n, dtype));
  return offsets.map((at, i) => ({ at, view: arena.view(at, lengths[i]!, dtype) }));
}

/** to[r·ldTo + j] (+)= from[r·ldFrom + j] for r < rows, j < cols. */
function copyRows(from: Data, ldFrom: number, to: Data, ldTo: number, rows: number, cols: number, add: boolean): void {
  if (!add && ldFrom === cols && ldTo === cols) return to.set(from.subarray(0, rows * cols));
  for (let r = 0; r < rows; r++) {
    const f = r * ldFrom, t = r * ldTo;
    if (add) for (let j = 0; j < cols; j++) to[t + j] += from[f + j]!;
    else for (let j = 0; j < cols; j++) to[t + j] = from[f + j]!;
  }
}

/**
 * A weight gradient summed over rows in the arena: rows × width (ld padded), starting from the
 * gradient itself when the whole depth fits one block (gemm's in-place accumulation), else from 0
 * with the gradient added at the end, as gemm() does. `transposed`: the sum is gradᵀ.
 */
class RowSum {
  private readonly inPlace: boolean;
  private readonly rows: number;
  private readonly width: number;
  constructor(
    private readonly sum: Data,
    private readonly ld: number,
    private readonly grad: Data,
    depth: number,
    private readonly transposed: boolean,
  ) {
    this.inPlace = depth <= DEPTH_BLOCK;
    this.rows = sum.length / ld;
    this.width = grad.length / this.rows;
    if (!this.inPlace) sum.fill(0);
    else if (!transposed) copyRows(grad, this.width, sum, ld, this.rows, this.width, false);
    else for (let r = 0; r < this.rows; r++) for (let j = 0; j < this.width; j++) sum[r * ld + j] = grad[j * this.rows + r]!;
  }
  finish(): void {
    const { sum, grad, ld, rows, width } = this;
    if (!this.transposed) return copyRows(sum, ld, grad, width, rows, width, !this.inPlace);
    // The gradient is [width, rows]: walk it in order, reading the sum down its columns.
    for (let j = 0; j < width; j++) {
      const g = j * rows;
      if (this.inPlace) for (let r = 0; r < rows; r++) grad[g + r] = sum[r * ld + j]!;
      else for (let r = 0; r < rows; r++) grad[g + r] += sum[r * ld + j]!;
    }
  }
}

/**
 * conv2d: out [M, F] = im2col(x) · w; false when gemm() would not use the kernel. With an
 * epilogue, "fused" when its bias and relu were applied here too, on each chunk in the arena.
 */
export function conv2dForward(x: Data, w: Data, g: Geometry, F: number, out: Data, epilogue: Epilogue = NO_EPILOGUE): false | 'product' | 'fused' {
  const M = g.B * g.Ho * g.Wo;
  const K = g.kh * g.kw * g.C;
  const arena = arenaFor([[M, F, K]]);
  if (!arena) return false;
  const dtype = dtypeOf(out);
  const Np = paddedColumns(F, dtype);
  const R = Math.min(M, chunkRows(K));
  arena.reset();
  const pw = packed(arena, dtype, K, F, w, false);
  const fused = arenaEpilogue(epilogue, M * F, F, dtype);
  fused?.placeBias();
  const [image, a, c] = place(arena, dtype, [imageLength(paddedGeometry(g)), R * K, R * Np]) as [Placed, Placed, Placed];
  padImage(x, g, image.view);
  const columns = new Columns(arena, dtype, g);
  for (let r0 = 0; r0 < M; r0 += R) {
    const n = Math.min(R, M - r0);
    columns.im2col(image, r0, r0 + n, a, K);
    arena.gemm(dtype, n, Np / BLOCK_COLUMNS[dtype], K, a.at, pw, c.at, K, Np, 1, true);
    fused?.apply(n, c.at, Np);
    copyRows(c.view, Np, out.subarray(r0 * F), F, n, F, false);
  }
  return fused ? 'fused' : 'product';
}

/**
 * conv2d's gradients: gw += im2col(x)ᵀ · grad (computed as its transpose, grad chunkᵀ · columns,
 * so the columns are packed by the kernel rather than transposed in JS: read in place as the
 * transposed operand, rows K apart, they thrash the L1 cache's sets) and gx += col2im(grad · wᵀ).
 */
export function conv2dBackward(x: Data, w: Data, g: Geometry, F: number, grad: Data, gx: Data | null, gw: Data | null): boolean {
  const M = g.B * g.Ho * g.Wo;
  const K = g.kh * g.kw * g.C;
  const arena = arenaFor([...(gw ? [[K, F, M] as const] : []), ...(gx ? [[M, K, F] as const] : [])]);
  if (!arena) return false;
  const dtype = dtypeOf(grad);
  const Kp = paddedColumns(K, dtype);
  const nb = Kp / BLOCK_COLUMNS[dtype];
  const R = Math.min(M, chunkRows(K));
  arena.reset();
  const pwT = gx ? packed(arena, dtype, F, K, w, true) : 0;
  const padded = imageLength(paddedGeometry(g));
  const sizes = gw ? [padded, R * K, R * Kp, F * Kp] : [0, 0, 0, 0];
  const [image, a, panels, sumT, gchunk, dcols, gimage] = place(arena, dtype, [...sizes, R * F, ...(gx ? [R * Kp, padded] : [0, 0])]) as Placed[];
  const columns = new Columns(arena, dtype, g);
  if (gw) padImage(x, g, image!.view);
  if (gx) padImage(gx, g, gimage!.view);
  const wSum = gw ? new RowSum(sumT!.view, Kp, gw, M, true) : null;
  for (let r0 = 0; r0 < M; r0 += R) {
    const n = Math.min(R, M - r0);
    gchunk!.view.set(grad.subarray(r0 * F, (r0 + n) * F));
    if (gw) {
      columns.panels(arena, dtype, image!, r0, r0 + n, a!, panels!.at);
      // The chunk's rows [n, F] are gradᵀ [F, n] stored transposed: the kernel reads (f, i) at f + i·F.
      arena.gemm(dtype, F, nb, n, gchunk!.at, panels!.at, sumT!.at, 1, Kp, F);
    }
    if (gx) {
      arena.gemm(dtype, n, nb, F, gchunk!.at, pwT, dcols!.at, F, Kp, 1, true);
      columns.col2im(dcols!, Kp, r0, r0 + n, gimage!);
    }
  }
  wSum?.finish();
  if (gx) cropImage(gimage!.view, g, gx);
  return true;
}

/**
 * convTranspose2d: out = col2im(x [M, Cin] · w [Cin, K]); with an epilogue, "fused" when it
 * was applied to the padded image in the arena (its border too, which the crop drops).
 */
export function convTranspose2dForward(x: Data, w: Data, g: Geometry, Cin: number, out: Data, epilogue: Epilogue = NO_EPILOGUE): false | 'product' | 'fused' {
  const M = g.B * g.Ho * g.Wo;
  const K = g.kh * g.kw * g.C;
  const arena = arenaFor([[M, K, Cin]]);
  if (!arena) return false;
  const dtype = dtypeOf(out);
  const Kp = paddedColumns(K, dtype);
  const R = Math.min(M, chunkRows(Kp));
  arena.reset();
  const pw = packed(arena, dtype, Cin, K, w, false);
  const fused = arenaEpilogue(epilogue, imageLength(g), g.C, dtype);
  fused?.placeBias();
  const [a, c, image] = place(arena, dtype, [R * Cin, R * Kp, imageLength(paddedGeometry(g))]) as [Placed, Placed, Placed];
  padImage(out, g, image.view);
  const columns = new Columns(arena, dtype, g);
  for (let r0 = 0; r0 < M; r0 += R) {
    const n = Math.min(R, M - r0);
    a.view.set(x.subarray(r0 * Cin, (r0 + n) * Cin));
    arena.gemm(dtype, n, Kp / BLOCK_COLUMNS[dtype], Cin, a.at, pw, c.at, Cin, Kp, 1, true);
    columns.col2im(c, Kp, r0, r0 + n, image);
  }
  fused?.apply(imageLength(paddedGeometry(g)) / g.C, image.at, g.C);
  cropImage(image.view, g, out);
  return fused ? 'fused' : 'product';
}

/** convTranspose2d's gradients, from dcols = im2col(grad): gx += dcols · wᵀ, gw += xᵀ · dcols. */
export function convTranspose2dBackward(x: Data, w: Data, g: Geometry, Cin: number, grad: Data, gx: Data | null, gw: Data | null): boolean {
  const M = g.B * g.Ho * g.Wo;
  const K = g.kh * g.kw * g.C;
  const arena = arenaFor([...(gx ? [[M, Cin, K] as const] : []), ...(gw ? [[Cin, K, M] as const] : [])]);
  if (!arena) return false;
  const dtype = dtypeOf(grad);
  const bc = BLOCK_COLUMNS[dtype];
  const Kp = paddedColumns(K, dtype), Cp = paddedColumns(Cin, dtype);
  const R = Math.min(M, chunkRows(K));
  arena.reset();
  const pwT = gx ? packed(arena, dtype, K, Cin, w, true) : 0;
  const [gimage, a, cx, panels, xRows, sum] = place(arena, dtype, [imageLength(paddedGeometry(g)), R * K, R * Cp, R * Kp, R * Cin, Cin * Kp]) as Placed[];
  padImage(grad, g, gimage!.view);
  const columns = new Columns(arena, dtype, g);
  const wSum = gw ? new RowSum(sum!.view, Kp, gw, M, false) : null;
  // gx's depth is K: within one block gemm() adds the products into gx's rows in place.
  const inPlace = K <= DEPTH_BLOCK;
  for (let r0 = 0; r0 < M; r0 += R) {
    const n = Math.min(R, M - r0);
    columns.im2col(gimage!, r0, r0 + n, a!, K);
    if (gx) {
      const rows = gx.subarray(r0 * Cin);
      if (inPlace) copyRows(rows, Cin, cx!.view, Cp, n, Cin, false);
      arena.gemm(dtype, n, Cp / bc, K, a!.at, pwT, cx!.at, K, Cp, 1, !inPlace);
      copyRows(cx!.view, Cp, rows, Cin, n, Cin, !inPlace);
    }
    if (gw) {
      arena.pack(dtype, n, K, a!.at, panels!.at, false);
      // x's rows [n, Cin] are xᵀ [Cin, n] stored transposed.
      xRows!.view.set(x.subarray(r0 * Cin, (r0 + n) * Cin));
      arena.gemm(dtype, Cin, Kp / bc, n, xRows!.at, panels!.at, sum!.at, 1, Kp, Cin);
    }
  }
  wSum?.finish();
  return true;
}
