/**
 * Engine stage: the forward schedule's plan for one (T, B): where every node's value lives
 * (one wasm arena, or plain arrays), and the instructions of each phase, the step's fused
 * into one WebAssembly function where every one of them runs on the wasm kernels.
 */
import type { CellGraph, CellNode } from '../cell/index.js';
import { sigmoid, softplus } from './kernels.js';
import { wasmEnabled } from './matmul.js';
import { gemmModule, paddedColumns, WasmArena, type ExactOp, type UnaryKernel, type UnaryOp } from './wasm.js';
import { wasmBinary, wasmUnary } from './schedule-wasm.js';
import { allocate, sizeOf, type Data, type DType } from './tensor.js';
import { extraInstr, type Instr, type Slot } from './schedule-extra.js';
import { mergeChains } from './wasm-chain.js';
import { constMatvec, groupProduct, type Group, type Groups, type Phase } from './schedule-group.js';

/** What a plan is made from: the cell, each node's phase and width, and the product groups. */
export interface PlanContext {
  readonly cell: CellGraph;
  readonly byId: ReadonlyMap<string, CellNode>;
  readonly phase: ReadonlyMap<string, Phase>;
  readonly stateTargets: ReadonlySet<string>;
  readonly width: (id: string) => number;
  readonly groups: Groups;
  readonly dtype: DType;
  readonly threads: number;
  readonly exact: boolean;
}

export interface Plan {
  readonly slots: ReadonlyMap<string, Slot>;
  /** Each state's values, [T + 1, B, ...]: the initial state, then one row block per step. */
  readonly history: ReadonlyMap<string, Data>;
  readonly instrs: Readonly<Record<Phase, Instr[]>>;
  /** The whole step as one wasm function run(t0, t1), or null. */
  readonly stepProgram: ((t0: number, t1: number) => void) | null;
  /** What a recording copies each step: the per-step values' block, and each per-step product's rows. */
  readonly perStep: Data[];
  /** The plan's memory (null on plain arrays): the next plan disposes of it. */
  readonly arena: WasmArena | null;
}

/** A number against a vector (1 − z, 0.5 · x) on the wasm kernels: the number repeated along a row of the vector's width. */
interface Widened {
  readonly node: CellNode & { kind: 'const' };
  readonly slot: Slot;
  readonly buf: number;
}

/** Every buffer the plan needs, as a length; slots say which buffer they live in. */
interface Layout {
  readonly lengths: number[];
  /** Recording: the buffer the per-step values share (else −1). */
  readonly block: number;
  readonly slots: Map<string, Slot>;
  readonly slotBuf: Map<string, number>;
  readonly widened: Map<string, Widened>;
  readonly groupBufs: Map<Group, { WT: number; out: number }>;
  readonly historyBuf: Map<string, number>;
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

/** The largest arena the schedule asks for (wasm32 memories stop at 4 GiB). */
const MAX_ARENA_BYTES = 3 * 2 ** 30;

/** Rows below which a product runs on the gemv kernel (wasm-gemv.ts), its weights in strips: gemm's own tile for so few rows is one row × a panel. */
const GEMV_MAX_ROWS = 4;

/** Multiply-adds per product above which a helper thread takes half of the columns. */
const PARALLEL_MIN_WORK = 1 << 19;

const EMPTY = new Float64Array(0);

let stepProgramOn = true;

/** Turns the fused step (one wasm function per forward) on or off, for tests; returns the previous setting. */
export function useStepProgram(enabled: boolean): boolean {
  const previous = stepProgramOn;
  stepProgramOn = enabled;
  return previous;
}

/** The plan for T steps of B rows; `previous`, the last plan's arena, is disposed of. */
export function makePlan(ctx: PlanContext, T: number, B: number, record: boolean, previous: WasmArena | null): Plan {
  const rowsOf = (g: Group) => (g.phase === 'seq' ? T * B : B);
  const groups = [...ctx.groups.groups.values()];
  // exact: the products' sums rounded as a JavaScript loop rounds them (no fused multiply-add),
  // so the fused kernels are neither wanted nor built (assembling them is a cold trace's 5 %).
  const fma = ctx.exact ? false : undefined;
  const useWasm = wasmEnabled() && gemmModule(false, fma) !== null;
  const parallel = useWasm && ctx.threads > 1 && gemmModule(true, fma) !== null && groups.some((g) => rowsOf(g) * g.total * g.K >= PARALLEL_MIN_WORK);
  const layout = layoutBuffers(ctx, T, B, record, useWasm, rowsOf);
  previous?.dispose();
  // A 32-bit wasm memory holds at most 4 GiB: a longer sequence stays in plain arrays.
  const bytes = WasmArena.bytesFor(layout.lengths, ctx.dtype);
  const arena = useWasm && bytes <= MAX_ARENA_BYTES ? WasmArena.create(parallel ? { shared: true, bytes, fma } : { fma }) : null;
  if (arena && parallel) arena.startHelper();
  const views = bindBuffers(ctx, layout, arena, (g) => {
    const parallelGroup = parallel && rowsOf(g) * g.total * g.K >= PARALLEL_MIN_WORK;
    return { parallel: parallelGroup, strips: !parallelGroup && rowsOf(g) < GEMV_MAX_ROWS };
  });
  const instrs = instructions(ctx, layout, arena);
  // A step whose every instruction runs on the wasm kernels becomes one wasm function, its
  // consecutive elementwise ops one loop (wasm-chain.ts).
  const step = instrs.step;
  const stepProgram = arena && stepProgramOn && step.length > 0 && step.every((f) => f.program) ? arena.program(mergeChains(step.flatMap((f) => f.program!(B)))) : null;
  const perStep = record ? [views[layout.block]!, ...groups.filter((g) => g.phase === 'step').map((g) => g.out!)] : [];
  const history = new Map(ctx.cell.states.map((s) => [s.name, views[layout.historyBuf.get(s.name)!]!]));
  return { slots: layout.slots, history, instrs, stepProgram, perStep, arena };
}

/** The lengths of every buffer, and each node's slot in them (its buffer still to be bound). */
function layoutBuffers(ctx: PlanContext, T: number, B: number, record: boolean, useWasm: boolean, rowsOf: (g: Group) => number): Layout {
  const lengths: number[] = [];
  const request = (n: number): number => lengths.push(n) - 1;
  // Recording: the per-step values (but the products') share one block, which is copied out
  // in one piece a step; each starts on 32 bytes, as the arena's own allocations do.
  const block = record ? request(0) : -1;
  const inBlock = (n: number): number => {
    const off = lengths[block]!;
    lengths[block] = off + Math.ceil(n / 4) * 4;
    return off;
  };
  const groupBufs = new Map<Group, { WT: number; out: number }>();
  for (const g of ctx.groups.groups.values()) {
    g.stride = useWasm ? paddedColumns(g.total, ctx.dtype) : g.total;
    groupBufs.set(g, { WT: request(g.K * g.stride), out: request(rowsOf(g) * g.stride) });
  }
  const historyBuf = new Map(ctx.cell.states.map((s) => [s.name, request((T + 1) * B * sizeOf(s.shape as number[]))]));
  const slotBuf = new Map<string, number>();
  const slots = new Map<string, Slot>();
  for (const n of ctx.cell.nodes) {
    const [slot, buf] = slotOf(ctx, n, B, { request, inBlock: record ? inBlock : undefined, block, groupBufs, historyBuf, T });
    slots.set(n.id, slot);
    slotBuf.set(n.id, buf);
  }
  return { lengths, block, slots, slotBuf, widened: widenedConstants(ctx, useWasm, request), groupBufs, historyBuf };
}

/** A node's slot and the buffer it lives in: a state's history, its product group's output, or a buffer of its own. */
function slotOf(
  ctx: PlanContext,
  n: CellNode,
  B: number,
  at: { request: (n: number) => number; inBlock?: (n: number) => number; block: number; groupBufs: Map<Group, { out: number }>; historyBuf: Map<string, number>; T: number },
): [Slot, number] {
  const p = ctx.phase.get(n.id)!;
  const w = ctx.width(n.id);
  const { groupOf, firstMember } = ctx.groups;
  if (n.kind === 'state') return [{ buf: EMPTY, off: 0, stride: w, tStride: B * w, width: w }, at.historyBuf.get(n.name)!];
  if (ctx.stateTargets.has(n.id)) return [{ buf: EMPTY, off: B * w, stride: w, tStride: B * w, width: w }, at.historyBuf.get(n.id)!];
  if (n.kind === 'const') return [{ buf: EMPTY, off: 0, stride: 0, tStride: 0, width: 1 }, at.request(1)];
  if (n.kind === 'matmul' && groupOf.has(n.id)) {
    const g = groupOf.get(n.id)!;
    const m = firstMember.get(g)!.get(n.inputs[0]!)!;
    return [{ buf: EMPTY, off: m.col, stride: g.stride, tStride: g.phase === 'seq' ? B * g.stride : 0, width: w }, at.groupBufs.get(g)!.out];
  }
  if (p === 'const') return [{ buf: EMPTY, off: 0, stride: 0, tStride: 0, width: w }, at.request(w)];
  if (p === 'seq') return [{ buf: EMPTY, off: 0, stride: w, tStride: B * w, width: w }, at.request(at.T * B * w)];
  if (at.inBlock) return [{ buf: EMPTY, off: at.inBlock(B * w), stride: w, tStride: 0, width: w }, at.block];
  return [{ buf: EMPTY, off: 0, stride: w, tStride: 0, width: w }, at.request(B * w)];
}

/** A number against a vector (1 − z, 0.5 · x) on the wasm kernels: the number along a row of the vector's width, which the kernel reads at row stride 0. */
function widenedConstants(ctx: PlanContext, useWasm: boolean, request: (n: number) => number): Map<string, Widened> {
  const widened = new Map<string, Widened>();
  for (const n of ctx.cell.nodes) {
    if (!useWasm || !(n.kind === 'add' || n.kind === 'sub' || n.kind === 'mul' || n.kind === 'div')) continue;
    for (const id of n.inputs) {
      const c = ctx.byId.get(id)!;
      const w = ctx.width(n.id);
      if (c.kind !== 'const' || w === 1 || widened.has(`${id}:${w}`)) continue;
      widened.set(`${id}:${w}`, { node: c, slot: { buf: EMPTY, off: 0, stride: 0, tStride: 0, width: w }, buf: request(w) });
    }
  }
  return widened;
}

/**
 * The buffers, all in the arena (so every op can run there) or plain arrays, bound to the
 * slots and product groups (constants and identities filled in); returns them by index.
 */
function bindBuffers(ctx: PlanContext, layout: Layout, a: WasmArena | null, kernelOf: (g: Group) => { parallel: boolean; strips: boolean }): Data[] {
  const { dtype } = ctx;
  const ptrs = a ? layout.lengths.map((n) => a.alloc(n, dtype)) : [];
  // Views only after every allocation: growing the memory detaches older views.
  const views = a ? layout.lengths.map((n, k) => a.view(ptrs[k]!, n, dtype)) : layout.lengths.map((n) => allocate(n, dtype));
  for (const n of ctx.cell.nodes) {
    const slot = layout.slots.get(n.id)!;
    slot.buf = views[layout.slotBuf.get(n.id)!]!;
    if (n.kind === 'const') slot.buf[0] = n.value;
    if (n.kind === 'identity') for (let i = 0; i < Number(n.shape[0]); i++) slot.buf[i * Number(n.shape[0]) + i] = 1;
  }
  for (const k of layout.widened.values()) k.slot.buf = views[k.buf]!.fill(k.node.value);
  for (const g of ctx.groups.groups.values()) {
    const b = layout.groupBufs.get(g)!;
    g.WT = views[b.WT]!;
    g.out = views[b.out]!;
    g.wasm = a ? { arena: a, WT: ptrs[b.WT]!, out: ptrs[b.out]!, ...kernelOf(g) } : undefined;
  }
  return views;
}

/** The instructions, phase by phase: on the arena's kernels where they apply, else JavaScript loops. */
function instructions(ctx: PlanContext, layout: Layout, a: WasmArena | null): Record<Phase, Instr[]> {
  const { cell, dtype, exact, phase, byId } = ctx;
  const { slots, widened } = layout;
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
      const g = ctx.groups.groupOf.get(n.id);
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
    } else if (n.kind === 'neg' || n.kind === 'activation' || (ctx.stateTargets.has(n.id) && n.kind !== 'state')) {
      // A state target that is a plain copy of another node (h = h_other) still needs writing.
      const fn = n.kind === 'neg' ? 'neg' : n.kind === 'activation' ? n.fn : 'copy';
      const op = exact && `exact_${fn}` in EXACT_OF ? (`exact_${fn}` as ExactOp) : (fn as UnaryOp);
      instrs[p].push(wasmUnary(kernels?.unary[op], op, dtype, o, args[0]!) ?? unary(fn, o, args[0]!));
    }
  }
  return instrs;
}

/** An exact schedule's unary kernels: negation and copies as they are, the functions by their exact_* kernels. */
function exactUnary(u: Partial<Record<UnaryOp | ExactOp, UnaryKernel>>): Partial<Record<UnaryOp | ExactOp, UnaryKernel>> {
  return { neg: u.neg, copy: u.copy, exact_exp: u.exact_exp, exact_tanh: u.exact_tanh, exact_sigmoid: u.exact_sigmoid, exact_relu: u.exact_relu };
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
