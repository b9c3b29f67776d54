// Fused multiply-add products (relaxed SIMD, the default where the runtime has it): the feature
// test on runtimes that have it, lack it or have it behind a flag (stand-ins around this one's
// WebAssembly), that it is on here (Node 20 on x64 turns V8's flag on), that it changes results
// only by rounding (float32 LSTM and GRU against a float64 tape) and that the trace's exact
// forward never uses it.
import { afterEach, describe, expect, it } from 'vitest';
import { loadCell } from '../../src/index.js';
import { compile, randn, Tape, type Parameter, type Tensor } from '../../src/engine/index.js';
import { probeBytes, probeRelaxedSimd, thisRuntime, type WasmRuntime } from '../../src/engine/relaxed-simd.js';
import { fmaEnabled, useFma, WasmArena } from '../../src/engine/wasm.js';
import { createRandom } from '../../src/random.js';
import { expectClose, maxAbsDiff } from '../expect.js';

afterEach(() => {
  useFma(true);
});

/** A runtime that refuses the probe until its flag is on (Node 20), or always (no relaxed SIMD). */
function standIn(hasFlag: boolean, madd?: (a: number, b: number, c: number) => number): WasmRuntime & { flags: number } {
  let on = false;
  return {
    flags: 0,
    instantiate(bytes) {
      if (!on) return null;
      const exports = thisRuntime.instantiate(bytes);
      return exports && madd ? { madd } : exports;
    },
    enableRelaxedSimd() {
      this.flags++;
      on = hasFlag;
      return hasFlag;
    },
  };
}

describe('the relaxed SIMD feature test', () => {
  it('is true where the probe runs, after turning the flag on when it must, and false where it cannot or computes a·b + c wrong', () => {
    expect(probeRelaxedSimd(thisRuntime)).toBe(true);
    const flagged = standIn(true);
    expect(probeRelaxedSimd(flagged)).toBe(true);
    expect(flagged.flags).toBe(1);
    const without = standIn(false);
    expect(probeRelaxedSimd(without)).toBe(false);
    expect(without.flags).toBe(1);
    // A madd that drops c, or rounds a·b + c wrongly, fails the test (a = 1 + 2⁻¹², c = −1).
    expect(probeRelaxedSimd(standIn(true, (a, b) => Math.fround(a * b)))).toBe(false);
    expect(probeRelaxedSimd(standIn(true, () => 2 ** -10))).toBe(false);
    expect(WebAssembly.validate(probeBytes())).toBe(true);
  });

  it('on this Node the products are fused by default: Σ a·b over (−1·1, (1 + 2⁻¹²)²) is 2⁻¹¹ + 2⁻²⁴, unfused 2⁻¹¹', () => {
    expect(fmaEnabled()).toBe(true);
    const product = (arena: WasmArena) => {
      const pa = arena.alloc(8, 'float32'), pb = arena.alloc(64, 'float32'), pc = arena.alloc(32, 'float32');
      const a = 1 + 2 ** -12;
      arena.view(pa, 2, 'float32').set([-1, a]);
      // B [2, 1] packed in a panel: row k at 32 floats apart (a panel row), the rest zero.
      const b = arena.view(pb, 64, 'float32');
      b[0] = 1;
      b[32] = a;
      arena.gemm('float32', 1, 4, 2, pa, pb, pc, 2, 32);
      return arena.view(pc, 1, 'float32')[0];
    };
    expect(product(WasmArena.create()!)).toBe(2 ** -11 + 2 ** -24);
    expect(product(WasmArena.create({ fma: false })!)).toBe(2 ** -11);
    expect(useFma(false)).toBe(false);
    expect(product(WasmArena.create()!)).toBe(2 ** -11);
  });
});

/** A float32 forward of a shipped cell (batch 4, input 8, hidden 32, 60 steps) and the float64 tape's states. */
function lstmAndGru(name: 'lstm' | 'gru') {
  const random = createRandom(19);
  const sizes = { input: 8, hidden: 32 };
  const cell = loadCell(name);
  const c64 = compile(cell, sizes);
  const params = c64.initParams(random);
  const x = randn([60, 4, 8], random);
  const reference = c64.unroll(new Tape({ record: false }), params, { inputs: { x } }).states.h!.flatMap((v) => Array.from(v.value.data));
  const p32 = params.map((p): Parameter => ({ ...p, value: { shape: p.value.shape, data: Float32Array.from(p.value.data) } }));
  const x32: Tensor = { shape: x.shape, data: Float32Array.from(x.data) };
  const forward = () => compile(cell, sizes, { dtype: 'float32' }).forward(p32, { inputs: { x: x32 } }).states.h!.data;
  return { reference, forward, exact: () => compile(cell, sizes, { exact: true }).forward(params, { inputs: { x } }).states.h!.data };
}

describe.each(['lstm', 'gru'] as const)('%s forward with and without fused multiply-adds', (name) => {
  it('float32: both within 5e-7 of the float64 tape over 60 steps, apart by rounding only (not the same bits)', () => {
    const { reference, forward } = lstmAndGru(name);
    const fused = forward();
    useFma(false);
    const unfused = forward();
    expectClose(fused, reference, 5e-7, `${name} fused`);
    expectClose(unfused, reference, 5e-7, `${name} unfused`);
    expect(maxAbsDiff(fused, unfused)).toBeGreaterThan(0);
  });

  it('the exact forward (the trace\'s engine evaluator) is the same bits with fused multiply-adds on and off', () => {
    const { exact } = lstmAndGru(name);
    const on = Array.from(exact());
    useFma(false);
    expect(Array.from(exact())).toEqual(on);
  });
});
