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
import { BLOCK_COLUMNS, gemmModule, paddedColumns, PANEL_COLUMNS, WasmArena, type ExactOp, type ProgramCall, type UnaryKernel, type UnaryOp } from './wasm.js';
import { affine, wasmBinary, wasmUnary } from './schedule-wasm.js';
import type { Parameter } from './tape.js';
import { allocate, sizeOf, type Data, type DType, type Tensor } from './tensor.js';
import type { ForwardResult } from './compile.js';
import { extraInstr, type Instr, type Slot } from './schedule-extra.js';
import { mergeChains } from './wasm-chain.js';
import { recordedHistories } from './schedule-record.js';

type Phase = 'const' | 'seq' | 'step';


interface Group {
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
  /** The wasm path: the group's own memory, with WT, the operand rows and out resident in it. */
  wasm?: { arena: WasmArena; WT: number; out: number; parallel: boolean };
}

/** Called after each step with `copyRow(id, r, into, at)`: copies row r of any node's value at that step into `into` at `at`. */
export type StepObserver = (t: number, copyRow: (id: string, r: number, into: Data, at: number) => void) => void;

/** A node's values over a whole run: element i of row r at step t is data[offset + t·tStride + r·rowStride + i]. */
export interface NodeHistory {
  readonly data: Data;
  readonly offset: number;
  readonly tStride: number;
  readonly rowStride: number;
  readonly width: number;
}

export interface Schedule {
  run(
    params: ReadonlyMap<string, Parameter>,
    inputs: Readonly<Record<string, Tensor>>,
    initial: Readonly<Record<string, Tensor>>,
    noise: Readonly<Record<string, Tensor>>,
    T: number,
    B: number,
    observe?: StepObserver,
    record?: readonly string[],
    /** With record: copy the recorded values out and keep this run's memory for the next (see ForwardOptions.keepMemory). */
    keepMemory?: boolean,
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

/** The exact kernel of each function an exact schedule runs in WebAssembly (float64 only: the others stay in JavaScript). */
const EXACT_OF: Record<ExactOp, true> = { exact_exp: true, exact_tanh: true, exact_sigmoid: true, exact_relu: true };

/** An exact schedule's unary kernels: negation and copies as they are, the functions by their exact_* kernels. */
function exactUnary(u: Partial<Record<UnaryOp | ExactOp, UnaryKernel>>): Partial<Record<UnaryOp | ExactOp, UnaryKernel>> {
  return { neg: u.neg, copy: u.copy, exact_exp: u.exact_exp, exact_tanh: u.exact_tanh, exact_sigmoid: u.exact_sigmoid, exact_relu: u.exact_relu };
}

/** The largest arena the schedule asks for (wasm32 memories stop at 4 GiB). */
const MAX_ARENA_BYTES = 3 * 2 ** 30;

/** Multiply-adds per product above which a helper thread takes half of the columns. */
const PARALLEL_MIN_WORK = 1 << 19;

let stepProgramOn = true;

/** Turns the fused step (one wasm function per forward) on or off, for tests; returns the previous setting. */
export function useStepProgram(enabled: boolean): boolean {
  const previous = stepProgramOn;
  stepProgramOn = enabled;
  return previous;
}

export function buildSchedule(cell: CellGraph, byId: ReadonlyMap<string, CellNode>, batched: ReadonlySet<string>, dtype: DType, threads = 1, exact = false): Schedule {
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
    if (!g) groups.set(key, (g = { phase: phase.get(n.id)!, right: v, members: [], K: width(v), total: 0, stride: 0, outTStride: 0 }));
    const rows = (byId.get(W)!.shape[0] as number) ?? 1;
    g.members.push({ W, rows, col: g.total });
    g.total += rows;
    groupOf.set(n.id, g);
  }
  // A group's member by its matrix (the first, if a matrix is used twice): a lookup, not a scan per product.
  const firstMember = new Map<Group, Map<string, Group['members'][number]>>();
  for (const g of groups.values()) {
    const byW = new Map<string, Group['members'][number]>();
    for (const m of g.members) if (!byW.has(m.W)) byW.set(m.W, m);
    firstMember.set(g, byW);
  }

  let cached: { T: number; B: number; record: boolean; plan: ReturnType<typeof plan> } | undefined;
  let arena: WasmArena | null = null;

  function plan(T: number, B: number, record: boolean) {
    // 1. Every buffer the plan needs, as a length; slots say which buffer they live in.
    const lengths: number[] = [];
    const request = (n: number): number => lengths.push(n) - 1;
    // Recording: the per-step values (but the products') of step t lie in block t of one
    // region, T blocks long, where the step writes them (no copy a step); each value starts on
    // 32 bytes, as the arena's own allocations do.
    const block = record ? request(0) : -1;
    let blockLength = 0;
    const inBlock = (n: number): number => {
      const off = blockLength;
      blockLength = off + Math.ceil(n / 4) * 4;
      return off;
    };
    const blockSlots: Slot[] = [];
    const rowsOf = (g: Group) => (g.phase === 'seq' ? T * B : B);
    // exact: the products' sums rounded as a JavaScript loop rounds them (no fused multiply-add),
    // so the fused kernels are neither wanted nor built (assembling them is a cold trace's 5 %).
    const fma = exact ? false : undefined;
    const useWasm = wasmEnabled() && gemmModule(false, fma) !== null;
    const parallel = useWasm && threads > 1 && gemmModule(true, fma) !== null && [...groups.values()].some((g) => rowsOf(g) * g.total * g.K >= PARALLEL_MIN_WORK);
    const groupBufs = new Map<Group, { WT: number; out: number }>();
    for (const g of groups.values()) {
      g.stride = useWasm ? paddedColumns(g.total, dtype) : g.total;
      // A recorded step's product: T outputs, one a step.
      g.outTStride = record && g.phase === 'step' ? B * g.stride : 0;
      groupBufs.set(g, { WT: request(g.K * g.stride), out: request(rowsOf(g) * g.stride * (g.outTStride ? T : 1)) });
    }
    const historyBuf = new Map(cell.states.map((s) => [s.name, request((T + 1) * B * sizeOf(s.shape as number[]))]));
    const slotBuf = new Map<string, number>();
    const slots = new Map<string, Slot>();
    for (const n of cell.nodes) {
      const p = phase.get(n.id)!;
      const w = width(n.id);
      let slot: Slot;
      let buf: number;
      if (n.kind === 'state') [slot, buf] = [{ buf: EMPTY, off: 0, stride: w, tStride: B * w, width: w }, historyBuf.get(n.name)!];
      else if (stateTargets.has(n.id)) [slot, buf] = [{ buf: EMPTY, off: B * w, stride: w, tStride: B * w, width: w }, historyBuf.get(n.id)!];
      else if (n.kind === 'const') [slot, buf] = [{ buf: EMPTY, off: 0, stride: 0, tStride: 0, width: 1 }, request(1)];
      else if (n.kind === 'matmul' && groupOf.has(n.id)) {
        const g = groupOf.get(n.id)!;
        const m = firstMember.get(g)!.get(n.inputs[0]!)!;
        [slot, buf] = [{ buf: EMPTY, off: m.col, stride: g.stride, tStride: g.phase === 'seq' ? B * g.stride : g.outTStride, width: w }, groupBufs.get(g)!.out];
      } else if (p === 'const') [slot, buf] = [{ buf: EMPTY, off: 0, stride: 0, tStride: 0, width: w }, request(w)];
      else if (p === 'seq') [slot, buf] = [{ buf: EMPTY, off: 0, stride: w, tStride: B * w, width: w }, request(T * B * w)];
      else if (record) {
        [slot, buf] = [{ buf: EMPTY, off: inBlock(B * w), stride: w, tStride: 0, width: w }, block];
        blockSlots.push(slot);
      } else [slot, buf] = [{ buf: EMPTY, off: 0, stride: w, tStride: 0, width: w }, request(B * w)];
      slots.set(n.id, slot);
      slotBuf.set(n.id, buf);
    }
    if (record) lengths[block] = T * blockLength;
    for (const slot of blockSlots) slot.tStride = blockLength;
    // A number against a vector (1 − z, 0.5 · x) on the wasm kernels: the number repeated
    // along a row of the vector's width, which the kernel reads at row stride 0.
    const widened = new Map<string, { node: CellNode & { kind: 'const' }; slot: Slot; buf: number }>();
    for (const n of cell.nodes) {
      if (!useWasm || !(n.kind === 'add' || n.kind === 'sub' || n.kind === 'mul' || n.kind === 'div')) continue;
      for (const id of n.inputs) {
        const c = byId.get(id)!;
        const w = width(n.id);
        if (c.kind !== 'const' || w === 1 || widened.has(`${id}:${w}`)) continue;
        widened.set(`${id}:${w}`, { node: c, slot: { buf: EMPTY, off: 0, stride: 0, tStride: 0, width: w }, buf: request(w) });
      }
    }

    // 2. The buffers: all in one wasm arena (so every op can run there), or plain arrays.
    arena?.dispose();
    // A 32-bit wasm memory holds at most 4 GiB: a longer sequence stays in plain arrays.
    const bytes = WasmArena.bytesFor(lengths, dtype);
    arena = useWasm && bytes <= MAX_ARENA_BYTES ? WasmArena.create(parallel ? { shared: true, bytes, fma } : { fma }) : null;
    if (arena && parallel) arena.startHelper();
    const a = arena;
    const ptrs = a ? lengths.map((n) => a.alloc(n, dtype)) : [];
    // Views only after every allocation: growing the memory detaches older views.
    const views = a ? lengths.map((n, k) => a.view(ptrs[k]!, n, dtype)) : lengths.map((n) => allocate(n, dtype));
    for (const n of cell.nodes) {
      const slot = slots.get(n.id)!;
      slot.buf = views[slotBuf.get(n.id)!]!;
      if (n.kind === 'const') slot.buf[0] = n.value;
      if (n.kind === 'identity') for (let i = 0; i < Number(n.shape[0]); i++) slot.buf[i * Number(n.shape[0]) + i] = 1;
    }
    for (const k of widened.values()) k.slot.buf = views[k.buf]!.fill(k.node.value);
    for (const g of groups.values()) {
      const b = groupBufs.get(g)!;
      g.WT = views[b.WT]!;
      g.out = views[b.out]!;
      g.wasm = a ? { arena: a, WT: ptrs[b.WT]!, out: ptrs[b.out]!, parallel: parallel && rowsOf(g) * g.total * g.K >= PARALLEL_MIN_WORK } : undefined;
    }
    const history = new Map(cell.states.map((s) => [s.name, views[historyBuf.get(s.name)!]!]));

    // 3. The instructions, phase by phase.
    const instrs: Record<Phase, Instr[]> = { const: [], seq: [], step: [] };
    // exact: functions (exp, sigmoid, tanh, relu) as the tape and the mathjs trace compute them,
    // with Math's bits: the float64 exact_* kernels (wasm-exact-math.ts), else JavaScript.
    const wasmKernels = a?.elementwise(dtype);
    // exact keeps the WebAssembly sums, products, negation and copies (IEEE, the same bits), not its polynomials.
    const kernels = exact && wasmKernels ? { binary: wasmKernels.binary, unary: exactUnary(wasmKernels.unary) } : wasmKernels;
    const started = new Set<Group>();
    for (const n of cell.nodes) {
      const p = phase.get(n.id)!;
      const o = slots.get(n.id)!;
      const args = n.inputs.map((i) => slots.get(i)!);
      // The newer ops (schedule-extra.ts): x_prev and I are filled in, not computed.
      const extra = extraInstr(n, o, args, byId);
      if (n.kind === 'matmul') {
        const g = groupOf.get(n.id);
        if (!g) instrs[p].push(constMatvec(o, args[0]!, args[1]!));
        else if (!started.has(g)) {
          started.add(g);
          instrs[p].push(groupProduct(g, slots.get(g.right)!, dtype));
        }
      } else if (n.kind === 'add' || n.kind === 'sub' || n.kind === 'mul' || n.kind === 'div') {
        const [x, y] = n.inputs.map((id, k) => widened.get(`${id}:${o.width}`)?.slot ?? args[k]!) as [Slot, Slot];
        instrs[p].push(wasmBinary(kernels?.binary[n.kind], `ew_${n.kind}`, dtype, o, x, y) ?? binary(n.kind, o, args[0]!, args[1]!));
      } else if (extra) {
        instrs[p].push(extra);
      } else if (n.kind === 'neg' || n.kind === 'activation' || (stateTargets.has(n.id) && n.kind !== 'state')) {
        // A state target that is a plain copy of another node (h = h_other) still needs writing.
        const fn = n.kind === 'neg' ? 'neg' : n.kind === 'activation' ? n.fn : 'copy';
        const op = exact && `exact_${fn}` in EXACT_OF ? (`exact_${fn}` as ExactOp) : (fn as UnaryOp);
        instrs[p].push(wasmUnary(kernels?.unary[op], op, dtype, o, args[0]!) ?? unary(fn, o, args[0]!));
      }
    }
    // 4. A step whose every instruction runs on the wasm kernels becomes one wasm function, its
    // consecutive elementwise ops one loop (wasm-chain.ts).
    const step = instrs.step;
    const stepProgram = a && stepProgramOn && step.length > 0 && step.every((f) => f.program) ? a.program(mergeChains(step.flatMap((f) => f.program!(B)))) : null;
    return { slots, history, instrs, stepProgram };
  }

  return {
    dispose() {
      arena?.dispose();
      arena = null;
      cached = undefined;
    },
    run(params, inputs, initial, noise, T, B, observe, record, keepMemory = false) {
      const recordAll = record !== undefined;
      if (!cached || cached.T !== T || cached.B !== B || cached.record !== recordAll) cached = { T, B, record: recordAll, plan: plan(T, B, recordAll) };
      const { slots, history, instrs, stepProgram } = cached.plan;
      for (const n of cell.nodes) {
        const slot = slots.get(n.id)!;
        if (n.kind === 'param') slot.buf.set(params.get(n.name)!.value.data);
        else if (n.kind === 'input') slot.buf.set(inputs[n.name]!.data);
        else if (n.kind === 'noise') slot.buf.set(noise[n.name]!.data);
        else if (n.kind === 'input_prev') {
          // x_{t-1}: zero at the first step, then the input one step behind.
          const rowWidth = B * slot.width;
          slot.buf.fill(0, 0, rowWidth);
          slot.buf.set(inputs[n.name]!.data.subarray(0, (T - 1) * rowWidth), rowWidth);
        }
      }
      for (const s of cell.states) {
        const h = history.get(s.name)!;
        const given = initial[s.name];
        if (given) h.set(given.data.subarray(0, B * sizeOf(s.shape as number[])));
        else h.fill(0, 0, B * sizeOf(s.shape as number[]));
      }
      for (const f of instrs.const) f(0, 1);
      for (const g of groups.values()) packTransposed(g, slots, dtype);
      for (const f of instrs.seq) f(0, T * B);
      const step = instrs.step;
      let now = 0;
      const copyRow = (id: string, r: number, into: Data, at: number): void => {
        const s = slots.get(id)!;
        const from = s.off + now * s.tStride + r * s.stride;
        into.set(s.buf.subarray(from, from + s.width), at);
      };
      // The fused step runs the whole sequence in one call, or one step a call for an observer.
      if (stepProgram && !observe) stepProgram(0, T);
      else {
        for (let t = 0; t < T; t++) {
          if (stepProgram) stepProgram(t, t + 1);
          else for (let k = 0; k < step.length; k++) step[k]!(t, B);
          now = t;
          observe?.(t, copyRow);
        }
      }
      const states: Record<string, Tensor> = {};
      const final: Record<string, Tensor> = {};
      for (const s of cell.states) {
        const shape = s.shape as number[];
        const w = sizeOf(shape);
        const h = history.get(s.name)!.slice();
        states[s.name] = { shape: [T, B, ...shape], data: h.subarray(B * w) };
        final[s.name] = { shape: [B, ...shape], data: h.subarray(T * B * w) };
      }
      if (!record) return { states, final };
      // The recorded values are where the run left them: handed over (the next run makes its
      // own memory), or copied out (the next run of these lengths reuses this plan's).
      if (!keepMemory) cached = undefined;
      return { states, final, recorded: recordedHistories(slots, record, keepMemory) };
    },
  };
}

const EMPTY = new Float64Array(0);
const BYTES: Record<DType, number> = { float32: 4, float64: 8 };

/**
 * WT[k, col + i] = W[i, k]: the stacked, transposed weights the product wants (padding stays 0),
 * row-major for the JavaScript loops, in the kernel's panels (panels.ts) on the wasm path.
 */
function packTransposed(g: Group, slots: ReadonlyMap<string, Slot>, dtype: DType): void {
  const WT = g.WT!;
  const { K, stride: total } = g;
  const pc = PANEL_COLUMNS[dtype];
  const w = g.wasm;
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

function groupProduct(g: Group, right: Slot, dtype: DType): Instr {
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
      if (w.parallel) {
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
    instr.program = (rows): ProgramCall[] => w.arena.gemmCalls(dtype, rows, g.stride / BLOCK_COLUMNS[dtype], g.K, affine(right, e), w.WT, { base: w.out, perStep: g.outTStride * e }, right.stride, g.stride, true);
  }
  return instr;
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
