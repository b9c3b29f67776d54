/**
 * Engine stage: a step's consecutive elementwise ops as one loop in the step program
 * (wasm-program.ts). Called one by one, each ew_* kernel reads its operands from memory and
 * writes its result back, a pass over the rows per op; fused, each 16-byte chunk goes through
 * the whole chain in registers, an op's result feeding the next ones without a reload (every
 * result is still stored: later steps and observers read them). The same instructions per
 * element as the kernels (elementwiseCode), so the same bits.
 */
import { blockLoop, get, i32, op, set, simd, simdOp } from './wasm-bytes.js';
import { elementwiseCode, type BinaryOp, type UnaryOp } from './wasm-module.js';
import type { ProgramArg } from './wasm-program.js';

/** An operand: row 0's byte address (moving with t), the byte stride between rows, and its buffer (ops on different buffers never overlap). */
export interface ChainOperand {
  readonly at: ProgramArg;
  readonly stride: number;
  readonly buffer: object;
}

export interface ChainOp {
  readonly op: BinaryOp | UnaryOp;
  readonly out: ChainOperand;
  readonly a: ChainOperand;
  readonly b?: ChainOperand;
}

/** Ops over `rows` rows of `widthBytes` bytes each, in order. */
export interface Chain {
  readonly f64: boolean;
  readonly rows: number;
  readonly widthBytes: number;
  readonly ops: readonly ChainOp[];
}

const key = (o: ChainOperand): string => (typeof o.at === 'number' ? `${o.at}:0:${o.stride}` : `${o.at.base}:${o.at.perStep}:${o.stride}`);
const base = (o: ChainOperand): number => (typeof o.at === 'number' ? o.at : o.at.base);
const perStep = (o: ChainOperand): number => (typeof o.at === 'number' ? 0 : o.at.perStep);

/**
 * Whether `next` may join `chain`: same element type, rows and width, and no operand of it
 * that one of the chain's ops writes (or that it writes and the chain reads) other than element
 * for element: identical, or apart in the same buffer at every step (a state's history: read at
 * step t, written at t + 1).
 */
export function joins(chain: Chain, next: Chain): boolean {
  if (chain.f64 !== next.f64 || chain.rows !== next.rows || chain.widthBytes !== next.widthBytes) return false;
  const extent = (o: ChainOperand) => (chain.rows - 1) * o.stride + chain.widthBytes;
  const apart = (x: ChainOperand, y: ChainOperand) =>
    x.buffer !== y.buffer || key(x) === key(y) || (perStep(x) === perStep(y) && x.stride === y.stride && (base(x) + extent(x) <= base(y) || base(y) + extent(y) <= base(x)));
  const operands = (o: ChainOp) => [o.a, ...(o.b ? [o.b] : [])];
  return next.ops.every((n) =>
    chain.ops.every((c) => [...operands(c), c.out].every((x) => apart(x, n.out)) && operands(n).every((x) => apart(c.out, x))),
  );
}

/** Locals a chain's code needs beyond the program's: i32 (row count, byte column, one pointer per operand) and v128 (one per op, two scratch). */
export function chainLocals(chain: Chain): { i32: number; v128: number } {
  const pointers = new Set(chain.ops.flatMap((o) => [o.out, o.a, ...(o.b ? [o.b] : [])]).map(key));
  return { i32: 2 + pointers.size, v128: chain.ops.length + 2 };
}

/**
 * The chain's code in the step program: `arg` pushes a ProgramArg's address at the step; i32
 * locals from `i32Base`, v128 locals from `v128Base` (chainLocals says how many); fma: as the
 * fused multiply-add kernels compute (the arena's kind).
 */
export function chainCode(chain: Chain, arg: (a: ProgramArg) => number[], i32Base: number, v128Base: number, fma = false): number[] {
  const [ROWS, J] = [i32Base, i32Base + 1];
  const pointer = new Map<string, { local: number; stride: number }>();
  const inits: number[] = [];
  for (const o of chain.ops.flatMap((c) => [c.out, c.a, ...(c.b ? [c.b] : [])])) {
    if (pointer.has(key(o))) continue;
    const local = i32Base + 2 + pointer.size;
    pointer.set(key(o), { local, stride: o.stride });
    inits.push(...arg(o.at), ...set(local));
  }
  const [X, TMP] = [v128Base + chain.ops.length, v128Base + chain.ops.length + 1];
  const address = (o: ChainOperand) => [...get(pointer.get(key(o))!.local), ...get(J), op.i32Add];
  // A value computed earlier in this chunk is taken from its local, not reloaded.
  const held = new Map<string, number>();
  const operand = (o: ChainOperand) => (held.has(key(o)) ? get(held.get(key(o))!) : [...address(o), ...simdOp(simd.load), 4, 0]);
  const chunk: number[] = [];
  chain.ops.forEach((c, k) => {
    const value = v128Base + k;
    chunk.push(...elementwiseCode(c.op, chain.f64, operand(c.a), c.b ? operand(c.b) : [], X, TMP, fma), ...set(value));
    chunk.push(...address(c.out), ...get(value), ...simdOp(simd.store), 4, 0);
    held.set(key(c.out), value);
  });
  const advance = [...pointer.values()].filter((p) => p.stride !== 0).flatMap((p) => [...get(p.local), ...i32(p.stride), op.i32Add, ...set(p.local)]);
  return [
    ...inits,
    ...i32(chain.rows), ...set(ROWS),
    ...blockLoop([
      ...get(ROWS), op.i32Eqz, op.brIf, 1,
      ...i32(0), ...set(J),
      ...blockLoop([...get(J), ...i32(chain.widthBytes), op.i32GeU, op.brIf, 1, ...chunk, ...get(J), ...i32(16), op.i32Add, ...set(J), op.br, 0]),
      ...advance,
      ...get(ROWS), ...i32(1), op.i32Sub, ...set(ROWS),
      op.br, 0,
    ]),
  ];
}

/**
 * Ops per fused loop at most: joins compares each op with every op before it, and each op holds
 * a v128 local, so a 20,000-term sum (tests/cell/long-expressions.test.ts) stays many loops.
 */
export const MAX_CHAIN_OPS = 64;

/** Consecutive chain calls merged where they may be (joins, up to MAX_CHAIN_OPS ops); other calls stay as they are, in order. */
export function mergeChains<C extends object>(calls: readonly (C | { readonly chain: Chain })[]): (C | { readonly chain: Chain })[] {
  const out: (C | { readonly chain: Chain })[] = [];
  for (const c of calls) {
    const last = out[out.length - 1];
    if ('chain' in c && last && 'chain' in last && last.chain.ops.length + c.chain.ops.length <= MAX_CHAIN_OPS && joins(last.chain, c.chain)) out[out.length - 1] = { chain: { ...last.chain, ops: [...last.chain.ops, ...c.chain.ops] } };
    else out.push(c);
  }
  return out;
}
