/**
 * Engine stage: the fast forward path (no tape). The cell's nodes are split into three
 * phases: parameter-only values (once per call), values that do not depend on a state
 * (once for the whole sequence, T·B rows at a time: the input projections x·W_ihᵀ become
 * one large matrix product), and the recurrent rest (per step). Matrix products that share
 * a right operand are stacked into one product ([W_ir; W_iz; W_in] x), as cuDNN does.
 */
import type { CellGraph, CellNode } from '../cell/index.js';
import { sigmoid, softplus } from './kernels.js';
import { gemmNN, wasmEnabled } from './matmul.js';
import { BLOCK_COLUMNS, WasmArena } from './wasm.js';
import type { Parameter } from './tape.js';
import { allocate, sizeOf, type Data, type DType, type Tensor } from './tensor.js';
import type { ForwardResult } from './compile.js';

type Phase = 'const' | 'seq' | 'step';

/** Where a node's value lives: row r of step t starts at off + t·tStride + r·stride. */
interface Slot {
  buf: Data;
  off: number;
  stride: number;
  tStride: number;
  readonly width: number;
}

type Instr = (t: number, rows: number) => void;

interface Group {
  readonly phase: Phase;
  readonly right: string;
  readonly members: { readonly W: string; readonly rows: number; readonly col: number }[];
  K: number;
  total: number;
  /** Row stride of WT and out: total, or total padded to whole kernel blocks on the wasm path. */
  stride: number;
  WT?: Data;
  out?: Data;
  /** The wasm path: the group's own memory, with WT, the operand rows and out resident in it. */
  wasm?: { arena: WasmArena; WT: number; A: number; out: number; aView: Data; parallel: boolean };
}

export interface Schedule {
  run(
    params: ReadonlyMap<string, Parameter>,
    inputs: Readonly<Record<string, Tensor>>,
    initial: Readonly<Record<string, Tensor>>,
    noise: Readonly<Record<string, Tensor>>,
    T: number,
    B: number,
  ): ForwardResult;
  /** Stops the helper thread, if one runs. */
  dispose(): void;
}

const UNARY: Record<string, (x: number) => number> = {
  sigmoid,
  tanh: Math.tanh,
  relu: (x) => (x > 0 ? x : 0),
  exp: Math.exp,
  softplus,
  neg: (x) => -x,
};

/** Multiply-adds per product above which a helper thread takes half of the columns. */
const PARALLEL_MIN_WORK = 1 << 19;

export function buildSchedule(cell: CellGraph, byId: ReadonlyMap<string, CellNode>, batched: ReadonlySet<string>, dtype: DType, threads = 1): Schedule {
  // Phase of every node: state targets and anything downstream of a state are per step.
  const stateTargets = new Set(cell.states.map((s) => s.name));
  const phase = new Map<string, Phase>();
  for (const n of cell.nodes) {
    let p: Phase = batched.has(n.id) ? 'seq' : 'const';
    if (n.kind === 'state' || stateTargets.has(n.id) || n.inputs.some((i) => phase.get(i) === 'step')) p = 'step';
    phase.set(n.id, p);
  }
  const width = (id: string): number => sizeOf(byId.get(id)!.shape as number[]);

  // Matrix products grouped by (phase, right operand); a product of two constants stays alone.
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

  let cached: { T: number; B: number; plan: ReturnType<typeof plan> } | undefined;
  let arena: WasmArena | null = null;

  function plan(T: number, B: number) {
    const slots = new Map<string, Slot>();
    const history = new Map<string, Data>();
    const own = (id: string, p: Phase): Slot => {
      const w = width(id);
      if (p === 'const') return { buf: allocate(w, dtype), off: 0, stride: 0, tStride: 0, width: w };
      if (p === 'seq') return { buf: allocate(T * B * w, dtype), off: 0, stride: w, tStride: B * w, width: w };
      return { buf: allocate(B * w, dtype), off: 0, stride: w, tStride: 0, width: w };
    };
    for (const s of cell.states) {
      const w = sizeOf(s.shape as number[]);
      history.set(s.name, allocate((T + 1) * B * w, dtype));
    }
    // Products big enough for the wasm kernel share one arena (shared memory when a helper
    // thread takes half of the columns); the rest stay in JavaScript.
    const rowsOf = (g: Group) => (g.phase === 'seq' ? T * B : B);
    const bc = BLOCK_COLUMNS[dtype];
    const onWasm = [...groups.values()].filter((g) => wasmEnabled() && rowsOf(g) * g.total * g.K >= 4096);
    const lengths = onWasm.flatMap((g) => {
      const stride = Math.ceil(g.total / bc) * bc;
      return [g.K * stride, rowsOf(g) * g.K, rowsOf(g) * stride];
    });
    const parallel = threads > 1 && onWasm.some((g) => rowsOf(g) * g.total * g.K >= PARALLEL_MIN_WORK);
    arena?.dispose();
    arena = onWasm.length ? WasmArena.create(parallel ? { shared: true, bytes: WasmArena.bytesFor(lengths, dtype) } : {}) : null;
    if (arena && parallel) arena.startHelper();
    const regions = new Map<Group, { WT: number; A: number; out: number }>();
    for (const g of groups.values()) {
      if (arena && onWasm.includes(g)) {
        g.stride = Math.ceil(g.total / bc) * bc;
        regions.set(g, { WT: arena.alloc(g.K * g.stride, dtype), A: arena.alloc(rowsOf(g) * g.K, dtype), out: arena.alloc(rowsOf(g) * g.stride, dtype) });
      }
    }
    // Views only after every allocation: growing the memory detaches older views.
    for (const g of groups.values()) {
      const r = regions.get(g);
      if (arena && r) {
        g.WT = arena.view(r.WT, g.K * g.stride, dtype);
        g.out = arena.view(r.out, rowsOf(g) * g.stride, dtype);
        const split = parallel && rowsOf(g) * g.total * g.K >= PARALLEL_MIN_WORK;
        g.wasm = { arena, ...r, aView: arena.view(r.A, rowsOf(g) * g.K, dtype), parallel: split };
      } else {
        g.stride = g.total;
        g.WT = allocate(g.K * g.total, dtype);
        g.out = allocate(rowsOf(g) * g.total, dtype);
        g.wasm = undefined;
      }
    }
    for (const n of cell.nodes) {
      const p = phase.get(n.id)!;
      const w = width(n.id);
      let slot: Slot;
      if (n.kind === 'state') slot = { buf: history.get(n.name)!, off: 0, stride: w, tStride: B * w, width: w };
      else if (stateTargets.has(n.id)) slot = { buf: history.get(n.id)!, off: B * w, stride: w, tStride: B * w, width: w };
      else if (n.kind === 'const') slot = { buf: allocate(1, dtype).fill(n.value), off: 0, stride: 0, tStride: 0, width: 1 };
      else if (n.kind === 'matmul' && groupOf.has(n.id)) {
        const g = groupOf.get(n.id)!;
        const m = g.members.find((x) => x.W === n.inputs[0])!;
        slot = { buf: g.out!, off: m.col, stride: g.stride, tStride: g.phase === 'seq' ? B * g.stride : 0, width: w };
      } else slot = own(n.id, p);
      slots.set(n.id, slot);
    }

    const instrs: Record<Phase, Instr[]> = { const: [], seq: [], step: [] };
    const started = new Set<Group>();
    for (const n of cell.nodes) {
      const p = phase.get(n.id)!;
      const o = slots.get(n.id)!;
      const args = n.inputs.map((i) => slots.get(i)!);
      if (n.kind === 'matmul') {
        const g = groupOf.get(n.id);
        if (!g) instrs[p].push(constMatvec(o, args[0]!, args[1]!));
        else if (!started.has(g)) {
          started.add(g);
          instrs[p].push(groupProduct(g, slots.get(g.right)!, dtype));
        }
      } else if (n.kind === 'add' || n.kind === 'sub' || n.kind === 'mul' || n.kind === 'div') instrs[p].push(binary(n.kind, o, args[0]!, args[1]!));
      else if (n.kind === 'neg') instrs[p].push(unary('neg', o, args[0]!));
      else if (n.kind === 'activation') instrs[p].push(unary(n.fn, o, args[0]!));
      // A state target that is a plain copy of another node (h = h_other) still needs writing.
      else if (stateTargets.has(n.id) && n.kind !== 'state') instrs[p].push(unary('copy', o, args[0]!));
    }
    return { slots, history, instrs };
  }

  return {
    dispose() {
      arena?.dispose();
      arena = null;
      cached = undefined;
    },
    run(params, inputs, initial, noise, T, B) {
      if (!cached || cached.T !== T || cached.B !== B) cached = { T, B, plan: plan(T, B) };
      const { slots, history, instrs } = cached.plan;
      for (const n of cell.nodes) {
        const slot = slots.get(n.id)!;
        if (n.kind === 'param') slot.buf = params.get(n.name)!.value.data;
        else if (n.kind === 'input') slot.buf = converted(inputs[n.name]!.data, dtype);
        else if (n.kind === 'noise') slot.buf = converted(noise[n.name]!.data, dtype);
      }
      for (const s of cell.states) {
        const h = history.get(s.name)!;
        const given = initial[s.name];
        if (given) h.set(given.data.subarray(0, B * sizeOf(s.shape as number[])));
        else h.fill(0, 0, B * sizeOf(s.shape as number[]));
      }
      for (const f of instrs.const) f(0, 1);
      for (const g of groups.values()) packTransposed(g, slots);
      for (const f of instrs.seq) f(0, T * B);
      const step = instrs.step;
      for (let t = 0; t < T; t++) for (let k = 0; k < step.length; k++) step[k]!(t, B);
      const states: Record<string, Tensor> = {};
      const final: Record<string, Tensor> = {};
      for (const s of cell.states) {
        const shape = s.shape as number[];
        const w = sizeOf(shape);
        const h = history.get(s.name)!.slice();
        states[s.name] = { shape: [T, B, ...shape], data: h.subarray(B * w) };
        final[s.name] = { shape: [B, ...shape], data: h.subarray(T * B * w) };
      }
      return { states, final };
    },
  };
}

function converted(data: Data, dtype: DType): Data {
  if ((dtype === 'float32') === data instanceof Float32Array) return data;
  const out = allocate(data.length, dtype);
  out.set(data);
  return out;
}

/** WT[k, col + i] = W[i, k]: the stacked, transposed weights the i-k-j product wants (padding stays 0). */
function packTransposed(g: Group, slots: ReadonlyMap<string, Slot>): void {
  const WT = g.WT!;
  const { K, stride: total } = g;
  for (const m of g.members) {
    const W = slots.get(m.W)!;
    for (let i = 0; i < m.rows; i++) {
      const src = W.off + i * K;
      for (let k = 0; k < K; k++) WT[k * total + m.col + i] = W.buf[src + k]!;
    }
  }
}

function groupProduct(g: Group, right: Slot, dtype: DType): Instr {
  let scratch: Data | undefined;
  return (t, rows) => {
    const start = right.off + t * right.tStride;
    const w = g.wasm;
    if (w) {
      // Copy the operand rows next to the resident weights, then one kernel call.
      const A = w.aView;
      if (right.stride === g.K) A.set(right.buf.subarray(start, start + rows * g.K));
      else for (let r = 0; r < rows; r++) for (let k = 0; k < g.K; k++) A[r * g.K + k] = right.buf[start + r * right.stride + k]!;
      g.out!.fill(0, 0, rows * g.stride);
      if (w.parallel) w.arena.gemmParallel(dtype, rows, g.stride / BLOCK_COLUMNS[dtype], g.K, w.A, w.WT, w.out, g.K, g.stride, g.stride);
      else w.arena.gemm(dtype, rows, g.stride / BLOCK_COLUMNS[dtype], g.K, w.A, w.WT, w.out, g.K, g.stride, g.stride);
      return;
    }
    let A: Data;
    if (right.stride === g.K) A = right.buf.subarray(start, start + rows * g.K);
    else {
      // The operand is a column slice of a wider buffer (or a broadcast row): gather it.
      scratch ??= allocate(rows * g.K, dtype);
      for (let r = 0; r < rows; r++) for (let k = 0; k < g.K; k++) scratch[r * g.K + k] = right.buf[start + r * right.stride + k]!;
      A = scratch;
    }
    const C = g.out!;
    C.fill(0, 0, rows * g.total);
    gemmNN(rows, g.total, g.K, A, g.WT!, C);
  };
}

/** W·v for a constant matrix and a constant vector (parameter-only expressions). */
function constMatvec(o: Slot, W: Slot, v: Slot): Instr {
  return () => {
    const K = v.width;
    for (let i = 0; i < o.width; i++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += W.buf[W.off + i * K + k]! * v.buf[v.off + k]!;
      o.buf[o.off + i] = s;
    }
  };
}

function binary(kind: 'add' | 'sub' | 'mul' | 'div', o: Slot, a: Slot, b: Slot): Instr {
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

function unary(fn: string, o: Slot, a: Slot): Instr {
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
