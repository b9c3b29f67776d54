// The hand-assembled WebAssembly elementwise kernels against Math (polynomial exp, stated tolerances).
import { describe, expect, it } from 'vitest';
import { WasmArena } from '../../src/engine/wasm.js';

const arena = WasmArena.create()!;
const N = 4096;
const xs = Float32Array.from({ length: N }, (_, i) => -30 + (60 * i) / (N - 1));

function run(name: 'exp' | 'sigmoid' | 'tanh' | 'relu' | 'neg', dtype: 'float32' | 'float64' = 'float32'): Float64Array {
  arena.reset();
  const a = arena.alloc(N, dtype), o = arena.alloc(N, dtype);
  arena.view(a, N, dtype).set(xs);
  const e = dtype === 'float32' ? 4 : 8;
  // One row of N elements (the kernels take rows × bytes, with row strides).
  arena.elementwise(dtype).unary[name]!(1, N * e, o, 0, a, 0);
  return Float64Array.from(arena.view(o, N, dtype));
}

describe('wasm elementwise kernels', () => {
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
  it('relu and neg are exact in float32 and float64', () => {
    expect(Array.from(run('relu'))).toEqual(Array.from(xs, (x) => Math.max(x, 0)));
    expect(Array.from(run('neg', 'float64'))).toEqual(Array.from(xs, (x) => -x));
  });
});
