// The explorer's page model and gradient view, checked without a browser: which colour scale
// each value gets, the float32 packing read back by the page's own decoder, the strips and
// glyphs of the placed diagram, and the gradient norms against central differences through
// the mathjs trace (an evaluator the engine does not share).
import { describe, expect, it } from 'vitest';
import { loadCell } from '../../src/index.js';
import { placeDiagram } from '../../src/diagram/index.js';
import { gradientNorms, scaleKindOf } from '../../src/explore/index.js';
import fc from 'fast-check';
import { packArray, packFloat32, pageModel, type PackedArray } from '../../src/explore/model.js';
import { decodeArray, decodeFloat32, downsample, formatValue, scaleColour, vectorAt } from '../../src/explore/client-core.js';
import { trace } from '../../src/trace/index.js';
import { expectClose } from '../expect.js';

const lstm = loadCell('lstm');
const inputs = [[1, -0.5], [0.25, 2], [-1, 0], [0.5, 0.5], [3, -2]];
const lstmTrace = trace(lstm, undefined, inputs, { sizes: { hidden: 3 }, seed: 4 });

describe('explore page model', { timeout: 60_000 }, () => {
  it('scaleKindOf gives gates [0, 1], tanh values, states and inputs their own scales', () => {
    const kinds = Object.fromEntries(lstm.nodes.filter((n) => n.kind !== 'param').map((n) => [n.id, scaleKindOf(lstm, n)]));
    expect([kinds.i, kinds.f, kinds.o, kinds.g, kinds.c, kinds.h, kinds.c_prev, kinds.h_prev, kinds.x]).toEqual(['gate', 'gate', 'gate', 'tanh', 'state', 'state', 'state', 'state', 'input']);
    const tanhOfC = lstm.nodes.find((n) => n.kind === 'activation' && n.fn === 'tanh' && n.statement === 'h')!;
    expect(kinds[tanhOfC.id]).toBe('tanh');
  });

  it('packFloat32 → decodeFloat32 (the page decoder) gives the float32 of every value', () => {
    const values = [0, -0, 1.5, -2.25e-8, 3.4e38, Math.PI, NaN];
    const back = decodeFloat32(packFloat32(values));
    expect(Array.from(back.slice(0, 6))).toEqual(values.slice(0, 6).map(Math.fround));
    expect(Number.isNaN(back[6])).toBe(true);
  });

  it('packArray → decodeArray keeps every printed digit: 16-bit codes up to 3.2767, 32-bit beyond, float32 for NaN, ±∞ or above 214,748', () => {
    const back = (p: PackedArray) => decodeArray(p.base64, p.encoding.type, 'divisor' in p.encoding ? p.encoding.divisor : 1);
    const gates = [0, 1, 0.12345, 0.99995, 0.00005, 0.5];
    // Largest 1: k = ⌊3.2767⌋ = 3 (odd), so codes of 1/30,000.
    expect(packArray(gates).encoding).toEqual({ type: 'i16', divisor: 30_000 });
    expect(Array.from(back(packArray(gates)), formatValue)).toEqual(gates.map(formatValue));
    expect(packArray([-3.2767, 3.2767]).encoding).toEqual({ type: 'i16', divisor: 10_000 });
    expect(packArray([3.27675, -1]).encoding).toEqual({ type: 'i32', divisor: 10_000 });
    expect(packArray([1e-6, -4e-7]).encoding).toEqual({ type: 'i16', divisor: 10_000 * 3_276_699 });
    expect(packArray([214_748.3648]).encoding).toEqual({ type: 'f32' });
    expect(packArray([1, NaN]).encoding).toEqual({ type: 'f32' });
    expect(Array.from(back(packArray([2.5, NaN, -Infinity])))).toEqual([2.5, NaN, -Infinity]);
    // Generated arrays at every magnitude (seeded): the printed digits of each value survive, and colours keep 1/32767 of the range.
    const magnitude = fc.constantFrom(1e-7, 1e-3, 0.5, 1, 3.2, 3.3, 50, 2e5);
    fc.assert(
      fc.property(magnitude, fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 40 }), (m, units) => {
        const values = units.map((u) => u * m);
        const decoded = Array.from(back(packArray(values)));
        expect(decoded.map(formatValue)).toEqual(values.map(formatValue));
        const range = Math.max(...values.map(Math.abs));
        for (let i = 0; i < values.length; i++) expect(Math.abs(decoded[i]! - values[i]!)).toBeLessThanOrEqual(Math.max(0.5e-4, range / 32_767) * (1 + 1e-12));
      }),
      { seed: 2027, numRuns: 300 },
    );
  });

  it('pageModel packs each drawn value [T][B][n] and reads previous states from the state one step back', async () => {
    const placed = await placeDiagram(lstm, { steps: 2, strips: true, title: '' });
    const model = pageModel(lstm, lstmTrace, placed);
    expect(model.window).toBe(2);
    expect(model.scales.map((s) => s.kind)).toEqual(['gate', 'tanh', 'state', 'input', 'value']);
    expect(model.scales.map((s) => [s.kind, s.min, s.max]).filter(([k]) => k !== 'state' && k !== 'value')).toEqual([['gate', 0, 1], ['tanh', -1, 1], ['input', -3, 3]]);
    // 'value': the products f ⊙ c_prev and i ⊙ g drawn as ⊙ glyphs, on their own symmetric range.
    const others = Object.keys(model.values).filter((id) => model.values[id]!.scale === 'value');
    expect(others.sort()).toEqual(['c.mul.0', 'c.mul.1']);
    const largestOther = Math.max(...lstmTrace.steps.flatMap((s) => others.flatMap((id) => s.nodes[id][0].map(Math.abs))));
    expect(model.scales.at(-1)).toEqual({ kind: 'value', label: 'other values', min: -largestOther, max: largestOther });
    const largestState = Math.max(...lstmTrace.steps.flatMap((s) => [...s.values.c[0], ...s.values.h[0]].map(Math.abs)));
    expect(model.scales.find((s) => s.kind === 'state')).toEqual({ kind: 'state', label: 'states', min: -largestState, max: largestState });
    const decode = (p: PackedArray) => decodeArray(p.base64, p.encoding.type, 'divisor' in p.encoding ? p.encoding.divisor : 1);
    const arrays = (id: string) => {
      const v = model.values[id]!;
      return 'data' in v ? { data: decode(v.data) } : { previousOf: decode((model.values[v.previousOf] as { data: PackedArray }).data), initial: decode(v.initial) };
    };
    // The page prints 4 decimals: they are the trace's own, and each value is within half a code of it.
    for (const id of ['x', 'i', 'c', 'h', 'c_prev', 'h_prev']) {
      for (let t = 0; t < inputs.length; t++) {
        const exact = lstmTrace.steps[t].nodes[id][0];
        const shown = Array.from(vectorAt(arrays(id), model.values[id]!.size, 1, t, 0)!);
        expect(shown.map(formatValue), `${id} at ${t}`).toEqual(exact.map(formatValue));
        expectClose(shown, exact, 0.5e-4 * (1 + 1e-6), `${id} at ${t}`);
      }
    }
    expect('previousOf' in model.values.h_prev!).toBe(true);
    // Every glyph of both steps is addressable, and strips sit at offsets -1 and 0 only.
    expect(new Set(model.strips.map((s) => s.offset))).toEqual(new Set([-1, 0]));
    expect(model.glyphs.filter((g) => g.offset === 0).map((g) => g.value).sort()).toEqual(
      placed.nodes.filter((n) => n.step === 1 && n.node.glyph !== 'concat').map((n) => n.node.valueOf).sort(),
    );
    expect(model.multiples).toEqual(['i', 'f', 'g', 'o', 'c', 'h']);
  });

  it('scaleColour: a gate at 1 is the positive colour, a state at -max the negative one, 0 the zero colour', () => {
    const colours = { negative: '#2166ac', zero: '#f7f7f7', positive: '#b2182b', border: '#777777' };
    expect(scaleColour(1, { kind: 'gate', min: 0, max: 1 }, colours)).toEqual([0xb2, 0x18, 0x2b]);
    expect(scaleColour(0, { kind: 'gate', min: 0, max: 1 }, colours)).toEqual([0xf7, 0xf7, 0xf7]);
    expect(scaleColour(-5, { kind: 'state', min: -5, max: 5 }, colours)).toEqual([0x21, 0x66, 0xac]);
    // Halfway to the positive end: each channel halfway, rounded.
    expect(scaleColour(2.5, { kind: 'state', min: -5, max: 5 }, colours)).toEqual([Math.round((0xf7 + 0xb2) / 2), Math.round((0xf7 + 0x18) / 2), Math.round((0xf7 + 0x2b) / 2)]);
  });

  it('downsample averages the steps of each column', () => {
    // T = 4, B = 1, n = 2 → 2 columns: means of steps {0, 1} and {2, 3}.
    const data = Float32Array.from([1, 10, 3, 20, 5, 30, 7, 40]);
    expect(Array.from(downsample(data, 4, 1, 2, 0, 2))).toEqual([2, 6, 15, 35]);
  });
});

/** ∂h_T[unit]/∂(leaf at t) by central differences through the mathjs trace. */
function numericGradient(perturb: (delta: number) => ReturnType<typeof trace>, unit: number): number {
  const eps = 1e-6;
  const last = (tr: ReturnType<typeof trace>) => tr.steps[tr.steps.length - 1].values.h[0][unit];
  return (last(perturb(eps)) - last(perturb(-eps))) / (2 * eps);
}

describe('explore gradient view', () => {
  const cases = [
    { name: 'gru', cell: loadCell('gru') },
    { name: 'lstm', cell: lstm },
  ];
  it.each(cases)('gradientNorms($name) matches central differences through the mathjs trace (rtol 1e-6)', ({ cell }) => {
    const base = trace(cell, undefined, inputs, { sizes: { hidden: 3 }, seed: 4 });
    const { norms } = gradientNorms(cell, base, { output: 'h', unit: 1 });
    const weights = base.weights;
    for (let t = 0; t < inputs.length; t++) {
      const parts = [0, 1].map((i) =>
        numericGradient((d) => trace(cell, weights, inputs.map((row, s) => (s === t ? row.map((v, j) => (j === i ? v + d : v)) : row)), { sizes: { hidden: 3 }, evaluator: 'mathjs' }), 1),
      );
      expectClose([norms.get('x')![t]], [Math.hypot(...parts)], { rtol: 1e-6, atol: 1e-10 }, `‖∂h_T[1]/∂x_${t}‖`);
    }
    // The initial state: ∂h_T/∂h_0 through --state0.
    const initialParts = [0, 1, 2].map((i) => numericGradient((d) => trace(cell, weights, inputs, { sizes: { hidden: 3 }, initial: { h: [0, 0, 0].map((v, j) => (j === i ? d : v)) }, evaluator: 'mathjs' }), 1));
    expectClose([norms.get('h_prev')![0]], [Math.hypot(...initialParts)], { rtol: 1e-6, atol: 1e-10 }, '‖∂h_T[1]/∂h_0‖');
    // h at t is h_prev at t + 1, and the seed itself has norm 1.
    for (let t = 0; t + 1 < inputs.length; t++) expect(norms.get('h')![t]).toBe(norms.get('h_prev')![t + 1]);
    expect(norms.get('h')![inputs.length - 1]).toBe(1);
  });

  it('refuses an output that is not a statement, and a unit outside it, naming the range', () => {
    expect(() => gradientNorms(lstm, lstmTrace, { output: 'q', unit: 0 })).toThrow("--grad-output 'q' is not a statement of cell 'lstm' (its statements: i, f, g, o, c, h)");
    expect(() => gradientNorms(lstm, lstmTrace, { output: 'h', unit: 3 })).toThrow("--grad-unit 3 is outside 'h' (units 0 to 2)");
  });
});
