/**
 * Engine stage: the forward schedule's matrix products (groups of products sharing their right
 * operand, stacked into one) and its elementwise instructions in JavaScript, for where the
 * WebAssembly kernels (schedule-wasm.ts) do not apply.
 */
import { sigmoid, softplus } from './kernels.js';
import { gemmNN } from './matmul.js';
import { BLOCK_COLUMNS, PANEL_COLUMNS, type ProgramCall, type WasmArena } from './wasm.js';
import { affine } from './schedule-wasm.js';
import { allocate, type Data, type DType } from './tensor.js';
import type { Instr, Slot } from './schedule-extra.js';

export type Phase = 'const' | 'seq' | 'step';

/** Matrix products of one phase that share their right operand, as one stacked product. */
export interface Group {
  readonly phase: Phase;
  readonly right: string;
  readonly members: { readonly W: string; readonly rows: number; readonly col: number }[];
  K: number;
  total: number;
  /** Elements between one step's output and the next (a recorded step's product keeps every step's), else 0. */
  outTStride: number;
  /** Row stride of WT and out: total, or total padded to whole kernel blocks on the wasm path. */
  stride: number;
  WT?: Data;
  out?: Data;
  /**
   * The wasm path: the group's own memory, with WT, the operand rows and out resident in it.
   * strips: WT in the gemv kernel's strips (a product of one row), else gemm's panels.
   */
  wasm?: { arena: WasmArena; WT: number; out: number; parallel: boolean; strips: boolean };
}

const BYTES: Record<DType, number> = { float32: 4, float64: 8 };

const UNARY: Record<string, (x: number) => number> = {
  sigmoid,
  tanh: Math.tanh,
  relu: (x) => (x > 0 ? x : 0),
  exp: Math.exp,
  softplus,
  neg: (x) => -x,
};

/**
 * WT[k, col + i] = W[i, k]: the stacked, transposed weights the product wants (padding stays 0),
 * row-major for the JavaScript loops, in the kernel's panels (panels.ts) or gemv's strips
 * (wasm-gemv.ts) on the wasm path.
 */
export function packTransposed(g: Group, slots: ReadonlyMap<string, Slot>, dtype: DType): void {
  const WT = g.WT!;
  const { K, stride: total } = g;
  const pc = PANEL_COLUMNS[dtype];
  const w = g.wasm;
  if (w?.strips) {
    // The arena's memory starts zeroed and nothing else writes WT: the padding columns stay 0.
    const e = BYTES[dtype];
    for (const m of g.members) {
      const W = slots.get(m.W)!;
      w.arena.packStripColumns(dtype, K, total, m.col, m.rows, W.buf.byteOffset + W.off * e, w.WT);
    }
    return;
  }
  if (w && g.members.every((m) => m.col % pc === 0)) {
    // Each member starts a panel: the arena's pack reads W [rows, K] as B stored transposed.
    const e = BYTES[dtype];
    for (const m of g.members) {
      const W = slots.get(m.W)!;
      w.arena.pack(dtype, K, m.rows, W.buf.byteOffset + W.off * e, w.WT + m.col * K * e, true);
    }
    return;
  }
  for (const m of g.members) {
    const W = slots.get(m.W)!;
    for (let i = 0; i < m.rows; i++) {
      const src = W.off + i * K;
      const j = m.col + i;
      // Column j: K apart in row-major, a panel row (pc) apart within its panel.
      const [dst, step] = g.wasm ? [(j - (j % pc)) * K + (j % pc), pc] : [j, total];
      for (let k = 0; k < K; k++) WT[dst + k * step] = W.buf[src + k]!;
    }
  }
}

export function groupProduct(g: Group, right: Slot, dtype: DType): Instr {
  let scratch: Data | undefined;
  const e = BYTES[dtype];
  const instr: Instr = (t, rows) => {
    const start = right.off + t * right.tStride;
    const outStart = t * g.outTStride;
    const w = g.wasm;
    if (w) {
      // Every buffer lives in the arena: the operand rows are read in place, at their stride.
      const nb = g.stride / BLOCK_COLUMNS[dtype];
      const A = right.buf.byteOffset + start * e;
      const out = w.out + outStart * e;
      if (w.strips) w.arena.gemv(dtype, rows, g.stride, g.K, A, w.WT, out, right.stride, g.stride, true);
      else if (w.parallel) {
        g.out!.fill(0, outStart, outStart + rows * g.stride);
        w.arena.gemmParallel(dtype, rows, nb, g.K, A, w.WT, out, right.stride, g.stride);
      } else w.arena.gemm(dtype, rows, nb, g.K, A, w.WT, out, right.stride, g.stride, 1, true); // stored over out: no zeroing
      return;
    }
    let A: Data;
    if (right.stride === g.K) A = right.buf.subarray(start, start + rows * g.K);
    else {
      // The operand is a column slice of a wider buffer: gather it.
      scratch ??= allocate(rows * g.K, dtype);
      for (let r = 0; r < rows; r++) for (let k = 0; k < g.K; k++) scratch[r * g.K + k] = right.buf[start + r * right.stride + k]!;
      A = scratch;
    }
    // WT's padding columns (if any) are zero, so the padded product is still right.
    const C = g.out!.subarray(outStart);
    C.fill(0, 0, rows * g.stride);
    gemmNN(rows, g.stride, g.K, A, g.WT!, C);
  };
  const w = g.wasm;
  if (w && !w.parallel) {
    // The first depth block's sums are stored over the output, so it is not zeroed first (the same bits).
    const out = { base: w.out, perStep: g.outTStride * e };
    instr.program = (rows): ProgramCall[] =>
      w.strips
        ? w.arena.gemvCalls(dtype, rows, g.stride, g.K, affine(right, e), w.WT, out, right.stride, g.stride, true)
        : w.arena.gemmCalls(dtype, rows, g.stride / BLOCK_COLUMNS[dtype], g.K, affine(right, e), w.WT, out, right.stride, g.stride, true);
  }
  return instr;
}

/** W·v for a constant matrix and a constant vector (parameter-only expressions). */
export function constMatvec(o: Slot, W: Slot, v: Slot): Instr {
  return () => {
    const K = v.width;
    for (let i = 0; i < o.width; i++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += W.buf[W.off + i * K + k]! * v.buf[v.off + k]!;
      o.buf[o.off + i] = s;
    }
  };
}

export function binary(kind: 'add' | 'sub' | 'mul' | 'div', o: Slot, a: Slot, b: Slot): Instr {
  const w = o.width;
  const same = a.width === w && b.width === w;
  return (t, rows) => {
    const O = o.buf, X = a.buf, Y = b.buf;
    for (let r = 0; r < rows; r++) {
      const oo = o.off + t * o.tStride + r * o.stride;
      const ao = a.off + t * a.tStride + r * a.stride;
      const bo = b.off + t * b.tStride + r * b.stride;
      if (!same) {
        // A scalar operand (width 1) against a vector.
        const as = a.width === 1 ? 0 : 1, bs = b.width === 1 ? 0 : 1;
        for (let j = 0; j < w; j++) {
          const x = X[ao + j * as]!, y = Y[bo + j * bs]!;
          O[oo + j] = kind === 'add' ? x + y : kind === 'sub' ? x - y : kind === 'mul' ? x * y : x / y;
        }
      } else if (kind === 'add') for (let j = 0; j < w; j++) O[oo + j] = X[ao + j]! + Y[bo + j]!;
      else if (kind === 'mul') for (let j = 0; j < w; j++) O[oo + j] = X[ao + j]! * Y[bo + j]!;
      else if (kind === 'sub') for (let j = 0; j < w; j++) O[oo + j] = X[ao + j]! - Y[bo + j]!;
      else for (let j = 0; j < w; j++) O[oo + j] = X[ao + j]! / Y[bo + j]!;
    }
  };
}

export function unary(fn: string, o: Slot, a: Slot): Instr {
  const w = o.width;
  const f = UNARY[fn];
  return (t, rows) => {
    const O = o.buf, X = a.buf;
    for (let r = 0; r < rows; r++) {
      const oo = o.off + t * o.tStride + r * o.stride;
      const ao = a.off + t * a.tStride + r * a.stride;
      if (fn === 'sigmoid') for (let j = 0; j < w; j++) O[oo + j] = sigmoid(X[ao + j]!);
      else if (fn === 'tanh') for (let j = 0; j < w; j++) O[oo + j] = Math.tanh(X[ao + j]!);
      else if (f) for (let j = 0; j < w; j++) O[oo + j] = f(X[ao + j]!);
      else for (let j = 0; j < w; j++) O[oo + j] = X[ao + j]!;
    }
  };
}
