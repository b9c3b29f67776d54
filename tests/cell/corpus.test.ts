// The literature cells in tests/fixtures/cells (each cites its paper): every one parses, is
// drawn in both details, and its trace equals an independent step function written from the
// paper (corpus-reference.ts) within 1e-12; the engine's tape and forward() give the same
// numbers (1e-12), and its BPTT gradients match central differences (max error 1e-6).
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCell, toText, type CellGraph } from '../../src/cell/index.js';
import { checkFaithful, diagram, drawPlaced, placeDiagram } from '../../src/diagram/index.js';
import { checkGeometry } from '../../src/diagram/geometry.js';
import { compile, gradcheck, parameter, Tape, type Tensor, type Var } from '../../src/engine/index.js';
import { createRandom } from '../../src/random.js';
import { initWeights, toAnnotation, trace } from '../../src/trace/index.js';
import { expectClose } from '../expect.js';
import { REFERENCE, type Vec } from './corpus-reference.js';

const DIR = resolve(__dirname, '..', 'fixtures', 'cells');
// The diagram's own test cells (diagram-*.cell) share the folder; the literature cells are the rest.
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.cell') && !f.startsWith('diagram-')).sort();
const T = 4;
const B = 2;
const TOLERANCE = 1e-12;

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function load(file: string): CellGraph {
  return parseCell(readFileSync(join(DIR, file), 'utf8'), { file });
}

/** input 2 and hidden 3, except where a cell ties the input to the hidden size (SRU). */
function sizesOf(cell: CellGraph): Record<string, number> {
  const sizes: Record<string, number> = { input: 2, hidden: 3, out: 2, rank: 2, context: 4 };
  return Object.fromEntries(cell.dims.map((d) => [d, sizes[d]!]));
}

function inputsOf(cell: CellGraph, sizes: Record<string, number>, seed: number): number[][][] {
  const random = createRandom(seed);
  const features = cell.inputs.reduce((n, i) => n + i.shape.reduce<number>((a, d) => a * (typeof d === 'number' ? d : sizes[d]!), 1), 0);
  return Array.from({ length: T }, () => Array.from({ length: B }, () => Array.from({ length: features }, () => random.normal())));
}

describe('literature cells (tests/fixtures/cells)', { timeout: 60_000 }, () => {
  it('there are at least 12, each citing its source in the opening comment', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(12);
    for (const file of FILES) expect(load(file).description.join(' '), file).toMatch(/\b(19|20)\d\d\b/);
  });

  it.each(FILES)('%s: the trace equals the independent step function (1e-12)', (file) => {
    const cell = load(file);
    const reference = REFERENCE[cell.name];
    expect(reference, `a reference for ${cell.name}`).toBeDefined();
    const sizes = sizesOf(cell);
    const weights = initWeights(cell, sizes, 5);
    const inputs = inputsOf(cell, sizes, 6);
    const result = trace(cell, weights, inputs, { sizes });
    for (let b = 0; b < B; b++) {
      let states: Record<string, Vec> = Object.fromEntries(cell.states.map((s) => [s.name, new Array<number>(result.final[s.name]![0]!.length).fill(0)]));
      for (let t = 0; t < T; t++) {
        const xPrev = t > 0 ? inputs[t - 1]![b]! : inputs[0]![b]!.map(() => 0);
        const expected = reference!(weights, inputs[t]![b]!, xPrev, states);
        for (const s of cell.statements) {
          expect(expected[s.target], `${cell.name}: the reference computes ${s.target}`).toBeDefined();
          expectClose(result.steps[t]!.values[s.target]![b]!, expected[s.target]!, TOLERANCE, `${cell.name} ${s.target} at t=${t}, batch ${b}`);
        }
        states = Object.fromEntries(cell.states.map((s) => [s.name, expected[s.name]!]));
      }
    }
    // final: every state, then the declared outputs.
    expect(Object.keys(result.final)).toEqual([...new Set([...cell.states.map((s) => s.name), ...cell.outputs])]);
  });

  it.each(FILES)('%s: the engine (tape and forward) gives the trace, and its gradients match finite differences', (file) => {
    const cell = load(file);
    const sizes = sizesOf(cell);
    const weights = initWeights(cell, sizes, 7);
    const inputs = inputsOf(cell, sizes, 8);
    const expected = trace(cell, weights, inputs, { sizes });
    const compiled = compile(cell, sizes);
    const params = compiled.params.map((p) => parameter(p.name, { shape: [...p.shape], data: Float64Array.from(weights.get(p.name)!.data) }));
    const input = compiled.inputs[0]!;
    const x: Tensor = { shape: [T, B, ...input.shape], data: Float64Array.from(inputs.flat(2)) };
    const run = compiled.unroll(new Tape({ record: false }), params, { inputs: { [input.name]: x } });
    for (let t = 0; t < T; t++) {
      for (const s of cell.statements) expectClose(run.steps[t]![s.target]!.value.data, expected.steps[t]!.values[s.target]!.flat(), TOLERANCE, `${cell.name} tape ${s.target} t=${t}`);
    }
    const forward = compiled.forward(params, { inputs: { [input.name]: x } });
    for (const s of cell.states) expectClose(forward.final[s.name]!.data, expected.final[s.name]!.flat(), TOLERANCE, `${cell.name} forward ${s.name}`);

    // d(Σ w ⊙ last state)/d(every parameter and initial state), over 3 steps.
    const x3: Tensor = { shape: [3, B, ...input.shape], data: x.data.slice(0, 3 * B * x.data.length / (T * B)) };
    const random = createRandom(9);
    const initial = compiled.states.map((s) => {
      const t: Tensor = { shape: [B, ...s.shape], data: new Float64Array(B * s.shape.reduce((a, d) => a * d, 1)) };
      random.fillNormal(t.data, 0, 0.5);
      return t;
    });
    const last = cell.states[cell.states.length - 1]!.name;
    const f = (tape: Tape, vars: Var[]): Var => {
      const bound = Object.fromEntries(params.map((p, k) => [p.name, vars[k]!]));
      const init = Object.fromEntries(compiled.states.map((s, k) => [s.name, vars[params.length + k]!]));
      return compiled.unroll(tape, bound, { inputs: { [input.name]: x3 }, initial: init }).final[last]!;
    };
    const { maxError } = gradcheck(f, [...params.map((p) => p.value), ...initial]);
    expect(maxError, `${cell.name}: gradient error`).toBeLessThan(1e-6);
  });

  it("antisymmetric.cell: annotated with a trace, (W - W') is a label, not a per-sample value", async () => {
    const cell = load('antisymmetric.cell');
    const result = trace(cell, undefined, [[1, 0], [0, 1], [0.5, 0.5]], { sizes: { hidden: 3 } });
    expect(Object.keys(result.steps[0]!.nodes)).not.toContain('h.sub.0');
    const svg = await diagram(cell, { annotate: toAnnotation(result, 2, 0) });
    expect(svg).toContain('unrolled over 2 adjacent steps (1, 2)');
  });

  // checkFaithful on these two layouts here; tests/diagram/faithful.test.ts checks the other two (gates at 1 step, ops at 2).
  it.each(FILES)('%s: drawn in gates detail (2 steps, its equations in the description) and ops detail (1 step), laid out cleanly and faithfully', async (file) => {
    const cell = load(file);
    const ops = await placeDiagram(cell, { steps: 1, detail: 'ops' });
    expect(checkGeometry(ops), `${cell.name} ops`).toEqual([]);
    expect(checkFaithful(cell, ops.graph), `${cell.name} ops`).toEqual([]);
    expect(checkFaithful(cell, ops), `${cell.name} ops, placed`).toEqual([]);
    const gates = await placeDiagram(cell, { steps: 2 });
    expect(checkFaithful(cell, gates.graph), `${cell.name} gates`).toEqual([]);
    expect(checkFaithful(cell, gates), `${cell.name} gates, placed`).toEqual([]);
    // drawPlaced of placeDiagram is diagram(): one layout for the SVG and the checks.
    const svg = await drawPlaced(cell, gates, { steps: 2 });
    expect(svg).toContain(`unrolled over 2 adjacent steps (t-1, t), gates detail.\n${escapeXml(toText(cell).trim())}`);
  });
});
