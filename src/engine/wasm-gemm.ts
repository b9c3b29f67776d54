/**
 * Engine stage: the WebAssembly SIMD matrix product, assembled byte by byte.
 * gemm(M, nb, K, A, B, C, lda, panelStride, ldc): C[M, nb·32 bytes] += A[M, K]·B[K, nb·32 bytes]
 * on byte addresses, float32 (f32x4) or float64 (f64x2). B is packed in panels (packPanels in
 * wasm.ts): 128-byte-wide column strips, each K rows deep and contiguous, panelStride bytes
 * apart, so the kernel reads B front to back (strided rows of a wide B missed the prefetcher and
 * the TLB on every row). Register tiles of R rows × V 16-byte vectors of accumulators stay in
 * registers across the k loop: 4 × 2 for a batch of rows, and for the 1 to 3 rows left over
 * 1 × 4, 2 × 4 or 3 × 2. V8 loads all of a k step's vectors (B's V and the R broadcasts)
 * before its multiply-adds, so a tile needs R·V + V + R of the 15 vector registers V8
 * allocates: a one-row tile over a whole panel (1 × 8, 17) spilled an accumulator to the stack
 * (17 GFLOP/s against 1 × 4's 26 at [1, 256]·[256, 1024]), and so do 5 × 2 and 6 × 2.
 * Every element sums over k in order, whatever its tile.
 * gemm_set (overwrite) stores the sums over C instead of adding them: the same bits as adding
 * them to a zeroed C (an accumulator starts at +0 and so is never −0, and +0 + s is s), without
 * zeroing C first.
 */
import { blockLoop, get, i32, op, set, simd, simdOp, uleb, vec } from './wasm-bytes.js';

/** Bytes in one row of a panel of B: four 32-byte column blocks. */
export const PANEL_BYTES = 128;

// params: 0 M, 1 nb (32-byte column blocks, a multiple of 4), 2 K, 3 A, 4 B, 5 C, 6 lda, 7 panel stride, 8 ldc,
// 9 A's k stride (bytes: one element for a row-major A, lda of the stored matrix for a transposed one)
const [M, NB, K, A, B, C, LDA, PSTRIDE, LDC, KSTEP] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
// i32 locals 10..20
const [JB, I, KK, AP, BP, CP, BCOL, LDA2, LDA3, SUB, CCOL] = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
// v128 locals 21..33: 8 accumulators, 4 vectors of B, one splat of A
const ACC = [21, 22, 23, 24, 25, 26, 27, 28];
const BV = [29, 30, 31, 32];
const AV = 33;
const I32_LOCALS = 11;
const V128_LOCALS = 13;

const exitIf = (cond: number[]) => [...cond, op.brIf, 1];
const again = [op.br, 0];
export const v128Load = (offset: number) => [...simdOp(simd.load), 4, ...uleb(offset)];
export const v128Store = (offset: number) => [...simdOp(simd.store), 4, ...uleb(offset)];
export const zero = [...simdOp(simd.const), ...new Array(16).fill(0)];
/** base + offset on the stack (offset: the code of an i32, or nothing for + 0). */
const at = (base: number, offset: number[]) => [...get(base), ...offset, ...(offset.length ? [op.i32Add] : [])];
const rowOffset = [[], get(LDA), get(LDA2), get(LDA3)];
const cOffset = (r: number) => [[], get(LDC), [...get(LDC), ...i32(1), op.i32Shl], [...get(LDC), ...i32(3), op.i32Mul]][r]!;

export interface GemmFlags {
  readonly f64: boolean;
  readonly fma?: boolean;
  readonly overwrite?: boolean;
}

/** The instructions that differ with the element type and the flags. */
export interface Ops {
  readonly splatLoad: number[];
  readonly add: number[];
  /** acc += a·b, with a and b already on the stack. */
  readonly accumulate: (acc: number, a: number[], b: number[]) => number[];
  readonly overwrite: boolean;
}

export function opsFor({ f64, fma = false, overwrite = false }: GemmFlags): Ops {
  const add = simdOp(f64 ? simd.f64Add : simd.f32Add);
  const mul = simdOp(f64 ? simd.f64Mul : simd.f32Mul);
  const madd = simdOp(f64 ? simd.f64RelaxedMadd : simd.f32RelaxedMadd);
  return {
    splatLoad: [...simdOp(f64 ? simd.load64Splat : simd.load32Splat), f64 ? 3 : 2, 0],
    add,
    accumulate: fma
      ? (acc, a, b) => [...a, ...b, ...get(acc), ...madd, ...set(acc)]
      : (acc, a, b) => [...get(acc), ...a, ...b, ...mul, ...add, ...set(acc)],
    overwrite,
  };
}

const accumulator = (V: number, r: number, v: number) => ACC[r * V + v]!;

/** One step of an R × V tile's k loop: acc(r, v) += A[r, k]·B[k, v]. */
function tileKStep(ops: Ops, R: number, V: number): number[] {
  const { splatLoad, accumulate } = ops;
  const acc = (r: number, v: number) => accumulator(V, r, v);
  if (R === 1) {
    // One row: B's vectors are used once, straight from memory.
    return [...get(AP), ...splatLoad, ...set(AV), ...Array.from({ length: V }, (_, v) => accumulate(acc(0, v), get(AV), [...get(BP), ...v128Load(16 * v)])).flat()];
  }
  return [
    ...Array.from({ length: V }, (_, v) => [...get(BP), ...v128Load(16 * v), ...set(BV[v]!)]).flat(),
    ...Array.from({ length: R }, (_, r) => [
      ...at(AP, rowOffset[r]!), ...splatLoad, ...set(AV),
      ...Array.from({ length: V }, (_, v) => accumulate(acc(r, v), get(AV), get(BV[v]!))).flat(),
    ]).flat(),
  ];
}

/** C[r, v] += (or, overwriting, =) the accumulator of tile row r, vector v. */
function tileStore(ops: Ops, V: number, r: number, v: number): number[] {
  const addr = at(CP, cOffset(r));
  const acc = accumulator(V, r, v);
  if (ops.overwrite) return [...addr, ...get(acc), ...v128Store(16 * v)];
  return [...addr, ...addr, ...v128Load(16 * v), ...get(acc), ...ops.add, ...v128Store(16 * v)];
}

/** One R × V tile at rows I.., B from BCOL, C from byte column CCOL: the k loop, then C += the accumulators. */
function tile(ops: Ops, R: number, V: number): number[] {
  return [
    ...ACC.slice(0, R * V).flatMap((a) => [...zero, ...set(a)]),
    ...get(A), ...get(I), ...get(LDA), op.i32Mul, op.i32Add, ...set(AP),
    ...get(BCOL), ...set(BP),
    ...get(K), ...set(KK),
    // K ≥ 1 (wasm.ts never calls with an empty depth): test at the bottom of the loop.
    op.loop, 0x40,
    ...tileKStep(ops, R, V),
    ...get(AP), ...get(KSTEP), op.i32Add, ...set(AP),
    ...get(BP), ...i32(PANEL_BYTES), op.i32Add, ...set(BP),
    ...get(KK), ...i32(1), op.i32Sub, op.tee, ...uleb(KK), op.brIf, 0,
    op.end,
    ...get(C), ...get(I), ...get(LDC), op.i32Mul, op.i32Add, ...get(CCOL), op.i32Add, ...set(CP),
    ...Array.from({ length: R }, (_, r) => Array.from({ length: V }, (_, v) => tileStore(ops, V, r, v)).flat()).flat(),
    ...get(I), ...i32(R), op.i32Add, ...set(I),
  ];
}

/**
 * Each 16·V-byte block of the panel in R × V tiles from row `first` (the code of an i32):
 * `another` (the code of an i32 test on I) says whether another tile starts at I.
 */
function blockTiles(ops: Ops, R: number, V: number, first: number[], another: number[]): number[] {
  return [
    ...i32(0), ...set(SUB),
    ...blockLoop([
      ...exitIf([...get(SUB), ...i32(PANEL_BYTES), op.i32GeU]),
      ...get(B), ...get(SUB), op.i32Add, ...set(BCOL),
      ...get(JB), ...i32(5), op.i32Shl, ...get(SUB), op.i32Add, ...set(CCOL),
      ...first, ...set(I),
      ...blockLoop([...exitIf([...another, op.i32Eqz]), ...tile(ops, R, V), ...again]),
      ...get(SUB), ...i32(16 * V), op.i32Add, ...set(SUB),
      ...again,
    ]),
  ];
}

/** The tile for the 1, 2 or 3 rows left over after the 4 × 2 tiles: [R, V]. */
const LEFTOVER_TILES = [[1, 4], [2, 4], [3, 2]] as const;

/** A panel: 4 × 2 tiles over rows 0 … M rounded down to 4, then the rows left over in one tile of LEFTOVER_TILES. */
function panelTiles(ops: Ops): number[] {
  const roundedM = [...get(M), ...i32(-4), op.i32And];
  return [
    ...blockTiles(ops, 4, 2, i32(0), [...get(I), ...i32(4), op.i32Add, ...get(M), op.i32LeU]),
    ...LEFTOVER_TILES.flatMap(([R, V]) => [
      op.block, 0x40,
      ...get(M), ...i32(3), op.i32And, ...i32(R), op.i32Ne, op.brIf, 0,
      // One tile per block: I < M only before it.
      ...blockTiles(ops, R, V, roundedM, [...get(I), ...get(M), op.i32LtU]),
      op.end,
    ]),
  ];
}

/**
 * The kernel's code for one element type. fma: a·b + c as one relaxed multiply-add (relaxed
 * SIMD, behind a V8 flag in Node 20): fused on CPUs with FMA (the default where the runtime has
 * it, see useFma), so its last bits depend on the machine.
 */
export function gemmBody(flags: GemmFlags): number[] {
  const ops = opsFor(flags);
  // B (the parameter) walks from panel to panel.
  const body = [
    ...get(LDA), ...i32(1), op.i32Shl, ...set(LDA2),
    ...get(LDA2), ...get(LDA), op.i32Add, ...set(LDA3),
    ...i32(0), ...set(JB),
    ...blockLoop([
      ...exitIf([...get(JB), ...get(NB), op.i32GeU]),
      ...panelTiles(ops),
      ...get(JB), ...i32(4), op.i32Add, ...set(JB),
      ...get(B), ...get(PSTRIDE), op.i32Add, ...set(B),
      ...again,
    ]),
  ];
  const locals = vec([[...uleb(I32_LOCALS), 0x7f], [...uleb(V128_LOCALS), 0x7b]]);
  const code = [...locals, ...body, op.end];
  return [...uleb(code.length), ...code];
}
