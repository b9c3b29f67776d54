// The gemv kernels (wasm-gemv.ts: a product of a few rows, the right operand in strips of at
// most 7 vectors) against gemm's panels: the same bits, on generated shapes (depths across the
// 256-deep blocks, widths of 1 to 225 vectors), float32 and float64, fused multiply-adds on and
// off, storing over C and adding to it; the strips' widths; and the arena's packing into strips
// (stacked members at any column) against the layout written out element by element.
import { afterEach, describe, expect, it } from 'vitest';
import { stripWidths, strips, STRIP_VECTORS } from '../../src/engine/wasm-gemv.js';
import { paddedColumns, useFma, WasmArena } from '../../src/engine/wasm.js';
import type { DType } from '../../src/engine/tensor.js';
import { createRandom } from '../../src/random.js';

afterEach(() => {
  useFma(true);
});

/** The strips' layout element by element: column j of the [K, columns] operand ← row j − col of W [rows, K]. */
function referenceStrips(WT: Float32Array | Float64Array, K: number, columns: number, lanes: number, col: number, rows: number, W: ArrayLike<number>): void {
  for (const s of strips(columns / lanes)) {
    for (let j = Math.max(col, s.start * lanes); j < Math.min(col + rows, (s.start + s.width) * lanes); j++) {
      for (let k = 0; k < K; k++) WT[K * s.start * lanes + k * s.width * lanes + (j - s.start * lanes)] = W[(j - col) * K + k]!;
    }
  }
}

describe('strips', () => {
  it('cover the vectors in order, as few as hold them at 7 each, their widths one apart at most', () => {
    for (let vectors = 1; vectors <= 300; vectors++) {
      const all = strips(vectors);
      expect(all.length).toBe(Math.ceil(vectors / STRIP_VECTORS));
      let next = 0;
      for (const s of all) {
        expect(s.start).toBe(next);
        next += s.width;
      }
      expect(next).toBe(vectors);
      const widths = all.map((s) => s.width);
      expect(Math.max(...widths)).toBeLessThanOrEqual(STRIP_VECTORS);
      expect(Math.max(...widths) - Math.min(...widths)).toBeLessThanOrEqual(1);
    }
    expect(stripWidths(128)).toEqual({ wide: 14, narrow: 5, width: 6 });
  });
});

describe('gemv against gemm', () => {
  it('gives gemm’s bits on 60 generated shapes, both element types, fused and not, storing and adding', () => {
    const random = createRandom(19);
    const int = (lo: number, hi: number) => lo + Math.floor(random.next() * (hi - lo + 1));
    let compared = 0;
    for (const fma of [true, false]) {
      useFma(fma);
      const arena = WasmArena.create()!;
      for (let c = 0; c < 30; c++) {
        const dtype: DType = c % 2 ? 'float64' : 'float32';
        const e = dtype === 'float32' ? 4 : 8;
        const [M, K, N] = [int(1, 3), c < 5 ? int(1, 8) : int(1, 560), int(1, 900)];
        const Np = paddedColumns(N, dtype);
        arena.reset();
        const [a, w, panels, stripped, c1, c2] = [M * K, N * K, K * Np, K * Np, M * Np, M * Np].map((n) => arena.alloc(n, dtype)) as [number, number, number, number, number, number];
        const fill = (at: number, n: number) => random.fillUniform(arena.view(at, n, dtype), -1, 1);
        fill(a!, M * K);
        fill(w!, N * K);
        arena.pack(dtype, K, N, w!, panels!, true);
        // The rows of W as up to 3 stacked members, packed one by one, as the schedule packs a group.
        arena.view(stripped!, K * Np, dtype).fill(0);
        const cuts = [0, ...[int(0, N), int(0, N)].sort((x, y) => x - y), N];
        for (let m = 0; m + 1 < cuts.length; m++) arena.packStripColumns(dtype, K, Np, cuts[m]!, cuts[m + 1]! - cuts[m]!, w! + cuts[m]! * K * e, stripped!);
        const expected = dtype === 'float32' ? new Float32Array(K * Np) : new Float64Array(K * Np);
        referenceStrips(expected, K, Np, 16 / e, 0, N, arena.view(w!, N * K, dtype));
        const packed = arena.view(stripped!, K * Np, dtype);
        expect(packed.findIndex((x, i) => x !== expected[i]), `${dtype} K ${K} N ${N} cut at ${cuts}: the first misplaced element of the strips`).toBe(-1);
        for (const overwrite of [true, false]) {
          const C1 = arena.view(c1!, M * Np, dtype), C2 = arena.view(c2!, M * Np, dtype);
          for (let i = 0; i < C1.length; i++) C1[i] = C2[i] = overwrite ? Number.NaN : i;
          arena.gemm(dtype, M, Np / (32 / e), K, a!, panels!, c1!, K, Np, 1, overwrite);
          arena.gemv(dtype, M, Np, K, a!, stripped!, c2!, K, Np, overwrite);
          // The bits themselves (−0 and NaN included), as 32-bit words.
          const words = (at: number) => new Uint32Array(arena.memory.buffer, at, (M * Np * e) / 4);
          const [w1, w2] = [words(c1!), words(c2!)];
          const differ = w1.findIndex((x, i) => x !== w2[i]);
          expect(differ, `${dtype} fma ${fma} M ${M} K ${K} N ${N} overwrite ${overwrite}: first differing word`).toBe(-1);
          compared++;
        }
      }
    }
    expect(compared).toBe(120);
  });
});

describe('gemm’s tiles for the rows left over (M mod 4 of 1, 2, 3: 1 × 4, 2 × 4, 3 × 2)', () => {
  it('give every row of M = 1 … 11 the bits of that row alone on gemv, on generated shapes, both element types, fused and not', () => {
    const random = createRandom(23);
    const int = (lo: number, hi: number) => lo + Math.floor(random.next() * (hi - lo + 1));
    let rowsCompared = 0;
    for (const fma of [true, false]) {
      useFma(fma);
      const arena = WasmArena.create()!;
      for (let M = 1; M <= 11; M++) {
        const dtype: DType = M % 2 ? 'float32' : 'float64';
        const e = dtype === 'float32' ? 4 : 8;
        const [K, N] = [int(1, 300), int(1, 300)];
        const Np = paddedColumns(N, dtype);
        arena.reset();
        const [a, w, panels, stripped, c1, c2] = [M * K, N * K, K * Np, K * Np, M * Np, Np].map((n) => arena.alloc(n, dtype)) as [number, number, number, number, number, number];
        random.fillUniform(arena.view(a, M * K, dtype), -1, 1);
        random.fillUniform(arena.view(w, N * K, dtype), -1, 1);
        arena.pack(dtype, K, N, w, panels, true);
        arena.view(stripped, K * Np, dtype).fill(0);
        arena.packStripColumns(dtype, K, Np, 0, N, w, stripped);
        arena.view(c1, M * Np, dtype).fill(Number.NaN);
        arena.gemm(dtype, M, Np / (32 / e), K, a, panels, c1, K, Np, 1, true);
        for (let i = 0; i < M; i++) {
          arena.view(c2, Np, dtype).fill(Number.NaN);
          arena.gemv(dtype, 1, Np, K, a + i * K * e, stripped, c2, K, Np, true);
          const [w1, w2] = [new Uint32Array(arena.memory.buffer, c1 + i * Np * e, (Np * e) / 4), new Uint32Array(arena.memory.buffer, c2, (Np * e) / 4)];
          expect(w1.findIndex((x, j) => x !== w2[j]), `${dtype} fma ${fma} M ${M} K ${K} N ${N} row ${i}: first differing word`).toBe(-1);
          rowsCompared++;
        }
      }
    }
    expect(rowsCompared).toBe(2 * 66);
  });
});
