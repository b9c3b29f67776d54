/**
 * Engine stage: the WebAssembly SIMD matrix product, assembled byte by byte.
 * gemm(M, nb, K, A, B, C, lda, ldb, ldc): C[M, nb·32 bytes] += A[M, K]·B[K, nb·32 bytes] on byte
 * addresses and byte row strides, float32 (f32x4) or float64 (f64x2). Register tiles of R rows ×
 * V 16-byte vectors of accumulators stay in registers across the k loop: 4 × 2 for a batch of
 * rows, 1 × 8 when there are fewer than 4 rows (a matrix-vector product, where one row of A
 * would otherwise leave the adds waiting on each other).
 */
import { blockLoop, get, i32, op, set, simd, simdOp, uleb, vec } from './wasm-bytes.js';

// params: 0 M, 1 nb (32-byte column blocks), 2 K, 3 A, 4 B, 5 C, 6 lda, 7 ldb, 8 ldc (byte strides)
const [M, NB, K, A, B, C, LDA, LDB, LDC] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
// i32 locals 9..17
const [JB, I, KK, AP, BP, CP, BCOL, LDA2, LDA3] = [9, 10, 11, 12, 13, 14, 15, 16, 17];
// v128 locals 18..31: 8 accumulators, 4 vectors of B, one splat of A
const ACC = [18, 19, 20, 21, 22, 23, 24, 25];
const BV = [26, 27, 28, 29];
const AV = 30;
const I32_LOCALS = 9;
const V128_LOCALS = 13;

/** The kernel's code for one element type. */
export function gemmBody({ f64 }: { readonly f64: boolean }): number[] {
  const elem = f64 ? 8 : 4;
  const splatLoad = [...simdOp(f64 ? simd.load64Splat : simd.load32Splat), f64 ? 3 : 2, 0];
  const add = simdOp(f64 ? simd.f64Add : simd.f32Add);
  const mul = simdOp(f64 ? simd.f64Mul : simd.f32Mul);
  const v128Load = (offset: number) => [...simdOp(simd.load), 4, ...uleb(offset)];
  const v128Store = (offset: number) => [...simdOp(simd.store), 4, ...uleb(offset)];
  const zero = [...simdOp(simd.const), ...new Array(16).fill(0)];
  const exitIf = (cond: number[]) => [...cond, op.brIf, 1];
  const again = [op.br, 0];
  /** acc += a·b, with a and b already on the stack. */
  // (No fused multiply-add: that is relaxed SIMD, off by default in Node 20, and it would
  // make results depend on the machine.)
  const accumulate = (acc: number, a: number[], b: number[]) => [...get(acc), ...a, ...b, ...mul, ...add, ...set(acc)];
  const rowOffset = [[], get(LDA), get(LDA2), get(LDA3)];
  const at = (base: number, offset: number[]) => [...get(base), ...offset, ...(offset.length ? [op.i32Add] : [])];

  /** One R × V tile at rows I.., column block JB: the k loop, then C += the accumulators. */
  const tile = (R: number, V: number) => {
    const acc = (r: number, v: number) => ACC[r * V + v]!;
    const kStep =
      R === 1
        ? // One row: B's vectors are used once, straight from memory.
          [...get(AP), ...splatLoad, ...set(AV), ...Array.from({ length: V }, (_, v) => accumulate(acc(0, v), get(AV), [...get(BP), ...v128Load(16 * v)])).flat()]
        : [
            ...Array.from({ length: V }, (_, v) => [...get(BP), ...v128Load(16 * v), ...set(BV[v]!)]).flat(),
            ...Array.from({ length: R }, (_, r) => [
              ...at(AP, rowOffset[r]!), ...splatLoad, ...set(AV),
              ...Array.from({ length: V }, (_, v) => accumulate(acc(r, v), get(AV), get(BV[v]!))).flat(),
            ]).flat(),
          ];
    const cOffset = (r: number) => [[], get(LDC), [...get(LDC), ...i32(1), op.i32Shl], [...get(LDC), ...i32(3), op.i32Mul]][r]!;
    const store = (r: number, v: number) => {
      const addr = at(CP, cOffset(r));
      return [...addr, ...addr, ...v128Load(16 * v), ...get(acc(r, v)), ...add, ...v128Store(16 * v)];
    };
    return [
      ...ACC.slice(0, R * V).flatMap((a) => [...zero, ...set(a)]),
      ...get(A), ...get(I), ...get(LDA), op.i32Mul, op.i32Add, ...set(AP),
      ...get(BCOL), ...set(BP),
      ...get(K), ...set(KK),
      // K ≥ 1 (wasm.ts never calls with an empty depth): test at the bottom of the loop.
      op.loop, 0x40,
      ...kStep,
      ...get(AP), ...i32(elem), op.i32Add, ...set(AP),
      ...get(BP), ...get(LDB), op.i32Add, ...set(BP),
      ...get(KK), ...i32(1), op.i32Sub, op.tee, ...uleb(KK), op.brIf, 0,
      op.end,
      ...get(C), ...get(I), ...get(LDC), op.i32Mul, op.i32Add, ...get(JB), ...i32(5), op.i32Shl, op.i32Add, ...set(CP),
      ...Array.from({ length: R }, (_, r) => Array.from({ length: V }, (_, v) => store(r, v)).flat()).flat(),
      ...get(I), ...i32(R), op.i32Add, ...set(I),
    ];
  };

  /** Column blocks V/2 at a time while they last: R-row tiles, then single rows. */
  const phase = (R: number, V: number) =>
    blockLoop([
      ...exitIf([...get(JB), ...i32(V / 2), op.i32Add, ...get(NB), op.i32GtU]),
      ...get(B), ...get(JB), ...i32(5), op.i32Shl, op.i32Add, ...set(BCOL),
      ...i32(0), ...set(I),
      ...(R > 1 ? blockLoop([...exitIf([...get(I), ...i32(R), op.i32Add, ...get(M), op.i32GtU]), ...tile(R, V), ...again]) : []),
      ...blockLoop([...exitIf([...get(I), ...get(M), op.i32GeU]), ...tile(1, V), ...again]),
      ...get(JB), ...i32(V / 2), op.i32Add, ...set(JB),
      ...again,
    ]);

  const body = [
    ...get(LDA), ...i32(1), op.i32Shl, ...set(LDA2),
    ...get(LDA2), ...get(LDA), op.i32Add, ...set(LDA3),
    ...i32(0), ...set(JB),
    // Fewer than 4 rows: 4 blocks (8 vectors) per tile first.
    op.block, 0x40, ...get(M), ...i32(4), op.i32GeU, op.brIf, 0, ...phase(1, 8), op.end,
    ...phase(4, 2),
  ];
  const locals = vec([[...uleb(I32_LOCALS), 0x7f], [...uleb(V128_LOCALS), 0x7b]]);
  const code = [...locals, ...body, op.end];
  return [...uleb(code.length), ...code];
}
