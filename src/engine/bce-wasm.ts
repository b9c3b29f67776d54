/**
 * Engine stage: binary cross-entropy on float32 logits as one WebAssembly SIMD pass, forward
 * and backward together. For each logit x and target y it leaves the loss term
 * softplus(x) − x·y, summed in float64, and the gradient's factor σ(x) − y (the backward only
 * scales it). In JavaScript the same work cost a tenth of a VAE's training step: Math.exp and
 * Math.log1p per pixel, one at a time.
 *
 * The arithmetic is float32 (f32x4), as numpy's and PyTorch's float32 losses are: e = e^−|x|
 * by expF32's polynomial (wasm-module.ts, within 1e-6 relative), log1p(e) = 2·atanh(s) with
 * s = e / (2 + e) ≤ 1/3 by its series to s¹⁵ (truncation under 2e-8 relative, and exact in
 * relative terms as e → 0), σ(x) = 1 / (1 + e) for x ≥ 0 and e / (1 + e) below. Unfused
 * multiply-adds only, so the bits do not depend on the CPU.
 */
import { blockLoop, get, i32, name, op, section, set, simdOp, uleb, vec } from './wasm-bytes.js';
import { kernelsOnArena } from './arena-kernels.js';
import { expF32, f32x4Const } from './wasm-module.js';
import type { WasmArena } from './wasm.js';

/** (bytes, x, y, d): byte count (a multiple of 16) and byte addresses; returns Σ of the loss terms. */
export type BceKernel = (bytes: number, x: number, y: number, d: number) => number;

const F64 = 0x7c;
const f32 = { abs: 0xe0, neg: 0xe1, add: 0xe4, sub: 0xe5, mul: 0xe6, div: 0xe7, pmax: 0xeb, ge: 0x46 };
const V128 = { load: 0x00, store: 0x0b, const: 0x0c, shuffle: 0x0d, bitselect: 0x52 };
const F64X2 = { promoteLow: 0x5f, add: 0xf0, extractLane: 0x21 };

/** The odd series of atanh: 2·atanh(s) = 2s·Σ s^2k / (2k + 1), k = 0 … 7. */
const ATANH_SERIES = [1, 1 / 3, 1 / 5, 1 / 7, 1 / 9, 1 / 11, 1 / 13, 1 / 15];

function body(): number[] {
  const [BYTES, X, Y, D] = [0, 1, 2, 3];
  const J = 4;
  const [XV, E, TMP, S, S2, TERM, LO, HI] = [5, 6, 7, 8, 9, 10, 11, 12];
  const s = (code: number) => simdOp(code);
  const load = (ptr: number) => [...get(ptr), ...get(J), op.i32Add, ...s(V128.load), 4, 0];
  const zero = [...s(V128.const), ...new Array(16).fill(0)];
  const one = f32x4Const(1);
  // Horner's scheme in s² for the series, highest term first.
  const series = [...f32x4Const(ATANH_SERIES[7]!)];
  for (let k = 6; k >= 0; k--) series.push(...get(S2), ...s(f32.mul), ...f32x4Const(ATANH_SERIES[k]!), ...s(f32.add));
  const highHalf = [...zero, ...s(V128.shuffle), 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
  const step = [
    ...load(X), ...set(XV),
    ...get(XV), ...s(f32.abs), ...s(f32.neg), ...set(E),
    ...expF32(E, TMP), ...set(E),
    // s = e / (2 + e), log1p(e) = 2s · series(s²)
    ...get(E), ...f32x4Const(2), ...get(E), ...s(f32.add), ...s(f32.div), ...set(S),
    ...get(S), ...get(S), ...s(f32.mul), ...set(S2),
    // term = max(x, 0) + log1p(e) − x·y
    ...get(XV), ...zero, ...s(f32.pmax),
    ...f32x4Const(2), ...get(S), ...s(f32.mul), ...series, ...s(f32.mul),
    ...s(f32.add),
    ...get(XV), ...load(Y), ...s(f32.mul), ...s(f32.sub), ...set(TERM),
    ...get(LO), ...get(TERM), ...s(F64X2.promoteLow), ...s(F64X2.add), ...set(LO),
    ...get(HI), ...get(TERM), ...highHalf, ...s(F64X2.promoteLow), ...s(F64X2.add), ...set(HI),
    // d = (x ≥ 0 ? 1 : e) / (1 + e) − y
    ...get(D), ...get(J), op.i32Add,
    ...one, ...get(E), ...get(XV), ...zero, ...s(f32.ge), ...s(V128.bitselect),
    ...one, ...get(E), ...s(f32.add), ...s(f32.div),
    ...load(Y), ...s(f32.sub),
    ...s(V128.store), 4, 0,
    ...get(J), ...i32(16), op.i32Add, ...set(J),
  ];
  const code = [
    ...vec([[1, 0x7f], [8, 0x7b]]),
    ...blockLoop([...get(J), ...get(BYTES), op.i32GeU, op.brIf, 1, ...step, op.br, 0]),
    ...get(LO), ...get(HI), ...s(F64X2.add), ...set(LO),
    ...get(LO), ...s(F64X2.extractLane), 0, ...get(LO), ...s(F64X2.extractLane), 1, 0xa0 /* f64.add */,
    op.end,
  ];
  return [...uleb(code.length), ...code];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const type = [0x60, ...vec([[0x7f], [0x7f], [0x7f], [0x7f]]), ...vec([[F64]])];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([type])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('bce_f32'), 0x00, 0]])),
    ...section(10, vec([body()])),
  ]);
}

/** The kernel on an arena's memory (non-shared arenas only), or null where it does not validate. */
export const bceKernel: (arena: WasmArena) => BceKernel | null = kernelsOnArena(moduleBytes, (exports) => exports.bce_f32 as BceKernel);
