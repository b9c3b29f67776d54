// The fused step (schedule.ts → wasm-program.ts: a step's wasm instructions as one generated
// function) against the unfused instructions it replaces (the same kernels called one by one
// from JavaScript: equal to the bit) and against the tape (float64, the generic path: 1e-12),
// on generated cells and the shipped LSTM and GRU; and BPTT gradients through the wasm matrix
// product against the JavaScript loops.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadCell, parseCell } from '../../src/index.js';
import { compile, randn, Tape, type Parameter, type Tensor } from '../../src/engine/index.js';
import { useWasm } from '../../src/engine/matmul.js';
import { useSinking, useStepProgram } from '../../src/engine/schedule.js';
import { cellLayout } from '../../src/engine/schedule-plan.js';
import { WasmArena } from '../../src/engine/wasm.js';
import { createRandom } from '../../src/random.js';
import { generateCell } from '../diagram/random-cells.js';
import { expectClose } from '../expect.js';

const SEEDS = Array.from({ length: 40 }, (_, i) => 500 + i);

afterEach(() => {
  useSinking(true);
  useStepProgram(true);
  useWasm(true);
  vi.restoreAllMocks();
});

/** forward() with the fused step on and off, the tape's states, and whether the step was fused. */
function runAll(cell: ReturnType<typeof parseCell>, sizes: Record<string, number>, seed: number, dtype: 'float64' | 'float32' = 'float64') {
  const random = createRandom(seed);
  const compiled = compile(cell, sizes);
  const params = compiled.initParams(random);
  const inputs: Record<string, Tensor> = Object.fromEntries(compiled.inputs.map((d) => [d.name, randn([5, 3, ...d.shape], random)]));
  const initial: Record<string, Tensor> = Object.fromEntries(compiled.states.map((s) => [s.name, randn([3, ...s.shape], random)]));
  const tape = compiled.unroll(new Tape({ record: false }), params, { inputs, initial });
  const cast = <T extends Tensor>(t: T): Tensor => ({ shape: t.shape, data: dtype === 'float32' ? Float32Array.from(t.data) : t.data });
  const p = params.map((q): Parameter => ({ ...q, value: cast(q.value) }));
  const args = { inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, cast(v)])), initial: Object.fromEntries(Object.entries(initial).map(([k, v]) => [k, cast(v)])) };
  const programs = vi.spyOn(WasmArena.prototype, 'program');
  const fused = compile(cell, sizes, { dtype }).forward(p, args);
  const wasFused = programs.mock.results.some((r) => r.type === 'return' && r.value !== null);
  programs.mockRestore();
  useStepProgram(false);
  const unfused = compile(cell, sizes, { dtype }).forward(p, args);
  useStepProgram(true);
  const reference = Object.fromEntries(compiled.states.map((s) => [s.name, tape.states[s.name]!.flatMap((v) => Array.from(v.value.data))]));
  return { compiled, fused, unfused, reference, wasFused };
}

describe('the fused step on generated cells (seeds 500 to 539, input 4, hidden 8, batch 3, 5 steps)', () => {
  it('equals the unfused instructions to the bit and the tape within 1e-12 (float64); most cells fuse', () => {
    let fusedCells = 0;
    for (const seed of SEEDS) {
      const generated = generateCell(seed);
      const cell = parseCell(generated.text, { file: `seed-${seed}.cell` });
      const { compiled, fused, unfused, reference, wasFused } = runAll(cell, { input: 4, hidden: 8 }, seed);
      if (wasFused) fusedCells++;
      for (const s of compiled.states) {
        expect(Array.from(fused.states[s.name]!.data), `seed ${seed}: ${s.name} fused = unfused`).toEqual(Array.from(unfused.states[s.name]!.data));
        expectClose(fused.states[s.name]!.data, reference[s.name]!, { atol: 1e-12, rtol: 1e-12 }, `seed ${seed}: ${s.name} against the tape`);
      }
    }
    // Cells with softplus, or a division by a number, keep the unfused instructions (26 of 40 fuse).
    expect(fusedCells).toBe(26);
  });
});

describe('the fused step on the shipped cells', () => {
  for (const name of ['lstm', 'gru', 'rnn']) {
    it(`${name}: fused, equal to the unfused step to the bit (float64 and float32), within 1e-12 (float64) and 2e-6 (float32) of the tape`, () => {
      for (const dtype of ['float64', 'float32'] as const) {
        const { compiled, fused, unfused, reference, wasFused } = runAll(loadCell(name), { input: 4, hidden: 8 }, 3, dtype);
        expect(wasFused, `${name} ${dtype} fused`).toBe(true);
        for (const s of compiled.states) {
          expect(Array.from(fused.states[s.name]!.data)).toEqual(Array.from(unfused.states[s.name]!.data));
          const tol = dtype === 'float64' ? 1e-12 : 2e-6;
          expectClose(fused.states[s.name]!.data, reference[s.name]!, { atol: tol, rtol: tol }, `${name} ${dtype} ${s.name}`);
        }
      }
    });
  }
});

describe('forward() with every gate\'s weights a whole panel (hidden 32: packed by the arena\'s wasm pack, not the JavaScript loop)', () => {
  for (const name of ['lstm', 'gru']) {
    it(`${name}: within 1e-12 (float64) and 2e-6 (float32) of the tape`, () => {
      for (const dtype of ['float64', 'float32'] as const) {
        const { compiled, fused, reference } = runAll(loadCell(name), { input: 16, hidden: 32 }, 4, dtype);
        const tol = dtype === 'float64' ? 1e-12 : 2e-6;
        for (const s of compiled.states) expectClose(fused.states[s.name]!.data, reference[s.name]!, { atol: tol, rtol: tol }, `${name} ${dtype} ${s.name}`);
      }
    });
  }
});

describe('BPTT gradients through the wasm matrix product', () => {
  it('lstm (batch 4, input 16, hidden 64: 4·256·64 multiply-adds a step, over the wasm threshold): every gradient within 1e-10 of the JavaScript loops', () => {
    const gradients = (wasm: boolean): Float64Array[] => {
      useWasm(wasm);
      const random = createRandom(8);
      const lstm = compile(loadCell('lstm'), { input: 16, hidden: 64 });
      const params = lstm.initParams(random);
      const tape = new Tape();
      const run = lstm.unroll(tape, params, { inputs: { x: randn([4, 4, 16], random) } });
      tape.backward(tape.sum(tape.mul(run.final.h!, tape.constant(randn([4, 64], random)))));
      return params.map((p) => Float64Array.from(p.grad.data));
    };
    const viaWasm = gradients(true), viaJs = gradients(false);
    viaJs.forEach((g, k) => expectClose(viaWasm[k]!, g, { atol: 1e-10, rtol: 1e-10 }, `gradient ${k}`));
  });
});

describe('the fused step with an observer (one step a call)', () => {
  it('lstm: every observed h row equals forward()’s states.h, and the states equal the unobserved run to the bit', () => {
    const random = createRandom(12);
    const lstm = compile(loadCell('lstm'), { input: 4, hidden: 8 });
    const params = lstm.initParams(random);
    const x = randn([6, 2, 4], random);
    const plain = lstm.forward(params, { inputs: { x } });
    const observed = new Float64Array(6 * 2 * 8);
    const programs = vi.spyOn(WasmArena.prototype, 'program');
    const watched = compile(loadCell('lstm'), { input: 4, hidden: 8 }).forward(params, {
      inputs: { x },
      observe: (t, copyRow) => [0, 1].forEach((r) => copyRow('h', r, observed, (t * 2 + r) * 8)),
    });
    expect(programs.mock.results.some((r) => r.type === 'return' && r.value !== null)).toBe(true);
    expect(Array.from(observed)).toEqual(Array.from(plain.states.h!.data));
    expect(Array.from(watched.states.h!.data)).toEqual(Array.from(plain.states.h!.data));
  });
});

describe('the sequence\'s elementwise ops sunk into the step (x·W_ih + b_ih computed per step, not over the whole sequence)', () => {
  /** Every state's history of one forward (float32 or float64, fused step or not), as its bits. */
  const statesOf = (cell: ReturnType<typeof parseCell>, seed: number, dtype: 'float64' | 'float32', B: number) => {
    const random = createRandom(seed);
    const sizes = { input: 5, hidden: 12 };
    const compiled = compile(cell, sizes, { dtype });
    const cast = (t: Tensor): Tensor => ({ shape: t.shape, data: dtype === 'float32' ? Float32Array.from(t.data) : t.data });
    const params = compiled.initParams(random).map((q): Parameter => ({ ...q, value: cast(q.value) }));
    const inputs = Object.fromEntries(compiled.inputs.map((d) => [d.name, cast(randn([6, B, ...d.shape], random))]));
    const { states } = compiled.forward(params, { inputs });
    return Object.entries(states).map(([k, v]) => `${k}: ${Array.from(new Uint32Array(v.data.buffer, v.data.byteOffset, v.data.byteLength / 4)).join(',')}`);
  };

  it('moves the LSTM\'s four input-projection sums and nothing else of it; the GRU\'s three', () => {
    for (const [name, expected] of [['lstm', 4], ['gru', 3]] as const) {
      const cell = loadCell(name);
      const byId = new Map(cell.nodes.map((n) => [n.id, n]));
      const batched = new Set<string>();
      for (const n of cell.nodes) if (n.kind === 'input' || n.kind === 'state' || n.inputs.some((i) => batched.has(i))) batched.add(n.id);
      const layout = cellLayout(cell, byId, batched, 'float32', 1, false);
      expect(layout.sunk.size, name).toBe(expected);
      for (const id of layout.sunk) {
        const n = byId.get(id)!;
        expect(n.kind, `${name} ${id}`).toBe('add');
        expect(n.inputs.map((i) => byId.get(i)!.kind).sort(), `${name} ${id}`).toEqual(['matmul', 'param']);
      }
    }
  });

  it('gives the same bits as without, on 10 shipped cells and 20 generated ones (float32 and float64, batch 1 and 3)', () => {
    const SHIPPED = ['lstm', 'gru', 'rnn', 'gru-cho', 'janet', 'mgu', 'olah-lstm', 'qrnn', 'lstm-peephole', 'antisymmetric'];
    const cells = [...SHIPPED.map((name) => ({ name, cell: loadCell(name) })), ...SEEDS.slice(0, 20).map((seed) => ({ name: `seed ${seed}`, cell: parseCell(generateCell(seed).text, { file: `seed-${seed}.cell` }) }))];
    let compared = 0;
    for (const [k, { name, cell }] of cells.entries()) {
      for (const [dtype, B] of [['float32', 1], ['float64', 3]] as const) {
        useSinking(false);
        const before = statesOf(cell, 700 + k, dtype, B);
        useSinking(true);
        expect(statesOf(cell, 700 + k, dtype, B), `${name} ${dtype} batch ${B}`).toEqual(before);
        compared++;
      }
    }
    expect(compared).toBe(2 * cells.length);
  });
});
