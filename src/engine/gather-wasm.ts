/**
 * Engine stage: finding the columns of a float32 matrix that hold a nonzero, and gathering those
 * columns, as WebAssembly loops on the arena (kernels-affine.ts leaves the other columns out of
 * a dense layer's products). In JavaScript these two loops over a VAE batch of MNIST pixels
 * (100k values) cost 4–5% of a training step; copying the batch into the arena once and
 * running them there costs a fraction of that. Both only move bits: a value is nonzero when its
 * bits other than the sign are (so −0 is zero and NaN is not, as x !== 0 has it), and a
 * gathered value is copied as its 32 bits.
 */
import { blockLoop, get, i32, name, op, section, set, uleb, vec } from './wasm-bytes.js';
import { kernelsOnArena } from './arena-kernels.js';
import type { WasmArena } from './wasm.js';

/** (M, K, x, mask): mask[k] (one byte each, zero beforehand) = 1 when column k of x [M, K] holds a nonzero. */
export type MaskKernel = (M: number, K: number, x: number, mask: number) => void;
/** (M, K, x, columns, count, out): out [M, count] = x[:, columns] (columns: count int32), byte addresses. */
export type GatherKernel = (M: number, K: number, x: number, columns: number, count: number, out: number) => void;

const I32_LOAD = [0x28, 2, 0];
const I32_STORE = [0x36, 2, 0];
const I32_STORE8 = [0x3a, 0, 0];
const I32_AND = 0x71;
const I32_SHL = 0x74;

/** A function's code: `locals` i32 locals after its parameters, then `body`. */
function code(locals: number, body: number[]): number[] {
  const all = [...vec([[locals, 0x7f]]), ...body, op.end];
  return [...uleb(all.length), ...all];
}

function maskBody(): number[] {
  const [M, K, X, MASK] = [0, 1, 2, 3];
  const [I, KK, P] = [4, 5, 6];
  return code(3, [
    ...get(X), ...set(P),
    ...i32(0), ...set(I),
    ...blockLoop([
      ...get(I), ...get(M), op.i32GeU, op.brIf, 1,
      ...i32(0), ...set(KK),
      ...blockLoop([
        ...get(KK), ...get(K), op.i32GeU, op.brIf, 1,
        // if (bits(x) & 0x7fffffff) mask[k] = 1
        op.block, 0x40,
        ...get(P), ...I32_LOAD, ...i32(0x7fffffff), I32_AND, op.i32Eqz, op.brIf, 0,
        ...get(MASK), ...get(KK), op.i32Add, ...i32(1), ...I32_STORE8,
        op.end,
        ...get(P), ...i32(4), op.i32Add, ...set(P),
        ...get(KK), ...i32(1), op.i32Add, ...set(KK),
        op.br, 0,
      ]),
      ...get(I), ...i32(1), op.i32Add, ...set(I),
      op.br, 0,
    ]),
  ]);
}

function gatherBody(): number[] {
  const [M, K, X, COLS, COUNT, OUT] = [0, 1, 2, 3, 4, 5];
  const [I, C, ROW] = [6, 7, 8];
  return code(3, [
    ...i32(0), ...set(I),
    ...blockLoop([
      ...get(I), ...get(M), op.i32GeU, op.brIf, 1,
      // ROW: the byte address of row i of x
      ...get(X), ...get(I), ...get(K), op.i32Mul, ...i32(2), I32_SHL, op.i32Add, ...set(ROW),
      ...i32(0), ...set(C),
      ...blockLoop([
        ...get(C), ...get(COUNT), op.i32GeU, op.brIf, 1,
        // out ← x[row + columns[c]]; out advances by 4
        ...get(OUT),
        ...get(ROW), ...get(COLS), ...get(C), ...i32(2), I32_SHL, op.i32Add, ...I32_LOAD, ...i32(2), I32_SHL, op.i32Add, ...I32_LOAD,
        ...I32_STORE,
        ...get(OUT), ...i32(4), op.i32Add, ...set(OUT),
        ...get(C), ...i32(1), op.i32Add, ...set(C),
        op.br, 0,
      ]),
      ...get(I), ...i32(1), op.i32Add, ...set(I),
      op.br, 0,
    ]),
  ]);
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const i32t = [0x7f];
  const type = (n: number) => [0x60, ...vec(new Array(n).fill(i32t)), 0];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([type(4), type(6)])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([[0], [1]])),
    ...section(7, vec([[...name('mask_f32'), 0x00, 0], [...name('gather_f32'), 0x00, 1]])),
    ...section(10, vec([maskBody(), gatherBody()])),
  ]);
}

export interface ColumnKernels {
  readonly mask: MaskKernel;
  readonly gather: GatherKernel;
}

/** The kernels on an arena's memory (non-shared arenas only), or null where they do not validate. */
export const columnKernels: (arena: WasmArena) => ColumnKernels | null = kernelsOnArena(moduleBytes, (exports) => ({
  mask: exports.mask_f32 as MaskKernel,
  gather: exports.gather_f32 as GatherKernel,
}));
