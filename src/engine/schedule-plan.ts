/**
 * Engine stage: the forward schedule's plan for one sequence length and batch. The cell's
 * layout (cellLayout: each node's phase, the stacked product groups) is made once; a plan
 * then lays out every buffer, allocates them in one WebAssembly arena (or plain arrays),
 * makes the instructions phase by phase, and fuses a step made only of wasm kernels into one
 * generated function.
 */
import type { CellGraph, CellNode } from '../cell/index.js';
import { wasmEnabled } from './matmul.js';
import { gemmModule, paddedColumns, WasmArena, type ExactOp, type UnaryKernel, type UnaryOp } from './wasm.js';
import { wasmBinary, wasmUnary } from './schedule-wasm.js';
import { allocate, sizeOf, type Data, type DType } from './tensor.js';
import { extraInstr, type Instr, type Slot } from './schedule-extra.js';
import { mergeChains } from './wasm-chain.js';
import { binary, constMatvec, groupProduct, unary, type Group, type Phase } from './schedule-ops.js';

/** What the schedule knows of its cell before any run: each node's phase and the product groups. */
export interface CellLayout {
  readonly cell: CellGraph;
  readonly byId: ReadonlyMap<string, CellNode>;
  readonly dtype: DType;
  readonly threads: number;
  readonly exact: boolean;
  readonly stateTargets: ReadonlySet<string>;
  readonly phase: ReadonlyMap<string, Phase>;
  readonly width: (id: string) => number;
  readonly groups: ReadonlyMap<string, Group>;
  /** A grouped product's group, by the product's node id. */
  readonly groupOf: ReadonlyMap<string, Group>;
  /** A group's member by its matrix (the first, if a matrix is used twice): a lookup, not a scan per product. */
  readonly firstMember: ReadonlyMap<Group, ReadonlyMap<string, Group['members'][number]>>;
  /** The sequence's elementwise ops done in the step instead (sinkIntoStep). */
  readonly sunk: ReadonlySet<string>;
}

/** A plan for T steps of B rows: where each node's value lives, the instructions by phase, the fused step. */
export interface Plan {
  readonly slots: ReadonlyMap<string, Slot>;
  /** Each state's values over the run ((T + 1)·B rows: the initial state first). */
  readonly history: ReadonlyMap<string, Data>;
  readonly instrs: Readonly<Record<Phase, Instr[]>>;
  readonly stepProgram: ((t0: number, t1: number) => void) | null;
  readonly arena: WasmArena | null;
}

/** The largest arena the schedule asks for (wasm32 memories stop at 4 GiB). */
const MAX_ARENA_BYTES = 3 * 2 ** 30;

/** Multiply-adds per product above which a helper thread takes half of the columns. */
const PARALLEL_MIN_WORK = 1 << 19;
/** Whether a group's product over `rows` rows is worth a helper thread's half. */
const wideProduct = (g: Group, rows: number): boolean => rows * g.total * g.K >= PARALLEL_MIN_WORK;

/**
 * Rows up to which a product runs on the gemv kernels (wasm-gemv.ts), its weights in strips:
 * one row (7 chains of multiply-adds: 34 GFLOP/s at [1, 128]·[128, 512] against gemm's 1 × 4
 * tiles' 28). From two rows on gemm's own tiles are as fast or faster (2 × 4: 42 against 32 at
 * [2, 128]·[128, 512], 45 against 39 at [2, 256]·[256, 1024]; three rows 38–42 both).
 */
const GEMV_MAX_ROWS = 1;

/** The exact kernel of each function an exact schedule runs in WebAssembly (float64 only: the others stay in JavaScript). */
const EXACT_OF: Record<ExactOp, true> = { exact_exp: true, exact_tanh: true, exact_sigmoid: true, exact_relu: true };

/** An exact schedule's unary kernels: negation and copies as they are, the functions by their exact_* kernels. */
function exactUnary(u: Partial<Record<UnaryOp | ExactOp, UnaryKernel>>): Partial<Record<UnaryOp | ExactOp, UnaryKernel>> {
  return { neg: u.neg, copy: u.copy, exact_exp: u.exact_exp, exact_tanh: u.exact_tanh, exact_sigmoid: u.exact_sigmoid, exact_relu: u.exact_relu };
}

const EMPTY = new Float64Array(0);

let stepProgramOn = true;
let sinkingOn = true;

/** Turns sinkIntoStep on or off, for tests; returns the previous setting (a schedule reads it when its cell is laid out). */
export function useSinking(enabled: boolean): boolean {
  const previous = sinkingOn;
  sinkingOn = enabled;
  return previous;
}

/** Turns the fused step (one wasm function per forward) on or off, for tests; returns the previous setting. */
export function useStepProgram(enabled: boolean): boolean {
  const previous = stepProgramOn;
  stepProgramOn = enabled;
  return previous;
}

/** Each node's phase (state targets and anything downstream of a state are per step) and the products grouped by (phase, right operand). */
export function cellLayout(cell: CellGraph, byId: ReadonlyMap<string, CellNode>, batched: ReadonlySet<string>, dtype: DType, threads: number, exact: boolean): CellLayout {
  const stateTargets = new Set(cell.states.map((s) => s.name));
  const phase = new Map<string, Phase>();
  for (const n of cell.nodes) {
    let p: Phase = batched.has(n.id) ? 'seq' : 'const';
    if (n.kind === 'state' || stateTargets.has(n.id) || n.inputs.some((i) => phase.get(i) === 'step')) p = 'step';
    phase.set(n.id, p);
  }
  const sunk = sinkingOn ? sinkIntoStep(cell, phase) : new Set<string>();
  const width = (id: string): number => sizeOf(byId.get(id)!.shape as number[]);
  // A product of two constants stays alone.
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
  const firstMember = new Map<Group, Map<string, Group['members'][number]>>();
  for (const g of groups.values()) {
    const byW = new Map<string, Group['members'][number]>();
    for (const m of g.members) if (!byW.has(m.W)) byW.set(m.W, m);
    firstMember.set(g, byW);
  }
  return { cell, byId, dtype, threads, exact, stateTargets, phase, width, groups, groupOf, firstMember, sunk };
}

/** The elementwise ops sinkIntoStep moves: cheap next to the pass over memory they cost on their own. */
const SINKABLE = new Set<CellNode['kind']>(['add', 'sub', 'mul', 'div']);

/**
 * A whole sequence's sum, difference, product or quotient that only per-step values read (the
 * input projection plus its bias, x·W_ih + b_ih) is computed in the step instead: one op more
 * per element in the step's fused loop, where the polynomials dominate, in place of a pass that
 * writes and then reads back a [T·B, width] buffer (6% of an LSTM's forward at batch 16). The
 * same op on the same operands: the same bits. Last to first, so that a run of such ops sinks
 * together.
 */
function sinkIntoStep(cell: CellGraph, phase: Map<string, Phase>): Set<string> {
  const sunk = new Set<string>();
  const readers = new Map<string, string[]>();
  for (const n of cell.nodes) {
    for (const i of n.inputs) {
      const list = readers.get(i);
      if (list) list.push(n.id);
      else readers.set(i, [n.id]);
    }
  }
  for (let k = cell.nodes.length - 1; k >= 0; k--) {
    const n = cell.nodes[k]!;
    if (phase.get(n.id) !== 'seq' || !SINKABLE.has(n.kind)) continue;
    const by = readers.get(n.id) ?? [];
    if (by.length === 0 || !by.every((r) => phase.get(r) === 'step')) continue;
    phase.set(n.id, 'step');
    sunk.add(n.id);
  }
  return sunk;
}

/** Every buffer the plan needs, as a length; which buffer each slot (and each widened constant) lives in. */
interface BufferLayout {
  readonly lengths: readonly number[];
  readonly slots: ReadonlyMap<string, Slot>;
  readonly slotBuf: ReadonlyMap<string, number>;
  readonly groupBufs: ReadonlyMap<Group, { readonly WT: number; readonly out: number }>;
  readonly historyBuf: ReadonlyMap<string, number>;
  /** A number against a vector (1 − z, 0.5 · x) on the wasm kernels: the number repeated along a row of the vector's width, read at row stride 0. */
  readonly widened: ReadonlyMap<string, { readonly node: CellNode & { kind: 'const' }; readonly slot: Slot; readonly buf: number }>;
}

/** How the plan runs: on the wasm kernels or not, with a helper thread or not, fused multiply-adds or not (undefined: the arena's default). */
interface Kernels {
  readonly useWasm: boolean;
  readonly parallel: boolean;
  readonly fma: false | undefined;
}

/** The plan for T steps of B rows (record: every per-step value kept at every step); `previous`, the arena it replaces. */
export function plan(L: CellLayout, T: number, B: number, record: boolean, previous: WasmArena | null): Plan {
  const rowsOf = (g: Group) => (g.phase === 'seq' ? T * B : B);
  // exact: the products' sums rounded as a JavaScript loop rounds them (no fused multiply-add),
  // so the fused kernels are neither wanted nor built (assembling them is a cold trace's 5 %).
  const fma = L.exact ? false : undefined;
  const useWasm = wasmEnabled() && gemmModule(false, fma) !== null;
  const parallel = useWasm && L.threads > 1 && gemmModule(true, fma) !== null && [...L.groups.values()].some((g) => wideProduct(g, rowsOf(g)));
  const kernels: Kernels = { useWasm, parallel, fma };
  const layout = bufferLayout(L, T, B, record, useWasm);
  previous?.dispose();
  const { arena, history } = allocateBuffers(L, layout, kernels, rowsOf);
  const instrs = instructions(L, layout, arena);
  // A step whose every instruction runs on the wasm kernels becomes one wasm function, its
  // consecutive elementwise ops one loop (wasm-chain.ts).
  const step = instrs.step;
  const stepProgram = arena && stepProgramOn && step.length > 0 && step.every((f) => f.program) ? arena.program(mergeChains(step.flatMap((f) => f.program!(B)))) : null;
  return { slots: layout.slots, history, instrs, stepProgram, arena };
}

/** 1. Every buffer the plan needs, as a length; slots say which buffer they live in. */
function bufferLayout(L: CellLayout, T: number, B: number, record: boolean, useWasm: boolean): BufferLayout {
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
  const groupBufs = new Map<Group, { WT: number; out: number }>();
  for (const g of L.groups.values()) {
    g.stride = useWasm ? paddedColumns(g.total, L.dtype) : g.total;
    // A recorded step's product: T outputs, one a step.
    g.outTStride = record && g.phase === 'step' ? B * g.stride : 0;
    groupBufs.set(g, { WT: request(g.K * g.stride), out: request((g.phase === 'seq' ? T * B : B) * g.stride * (g.outTStride ? T : 1)) });
  }
  const historyBuf = new Map(L.cell.states.map((s) => [s.name, request((T + 1) * B * sizeOf(s.shape as number[]))]));
  const slotBuf = new Map<string, number>();
  const slots = new Map<string, Slot>();
  for (const n of L.cell.nodes) {
    const w = L.width(n.id);
    const [slot, buf] = slotOf(L, n, [T, B, record], { groupBufs, historyBuf }, request) ?? [{ buf: EMPTY, off: inBlock(B * w), stride: w, tStride: 0, width: w }, block];
    if (buf === block) blockSlots.push(slot);
    slots.set(n.id, slot);
    slotBuf.set(n.id, buf);
  }
  if (record) lengths[block] = T * blockLength;
  for (const slot of blockSlots) slot.tStride = blockLength;
  const widened = new Map<string, { node: CellNode & { kind: 'const' }; slot: Slot; buf: number }>();
  for (const n of L.cell.nodes) {
    if (!useWasm || !(n.kind === 'add' || n.kind === 'sub' || n.kind === 'mul' || n.kind === 'div')) continue;
    for (const id of n.inputs) {
      const c = L.byId.get(id)!;
      const w = L.width(n.id);
      if (c.kind !== 'const' || w === 1 || widened.has(`${id}:${w}`)) continue;
      widened.set(`${id}:${w}`, { node: c, slot: { buf: EMPTY, off: 0, stride: 0, tStride: 0, width: w }, buf: request(w) });
    }
  }
  return { lengths, slots, slotBuf, groupBufs, historyBuf, widened };
}

/**
 * Node n's slot and the buffer it lives in (a new one from `request`, or a shared one), or
 * undefined for a per-step value of a recording (the caller's block).
 */
function slotOf(
  L: CellLayout,
  n: CellNode,
  [T, B, record]: readonly [number, number, boolean],
  { groupBufs, historyBuf }: Pick<BufferLayout, 'groupBufs' | 'historyBuf'>,
  request: (n: number) => number,
): [Slot, number] | undefined {
  const p = L.phase.get(n.id)!;
  const w = L.width(n.id);
  if (n.kind === 'state') return [{ buf: EMPTY, off: 0, stride: w, tStride: B * w, width: w }, historyBuf.get(n.name)!];
  if (L.stateTargets.has(n.id)) return [{ buf: EMPTY, off: B * w, stride: w, tStride: B * w, width: w }, historyBuf.get(n.id)!];
  if (n.kind === 'const') return [{ buf: EMPTY, off: 0, stride: 0, tStride: 0, width: 1 }, request(1)];
  if (n.kind === 'matmul' && L.groupOf.has(n.id)) {
    const g = L.groupOf.get(n.id)!;
    const m = L.firstMember.get(g)!.get(n.inputs[0]!)!;
    return [{ buf: EMPTY, off: m.col, stride: g.stride, tStride: g.phase === 'seq' ? B * g.stride : g.outTStride, width: w }, groupBufs.get(g)!.out];
  }
  if (p === 'const') return [{ buf: EMPTY, off: 0, stride: 0, tStride: 0, width: w }, request(w)];
  if (p === 'seq') return [{ buf: EMPTY, off: 0, stride: w, tStride: B * w, width: w }, request(T * B * w)];
  return record ? undefined : [{ buf: EMPTY, off: 0, stride: w, tStride: 0, width: w }, request(B * w)];
}

/** 2. The buffers: all in one wasm arena (so every op can run there), or plain arrays; each slot pointed at its own, constants written. */
function allocateBuffers(L: CellLayout, layout: BufferLayout, { useWasm, parallel, fma }: Kernels, rowsOf: (g: Group) => number): { arena: WasmArena | null; history: Map<string, Data> } {
  const { lengths, slots, slotBuf, groupBufs, historyBuf, widened } = layout;
  const dtype = L.dtype;
  // A 32-bit wasm memory holds at most 4 GiB: a longer sequence stays in plain arrays.
  const bytes = WasmArena.bytesFor(lengths, dtype);
  const arena = useWasm && bytes <= MAX_ARENA_BYTES ? WasmArena.create(parallel ? { shared: true, bytes, fma } : { fma }) : null;
  if (arena && parallel) arena.startHelper();
  const a = arena;
  const ptrs = a ? lengths.map((n) => a.alloc(n, dtype)) : [];
  // Views only after every allocation: growing the memory detaches older views.
  const views = a ? lengths.map((n, k) => a.view(ptrs[k]!, n, dtype)) : lengths.map((n) => allocate(n, dtype));
  for (const n of L.cell.nodes) {
    const slot = slots.get(n.id)!;
    slot.buf = views[slotBuf.get(n.id)!]!;
    if (n.kind === 'const') slot.buf[0] = n.value;
    if (n.kind === 'identity') for (let i = 0; i < Number(n.shape[0]); i++) slot.buf[i * Number(n.shape[0]) + i] = 1;
  }
  for (const k of widened.values()) k.slot.buf = views[k.buf]!.fill(k.node.value);
  for (const g of L.groups.values()) {
    const b = groupBufs.get(g)!;
    g.WT = views[b.WT]!;
    g.out = views[b.out]!;
    const parallelGroup = parallel && wideProduct(g, rowsOf(g));
    g.wasm = a ? { arena: a, WT: ptrs[b.WT]!, out: ptrs[b.out]!, parallel: parallelGroup, strips: !parallelGroup && rowsOf(g) <= GEMV_MAX_ROWS } : undefined;
  }
  return { arena, history: new Map(L.cell.states.map((s) => [s.name, views[historyBuf.get(s.name)!]!])) };
}

/** 3. The instructions, phase by phase: on the arena's kernels where they apply, else in JavaScript. */
function instructions(L: CellLayout, { slots, widened }: BufferLayout, arena: WasmArena | null): Record<Phase, Instr[]> {
  const { dtype, exact } = L;
  const instrs: Record<Phase, Instr[]> = { const: [], seq: [], step: [] };
  // exact: functions (exp, sigmoid, tanh, relu) as the tape and the mathjs trace compute them,
  // with Math's bits: the float64 exact_* kernels (wasm-exact-math.ts), else JavaScript.
  const wasmKernels = arena?.elementwise(dtype);
  // exact keeps the WebAssembly sums, products, negation and copies (IEEE, the same bits), not its polynomials.
  const kernels = exact && wasmKernels ? { binary: wasmKernels.binary, unary: exactUnary(wasmKernels.unary) } : wasmKernels;
  const started = new Set<Group>();
  // A sunk op's instructions wait for its first reader that is not sunk itself: after the
  // step's product, so that the step's elementwise ops stay one fused loop.
  const pending = new Map<string, Instr[]>();
  for (const n of L.cell.nodes) {
    const p = L.phase.get(n.id)!;
    const carried = [...new Set(n.inputs)].flatMap((i) => pending.get(i) ?? []);
    for (const i of n.inputs) pending.delete(i);
    if (!L.sunk.has(n.id)) instrs[p].push(...carried);
    const before = instrs[p].length;
    const o = slots.get(n.id)!;
    const args = n.inputs.map((i) => slots.get(i)!);
    // The newer ops (schedule-extra.ts): x_prev and I are filled in, not computed.
    const extra = extraInstr(n, o, args, L.byId);
    if (n.kind === 'matmul') {
      const g = L.groupOf.get(n.id);
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
    } else if (n.kind === 'neg' || n.kind === 'activation' || (L.stateTargets.has(n.id) && n.kind !== 'state')) {
      // A state target that is a plain copy of another node (h = h_other) still needs writing.
      const fn = n.kind === 'neg' ? 'neg' : n.kind === 'activation' ? n.fn : 'copy';
      const op = exact && `exact_${fn}` in EXACT_OF ? (`exact_${fn}` as ExactOp) : (fn as UnaryOp);
      instrs[p].push(wasmUnary(kernels?.unary[op], op, dtype, o, args[0]!) ?? unary(fn, o, args[0]!));
    }
    if (L.sunk.has(n.id)) pending.set(n.id, [...carried, ...instrs[p].splice(before)]);
  }
  for (const rest of pending.values()) instrs.step.push(...rest);
  return instrs;
}
