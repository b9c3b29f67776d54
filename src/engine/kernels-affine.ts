/**
 * Engine stage: a dense layer as one op, x[M,K]·W[K,N] + b[N] with an optional relu after.
 * As three ops (matmul, add, relu) a layer walked its [M, N] values three times forward in JS
 * and, backward, copied its gradient twice (relu's mask into one buffer, add's pass-through into
 * another) before the bias sum and the products could read it. Here the bias and relu, the mask
 * and the bias gradient run as conv2d's do (conv-epilogue.ts: on the WebAssembly arena when the
 * layer is large): the same arithmetic in the same order, so the same bits as the three ops
 * (relu on the kernel keeps a −0 sum as −0, which x + b with a nonzero b never is).
 *
 * Columns of x that are zero in every row (MNIST: about 340 of the 784 pixels in a batch of
 * 128) add nothing to x·W and leave their rows of dW at zero, so both products leave them out.
 * Every sum still runs over the same k in the same order, in the same depth blocks, with only
 * terms ±0 missing (adding ±0 to a sum that starts at +0 changes no bit), so the bits stay.
 */
import { ShapeError } from '../errors.js';
import { biasAndRelu, biasGradient, gradientBeforeEpilogue } from './conv-epilogue.js';
import type { Kernel } from './kernels.js';
import { gemm, wasmRuns } from './matmul.js';
import { allocateOutput, holdsZeros } from './pool.js';
import { allocate, dtypeOf, type Data, type DType, type Tensor } from './tensor.js';
import { columnKernels } from './gather-wasm.js';
import { DEPTH_BLOCK, sharedArena } from './wasm.js';

/** Leaving columns out pays only when this share of them or fewer hold a nonzero. */
const SPARSE_SHARE = 0.85;

/** Reused gather buffers (one product runs at a time). */
const buffers: Record<DType, [Data, Data]> = { float32: [new Float32Array(0), new Float32Array(0)], float64: [new Float64Array(0), new Float64Array(0)] };

function buffer(which: 0 | 1, length: number, dtype: DType): Data {
  if (buffers[dtype][which].length < length) buffers[dtype][which] = allocate(length, dtype);
  return buffers[dtype][which].subarray(0, length);
}

/**
 * The columns of x [M, K] with a nonzero in rows [0, rows), or null when more than SPARSE_SHARE of
 * them have one (a dense layer's input gives up within its first rows).
 */
function activeColumns(x: Data, M: number, K: number, rows = M): Int32Array | null {
  const seen = new Uint8Array(K);
  const limit = SPARSE_SHARE * K;
  let count = 0;
  for (let i = 0; i < rows; i++) {
    const base = i * K;
    for (let k = 0; k < K; k++) {
      if (seen[k] === 0 && x[base + k] !== 0) {
        seen[k] = 1;
        count++;
      }
    }
    if (count > limit) return null;
  }
  return columnsOf(seen, count);
}

/** The k with seen[k] set (`count` of them), ascending. */
function columnsOf(seen: Uint8Array, count: number): Int32Array {
  const columns = new Int32Array(count);
  for (let k = 0, c = 0; k < seen.length; k++) if (seen[k]) columns[c++] = k;
  return columns;
}

/** x[:, columns[from..to)] as [M, to − from], row-major, into `into`. */
function gatherColumns(x: Data, M: number, K: number, columns: Int32Array, from: number, to: number, into: Data): Data {
  const width = to - from;
  for (let i = 0; i < M; i++) for (let c = 0; c < width; c++) into[i * width + c] = x[i * K + columns[from + c]!]!;
  return into;
}

/** Rows `columns[from..to)` of W [K, N] as [to − from, N] into `into`. */
function gatherRows(W: Data, N: number, columns: Int32Array, from: number, to: number, into: Data): Data {
  for (let c = from; c < to; c++) into.set(W.subarray(columns[c]! * N, (columns[c]! + 1) * N), (c - from) * N);
  return into;
}

/**
 * A forward's active columns and x's values in them, depth block by depth block: block
 * [from, to) of `columns` is x[:, columns[from..to)] as [M, to − from], row-major, at M·from in
 * `gathered`. The backward's weight gradient reads them instead of gathering x again.
 */
interface Active {
  readonly columns: Int32Array;
  readonly gathered: Data;
  readonly blocks: readonly (readonly [number, number])[];
}

/** The non-empty runs of `columns` (ascending) within each DEPTH_BLOCK of K. */
function depthBlocks(columns: Int32Array, K: number): [number, number][] {
  const blocks: [number, number][] = [];
  for (let k0 = 0, from = 0; k0 < K; k0 += DEPTH_BLOCK) {
    let to = from;
    while (to < columns.length && columns[to]! < k0 + DEPTH_BLOCK) to++;
    if (to > from) blocks.push([from, to]);
    from = to;
  }
  return blocks;
}

/**
 * o = x·W over the active columns only: one product per depth block of the full product, so each
 * block's sum is added to o as the kernel adds it (0 + S₀, then + S₁, ...).
 */
function sparseProduct(M: number, N: number, W: Data, o: Data, active: Active): void {
  const { columns, gathered, blocks } = active;
  const dtype = dtypeOf(o);
  blocks.forEach(([from, to], b) => {
    const Ws = gatherRows(W, N, columns, from, to, buffer(1, (to - from) * N, dtype));
    gemm(M, N, to - from, gathered.subarray(M * from, M * to), Ws, o, { accumulate: b > 0 });
  });
  if (blocks.length === 0) o.fill(0);
}

/** Rows checked in JavaScript before a float32 x goes to the arena: a dense layer's input is given up on there. */
const FIRST_ROWS = 8;

/**
 * x's active columns and their values block by block (Active) when leaving the others out keeps
 * every product on the WebAssembly kernel (see sparseColumns), else null. A float32 x is copied
 * into the arena once and marked and gathered there (gather-wasm.ts: the same bits, a fraction
 * of the JavaScript loops' time).
 */
function gatherActive(x: Data, M: number, K: number, N: number): Active | null {
  if (!wasmRuns(M, N, 1) || !wasmRuns(K, N, M)) return null;
  const arena = x instanceof Float32Array && M > FIRST_ROWS ? sharedArena() : null;
  const kernels = arena && columnKernels(arena);
  if (!arena || !kernels || !activeColumns(x, M, K, FIRST_ROWS)) {
    const columns = sparseColumns(x, M, K, N);
    if (!columns) return null;
    const blocks = depthBlocks(columns, K);
    const gathered = allocateOutput(M * columns.length, dtypeOf(x));
    for (const [from, to] of blocks) gatherColumns(x, M, K, columns, from, to, gathered.subarray(M * from, M * to));
    return { columns, gathered, blocks };
  }
  arena.reset();
  const [xAt, maskAt, columnsAt, outAt] = [arena.alloc(M * K, 'float32'), arena.alloc(K, 'float32'), arena.alloc(K, 'float32'), arena.alloc(M * K, 'float32')];
  arena.view(xAt, M * K, 'float32').set(x);
  const mask = new Uint8Array(arena.memory.buffer, maskAt, K).fill(0);
  kernels.mask(M, K, xAt, maskAt);
  let count = 0;
  for (let k = 0; k < K; k++) count += mask[k]!;
  if (count > SPARSE_SHARE * K || !wasmRuns(count, N, M)) return null;
  const columns = columnsOf(mask, count);
  new Int32Array(arena.memory.buffer, columnsAt, count).set(columns);
  const blocks = depthBlocks(columns, K);
  for (const [from, to] of blocks) kernels.gather(M, K, xAt, columnsAt + 4 * from, to - from, outAt + 4 * M * from);
  const gathered = allocateOutput(M * count, 'float32');
  gathered.set(arena.view(outAt, M * count, 'float32'));
  return { columns, gathered, blocks };
}

/**
 * dW += xᵀ·dz on the rows of the active columns; `zero`: dW holds only +0. Each row of the
 * product is its own sum over the batch, so it is the same whether the rows are computed all at
 * once or block by block from the forward's gathered values (when each block's product is on
 * the kernel too).
 */
function sparseWeightGradient(M: number, N: number, K: number, x: Data, gz: Data, gW: Data, active: Active, zero: boolean): void {
  const { columns, gathered, blocks } = active;
  const dtype = dtypeOf(gW);
  const count = columns.length;
  const rows = zero ? buffer(1, count * N, dtype) : gatherRows(gW, N, columns, 0, count, buffer(1, count * N, dtype));
  if (blocks.length > 0 && blocks.every(([from, to]) => wasmRuns(Math.max(to - from, 4), N, M))) {
    for (const [from, to] of blocks) {
      const [xs, out] = [gathered.subarray(M * from, M * to), rows.subarray(from * N, to * N)];
      if (to - from >= 4) gemm(to - from, N, M, xs, gz, out, { transA: true, accumulate: !zero });
      else narrowBlockRows(M, N, to - from, xs, gz, out, zero);
    }
  } else {
    const xs = gatherColumns(x, M, K, columns, 0, count, buffer(0, M * count, dtype));
    gemm(count, N, M, xs, gz, rows, { transA: true, accumulate: !zero });
  }
  for (let c = 0; c < count; c++) gW.set(rows.subarray(c * N, (c + 1) * N), columns[c]! * N);
}

/**
 * The dW rows of a block of fewer than 4 columns (the kernel takes 4 rows or more): its columns
 * widened to 4 with zeros, and only the real rows kept (each row is its own sum: the same bits).
 */
function narrowBlockRows(M: number, N: number, width: number, xs: Data, gz: Data, out: Data, zero: boolean): void {
  const dtype = dtypeOf(out);
  const wide = buffer(0, M * 4, dtype).fill(0);
  for (let i = 0; i < M; i++) for (let c = 0; c < width; c++) wide[i * 4 + c] = xs[i * width + c]!;
  const rows = allocate(4 * N, dtype);
  if (!zero) rows.set(out);
  gemm(4, N, M, wide, gz, rows, { transA: true, accumulate: !zero });
  out.set(rows.subarray(0, width * N));
}

/**
 * The active columns when leaving the others out keeps every product on the same kernel (the
 * WebAssembly one for any depth, so the JS loops' other rounding never comes in), else null.
 */
function sparseColumns(x: Data, M: number, K: number, N: number): Int32Array | null {
  if (!wasmRuns(M, N, 1) || !wasmRuns(K, N, M)) return null;
  const columns = activeColumns(x, M, K);
  return columns && wasmRuns(columns.length, N, M) ? columns : null;
}

/** The active columns of x without a forward's gathered values (no blocks: the backward gathers x itself). */
function activeWithout(x: Data, M: number, K: number, N: number): Active | null {
  const columns = sparseColumns(x, M, K, N);
  return columns && { columns, gathered: x, blocks: [] };
}

/** Each forward's active columns (and x in them) by its output, for the backward (x does not change in between). */
const activeOf = new WeakMap<Tensor, Active | null>();

export const affine: Kernel = {
  forward([x, W, b], attrs) {
    const [M, K] = x!.shape as [number, number];
    const [K2, N] = W!.shape as [number, number];
    if (x!.shape.length !== 2 || W!.shape.length !== 2 || K !== K2) throw new ShapeError('W', [K, 'n'], W!.shape, 'affine');
    if (b!.shape.length !== 1 || b!.shape[0] !== N) throw new ShapeError('bias', [N], b!.shape, 'affine');
    const o = allocateOutput(M * N, dtypeOf(x!.data));
    const active = gatherActive(x!.data, M, K, N);
    if (active) sparseProduct(M, N, W!.data, o, active);
    else gemm(M, N, K, x!.data, W!.data, o);
    biasAndRelu(o, b!.data, attrs.relu ?? false);
    const r: Tensor = { shape: [M, N], data: o };
    activeOf.set(r, active);
    return r;
  },
  backward([x, W], y, g, [gx, gW, gb], attrs) {
    const [M, K] = x!.shape as [number, number];
    const N = W!.shape[1]!;
    // g masked by relu (0 + g, as the separate ops' zeroed buffers give): a scratch buffer, read before anything else asks for it.
    const gz = gradientBeforeEpilogue(y.data, g, attrs.relu ?? false);
    if (gb) biasGradient(gz, gb);
    // A gradient that holds only +0 (the tape's first contribution) is written over, not read in and added to: the same bits.
    if (gx) gemm(M, K, N, gz, W!.data, gx, { transB: true, accumulate: !holdsZeros(gx) }); // dx = dz·Wᵀ
    if (!gW) return;
    const active = activeOf.has(y) ? activeOf.get(y)! : activeWithout(x!.data, M, K, N);
    if (active) sparseWeightGradient(M, N, K, x!.data, gz, gW, active, holdsZeros(gW));
    else gemm(K, N, M, x!.data, gz, gW, { transA: true, accumulate: !holdsZeros(gW) }); // dW = xᵀ·dz
  },
};
