/**
 * Engine stage: the product of one row (a recurrent step at batch 1) on its own kernel
 * and right-operand layout. gemm's panels are 8 vectors wide, and a one-row tile over a whole
 * panel needs 17 vector registers of V8's 15 (it loads the panel's eight vectors before their
 * multiply-adds): one accumulator lived on the stack, its chain of multiply-adds waiting on a
 * store and a load every k (about 20 GFLOP/s at [1, 128]·[128, 512]); gemm's one-row tile is now
 * half a panel, 1 × 4 (26 GFLOP/s at [1, 256]·[256, 1024]), four chains. Here B is packed in
 * strips of at most 7 vectors, each K rows deep and contiguous, and a row's tile is a whole
 * strip: 7 accumulators + 7 loaded vectors + the broadcast fit the registers. Every
 * element sums over k in order as in gemm (acc = a·b + acc from +0, depth blocks of
 * DEPTH_BLOCK stored or added as gemm does), so the bits are gemm's.
 *
 * gemv_<W>[_set]_<f32|f64>(M, count, K, A, B, C, lda, stripStride, ldc, kStep): for `count`
 * strips of W vectors, stripStride bytes apart from B on, and rows i < M:
 * C[i, strip] (+)= A[i, 0..K)·strip[0..K), byte addresses and strides as gemm's.
 */
import { blockLoop, get, i32, increment, op, set, uleb, vec } from './wasm-bytes.js';
import { opsFor, v128Load, v128Store, zero } from './wasm-gemm.js';

/** Vectors in the widest strip: 7 accumulators and 7 loaded vectors, and a broadcast, in 15 registers. */
export const STRIP_VECTORS = 7;

/** A strip: its first vector (16-byte column chunk) and its width in vectors. */
interface Strip {
  readonly start: number;
  readonly width: number;
}

/**
 * `vectors` column chunks as strips: as few as hold them at STRIP_VECTORS each, their widths
 * as equal as can be (the wider first), so that every strip keeps as many chains of
 * multiply-adds in flight as the others (128 vectors: 14 of 7 and 5 of 6, not 18 of 7 and 2).
 */
export function stripWidths(vectors: number): { readonly wide: number; readonly narrow: number; readonly width: number } {
  const n = Math.ceil(vectors / STRIP_VECTORS);
  const width = Math.floor(vectors / n);
  const wide = vectors - n * width;
  return { wide, narrow: n - wide, width };
}

/** The strips of `vectors` chunks, in order. */
export function strips(vectors: number): Strip[] {
  const { wide, narrow, width } = stripWidths(vectors);
  const out: Strip[] = [];
  let start = 0;
  for (let s = 0; s < wide + narrow; s++) {
    const w = s < wide ? width + 1 : width;
    out.push({ start, width: w });
    start += w;
  }
  return out;
}

// params: 0 M, 1 count, 2 K, 3 A, 4 B, 5 C, 6 lda, 7 strip stride, 8 ldc, 9 A's k stride (bytes)
const [M, COUNT, K, A, B, C, LDA, SSTRIDE, LDC, KSTEP] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
// i32 locals 10..15, then v128: W accumulators and the broadcast
const [J, I, KK, AP, BP, CP] = [10, 11, 12, 13, 14, 15];
const I32_LOCALS = 6;
const V128_AT = 16;

/** The kernel for strips of `width` vectors (fma and overwrite as gemmBody's). */
function gemvBody({ f64, width, fma = false, overwrite = false }: { readonly f64: boolean; readonly width: number; readonly fma?: boolean; readonly overwrite?: boolean }): number[] {
  const acc = Array.from({ length: width }, (_, v) => V128_AT + v);
  const AV = V128_AT + width;
  // gemm's own instructions, so acc += a·b rounds as there (the same bits).
  const { splatLoad, add, accumulate } = opsFor({ f64, fma });
  const kLoop = [
    op.loop, 0x40,
    ...get(AP), ...splatLoad, ...set(AV),
    ...acc.flatMap((a, v) => accumulate(a, get(AV), [...get(BP), ...v128Load(16 * v)])),
    ...increment(AP, get(KSTEP)),
    ...increment(BP, i32(16 * width)),
    // K ≥ 1 (callers never pass an empty depth): test at the bottom.
    ...get(KK), ...i32(1), op.i32Sub, op.tee, ...uleb(KK), op.brIf, 0,
    op.end,
  ];
  const storeAcc = (a: number, v: number) =>
    overwrite ? [...get(CP), ...get(a), ...v128Store(16 * v)] : [...get(CP), ...get(CP), ...v128Load(16 * v), ...get(a), ...add, ...v128Store(16 * v)];
  const row = [
    ...acc.flatMap((a) => [...zero, ...set(a)]),
    ...get(A), ...get(I), ...get(LDA), op.i32Mul, op.i32Add, ...set(AP),
    ...get(B), ...set(BP),
    ...get(K), ...set(KK),
    ...kLoop,
    ...get(C), ...get(I), ...get(LDC), op.i32Mul, op.i32Add, ...set(CP),
    ...acc.flatMap(storeAcc),
  ];
  const body = [
    ...i32(0), ...set(J),
    ...blockLoop([
      ...get(J), ...get(COUNT), op.i32GeU, op.brIf, 1,
      ...i32(0), ...set(I),
      ...blockLoop([...get(I), ...get(M), op.i32GeU, op.brIf, 1, ...row, ...increment(I, i32(1)), op.br, 0]),
      ...increment(C, i32(16 * width)),
      ...increment(B, get(SSTRIDE)),
      ...increment(J, i32(1)),
      op.br, 0,
    ]),
  ];
  const locals = vec([[...uleb(I32_LOCALS), 0x7f], [...uleb(width + 1), 0x7b]]);
  const code = [...locals, ...body, op.end];
  return [...uleb(code.length), ...code];
}

/** The module's gemv kernels: [export name, body] for every width, both element types, adding and storing. */
export function gemvFunctions(fma: boolean): { readonly name: string; readonly body: number[] }[] {
  const out: { name: string; body: number[] }[] = [];
  for (const f64 of [false, true]) {
    for (const overwrite of [false, true]) {
      for (let width = 1; width <= STRIP_VECTORS; width++) out.push({ name: gemvName(width, f64, overwrite), body: gemvBody({ f64, width, fma, overwrite }) });
    }
  }
  return out;
}

export function gemvName(width: number, f64: boolean, overwrite: boolean): string {
  return `gemv_${width}_${overwrite ? 'set_' : ''}${f64 ? 'f64' : 'f32'}`;
}

/**
 * copy_cols_<f32|f64>(N, K, src, ks, js, dst, dstK): element (k, j) of an operand, at byte
 * src + k·ks + j·js, to dst + k·dstK + j·e, for j < N and k < K: columns of the stacked weights
 * into one strip (wasm.ts's packStripColumns), row by row of the strip.
 */
export function copyColumnsBody(f64: boolean): number[] {
  const [N, KP, SRC, KS, JS, DST, DSTK] = [0, 1, 2, 3, 4, 5, 6];
  const [KK, JJ, FROM, TO] = [7, 8, 9, 10];
  const e = f64 ? 8 : 4;
  const [load, store] = f64 ? [[op.f64Load, 3, 0], [op.f64Store, 3, 0]] : [[op.f32Load, 2, 0], [op.f32Store, 2, 0]];
  const body = [
    ...i32(0), ...set(KK),
    ...blockLoop([
      ...get(KK), ...get(KP), op.i32GeU, op.brIf, 1,
      ...get(SRC), ...get(KK), ...get(KS), op.i32Mul, op.i32Add, ...set(FROM),
      ...get(DST), ...get(KK), ...get(DSTK), op.i32Mul, op.i32Add, ...set(TO),
      ...i32(0), ...set(JJ),
      ...blockLoop([
        ...get(JJ), ...get(N), op.i32GeU, op.brIf, 1,
        ...get(TO), ...get(FROM), ...load, ...store,
        ...increment(FROM, get(JS)), ...increment(TO, i32(e)), ...increment(JJ, i32(1)),
        op.br, 0,
      ]),
      ...increment(KK, i32(1)),
      op.br, 0,
    ]),
  ];
  const code = [...vec([[4, 0x7f]]), ...body, op.end];
  return [...uleb(code.length), ...code];
}
