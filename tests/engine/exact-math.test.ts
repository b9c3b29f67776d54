// The engine's exact functions in WebAssembly (wasm-exact-math.ts: fdlibm's exp, expm1 and tanh
// as V8 computes them, and the tape's sigmoid) against JavaScript's own Math.exp, Math.expm1,
// Math.tanh and kernels.ts's sigmoid, bit for bit (±0 told apart; NaN against NaN), on generated
// doubles: raw 64-bit patterns (the whole range, subnormals, infinities and NaNs among them),
// uniform draws over the ranges each branch of fdlibm covers, and values a few ulps around every
// threshold the code tests and around multiples of ln 2. GATEFLOW_EXACT_MATH_CASES (npm run
// test:exact-math) raises the count per function from 100,000 to tens of millions (drawn a
// million at a time, chunk c from seed SEED + c). Then the per-lane
// kernels and an exact LSTM step: one WebAssembly program whose values are Math's.
import { describe, expect, it, vi } from 'vitest';
import { loadCell } from '../../src/index.js';
import { trace } from '../../src/trace/index.js';
import { sigmoid } from '../../src/engine/kernels.js';
import { gemmModule, WasmArena, type ProgramCall } from '../../src/engine/wasm.js';
import { EXACT_FUNCTIONS } from '../../src/engine/wasm-exact-math.js';
import { createRandom } from '../../src/random.js';

const CASES = Number(process.env.GATEFLOW_EXACT_MATH_CASES ?? 100_000);
const CHUNK = 1_000_000;
const SEED = Number(process.env.GATEFLOW_EXACT_MATH_SEED ?? 20261129);

const reference: Record<(typeof EXACT_FUNCTIONS)[number], (x: number) => number> = { exp: Math.exp, expm1: Math.expm1, tanh: Math.tanh, sigmoid };

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const fromWords = (hi: number, lo: number): number => {
  words[1] = hi >>> 0;
  words[0] = lo >>> 0;
  return bits[0]!;
};
/** x moved by `ulps` units in the last place (through the bit pattern; ±0 and infinities as they come). */
const nudge = (x: number, ulps: number): number => {
  bits[0] = x;
  const big = new BigInt64Array(bits.buffer);
  big[0] = big[0]! + BigInt(ulps);
  return bits[0]!;
};

/** The thresholds fdlibm's exp, expm1 and tanh branch on, as doubles (high words with a zero low word, and its named limits). */
const THRESHOLDS = [
  7.09782712893383973096e2, -7.45133219101941108420e2, 22, 1, 0.5 * Math.LN2, 1.5 * Math.LN2, 56 * Math.LN2, 2 ** -28, 2 ** -54, 0.25, 709.78,
  ...[0x40862e42, 0x3fd62e42, 0x3ff0a2b2, 0x3e300000, 0x4043687a, 0x3c900000, 0x40360000, 0x3ff00000].map((hi) => fromWords(hi, 0)),
];
const EDGES = [0, -0, Infinity, -Infinity, NaN, fromWords(0x7ff80000, 1), fromWords(0xfff00000, 1), Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072014e-308, -2.2250738585072014e-308, Number.MAX_VALUE, -Number.MAX_VALUE, 1, -1, 0.5, -0.5];

/** The generated inputs, from one seed: the same list every run. */
function inputs(count: number, seed: number): Float64Array {
  const random = createRandom(seed);
  const out = new Float64Array(count);
  const u32 = () => Math.floor(random.uniform(0, 2 ** 32));
  for (let n = 0; n < count; n++) {
    const kind = n % 8;
    let x: number;
    if (kind === 0) x = fromWords(u32(), u32()); // any pattern
    else if (kind === 1) x = random.uniform(-800, 800); // past both overflow thresholds
    else if (kind === 2) x = random.uniform(-25, 25); // tanh's |x| < 22 and beyond
    else if (kind === 3) x = random.uniform(-1.2, 1.2); // the reductions with k = 0, ±1
    else if (kind === 4) x = random.uniform(-1, 1) * 2 ** Math.floor(random.uniform(-1075, 12)); // every binade, subnormals too
    else if (kind === 5) x = Math.round(random.uniform(-1100, 1030)) * Math.LN2 * (1 + random.uniform(-1e-15, 1e-15)); // near k·ln 2
    else if (kind === 6) x = nudge(THRESHOLDS[n % THRESHOLDS.length]! * (random.uniform(0, 1) < 0.5 ? 1 : -1), Math.round(random.uniform(-64, 64)));
    else x = EDGES[n % EDGES.length]!;
    out[n] = x;
  }
  return out;
}

function exactExports(): Record<string, (x: number) => number> {
  const module = gemmModule(false, false);
  if (!module) throw new Error('WebAssembly SIMD is missing: the exact functions cannot be tested');
  return new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: 1 }) } }).exports as Record<string, (x: number) => number>;
}

const same = (a: number, b: number): boolean => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

describe(`the exact functions against Math (seed ${SEED}, ${CASES} cases each)`, () => {
  const exports = exactExports();
  for (const name of EXACT_FUNCTIONS) {
    it(`${name}: the same bits on every case`, () => {
      const wasm = exports[`exact_${name}`]!;
      const ref = reference[name];
      const differing: string[] = [];
      for (let c = 0; c * CHUNK < CASES && differing.length === 0; c++) {
        for (const x of inputs(Math.min(CHUNK, CASES - c * CHUNK), SEED + c)) {
          const [a, b] = [wasm(x), ref(x)];
          if (!same(a, b) && differing.push(`${name}(${x}) = ${a}, Math: ${b}`) >= 5) break;
        }
      }
      expect(differing, `seed ${SEED}`).toEqual([]);
    });
  }
  it('covers the edges: ±0 kept, ±Inf, NaN, overflow to Infinity, underflow to 0, tanh saturating at ±1', () => {
    const { exact_exp: exp, exact_tanh: tanh, exact_expm1: expm1 } = exports as Record<string, (x: number) => number>;
    expect([exp(-0), exp(Infinity), exp(-Infinity), exp(710), exp(-746), exp(1)]).toEqual([1, Infinity, 0, Infinity, 0, 2.718281828459045]);
    expect([Object.is(tanh(-0), -0), tanh(Infinity), tanh(-Infinity), tanh(23), tanh(-23)]).toEqual([true, 1, -1, 1, -1]);
    expect([Object.is(expm1(-0), -0), expm1(-Infinity), expm1(-40)]).toEqual([true, -1, -1]);
    expect(Number.isNaN(exp(NaN)) && Number.isNaN(tanh(NaN)) && Number.isNaN(expm1(NaN))).toBe(true);
  });
});

describe('the exact kernels and an exact step', () => {
  it('ew_exact_*_f64 give each lane Math\'s value, over rows at a stride; relu gives +0 for −0 and NaN, as x > 0 ? x : 0', () => {
    const arena = WasmArena.create({ fma: false })!;
    const n = 6;
    const x = arena.alloc(2 * n, 'float64');
    const o = arena.alloc(2 * n, 'float64');
    const xv = arena.view(x, 2 * n, 'float64');
    xv.set([-0, NaN, 0.3, -21.9, 709.9, -3e-310, 1.5, -0.75, 40, -745.2, 2 ** -30, 0.1]);
    const ov = arena.view(o, 2 * n, 'float64');
    const { unary } = arena.elementwise('float64');
    const js: Record<string, (v: number) => number> = { exact_exp: Math.exp, exact_tanh: Math.tanh, exact_sigmoid: sigmoid, exact_relu: (v) => (v > 0 ? v : 0) };
    for (const [op, f] of Object.entries(js)) {
      // Two rows of 4 values (32 bytes), 6 values apart.
      unary[op as 'exact_exp']!(2, 32, o, n * 8, x, n * 8);
      const rows = [0, 1, 2, 3, 6, 7, 8, 9];
      expect(rows.map((k) => ov[k]!), op).toEqual(rows.map((k) => f(xv[k]!)));
    }
    arena.dispose();
  });

  it('the float64 LSTM runs its exact step as one program (product, chain with its σ and tanh in WebAssembly), every node the mathjs evaluator\'s bits', () => {
    const programs = vi.spyOn(WasmArena.prototype, 'program');
    const cell = loadCell('lstm');
    const random = createRandom(6);
    const inputs = Array.from({ length: 5 }, () => [0, 1].map(() => Array.from({ length: 3 }, () => random.uniform(-3, 3))));
    const options = { sizes: { hidden: 6 }, seed: 4 };
    const engine = trace(cell, undefined, inputs, { ...options, evaluator: 'engine' });
    const calls = programs.mock.calls.at(-1)![0] as ProgramCall[];
    programs.mockRestore();
    const chains = calls.filter((c) => 'chain' in c).map((c) => ('chain' in c ? c.chain.ops.map((o) => o.op).filter((o) => o.startsWith('exact_')).join(' ') : ''));
    expect(chains).toEqual(['exact_sigmoid exact_sigmoid exact_tanh exact_sigmoid exact_tanh']);
    const mathjs = trace(cell, undefined, inputs, { ...options, evaluator: 'mathjs' });
    expect(engine.evaluator).toBe('engine');
    const values = (t: typeof engine) => t.steps.map((s) => JSON.stringify(s.nodes, (_k, v: unknown) => (Object.is(v, -0) ? '-0' : v)));
    expect(values(engine)).toEqual(values(mathjs));
  });
});
