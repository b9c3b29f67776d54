/**
 * Engine stage: a step's consecutive elementwise ops as one loop in the step program
 * (wasm-program.ts). Called one by one, each ew_* kernel reads its operands from memory and
 * writes its result back, a pass over the rows per op; fused, each 16-byte chunk goes through
 * the whole chain in registers, an op's result feeding the next ones without a reload (every
 * result is still stored: later steps and observers read them). The same instructions per
 * element as the kernels (elementwiseCode), so the same bits.
 */
import { ByteWriter, get, op, simd, simdOp } from './wasm-bytes.js';
import { elementwiseCode, type BinaryOp, type ExactOp, type UnaryOp } from './wasm-module.js';
import type { ProgramArg } from './wasm-program.js';

/** An operand: row 0's byte address (moving with t), the byte stride between rows, and its buffer (ops on different buffers never overlap). */
export interface ChainOperand {
  readonly at: ProgramArg;
  readonly stride: number;
  readonly buffer: object;
}

export interface ChainOp {
  readonly op: BinaryOp | UnaryOp | ExactOp;
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
/** key(x) === key(y), without making the strings: joins asks it for every pair of operands. */
const same = (x: ChainOperand, y: ChainOperand): boolean => base(x) === base(y) && perStep(x) === perStep(y) && x.stride === y.stride;

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
    x.buffer !== y.buffer || same(x, y) || (perStep(x) === perStep(y) && x.stride === y.stride && (base(x) + extent(x) <= base(y) || base(y) + extent(y) <= base(x)));
  // Loops rather than arrays of operands: mergeChains asks this once per op of a step.
  for (const n of next.ops) {
    for (const c of chain.ops) {
      if (!apart(c.a, n.out) || (c.b && !apart(c.b, n.out)) || !apart(c.out, n.out)) return false;
      if (!apart(c.out, n.a) || (n.b && !apart(c.out, n.b))) return false;
    }
  }
  return true;
}

/** Ops in a float32 chain that runs several chunks an iteration at most (the loop body is then that many times as long). */
const PAIRED_MAX_OPS = 32;

/**
 * 16-byte chunks per iteration of the chain's loop, their ops interleaved: each chunk's σ or tanh
 * is a long chain of dependent multiply-adds, and independent ones keep the floating-point ports
 * busy where one leaves them waiting. Four where float32 rows are whole 64-byte groups (1.01-1.04x
 * over two in the forward of the LSTM and GRU at batch 1 and 16), two where they are whole
 * 32-byte pairs, else one. The same ops on every element, so the same bits.
 */
const chunksOf = (chain: Chain): number => {
  if (chain.f64 || chain.ops.length > PAIRED_MAX_OPS) return 1;
  return chain.widthBytes % 64 === 0 ? 4 : chain.widthBytes % 32 === 0 ? 2 : 1;
};

/** Locals a chain's code needs beyond the program's: i32 (row count, byte column, one pointer per operand) and v128 (one per op and chunk, two scratch). */
export function chainLocals(chain: Chain): { i32: number; v128: number } {
  const pointers = new Set(chain.ops.flatMap((o) => [o.out, o.a, ...(o.b ? [o.b] : [])]).map(key));
  return { i32: 2 + pointers.size, v128: chunksOf(chain) * chain.ops.length + 2 };
}

/**
 * Appends the chain's code in the step program to `w`: `arg` writes a ProgramArg's address at
 * the step; i32 locals from `i32Base`, v128 locals from `v128Base` (chainLocals says how many);
 * fma: as the fused multiply-add kernels compute (the arena's kind); exactAt: the index of the
 * module's exact functions (wasm-exact-math.ts), for exact_* ops.
 */
export function chainCode(w: ByteWriter, chain: Chain, arg: (w: ByteWriter, a: ProgramArg) => void, i32Base: number, v128Base: number, fma = false, exactAt?: number): void {
  const [ROWS, J] = [i32Base, i32Base + 1];
  const pointer = new Map<string, { local: number; stride: number }>();
  const initialise = (o: ChainOperand) => {
    if (pointer.has(key(o))) return;
    const local = i32Base + 2 + pointer.size;
    pointer.set(key(o), { local, stride: o.stride });
    arg(w, o.at);
    w.set(local);
  };
  for (const c of chain.ops) {
    initialise(c.out);
    initialise(c.a);
    if (c.b) initialise(c.b);
  }
  const [X, TMP] = [v128Base + chain.ops.length, v128Base + chain.ops.length + 1];
  const address = (o: ChainOperand) => [...get(pointer.get(key(o))!.local), ...get(J), op.i32Add];
  // Chunk c of an iteration sits 16·c bytes past J, its values in its own locals.
  const chunks = Array.from({ length: chunksOf(chain) }, (_, c) => c);
  // A value computed earlier in this chunk is taken from its local, not reloaded.
  const held = chunks.map(() => new Map<string, number>());
  const operand = (o: ChainOperand, c: number) => (held[c]!.has(key(o)) ? get(held[c]!.get(key(o))!) : [...address(o), ...simdOp(simd.load), 4, 16 * c]);
  w.i32(chain.rows).set(ROWS);
  w.byte(op.block).byte(0x40).byte(op.loop).byte(0x40);
  w.get(ROWS).byte(op.i32Eqz).byte(op.brIf).byte(1);
  w.i32(0).set(J);
  w.byte(op.block).byte(0x40).byte(op.loop).byte(0x40);
  w.get(J).i32(chain.widthBytes).byte(op.i32GeU).byte(op.brIf).byte(1);
  chain.ops.forEach((c, k) => {
    for (const chunk of chunks) {
      // Chunk 0's values, the two scratch locals, then the other chunks' values.
      const value = chunk === 0 ? v128Base + k : v128Base + chain.ops.length * chunk + 2 + k;
      w.bytes(elementwiseCode(c.op, chain.f64, operand(c.a, chunk), c.b ? operand(c.b, chunk) : [], X, TMP, fma, exactAt)).set(value);
      w.bytes(address(c.out)).get(value).bytes(simdOp(simd.store)).byte(4).byte(16 * chunk);
      held[chunk]!.set(key(c.out), value);
    }
  });
  w.get(J).i32(16 * chunks.length).byte(op.i32Add).set(J).byte(op.br).byte(0);
  w.byte(op.end).byte(op.end);
  for (const p of pointer.values()) if (p.stride !== 0) w.get(p.local).i32(p.stride).byte(op.i32Add).set(p.local);
  w.get(ROWS).i32(1).byte(op.i32Sub).set(ROWS);
  w.byte(op.br).byte(0);
  w.byte(op.end).byte(op.end);
}

/**
 * Ops per fused loop at most: joins compares each op with every op before it, and each op holds
 * a v128 local, so a 20,000-term sum (tests/cell/long-expressions.test.ts) stays many loops.
 */
export const MAX_CHAIN_OPS = 64;

/** Consecutive chain calls merged where they may be (joins, up to MAX_CHAIN_OPS ops); other calls stay as they are, in order. */
export function mergeChains<C extends object>(calls: readonly (C | { readonly chain: Chain })[]): (C | { readonly chain: Chain })[] {
  const out: (C | { readonly chain: Chain })[] = [];
  // The chain being grown, as its own copy (the calls' chains are left as they are): ops are appended in place.
  let growing: { chain: Chain; ops: ChainOp[] } | undefined;
  for (const c of calls) {
    const last = out[out.length - 1];
    if ('chain' in c && last && 'chain' in last && last.chain.ops.length + c.chain.ops.length <= MAX_CHAIN_OPS && joins(last.chain, c.chain)) {
      if (growing?.chain !== last.chain) {
        const ops = [...last.chain.ops];
        growing = { chain: { ...last.chain, ops }, ops };
        out[out.length - 1] = { chain: growing.chain };
      }
      growing.ops.push(...c.chain.ops);
    } else out.push(c);
  }
  return out;
}

/** Whether a chain calls the exact functions (its module must then hold them). */
export const callsExact = (chain: Chain): boolean => chain.ops.some((o) => o.op.startsWith('exact_') && o.op !== 'exact_relu');
