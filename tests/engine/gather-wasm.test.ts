// The arena's column kernels (gather-wasm.ts) against the JavaScript they replace: a column is
// active when some x !== 0 in it (−0 is not, NaN and subnormals are), and a gathered value keeps
// its 32 bits. Generated matrices (seed 19) with those values planted.
import { describe, expect, it } from 'vitest';
import { columnKernels } from '../../src/engine/gather-wasm.js';
import { WasmArena } from '../../src/engine/wasm.js';
import { createRandom } from '../../src/random.js';

describe('gather-wasm column kernels', () => {
  it('mask_f32 marks the columns with x !== 0 and gather_f32 copies their bits, on 25 generated matrices with −0, NaN and subnormals', () => {
    const arena = WasmArena.create()!;
    const kernels = columnKernels(arena)!;
    const random = createRandom(19);
    const special = [-0, Number.NaN, 1e-45, -1e-40, 0, 0, 0];
    for (let n = 0; n < 25; n++) {
      const M = 1 + random.int(20), K = 1 + random.int(70);
      const x = new Float32Array(M * K);
      // Mostly zero columns, a few values each, some of them special.
      for (let k = 0; k < K; k++) {
        if (random.next() < 0.5) continue;
        for (let i = 0; i < M; i++) if (random.next() < 0.3) x[i * K + k] = random.next() < 0.3 ? special[random.int(special.length)]! : random.next() - 0.5;
      }
      arena.reset();
      const [xAt, maskAt, columnsAt, outAt] = [arena.alloc(M * K, 'float32'), arena.alloc(K, 'float32'), arena.alloc(K, 'float32'), arena.alloc(M * K, 'float32')];
      arena.view(xAt, M * K, 'float32').set(x);
      const mask = new Uint8Array(arena.memory.buffer, maskAt, K).fill(0);
      kernels.mask(M, K, xAt, maskAt);
      const expected = Array.from({ length: K }, (_, k) => (Array.from({ length: M }, (_, i) => x[i * K + k]!).some((v) => v !== 0) ? 1 : 0));
      expect(Array.from(mask), `case ${n}: [${M}, ${K}] mask`).toEqual(expected);
      const columns = expected.flatMap((on, k) => (on ? [k] : []));
      new Int32Array(arena.memory.buffer, columnsAt, columns.length).set(columns);
      kernels.gather(M, K, xAt, columnsAt, columns.length, outAt);
      const bits = new Uint32Array(x.buffer);
      const want = Array.from({ length: M }, (_, i) => columns.map((k) => bits[i * K + k]!)).flat();
      expect(Array.from(new Uint32Array(arena.memory.buffer, outAt, M * columns.length)), `case ${n}: gathered bits`).toEqual(want);
    }
  });
});
