/**
 * Engine stage: the WebAssembly SIMD kernels, assembled here byte by byte (no toolchain,
 * nothing to download): the matrix product of wasm-gemm.ts (gemm_f32, gemm_f64) and ew_*,
 * elementwise ops over rows of 16-byte chunks. wasm.ts runs them.
 */

import { blockLoop, get, i32, increment, name, op, section, set, simd, simdOp, sleb, uleb, vec } from './wasm-bytes.js';
import { gemmBody } from './wasm-gemm.js';
import { copyColumnsBody, gemvFunctions } from './wasm-gemv.js';
import { relaxedSimd } from './relaxed-simd.js';
import { EXACT_FUNCTIONS, exactFunctionBodies, F64_TO_F64, type ExactFunction } from './wasm-exact-math.js';

/** Elementwise ops the module exports, by name (`ew_<op>_<f32|f64>`). */
export const BINARY_OPS = ['add', 'sub', 'mul', 'div'] as const;
export const UNARY_OPS = ['neg', 'relu', 'copy', 'sigmoid', 'tanh', 'exp'] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];
export type UnaryOp = (typeof UNARY_OPS)[number];
/**
 * float64 only: the functions as JavaScript computes them (Math.exp, Math.tanh, the tape's
 * sigmoid, x > 0 ? x : 0), for the engine's exact mode: the same bits (wasm-exact-math.ts).
 */
export const EXACT_OPS = ['exact_exp', 'exact_tanh', 'exact_sigmoid', 'exact_relu'] as const;
export type ExactOp = (typeof EXACT_OPS)[number];

/** v128.const with the same float32 in all four lanes. */
export function f32x4Const(value: number): number[] {
  const b = new Uint8Array(new Float32Array([value, value, value, value]).buffer);
  return [...simdOp(simd.const), ...b];
}
/** v128.const with the same float64 in both lanes. */
function f64x2Const(value: number): number[] {
  const b = new Uint8Array(new Float64Array([value, value]).buffer);
  return [...simdOp(simd.const), ...b];
}
function i64x2Const(value: bigint): number[] {
  const b = new Uint8Array(new BigInt64Array([value, value]).buffer);
  return [...simdOp(simd.const), ...b];
}
function i32x4Const(value: number): number[] {
  const b = new Uint8Array(new Int32Array([value, value, value, value]).buffer);
  return [...simdOp(simd.const), ...b];
}

/**
 * One step of Horner's scheme, acc·x + c, with acc on the stack: a multiply and an add, or one
 * relaxed multiply-add (fused where the CPU has FMA) in the kernels made for useFma.
 */
function horner(x: number, c: number[], f64: boolean, fma: boolean): number[] {
  if (fma) return [...get(x), ...c, ...simdOp(f64 ? simd.f64RelaxedMadd : simd.f32RelaxedMadd)];
  return [...get(x), ...simdOp(f64 ? 0xf2 : 0xe6), ...c, ...simdOp(f64 ? 0xf0 : 0xe4)];
}

/**
 * exp of the v128 in local `x` (float32 lanes), left on the stack: clamp to [−87, 88],
 * n = round(x·log2 e), r = x − n·ln 2 in two parts (Cody and Waite, so r keeps its bits),
 * e^r by a degree-7 polynomial, 2^n built in the exponent bits. The rounding adds and
 * subtracts 1.5·2²³ (the sum rounds to a whole number, ties to even, as nearest does), and
 * the sum's low bits are n itself; pmin/pmax clamp in one instruction each (and keep a NaN).
 */
export function expF32(x: number, tmp: number, fma = false): number[] {
  const C = [1, 1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040];
  const LN2_HI = 0.693359375; // exact in float32 (few significant bits), so n·LN2_HI is exact
  const LN2_LO = -2.12194440e-4;
  const MAGIC = 1.5 * 2 ** 23;
  const MAGIC_BITS = 0x4b400000;
  const [mul, add, sub, pmin, pmax] = [0xe6, 0xe4, 0xe5, 0xea, 0xeb].map(simdOp) as [number[], number[], number[], number[], number[]];
  const n = [...get(tmp), ...f32x4Const(MAGIC), ...sub];
  return [
    ...get(x), ...f32x4Const(-87), ...pmax, ...f32x4Const(88), ...pmin, ...set(x), // x ← clamp(x)
    ...get(x), ...f32x4Const(Math.LOG2E), ...mul, ...f32x4Const(MAGIC), ...add, ...set(tmp), // tmp ← n + 1.5·2²³
    ...get(x), ...n, ...f32x4Const(LN2_HI), ...mul, ...sub, ...n, ...f32x4Const(LN2_LO), ...mul, ...sub, ...set(x), // x ← r
    ...f32x4Const(C[7]!),
    ...C.slice(0, 7).reverse().flatMap((c) => horner(x, f32x4Const(c), false, fma)),
    ...get(tmp), ...i32x4Const(127 - MAGIC_BITS), ...simdOp(0xae), ...[op.i32Const, ...sleb(23)], ...simdOp(0xab), // (n + 127) << 23
    ...mul,
  ];
}

/**
 * exp of the v128 in local `x` (float64 lanes), left on the stack: the same scheme as expF32
 * with float64 constants, 1.5·2⁵² for the rounding and a degree-12 polynomial (truncation
 * below 2e-16 on |r| ≤ ln 2 / 2).
 */
function expF64(x: number, tmp: number, fma = false): number[] {
  const C: number[] = [1];
  for (let k = 1; k <= 12; k++) C.push(C[k - 1]! / k);
  const LN2_HI = 6.93147180369123816490e-1; // ln 2 with its low 32 bits cleared: n·LN2_HI is exact
  const LN2_LO = 1.90821492927058770002e-10;
  const MAGIC = 1.5 * 2 ** 52;
  const MAGIC_BITS = 0x4338000000000000n;
  const [mul, add, sub, pmin, pmax] = [0xf2, 0xf0, 0xf1, 0xf6, 0xf7].map(simdOp) as [number[], number[], number[], number[], number[]];
  const n = [...get(tmp), ...f64x2Const(MAGIC), ...sub];
  return [
    ...get(x), ...f64x2Const(-708), ...pmax, ...f64x2Const(709), ...pmin, ...set(x),
    ...get(x), ...f64x2Const(Math.LOG2E), ...mul, ...f64x2Const(MAGIC), ...add, ...set(tmp), // tmp ← n + 1.5·2⁵²
    ...get(x), ...n, ...f64x2Const(LN2_HI), ...mul, ...sub, ...n, ...f64x2Const(LN2_LO), ...mul, ...sub, ...set(x),
    ...f64x2Const(C[12]!),
    ...C.slice(0, 12).reverse().flatMap((c) => horner(x, f64x2Const(c), true, fma)),
    // 2^n: (n + 1023) << 52, n from the sum's low bits.
    ...get(tmp), ...i64x2Const(1023n - MAGIC_BITS), ...simdOp(0xce), ...[op.i32Const, ...sleb(52)], ...simdOp(0xcb),
    ...mul,
  ];
}

/** for each of `rows` rows, for each 16-byte chunk j of the row: o[j] = f(a[j], b[j]); pointers advance by their strides. */
function elementwiseBody(binary: boolean, compute: (aVec: number[], bVec: number[], x: number, tmp: number) => number[]): number[] {
  // params: rows, widthBytes, o, os, a, as, (b, bs); locals: j (i32), x, tmp (v128)
  const nParams = binary ? 8 : 6;
  const [ROWS, WIDTH, O, OS, A, AS, B, BS] = [0, 1, 2, 3, 4, 5, 6, 7];
  const J = nParams, X = nParams + 1, TMP = nParams + 2;
  const at = (ptr: number) => [...get(ptr), ...get(J), op.i32Add];
  const load = (ptr: number) => [...at(ptr), ...simdOp(simd.load), 4, 0];
  const body = blockLoop([
    ...get(ROWS), 0x45 /* i32.eqz */, op.brIf, 1,
    ...i32(0), ...set(J),
    ...blockLoop([
      ...get(J), ...get(WIDTH), op.i32GeU, op.brIf, 1,
      ...at(O), ...compute(load(A), binary ? load(B) : [], X, TMP), ...simdOp(simd.store), 4, 0,
      ...get(J), ...i32(16), op.i32Add, ...set(J),
      op.br, 0,
    ]),
    ...increment(O, get(OS)), ...increment(A, get(AS)), ...(binary ? increment(B, get(BS)) : []),
    ...get(ROWS), ...i32(1), 0x6b /* i32.sub */, ...set(ROWS),
    op.br, 0,
  ]);
  const code = [...vec([[1, 0x7f], [2, 0x7b]]), ...body, op.end];
  return [...uleb(code.length), ...code];
}

/**
 * pack_<f32|f64>(N, K, src, ks, js, dst): the [K, N] operand whose element (k, j) sits at byte
 * src + k·ks + j·js (row-major: ks = N·e, js = e; stored transposed: ks = e, js = K·e) into the
 * gemm kernel's panels at dst (wasm-gemm.ts), columns past N set to zero.
 */
function packBody(f64: boolean): number[] {
  const [N, K, SRC, KS, JS, DST] = [0, 1, 2, 3, 4, 5];
  const [P0, KK, JJ, FROM, LIMIT] = [6, 7, 8, 9, 10];
  const e = f64 ? 8 : 4;
  const pc = 128 / e;
  const [load, store, zero] = f64 ? [[op.f64Load, 3, 0], [op.f64Store, 3, 0], [op.f64Const, ...new Array(8).fill(0)]] : [[op.f32Load, 2, 0], [op.f32Store, 2, 0], [op.f32Const, 0, 0, 0, 0]];
  const body = blockLoop([
    ...get(P0), ...get(N), op.i32GeU, op.brIf, 1,
    // LIMIT: the panel's real columns (fewer than pc only in the last panel).
    ...get(N), ...get(P0), 0x6b /* i32.sub */, ...set(LIMIT),
    op.block, 0x40, ...get(LIMIT), ...i32(pc), op.i32LtU, op.brIf, 0, ...i32(pc), ...set(LIMIT), op.end,
    ...i32(0), ...set(KK),
    ...blockLoop([
      ...get(KK), ...get(K), op.i32GeU, op.brIf, 1,
      ...get(SRC), ...get(KK), ...get(KS), op.i32Mul, op.i32Add, ...get(P0), ...get(JS), op.i32Mul, op.i32Add, ...set(FROM),
      ...i32(0), ...set(JJ),
      // A whole panel row of a row-major operand is 128 contiguous bytes: eight vector copies
      // (the same bits as the element loop, which then finds nothing left).
      op.block, 0x40,
      ...get(JS), ...i32(e), 0x47 /* i32.ne */, op.brIf, 0,
      ...get(LIMIT), ...i32(pc), 0x47 /* i32.ne */, op.brIf, 0,
      ...Array.from({ length: 8 }, (_, v) => [...get(DST), ...get(FROM), ...simdOp(simd.load), 4, ...uleb(16 * v), ...simdOp(simd.store), 4, ...uleb(16 * v)]).flat(),
      ...increment(DST, i32(128)), ...i32(pc), ...set(JJ),
      op.end,
      ...blockLoop([...get(JJ), ...get(LIMIT), op.i32GeU, op.brIf, 1, ...get(DST), ...get(FROM), ...load, ...store, ...increment(FROM, get(JS)), ...increment(DST, i32(e)), ...increment(JJ, i32(1)), op.br, 0]),
      ...blockLoop([...get(JJ), ...i32(pc), op.i32GeU, op.brIf, 1, ...get(DST), ...zero, ...store, ...increment(DST, i32(e)), ...increment(JJ, i32(1)), op.br, 0]),
      ...increment(KK, i32(1)),
      op.br, 0,
    ]),
    ...increment(P0, i32(pc)),
    op.br, 0,
  ]);
  const code = [...vec([[5, 0x7f]]), ...body, op.end];
  return [...uleb(code.length), ...code];
}

interface ModuleFunction {
  readonly name: string;
  readonly type: number;
  readonly body: number[];
}

/** tanh x = x·Σ c_k x^2k near 0: the Taylor coefficients 1, −1/3, 2/15, −17/315, ... up to x¹⁵. */
const TANH_SERIES = [1, -1 / 3, 2 / 15, -17 / 315, 62 / 2835, -1382 / 155925, 21844 / 6081075, -929569 / 638512875];

/**
 * The code of one elementwise op on float32 (f32x4) or float64 (f64x2) lanes: `a` and `b` push
 * its operands (b unused by unary ops; each may be pushed several times), x and tmp are v128
 * scratch locals; the result is left on the stack. The ew_* kernels and the fused chains of
 * wasm-chain.ts both use it, so they compute the same bits.
 */
export function elementwiseCode(name: BinaryOp | UnaryOp | ExactOp, f64: boolean, a: number[], b: number[], x: number, tmp: number, fma = false, exactAt?: number): number[] {
  if (name.startsWith('exact_')) return exactCode(name as ExactOp, f64, a, x, exactAt);
  const code = (f32op: number, f64op: number) => simdOp(f64 ? f64op : f32op);
  const BIN: Record<BinaryOp, number[]> = { add: code(0xe4, 0xf0), sub: code(0xe5, 0xf1), mul: code(0xe6, 0xf2), div: code(0xe7, 0xf3) };
  if (name in BIN) return [...a, ...b, ...BIN[name as BinaryOp]];
  const zero = [...simdOp(simd.const), ...new Array(16).fill(0)];
  if (name === 'copy') return a;
  if (name === 'neg') return [...a, ...code(0xe1, 0xed)];
  if (name === 'relu') return [...a, ...zero, ...code(0xeb, 0xf7)]; // pmax(x, 0)
  const exp = (x: number, tmp: number) => (f64 ? expF64 : expF32)(x, tmp, fma);
  const k = f64 ? f64x2Const : f32x4Const;
  if (name === 'exp') return [...a, ...set(x), ...exp(x, tmp)];
  const one = k(1);
  const div = code(0xe7, 0xf3), addOp = code(0xe4, 0xf0), sub = code(0xe5, 0xf1), mul = code(0xe6, 0xf2);
  if (name === 'sigmoid') return [...one, ...one, ...a, ...code(0xe1, 0xed), ...set(x), ...exp(x, tmp), ...addOp, ...div]; // 1 / (1 + e^−x)
  // tanh x = 2 / (1 + e^−2x) − 1 loses relative precision as x → 0 (the − 1 cancels), so
  // near 0 the odd Taylor series takes over: below |x| = 0.1 in float64 (its x¹⁷ term is under
  // 1e-19 relative there), below 0.5 in float32 (under 1e-8).
  const formula = [...k(2), ...one, ...a, ...k(-2), ...mul, ...set(x), ...exp(x, tmp), ...addOp, ...div, ...one, ...sub];
  const series = [...a, ...a, ...mul, ...set(x), ...k(TANH_SERIES[TANH_SERIES.length - 1]!)];
  for (let c = TANH_SERIES.length - 2; c >= 0; c--) series.push(...horner(x, k(TANH_SERIES[c]!), f64, fma));
  series.push(...a, ...mul);
  const small = [...a, ...code(0xe0, 0xec) /* abs */, ...k(f64 ? 0.1 : 0.5), ...code(0x43, 0x49) /* lt */];
  return [...series, ...formula, ...small, ...simdOp(0x52) /* v128.bitselect */];
}

/**
 * An exact op on float64 lanes: x > 0 ? x : 0 as x and (x > 0) (so −0 and NaN give +0, as in
 * JavaScript); a function as a call per lane of EXACT_FUNCTIONS, placed at index `exactAt` on.
 */
function exactCode(name: ExactOp, f64: boolean, a: number[], x: number, exactAt: number | undefined): number[] {
  if (!f64) throw new Error(`${name} is float64 only`);
  const zero = [...simdOp(simd.const), ...new Array(16).fill(0)];
  if (name === 'exact_relu') return [...a, ...set(x), ...get(x), ...get(x), ...zero, ...simdOp(0x4a) /* f64x2.gt */, ...simdOp(0x4e) /* v128.and */];
  if (exactAt === undefined) throw new Error(`${name} needs the exact functions in its module`);
  const fn = exactAt + EXACT_FUNCTIONS.indexOf(name.slice('exact_'.length) as ExactFunction);
  const lane = (k: number) => [...get(x), ...simdOp(0x21), k /* f64x2.extract_lane */, 0x10 /* call */, ...uleb(fn), ...simdOp(0x22), k /* f64x2.replace_lane */];
  return [...a, ...set(x), ...get(x), ...lane(0), ...lane(1)];
}

function elementwiseFunctions(fma: boolean): ModuleFunction[] {
  const out: ModuleFunction[] = [];
  for (const f64 of [false, true]) {
    const suffix = f64 ? 'f64' : 'f32';
    for (const name of BINARY_OPS) out.push({ name: `ew_${name}_${suffix}`, type: 2, body: elementwiseBody(true, (a, b, x, tmp) => elementwiseCode(name, f64, a, b, x, tmp, fma)) });
    for (const name of UNARY_OPS) out.push({ name: `ew_${name}_${suffix}`, type: 1, body: elementwiseBody(false, (a, b, x, tmp) => elementwiseCode(name, f64, a, b, x, tmp, fma)) });
  }
  return out;
}

/** The module's bytes: imports env.memory (shared or not), exports gemm_f32, gemm_f64, the ew_* functions, pack_f32, pack_f64, gemm_set_f32, gemm_set_f64, the gemv_* kernels and copy_cols_* (wasm-gemv.ts). */
export function gemmModuleBytes(shared: boolean, fma = false): Uint8Array<ArrayBuffer> {
  const i32 = 0x7f;
  const types = [...[10, 6, 8, 6].map((n) => [0x60, ...vec(new Array(n).fill([i32])), 0]), F64_TO_F64, [0x60, ...vec(new Array(7).fill([i32])), 0]];
  const memoryLimits = shared ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)];
  const head: ModuleFunction[] = [
    { name: 'gemm_f32', type: 0, body: gemmBody({ f64: false, fma }) },
    { name: 'gemm_f64', type: 0, body: gemmBody({ f64: true, fma }) },
    ...elementwiseFunctions(fma),
    { name: 'pack_f32', type: 3, body: packBody(false) },
    { name: 'pack_f64', type: 3, body: packBody(true) },
    { name: 'gemm_set_f32', type: 0, body: gemmBody({ f64: false, fma, overwrite: true }) },
    { name: 'gemm_set_f64', type: 0, body: gemmBody({ f64: true, fma, overwrite: true }) },
    ...gemvFunctions(fma).map((f) => ({ ...f, type: 0 })),
    { name: 'copy_cols_f32', type: 5, body: copyColumnsBody(false) },
    { name: 'copy_cols_f64', type: 5, body: copyColumnsBody(true) },
  ];
  // The exact kernels (ew_exact_*_f64), then the scalar functions they call, exported as exact_* (tests compare them with Math).
  const exactAt = head.length + EXACT_OPS.length;
  const functions: ModuleFunction[] = [
    ...head,
    ...EXACT_OPS.map((name) => ({ name: `ew_${name}_f64`, type: 1, body: elementwiseBody(false, (a, _b, x, tmp) => elementwiseCode(name, true, a, [], x, tmp, fma, exactAt)) })),
    ...exactFunctionBodies().map((body, k) => ({ name: `exact_${EXACT_FUNCTIONS[k]}`, type: 4, body })),
  ];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, ...memoryLimits]])),
    ...section(3, vec(functions.map((f) => [f.type]))),
    ...section(7, vec(functions.map((f, k) => [...name(f.name), 0x00, ...uleb(k)]))),
    ...section(10, vec(functions.map((f) => f.body))),
  ];
  return new Uint8Array(bytes);
}

/** o = f(a, b) over `rows` rows of `widthBytes` bytes; byte addresses and byte row strides (0: broadcast). */
export type ElementwiseKernel = (rows: number, widthBytes: number, o: number, os: number, a: number, as: number, b: number, bs: number) => void;
export type UnaryKernel = (rows: number, widthBytes: number, o: number, os: number, a: number, as: number) => void;

export type PackKernel = (N: number, K: number, src: number, ks: number, js: number, dst: number) => void;
export type GemmKernel = (M: number, nb: number, K: number, A: number, B: number, C: number, lda: number, ldb: number, ldc: number, kStep: number) => void;

let moduleCache: Map<string, WebAssembly.Module | null> | undefined;
/** Products on the fused multiply-add kernels where the runtime has them (useFma). */
let fmaWanted = true;

/**
 * Sets whether the products use fused multiply-add kernels (relaxed SIMD's f32x4/f64x2.
 * relaxed_madd: a·b + c rounded once), on by default; returns whether arenas created from now
 * on use them, which they do only where the runtime has relaxed SIMD (relaxed-simd.ts). Results
 * differ from the unfused kernels' in their last bits (each product's error is at most as
 * large), and a CPU without FMA instructions computes the unfused bits.
 */
export function useFma(enabled: boolean): boolean {
  fmaWanted = enabled;
  return fmaEnabled();
}

/** Whether new arenas get the fused multiply-add kernels (see useFma). */
export function fmaEnabled(): boolean {
  return fmaWanted && relaxedSimd() && compiled(false, true) !== null;
}

/** The modules' bytes, kept apart from the modules: a startup snapshot holds these, not those. */
const bytesCache = new Map<string, Uint8Array<ArrayBuffer>>();

function compiled(shared: boolean, fma: boolean): WebAssembly.Module | null {
  moduleCache ??= new Map();
  const key = `${shared}:${fma}`;
  if (!moduleCache.has(key)) {
    let mod: WebAssembly.Module | null = null;
    try {
      let bytes = bytesCache.get(key);
      if (!bytes) bytesCache.set(key, (bytes = gemmModuleBytes(shared, fma)));
      if (typeof WebAssembly !== 'undefined' && WebAssembly.validate(bytes)) mod = new WebAssembly.Module(bytes);
    } catch {
      mod = null;
    }
    // No module while WebAssembly is missing is not remembered: Node leaves it out while a
    // startup snapshot is made (snapshot-entry.ts), and the process restored from it has it.
    if (typeof WebAssembly !== 'undefined') moduleCache.set(key, mod);
    return mod;
  }
  return moduleCache.get(key)!;
}

/**
 * The compiled module, with the fused kernels when `fma` (default: fmaEnabled()), falling back
 * to the unfused ones if those do not compile; null where WebAssembly SIMD is unavailable.
 */
export function gemmModule(shared: boolean, fma = fmaEnabled()): WebAssembly.Module | null {
  return (fma ? compiled(shared, true) : null) ?? compiled(shared, false);
}
