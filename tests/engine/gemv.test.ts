// The gemv kernels (wasm-gemv.ts: a product of 1 to 3 rows, the right operand in strips of at
// most 7 vectors) against gemm's panels: the same bits, on generated shapes (depths across the
// 256-deep blocks, widths of 1 to 225 vectors), float32 and float64, fused multiply-adds on and
// off, storing over C and adding to it; and the strips' widths.
import { afterEach, describe, expect, it } from 'vitest';
import { packStripColumns, stripWidths, strips, STRIP_VECTORS } from '../../src/engine/wasm-gemv.js';
import { paddedColumns, useFma, WasmArena } from '../../src/engine/wasm.js';
import type { DType } from '../../src/engine/tensor.js';
import { createRandom } from '../../src/random.js';

afterEach(() => {
  useFma(true);
});

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
        const [a, w, panels, stripped, c1, c2] = [M * K, N * K, K * Np, K * Np, M * Np, M * Np].map((n) => arena.alloc(n, dtype));
        const fill = (at: number, n: number) => random.fillUniform(arena.view(at, n, dtype), -1, 1);
        fill(a!, M * K);
        fill(w!, N * K);
        arena.pack(dtype, K, N, w!, panels!, true);
        arena.view(stripped!, K * Np, dtype).fill(0);
        packStripColumns(arena.view(stripped!, K * Np, dtype), K, Np, 16 / e, 0, N, arena.view(w!, N * K, dtype), 0);
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
