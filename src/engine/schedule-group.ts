/**
 * Engine stage: the forward schedule's matrix products. Products that share a right operand
 * within a phase are stacked into one product ([W_ir; W_iz; W_in] x), as cuDNN does; the
 * stacked, transposed weights are packed in the layout of the kernel that runs them (gemm's
 * panels, or gemv's strips for fewer than 4 rows), or row-major for the JavaScript loops.
 */
import type { CellGraph, CellNode } from '../cell/index.js';
import { gemmNN } from './matmul.js';
import { BLOCK_COLUMNS, PANEL_COLUMNS, type ProgramCall, type WasmArena } from './wasm.js';
import { affine } from './schedule-wasm.js';
import { allocate, type Data, type DType } from './tensor.js';
import type { Instr, Slot } from './schedule-extra.js';

/** When a node is computed: once per call, once for the whole sequence, or at every step. */
export type Phase = 'const' | 'seq' | 'step';

export interface Member {
  readonly W: string;
  readonly rows: number;
  readonly col: number;
}

export interface Group {
  readonly phase: Phase;
  readonly right: string;
  readonly members: Member[];
  K: number;
  total: number;
  /** Row stride of WT and out: total, or total padded to whole kernel blocks on the wasm path. */
  stride: number;
  WT?: Data;
  out?: Data;
  /**
   * The wasm path: the group's own memory, with WT, the operand rows and out resident in it.
   * strips: WT in the gemv kernel's strips (a product of fewer than 4 rows), else gemm's panels.
   */
  wasm?: { arena: WasmArena; WT: number; out: number; parallel: boolean; strips: boolean };
}

export interface Groups {
  /** By (phase, right operand). */
  readonly groups: ReadonlyMap<string, Group>;
  /** The group of each grouped product node. */
  readonly groupOf: ReadonlyMap<string, Group>;
  /** A group's member by its matrix (the first, if a matrix is used twice): a lookup, not a scan per product. */
  readonly firstMember: ReadonlyMap<Group, ReadonlyMap<string, Member>>;
}

const BYTES: Record<DType, number> = { float32: 4, float64: 8 };

/** Matrix products grouped by (phase, right operand); a product of two constants stays alone. */
export function productGroups(cell: CellGraph, byId: ReadonlyMap<string, CellNode>, phase: ReadonlyMap<string, Phase>, width: (id: string) => number): Groups {
  const groups = new Map<string, Group>();
  const groupOf = new Map<string, Group>();
  for (const n of cell.nodes) {
    if (n.kind !== 'matmul' || phase.get(n.id) === 'const') continue;
    const [W, v] = n.inputs as [string, string];
    const key = `${phase.get(n.id)}:${v}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { phase: phase.get(n.id)!, right: v, members: [], K: width(v), total: 0, stride: 0 }));
    const rows = (byId.get(W)!.shape[0] as number) ?? 1;
    g.members.push({ W, rows, col: g.total });
    g.total += rows;
    groupOf.set(n.id, g);
  }
  const firstMember = new Map<Group, Map<string, Member>>();
  for (const g of groups.values()) {
    const byW = new Map<string, Member>();
    for (const m of g.members) if (!byW.has(m.W)) byW.set(m.W, m);
    firstMember.set(g, byW);
  }
  return { groups, groupOf, firstMember };
}

/**
 * WT[k, col + i] = W[i, k]: the stacked, transposed weights the product wants (padding stays 0),
 * row-major for the JavaScript loops, in the kernel's panels (panels.ts) or strips (wasm-gemv.ts)
 * on the wasm path.
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

/** The group's stacked product out = right · WT, as an instruction (and as program calls on the wasm path). */
export function groupProduct(g: Group, right: Slot, dtype: DType): Instr {
  let scratch: Data | undefined;
  const e = BYTES[dtype];
  const instr: Instr = (t, rows) => {
    const start = right.off + t * right.tStride;
    const w = g.wasm;
    if (w) {
      // Every buffer lives in the arena: the operand rows are read in place, at their stride.
      const nb = g.stride / BLOCK_COLUMNS[dtype];
      const A = right.buf.byteOffset + start * e;
      if (w.strips) w.arena.gemv(dtype, rows, g.stride, g.K, A, w.WT, w.out, right.stride, g.stride, true);
      else if (w.parallel) {
        g.out!.fill(0, 0, rows * g.stride);
        w.arena.gemmParallel(dtype, rows, nb, g.K, A, w.WT, w.out, right.stride, g.stride);
      } else w.arena.gemm(dtype, rows, nb, g.K, A, w.WT, w.out, right.stride, g.stride, 1, true); // stored over out: no zeroing
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
    const C = g.out!;
    C.fill(0, 0, rows * g.stride);
    gemmNN(rows, g.stride, g.K, A, g.WT!, C);
  };
  const w = g.wasm;
  if (w && !w.parallel) {
    // The first depth block's sums are stored over the output, so it is not zeroed first (the same bits).
    instr.program = (rows): ProgramCall[] =>
      w.strips
        ? w.arena.gemvCalls(dtype, rows, g.stride, g.K, affine(right, e), w.WT, w.out, right.stride, g.stride, true)
        : w.arena.gemmCalls(dtype, rows, g.stride / BLOCK_COLUMNS[dtype], g.K, affine(right, e), w.WT, w.out, right.stride, g.stride, true);
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
