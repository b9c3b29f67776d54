// compile(cell): the tape unroll and the fast schedule against hand-written equations,
// BPTT gradients against central differences, truncation, and the errors a user can hit.
import { describe, expect, it, vi } from 'vitest';
import { loadCell } from '../../src/index.js';
import { createRandom } from '../../src/random.js';
import { compile, gradcheck, randn, Tape, type Parameter, type Tensor, type Var } from '../../src/engine/index.js';
import { useWasm } from '../../src/engine/matmul.js';
import { WasmArena } from '../../src/engine/wasm.js';
import { expectClose } from '../expect.js';

const SIZES = { input: 2, hidden: 3 };
const T = 4;
const B = 2;

type Vec = number[];
const sig = (v: number) => 1 / (1 + Math.exp(-v));
const matvec = (W: Tensor, x: Vec): Vec => {
  const [rows, cols] = W.shape as [number, number];
  return Array.from({ length: rows }, (_, i) => x.reduce((s, xk, k) => s + W.data[i * cols + k]! * xk, 0));
};
const add = (...vs: Vec[]): Vec => vs[0]!.map((_, i) => vs.reduce((s, v) => s + v[i]!, 0));
const mul = (a: Vec, b: Vec): Vec => a.map((x, i) => x * b[i]!);
const map = (a: Vec, f: (x: number) => number): Vec => a.map(f);
const vec = (p: Parameter): Vec => Array.from(p.value.data);

/** The shipped cells' equations written out by hand: (params, x, states) → new states. */
const REFERENCE: Record<string, (P: Record<string, Parameter>, x: Vec, s: Record<string, Vec>) => Record<string, Vec>> = {
  rnn: (P, x, { h }) => ({ h: map(add(matvec(P.W_ih!.value, x), vec(P.b_ih!), matvec(P.W_hh!.value, h!), vec(P.b_hh!)), Math.tanh) }),
  gru: (P, x, { h }) => {
    const g = (a: string) => add(matvec(P[`W_i${a}`]!.value, x), vec(P[`b_i${a}`]!));
    const r = map(add(g('r'), matvec(P.W_hr!.value, h!), vec(P.b_hr!)), sig);
    const z = map(add(g('z'), matvec(P.W_hz!.value, h!), vec(P.b_hz!)), sig);
    const n = map(add(g('n'), mul(r, add(matvec(P.W_hn!.value, h!), vec(P.b_hn!)))), Math.tanh);
    return { h: n.map((ni, i) => (1 - z[i]!) * ni + z[i]! * h![i]!) };
  },
  'gru-cho': (P, x, { h }) => {
    const g = (a: string) => add(matvec(P[`W_i${a}`]!.value, x), vec(P[`b_i${a}`]!));
    const r = map(add(g('r'), matvec(P.W_hr!.value, h!), vec(P.b_hr!)), sig);
    const z = map(add(g('z'), matvec(P.W_hz!.value, h!), vec(P.b_hz!)), sig);
    const n = map(add(g('n'), matvec(P.W_hn!.value, mul(r, h!)), vec(P.b_hn!)), Math.tanh);
    return { h: n.map((ni, i) => (1 - z[i]!) * ni + z[i]! * h![i]!) };
  },
  lstm: (P, x, { c, h }) => {
    const g = (a: string, f: (v: number) => number) => map(add(matvec(P[`W_i${a}`]!.value, x), vec(P[`b_i${a}`]!), matvec(P[`W_h${a}`]!.value, h!), vec(P[`b_h${a}`]!)), f);
    const [i, f, gg, o] = [g('i', sig), g('f', sig), g('g', Math.tanh), g('o', sig)];
    const cNew = add(mul(f, c!), mul(i, gg));
    return { c: cNew, h: mul(o, map(cNew, Math.tanh)) };
  },
  'lstm-peephole': (P, x, { c, h }) => {
    const pre = (a: string) => add(matvec(P[`W_i${a}`]!.value, x), vec(P[`b_i${a}`]!), matvec(P[`W_h${a}`]!.value, h!), vec(P[`b_h${a}`]!));
    const i = map(add(pre('i'), mul(vec(P.p_i!), c!)), sig);
    const f = map(add(pre('f'), mul(vec(P.p_f!), c!)), sig);
    const gg = map(pre('g'), Math.tanh);
    const cNew = add(mul(f, c!), mul(i, gg));
    const o = map(add(pre('o'), mul(vec(P.p_o!), cNew)), sig);
    return { c: cNew, h: mul(o, map(cNew, Math.tanh)) };
  },
  mgu: (P, x, { h }) => {
    const f = map(add(matvec(P.W_f!.value, x), matvec(P.U_f!.value, h!), vec(P.b_f!)), sig);
    const n = map(add(matvec(P.W_n!.value, x), matvec(P.U_n!.value, mul(f, h!)), vec(P.b_n!)), Math.tanh);
    return { h: h!.map((hi, k) => (1 - f[k]!) * hi + f[k]! * n[k]!) };
  },
};
const RECURRENT = Object.keys(REFERENCE);

function setup(name: string, seed = 3) {
  const random = createRandom(seed);
  const compiled = compile(loadCell(name), SIZES);
  const params = compiled.initParams(random);
  const x = randn([T, B, SIZES.input], random);
  const initial: Record<string, Tensor> = {};
  for (const s of compiled.states) initial[s.name] = randn([B, ...s.shape], random, { std: 0.5 });
  return { compiled, params, x, initial };
}

function referenceRun(name: string, params: readonly Parameter[], x: Tensor, initial: Record<string, Tensor>): Record<string, number[]> {
  const P = Object.fromEntries(params.map((p) => [p.name, p]));
  const out: Record<string, number[]> = {};
  for (let b = 0; b < B; b++) {
    let s: Record<string, Vec> = {};
    for (const [k, v] of Object.entries(initial)) s[k] = Array.from(v.data.subarray(b * SIZES.hidden, (b + 1) * SIZES.hidden));
    for (let t = 0; t < T; t++) {
      s = REFERENCE[name]!(P, Array.from(x.data.subarray((t * B + b) * SIZES.input, (t * B + b + 1) * SIZES.input)), s);
      for (const [k, v] of Object.entries(s)) {
        out[k] ??= new Array(T * B * SIZES.hidden).fill(0);
        v.forEach((value, j) => (out[k]![(t * B + b) * SIZES.hidden + j] = value));
      }
    }
  }
  return out;
}

describe('compile(cell): forward against the hand-written equations (float64, 1e-12)', () => {
  it.each(RECURRENT)('%s: unroll on a tape', (name) => {
    const { compiled, params, x, initial } = setup(name);
    const expected = referenceRun(name, params, x, initial);
    const seq = compiled.unroll(new Tape({ record: false }), params, { inputs: { x }, initial });
    for (const s of compiled.states) {
      const got = seq.states[s.name]!.flatMap((v) => Array.from(v.value.data));
      expectClose(got, expected[s.name]!, { atol: 1e-12 }, `${name}.${s.name}`);
    }
  });

  it.each(RECURRENT)('%s: forward through the fast schedule', (name) => {
    const { compiled, params, x, initial } = setup(name);
    const expected = referenceRun(name, params, x, initial);
    const run = compiled.forward(params, { inputs: { x }, initial });
    for (const s of compiled.states) {
      expect(run.states[s.name]!.shape).toEqual([T, B, SIZES.hidden]);
      expectClose(run.states[s.name]!.data, expected[s.name]!, { atol: 1e-12 }, `${name}.${s.name}`);
      expectClose(run.final[s.name]!.data, expected[s.name]!.slice((T - 1) * B * SIZES.hidden), { atol: 1e-12 }, `${name}.${s.name} final`);
    }
  });

  it('float32: the schedule stays within 1e-5 of float64', () => {
    const { params, x, initial } = setup('lstm');
    const f32 = compile(loadCell('lstm'), SIZES, { dtype: 'float32' });
    const p32 = params.map((p) => ({ ...p, value: { shape: p.value.shape, data: Float32Array.from(p.value.data) }, grad: p.grad }));
    const a = f32.forward(p32, { inputs: { x }, initial });
    const b = compile(loadCell('lstm'), SIZES).forward(params, { inputs: { x }, initial });
    expect(a.states.h!.data).toBeInstanceOf(Float32Array);
    expectClose(a.states.h!.data, b.states.h!.data, { atol: 1e-5 }, 'lstm.h float32');
  });

  it.each(RECURRENT)('%s: the schedule on the WebAssembly kernels (hidden 24, batch 4) matches the tape and the plain JavaScript schedule', (name) => {
    const random = createRandom(6);
    const sizes = { input: 8, hidden: 24 };
    const compiled = compile(loadCell(name), sizes);
    const params = compiled.initParams(random);
    const x = randn([5, 4, 8], random);
    const initial = Object.fromEntries(compiled.states.map((s) => [s.name, randn([4, 24], random)]));
    const fast = compiled.forward(params, { inputs: { x }, initial });
    const seq = compiled.unroll(new Tape({ record: false }), params, { inputs: { x }, initial });
    for (const s of compiled.states) {
      expectClose(fast.states[s.name]!.data, seq.states[s.name]!.flatMap((v) => Array.from(v.value.data)), { atol: 1e-12 }, `${name}.${s.name}`);
    }
    const previous = useWasm(false);
    const plain = compile(loadCell(name), sizes).forward(params, { inputs: { x }, initial });
    useWasm(previous);
    for (const s of compiled.states) expectClose(plain.states[s.name]!.data, fast.states[s.name]!.data, { atol: 1e-12 }, `${name}.${s.name} without wasm`);
    const f32 = compile(loadCell(name), sizes, { dtype: 'float32' });
    const p32 = params.map((p) => ({ ...p, value: { shape: p.value.shape, data: Float32Array.from(p.value.data) } }));
    const low = f32.forward(p32, { inputs: { x }, initial });
    for (const s of compiled.states) expectClose(low.states[s.name]!.data, fast.states[s.name]!.data, { atol: 2e-5 }, `${name}.${s.name} float32`);
  });

  it('vae-reparam: z = mu + exp(logvar / 2) ⊙ eps with the given noise', () => {
    const cell = compile(loadCell('vae-reparam'), { latent: 3 });
    const random = createRandom(1);
    const mu = randn([1, 2, 3], random), logvar = randn([1, 2, 3], random), eps = randn([1, 2, 3], random);
    const seq = cell.unroll(new Tape({ record: false }), [], { inputs: { mu, logvar }, noise: { eps } });
    const expected = Array.from(mu.data, (m, i) => m + Math.exp(logvar.data[i]! / 2) * eps.data[i]!);
    expectClose(seq.steps[0]!.z!.value.data, expected, { atol: 1e-15 }, 'z');
  });
});

describe('compile(cell): gradients through time against central differences (float64)', () => {
  it.each(RECURRENT)('%s: d(Σ w ⊙ h_T)/d(every parameter and h_0)', (name) => {
    const { compiled, params, x, initial } = setup(name, 11);
    const stateNames = compiled.states.map((s) => s.name);
    const inputs: Tensor[] = [...params.map((p) => p.value), ...stateNames.map((s) => initial[s]!)];
    const f = (tape: Tape, vars: Var[]): Var => {
      // The parameters are the first inputs, then h_0 (and c_0), all as Vars on the tape.
      const bound = Object.fromEntries(params.map((p, k) => [p.name, vars[k]!]));
      const init = Object.fromEntries(stateNames.map((s, k) => [s, vars[params.length + k]!]));
      const seq = compiled.unroll(tape, bound, { inputs: { x }, initial: init });
      return seq.final[stateNames[stateNames.length - 1]!]!;
    };
    const { maxError } = gradcheck(f, inputs);
    expect(maxError).toBeLessThan(1e-6);
  });

  it('vae-reparam: d z / d(mu, logvar) through step()', () => {
    const cell = compile(loadCell('vae-reparam'), { latent: 3 });
    const random = createRandom(2);
    const eps = randn([2, 3], random);
    const { maxError } = gradcheck((tape, [mu, logvar]) => cell.step(tape, { mu: mu!, logvar: logvar!, eps: tape.constant(eps) }).z!, [randn([2, 3], random), randn([2, 3], random)]);
    expect(maxError).toBeLessThan(1e-7);
  });

  it('truncate: no gradient reaches h_0 across a chunk boundary, and the first chunk is unchanged', () => {
    const { compiled, params, x } = setup('gru');
    const grads = (truncate?: number) => {
      const tape = new Tape();
      const h0 = tape.variable(randn([B, SIZES.hidden], createRandom(5)), 'h0');
      const seq = compiled.unroll(tape, params, { inputs: { x }, initial: { h: h0 }, truncate });
      tape.backward(tape.sum(seq.final.h!));
      const h1 = seq.states.h![0]!.grad;
      return { h0: Array.from(h0.grad ?? []), h1: Array.from(h1 ?? []) };
    };
    const full = grads();
    const cut = grads(2);
    expect(full.h0.some((g) => g !== 0)).toBe(true);
    expect(cut.h0).toEqual([]);
    // h_1 lies in the first chunk (steps 0 and 1); the state entering step 2 is detached, so h_1 gets no gradient.
    expect(full.h1.some((g) => g !== 0)).toBe(true);
    expect(cut.h1).toEqual([]);
    const noCut = grads(T);
    expectClose(noCut.h0, full.h0, { atol: 0 }, 'truncate = T changes nothing');
  });
});

describe('compile(cell): errors', () => {
  it('a missing parameter is named with its shape', () => {
    const { compiled, params, x } = setup('rnn');
    expect(() => compiled.forward(params.slice(1), { inputs: { x } })).toThrow("cell 'rnn' needs parameter 'W_ih' [3, 2]");
  });
  it('a parameter of the wrong shape is a ShapeError', () => {
    const { compiled, params, x } = setup('rnn');
    const bad = params.map((p) => (p.name === 'W_hh' ? { ...p, value: randn([3, 2], createRandom(1)) } : p));
    expect(() => compiled.forward(bad, { inputs: { x } })).toThrow("cell 'rnn': tensor 'W_hh' has shape [3, 2], expected [3, 3]");
  });
  it('inputs must be [steps, batch, input]', () => {
    const { compiled, params } = setup('rnn');
    expect(() => compiled.forward(params, { inputs: { x: randn([4, 2, 5], createRandom(1)) } })).toThrow(
      "cell 'rnn' input: tensor 'x' has shape [4, 2, 5], expected [4, 2, 2]",
    );
  });
  it('a cell with noise needs noise or a random stream', () => {
    const cell = compile(loadCell('vae-reparam'), { latent: 2 });
    const mu = randn([1, 1, 2], createRandom(1));
    expect(() => cell.forward([], { inputs: { mu, logvar: mu } })).toThrow("cell 'vae-reparam' draws noise ('eps'): pass noise or random");
  });
  it('a missing size is named', () => {
    expect(() => compile(loadCell('gru'), { hidden: 3 })).toThrow("cell 'gru' needs a size for 'input'");
  });
});

describe('compile(cell): no wasm memory (a sequence too long for 4 GiB)', () => {
  it('gru hidden 30: padded product columns in plain arrays give the states of the tape', () => {
    const create = vi.spyOn(WasmArena, 'create').mockReturnValue(null);
    try {
      const random = createRandom(12);
      const compiled = compile(loadCell('gru'), { input: 5, hidden: 30 }); // 3·30 = 90 columns: padded to 92
      const params = compiled.initParams(random);
      const x = randn([4, 3, 5], random);
      const fast = compiled.forward(params, { inputs: { x } });
      const seq = compiled.unroll(new Tape({ record: false }), params, { inputs: { x } });
      expect(create).toHaveBeenCalled();
      expectClose(fast.states.h!.data, seq.states.h!.flatMap((v) => Array.from(v.value.data)), { atol: 1e-12 }, 'h');
    } finally {
      create.mockRestore();
    }
  });
});

describe('compile(cell, sizes, {threads: 2})', () => {
  it.each(['lstm', 'gru'])('%s: a helper thread on shared wasm memory gives the same states as one thread', (name) => {
    const random = createRandom(8);
    const sizes = { input: 8, hidden: 128 }; // 16 × 3·128 × 128 multiply-adds a step: above the threshold for the helper
    const one = compile(loadCell(name), sizes, { dtype: 'float32' });
    const two = compile(loadCell(name), sizes, { dtype: 'float32', threads: 2 });
    const params = one.initParams(random);
    const x = randn([8, 16, 8], random, { dtype: 'float32' }); // the input products (128 rows) are split too
    const a = one.forward(params, { inputs: { x } });
    const b = two.forward(params, { inputs: { x } });
    two.dispose();
    expect(Array.from(b.states.h!.data)).toEqual(Array.from(a.states.h!.data));
  });
  it('threads must be a positive integer', () => {
    expect(() => compile(loadCell('rnn'), SIZES, { threads: 0 })).toThrow('threads must be a positive integer, found 0');
  });
});
