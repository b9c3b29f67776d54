/**
 * Engine stage: relu's backward on the WebAssembly arena's memory, a small module of its own
 * (assembled like wasm-module.ts's kernels): out = (y > 0 ? g : 0) + 0 over 16-byte vectors,
 * y the relu's output. The + 0 turns a −0 into 0, as the JS loop's `0 + g` does, so the bits
 * are the loop's (a NaN in y compares false in both).
 */
import { blockLoop, get, i32, name, op, section, set, simdOp, uleb, vec } from './wasm-bytes.js';
import { kernelsOnArena } from './arena-kernels.js';
import type { DType } from './tensor.js';
import type { WasmArena } from './wasm.js';

/** (bytes, y, g, out): byte count (a multiple of 16) and byte addresses. */
export type ReluGradKernel = (bytes: number, y: number, g: number, out: number) => void;

const SIMD_GT = { float32: 0x44, float64: 0x4a }; // f32x4.gt, f64x2.gt
const SIMD_ADD = { float32: 0xe4, float64: 0xf0 };
const V128_AND = 0x4e;

function body(dtype: DType): number[] {
  const [BYTES, Y, G, OUT, J] = [0, 1, 2, 3, 4];
  const zero = [...simdOp(0x0c), ...new Array(16).fill(0)];
  const load = (ptr: number) => [...get(ptr), ...get(J), op.i32Add, ...simdOp(0x00), 4, 0];
  const code = [
    ...vec([[1, 0x7f]]),
    ...blockLoop([
      ...get(J), ...get(BYTES), op.i32GeU, op.brIf, 1,
      ...get(OUT), ...get(J), op.i32Add,
      ...load(Y), ...zero, ...simdOp(SIMD_GT[dtype]), ...load(G), ...simdOp(V128_AND), ...zero, ...simdOp(SIMD_ADD[dtype]),
      ...simdOp(0x0b), 4, 0,
      ...get(J), ...i32(16), op.i32Add, ...set(J),
      op.br, 0,
    ]),
    op.end,
  ];
  return [...uleb(code.length), ...code];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const type = [0x60, ...vec([[0x7f], [0x7f], [0x7f], [0x7f]]), 0];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([type])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([[0], [0]])),
    ...section(7, vec([[...name('relu_grad_f32'), 0x00, 0], [...name('relu_grad_f64'), 0x00, 1]])),
    ...section(10, vec([body('float32'), body('float64')])),
  ]);
}

const kernels = kernelsOnArena(moduleBytes, (exports): Record<DType, ReluGradKernel> => ({
  float32: exports.relu_grad_f32 as ReluGradKernel,
  float64: exports.relu_grad_f64 as ReluGradKernel,
}));

/** The kernel on an arena's memory (non-shared arenas only), or null where it does not validate. */
export function reluGradKernel(arena: WasmArena, dtype: DType): ReluGradKernel | null {
  return kernels(arena)?.[dtype] ?? null;
}
