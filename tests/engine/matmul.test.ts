// gemm: the blocked JavaScript loops and the WebAssembly SIMD kernel against the textbook triple loop.
import { afterAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../src/random.js';
import { gemm, matmulNaive, useWasm } from '../../src/engine/matmul.js';
import { gemmModule } from '../../src/engine/wasm.js';
import { gradcheck, randn, type DType } from '../../src/engine/index.js';
import { expectClose } from '../expect.js';

const random = createRandom(9);
const filled = (n: number, dtype: DType) => randn([n], random, { dtype }).data;

/** op(A) for a stored A: transposed storage [cols, rows] → row-major [rows, cols]. */
function untranspose(X: ArrayLike<number>, rows: number, cols: number, trans: boolean): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let k = 0; k < cols; k++) out[i * cols + k] = trans ? X[k * rows + i]! : X[i * cols + k]!;
  return out;
}

const SHAPES: [number, number, number][] = [
  [3, 5, 7], // small: JavaScript loops
  [9, 130, 37], // wasm, N not a multiple of the block, M not a multiple of 4
  [16, 256, 300], // wasm, K over one depth block
];

afterAll(() => void useWasm(true));

describe('gemm against the naive triple loop', () => {
  it('the WebAssembly SIMD module validates on this Node', () => {
    expect(gemmModule(false)).not.toBeNull();
  });
  for (const wasm of [true, false]) {
    for (const dtype of ['float64', 'float32'] as const) {
      for (const [M, N, K] of SHAPES) {
        for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
          it(`${wasm ? 'wasm' : 'js'} ${dtype} [${M},${K}]${transA ? 'ᵀ' : ''}·[${K},${N}]${transB ? 'ᵀ' : ''} (accumulating onto C)`, () => {
            useWasm(wasm);
            const A = filled(M * K, dtype), B = filled(K * N, dtype);
            const C = filled(M * N, dtype);
            const expected = new Float64Array(M * N);
            matmulNaive(M, N, K, untranspose(A, M, K, transA), untranspose(B, K, N, transB), expected);
            for (let i = 0; i < expected.length; i++) expected[i] += C[i]!;
            gemm(M, N, K, A, B, C, { transA, transB, accumulate: true });
            const tol = dtype === 'float64' ? { atol: 1e-12, rtol: 1e-12 } : { atol: 2e-4, rtol: 1e-5 };
            expectClose(C, expected, tol, 'C');
          });
        }
      }
    }
  }
});

describe('gemm with A stored transposed on the kernel', () => {
  it('reads A at its strides: the same bits as the product of A transposed beforehand (float32 and float64, depth over one block)', () => {
    useWasm(true);
    for (const dtype of ['float32', 'float64'] as const) {
      const [M, N, K] = [20, 70, 300];
      const At = filled(K * M, dtype), B = filled(K * N, dtype);
      const A = Float64Array.from(untranspose(At, M, K, true));
      const C1 = new Float64Array(M * N), C2 = new Float64Array(M * N);
      const [c1, c2] = dtype === 'float32' ? [new Float32Array(M * N), new Float32Array(M * N)] : [C1, C2];
      gemm(M, N, K, At, B, c1, { transA: true });
      gemm(M, N, K, dtype === 'float32' ? Float32Array.from(A) : A, B, c2);
      expect(Array.from(c1)).toEqual(Array.from(c2));
    }
  });
});

describe('gradients through the wasm-sized products (float64)', () => {
  // The output is bilinear in (x, W), so central differences are exact up to rounding; h = 1e-3 keeps that small.
  it('linear x[4,32]·W[260,32]ᵀ + b: backward (dx = dy·W, dW = dyᵀ·x) against central differences (h 1e-3)', () => {
    useWasm(true);
    const r = createRandom(4);
    const { maxError } = gradcheck((t, [x, W, b]) => t.linear(x!, W!, b!), [randn([4, 32], r), randn([260, 32], r), randn([260], r)], { h: 1e-3 });
    expect(maxError).toBeLessThan(1e-7);
  });
});
