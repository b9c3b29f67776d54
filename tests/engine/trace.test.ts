// The compiled cell against the mathjs evaluator (src/trace), float64, 1e-9, on every shipped cell:
// every statement's value at every step (tape unroll) and the states (fast schedule).
import { describe, expect, it } from 'vitest';
import { listCells } from '../../src/io/index.js';
import { loadCell } from '../../src/index.js';
import { createRandom } from '../../src/random.js';
import { trace } from '../../src/trace/index.js';
import { compile, randn, Tape, type Tensor } from '../../src/engine/index.js';
import { expectClose } from '../expect.js';

const T = 5;
const B = 3;

/** [T, B, n] tensor → nested [T][B][n]. */
const nested = (t: Tensor): number[][][] => {
  const [steps, batch, n] = t.shape as [number, number, number];
  return Array.from({ length: steps }, (_, s) => Array.from({ length: batch }, (_, b) => Array.from(t.data.subarray((s * batch + b) * n, (s * batch + b + 1) * n))));
};

describe('compile(cell) agrees with trace(cell) (mathjs, float64) to 1e-9', () => {
  it('covers every shipped cell', () => {
    expect(listCells().length).toBeGreaterThanOrEqual(7);
  });

  it.each(listCells())('%s', (name) => {
    const cell = loadCell(name);
    const random = createRandom(21);
    const sizes: Record<string, number> = {};
    for (const d of cell.dims) sizes[d] = d === 'input' ? 4 : 5;
    const compiled = compile(cell, sizes);
    const params = compiled.initParams(random);
    // Scale the weights up so the gates leave their linear range.
    for (const p of params) for (let i = 0; i < p.value.data.length; i++) p.value.data[i] *= 2.5;
    const inputs = Object.fromEntries(compiled.inputs.map((d) => [d.name, randn([T, B, ...d.shape], random)]));
    const initial = Object.fromEntries(compiled.states.map((d) => [d.name, randn([B, ...d.shape], random, { std: 0.8 })]));

    // trace takes one input sequence: several inputs are concatenated in declaration order.
    const features = compiled.inputs.map((d) => nested(inputs[d.name]!));
    const sequence = features[0]!.map((step, t) => step.map((row, b) => features.flatMap((f) => f[t]![b]!)));
    const weights = new Map(params.map((p) => [p.name, { shape: p.value.shape, data: p.value.data as Float64Array }]));
    const initialNested = Object.fromEntries(Object.entries(initial).map(([k, v]) => [k, nested({ shape: [1, ...v.shape], data: v.data })[0]!]));
    const reference = trace(cell, weights, sequence, { sizes, initial: initialNested, seed: 3, evaluator: 'mathjs' });

    // The evaluator draws its own noise: hand the same values to the engine.
    const noise = Object.fromEntries(
      compiled.noises.map((d) => {
        const n = d.shape.reduce((a, b) => a * b, 1);
        const data = new Float64Array(T * B * n);
        reference.steps.forEach((s, t) => s.nodes[d.name]!.forEach((row, b) => data.set(row, (t * B + b) * n)));
        return [d.name, { shape: [T, B, ...d.shape], data }];
      }),
    );
    const seq = compiled.unroll(new Tape({ record: false }), params, { inputs, initial, noise });
    for (let t = 0; t < T; t++) {
      for (const s of cell.statements) {
        expectClose(seq.steps[t]![s.target]!.value.data, reference.steps[t]!.values[s.target]!.flat(), { atol: 1e-9 }, `${name} step ${t} ${s.target}`);
      }
    }
    const fast = compiled.forward(params, { inputs, initial, noise });
    for (const d of compiled.states) {
      expectClose(fast.final[d.name]!.data, reference.final[d.name]!.flat(), { atol: 1e-9 }, `${name} final ${d.name}`);
    }
  });
});
