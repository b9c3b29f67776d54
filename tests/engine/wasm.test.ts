// The hand-assembled WebAssembly kernels: elementwise against Math (polynomial exp, stated
// tolerances), the matrix product against a float64 triple loop on generated shapes.
import { beforeEach, describe, expect, it } from 'vitest';
import { paddedColumns, WasmArena } from '../../src/engine/wasm.js';
import { createRandom } from '../../src/random.js';
import { expectClose } from '../expect.js';

const N = 4096;
const xs = Float32Array.from({ length: N }, (_, i) => -30 + (60 * i) / (N - 1));

// The default arena's kernels (fused multiply-adds in their polynomials where the runtime has
// relaxed SIMD, as here) and the unfused ones: each test runs on both.
const arenas = { fused: WasmArena.create({ fma: true })!, unfused: WasmArena.create({ fma: false })! };
let arena = arenas.fused;

function run(name: 'exp' | 'sigmoid' | 'tanh' | 'relu' | 'neg', dtype: 'float32' | 'float64' = 'float32', inputs: ArrayLike<number> = xs): Float64Array {
  const N = inputs.length;
  arena.reset();
  const a = arena.alloc(N, dtype), o = arena.alloc(N, dtype);
  arena.view(a, N, dtype).set(inputs);
  const e = dtype === 'float32' ? 4 : 8;
  // One row of N elements (the kernels take rows × bytes, with row strides).
  arena.elementwise(dtype).unary[name]!(1, N * e, o, 0, a, 0);
  return Float64Array.from(arena.view(o, N, dtype));
}

describe.each(['fused', 'unfused'] as const)('wasm elementwise kernels (%s multiply-adds)', (kind) => {
  beforeEach(() => {
    arena = arenas[kind];
  });
  it('ew_exp_f32 is within 1e-6 relative of Math.exp on [−30, 30]', () => {
    const y = run('exp');
    const worst = Math.max(...xs.map((x, i) => Math.abs(y[i]! - Math.exp(x)) / Math.exp(x)));
    expect(worst).toBeLessThan(1e-6);
  });
  it('ew_sigmoid_f32 and ew_tanh_f32 are within 3e-7 of the exact values on [−30, 30]', () => {
    const s = run('sigmoid'), t = run('tanh');
    expect(Math.max(...xs.map((x, i) => Math.abs(s[i]! - 1 / (1 + Math.exp(-x)))))).toBeLessThan(3e-7);
    expect(Math.max(...xs.map((x, i) => Math.abs(t[i]! - Math.tanh(x))))).toBeLessThan(3e-7);
  });
  it('float64: ew_exp_f64 within 1e-15 relative, ew_sigmoid_f64 and ew_tanh_f64 within 1e-15 of Math', () => {
    const e = run('exp', 'float64'), s = run('sigmoid', 'float64'), t = run('tanh', 'float64');
    expect(Math.max(...xs.map((x, i) => Math.abs(e[i]! - Math.exp(x)) / Math.exp(x)))).toBeLessThan(1e-15);
    expect(Math.max(...xs.map((x, i) => Math.abs(s[i]! - 1 / (1 + Math.exp(-x)))))).toBeLessThan(1e-15);
    expect(Math.max(...xs.map((x, i) => Math.abs(t[i]! - Math.tanh(x))))).toBeLessThan(1e-15);
  });
  it('tanh keeps its relative precision near 0: float32 within 2e-7, float64 within 2e-15 relative on ±1e-30 … ±3', () => {
    // Log-spaced magnitudes of both signs (2 / (1 + e^−2x) − 1 alone was 3.3e-4 off at 1e-4 in float32).
    const small = Float32Array.from({ length: 2 * 3100 }, (_, i) => (i % 2 ? -1 : 1) * 10 ** (-30 + Math.floor(i / 2) / 100));
    const worst = (dtype: 'float32' | 'float64') => {
      const t = run('tanh', dtype, small);
      return Math.max(...Array.from(small, (x, i) => Math.abs(t[i]! - Math.tanh(x)) / Math.abs(Math.tanh(x))));
    };
    expect(worst('float32')).toBeLessThan(2e-7);
    expect(worst('float64')).toBeLessThan(2e-15);
    expect(Object.is(run('tanh', 'float32', [-0, 0, 0, 0])[0], -0)).toBe(true);
  });
  it('relu and neg are exact in float32 and float64', () => {
    expect(Array.from(run('relu'))).toEqual(Array.from(xs, (x) => Math.max(x, 0)));
    expect(Array.from(run('neg', 'float64'))).toEqual(Array.from(xs, (x) => -x));
  });
});

/** C += A·B on 60 random shapes (seed 11) against a float64 triple loop, on an arena's kernel. */
function checkGeneratedProducts(arena: WasmArena): void {
  const random = createRandom(11);
  for (let n = 0; n < 60; n++) {
    const dtype = n % 2 ? 'float32' : 'float64';
    const M = 1 + random.int(n < 30 ? 3 : 9), N = 1 + random.int(80), K = 1 + random.int(n % 5 ? 40 : 300);
    // Every third B stored transposed ([N, K]), as linear's weights are.
    const transposed = n % 3 === 0;
    const Np = paddedColumns(N, dtype);
    arena.reset();
    const pa = arena.alloc(M * K, dtype), raw = arena.alloc(K * N, dtype), pb = arena.alloc(K * Np, dtype), pc = arena.alloc(M * Np, dtype);
    const [A, B, C] = [arena.view(pa, M * K, dtype), arena.view(raw, K * N, dtype), arena.view(pc, M * Np, dtype)];
    for (const t of [A, B, C]) random.fillNormal(t);
    // Garbage where the panels go: pack must write every element, padding included.
    arena.view(pb, K * Np, dtype).fill(Number.NaN);
    const expected = Float64Array.from(C);
    const b = (k: number, j: number) => (transposed ? B[j * K + k]! : B[k * N + j]!);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) for (let k = 0; k < K; k++) expected[i * Np + j] += A[i * K + k]! * b(k, j);
    arena.pack(dtype, K, N, raw, pb, transposed);
    arena.gemm(dtype, M, Np / (32 / (dtype === 'float32' ? 4 : 8)), K, pa, pb, pc, K, Np);
    const tol = dtype === 'float64' ? { atol: 1e-13, rtol: 1e-13 } : { atol: 2e-6 * K, rtol: 1e-6 };
    // Padding columns as well: they add zero.
    expectClose(arena.view(pc, M * Np, dtype), expected, tol, `seed 11 case ${n}: ${dtype} [${M},${K}]·[${K},${N}]${transposed ? ' (B stored [N, K])' : ''}`);
  }
}

describe('wasm gemm kernel on generated shapes', () => {
  // Every tile path: 1 to 3 rows (1 × 4, 2 × 4, 3 × 2 tiles), 4-row tiles with those for the
  // rows left over, depths across a whole block, widths not a multiple of a panel (B packed
  // into panels by the arena's pack, from [K, N] or from [N, K]).
  it('C += A·B for 60 random shapes (seed 11), float64 within 1e-13 and float32 within 2e-6·K of a float64 triple loop', () => {
    checkGeneratedProducts(arenas.unfused);
  });
  it('the fused multiply-add kernels (the default here) and the unfused ones pass the same 60 shapes', () => {
    checkGeneratedProducts(WasmArena.create({ fma: true })!);
    checkGeneratedProducts(WasmArena.create({ fma: false })!);
  });
});

describe('gemm_set: the product stored over C', () => {
  // Row panels (64 rows) and depth blocks (256) crossed: only the first depth block of each row
  // panel stores, the rest add, as the accumulating kernel does over a zeroed C.
  it('gives the bits of the accumulating kernel on a zeroed C, over garbage (NaN) in C, on 40 random shapes (seed 12), fused and unfused, float32 and float64', () => {
    const random = createRandom(12);
    for (const fma of [true, false]) {
      const arena = WasmArena.create({ fma })!;
      for (let n = 0; n < 40; n++) {
        const dtype = n % 2 ? 'float32' : 'float64';
        const M = 1 + random.int(n < 20 ? 9 : 80), N = 1 + random.int(70), K = 1 + random.int(n % 3 ? 60 : 600);
        const Np = paddedColumns(N, dtype);
        const nb = Np / (32 / (dtype === 'float32' ? 4 : 8));
        arena.reset();
        const pa = arena.alloc(M * K, dtype), raw = arena.alloc(K * N, dtype), pb = arena.alloc(K * Np, dtype), added = arena.alloc(M * Np, dtype), stored = arena.alloc(M * Np, dtype);
        random.fillNormal(arena.view(pa, M * K, dtype));
        random.fillNormal(arena.view(raw, K * N, dtype));
        arena.pack(dtype, K, N, raw, pb);
        arena.view(added, M * Np, dtype).fill(0);
        arena.view(stored, M * Np, dtype).fill(Number.NaN);
        arena.gemm(dtype, M, nb, K, pa, pb, added, K, Np);
        arena.gemm(dtype, M, nb, K, pa, pb, stored, K, Np, 1, true);
        const [a, s] = [arena.view(added, M * Np, dtype), arena.view(stored, M * Np, dtype)];
        expect(Array.from(s), `${fma ? 'fused' : 'unfused'} case ${n}: ${dtype} [${M},${K}]·[${K},${N}]`).toEqual(Array.from(a));
        expect(s.some((x) => Number.isNaN(x))).toBe(false);
      }
    }
  });
});
