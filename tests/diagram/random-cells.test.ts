// Generated cells (random-cells.ts): each parses, draws faithfully in both details, traces
// to the generator's own evaluation of its expression trees within 1e-12, and (a smaller
// set) lays out cleanly at 1 to 3 steps. GATEFLOW_CASES and GATEFLOW_LAYOUT_CASES raise the
// counts (`npm run test:generated` runs thousands); GATEFLOW_SEED moves the first seed.
import { describe, expect, it } from 'vitest';
import { parseCell } from '../../src/cell/index.js';
import { checkFaithful, placeDiagram } from '../../src/diagram/index.js';
import { checkGeometry } from '../../src/diagram/geometry.js';
import { unroll } from '../../src/diagram/unroll.js';
import { createRandom } from '../../src/random.js';
import { trace } from '../../src/trace/index.js';
import { evaluateCell, generateCell, generateWeights } from './random-cells.js';

const CASES = Number(process.env.GATEFLOW_CASES ?? 200);
const LAYOUT_CASES = Number(process.env.GATEFLOW_LAYOUT_CASES ?? 10);
const FIRST_SEED = Number(process.env.GATEFLOW_SEED ?? 1);
const SIZES = { input: 2, hidden: 3 };
const STEPS = 3;
/** |trace - reference| ≤ TOLERANCE · max(1, |reference|). */
const TOLERANCE = 1e-12;

const stepsOf = (n: number) => ({ steps: Array.from({ length: n }, (_, i) => ({ time: i === n - 1 ? 't' : `t${i - n + 1}`, t: i - n + 1 })), initialTime: `t-${n}` });

/** Every problem of one generated cell, as sentences (parse, faithfulness, trace). */
function problemsOf(seed: number): string[] {
  const generated = generateCell(seed);
  const cell = parseCell(generated.text, { file: `generated-${seed}.cell` });
  const problems: string[] = [];
  // What goes up, from the generator's own declaration: exactly the declared outputs, else the last state.
  const upward = generated.outputs.length ? generated.outputs : generated.states.slice(-1);
  for (const detail of ['gates', 'ops'] as const) {
    for (const steps of [1, 2]) {
      const graph = unroll(cell, { detail, ...stepsOf(steps) });
      problems.push(...checkFaithful(cell, graph).map((p) => `${detail}, ${steps} steps: ${p}`));
      const drawnUp = graph.ports.filter((p) => p.side === 'north').map((p) => p.valueOf);
      if (drawnUp.join() !== upward.join()) problems.push(`${detail}, ${steps} steps: drawn upward ${drawnUp.join(', ')}, declared ${upward.join(', ')}`);
    }
  }
  const random = createRandom(seed);
  const weights = generateWeights(generated, SIZES, random);
  const inputs = Array.from({ length: STEPS }, () => Array.from({ length: SIZES.input * generated.inputs.length }, () => random.uniform(-1, 1)));
  const initial = Object.fromEntries(generated.states.map((s) => [s, Array.from({ length: SIZES.hidden }, () => random.uniform(-1, 1))]));
  const expected = evaluateCell(generated, weights, inputs, initial, SIZES);
  const traced = trace(cell, weights, inputs, { sizes: SIZES, initial });
  expected.forEach((values, t) => {
    for (const [target, vector] of Object.entries(values)) {
      const got = traced.steps[t].values[target][0];
      vector.forEach((v, i) => {
        if (!(Math.abs(got[i] - v) <= TOLERANCE * Math.max(1, Math.abs(v)))) problems.push(`trace step ${t} ${target}[${i}] = ${got[i]}, expected ${v} (tolerance ${TOLERANCE})`);
      });
    }
  });
  return problems;
}

describe(`generated cells, seeds ${FIRST_SEED} to ${FIRST_SEED + CASES - 1}`, { timeout: 600_000 }, () => {
  it('cover what the generator is for: shared matrices, diagonal parameters, 1 to 3 states, declared outputs', () => {
    const cells = Array.from({ length: CASES }, (_, i) => generateCell(FIRST_SEED + i));
    const shared = cells.filter((c) => [...c.params.keys()].some((w) => c.text.split('\n').filter((l) => l.includes(`${w} `) && !l.startsWith('param')).length > 1));
    expect(shared.length, 'cells with a matrix used in two statements').toBeGreaterThan(CASES / 10);
    expect(cells.filter((c) => /\b[pd]\d+ ⊙/.test(c.text)).length, 'cells with a diagonal parameter').toBeGreaterThan(CASES / 10);
    expect(new Set(cells.map((c) => c.states.length))).toEqual(new Set([1, 2, 3]));
    expect(cells.filter((c) => c.outputs.length > 0).length, 'cells with declared outputs').toBeGreaterThan(CASES / 10);
    const statesDeclared = cells.filter((c) => c.outputs.join() === c.states.join());
    expect(statesDeclared.length, 'cells declaring exactly their states as outputs').toBeGreaterThan(CASES / 40);
    expect(statesDeclared.filter((c) => c.states.length === 1).length, '... with one state').toBeGreaterThan(0);
    expect(statesDeclared.filter((c) => c.states.length > 1).length, '... with several').toBeGreaterThan(0);
  });

  it(`each parses, draws faithfully in gates and ops detail, and traces to the reference within ${TOLERANCE}`, () => {
    const failures: string[] = [];
    for (let seed = FIRST_SEED; seed < FIRST_SEED + CASES; seed++) {
      let problems: string[];
      try {
        problems = problemsOf(seed);
      } catch (error) {
        problems = [`throws ${(error as Error).message}`];
      }
      if (problems.length) failures.push(`seed ${seed}:\n${generateCell(seed).text}${problems.slice(0, 6).join('\n')}`);
    }
    expect(failures.slice(0, 5).join('\n\n'), `${failures.length} of ${CASES} generated cells fail`).toBe('');
  });

  for (let seed = FIRST_SEED; seed < FIRST_SEED + LAYOUT_CASES; seed++) {
    it(`generated cell ${seed} lays out cleanly and faithfully at 1 to 3 steps (gates) and 2 steps (ops)`, async () => {
      const cell = parseCell(generateCell(seed).text, { file: `generated-${seed}.cell` });
      const runs = [...[1, 2, 3].map((steps) => ({ steps, detail: 'gates' as const })), { steps: 2, detail: 'ops' as const }];
      for (const { steps, detail } of runs) {
        const placed = await placeDiagram(cell, { steps, detail });
        expect([...checkGeometry(placed), ...checkFaithful(cell, placed)], `seed ${seed}, ${detail}, ${steps} steps:\n${generateCell(seed).text}`).toEqual([]);
      }
    });
  }
});
