// trace's two evaluators: the engine (compiled, float64) against mathjs (the reference) on
// generated well-typed cells, the shipped cells and the fixture cells, every node at every
// step; the default's probe and its fallback note; the CLI's --evaluator.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCell, parseCell, type CellGraph } from '../../src/index.js';
import { createRandom } from '../../src/random.js';
import { disagreement } from '../../src/trace/probe.js';
import type { NodeRows } from '../../src/trace/engine-run.js';
import { trace, type Trace } from '../../src/trace/index.js';
import { runInProcess } from '../cli-in-process.js';
import { generateCell, generateWeights } from '../diagram/random-cells.js';

/** |engine − mathjs| ≤ TOLERANCE · max(1, |mathjs|) on every value. */
const TOLERANCE = 1e-12;
const GENERATED = 40;
const FIXTURES = join(__dirname, '..', 'fixtures', 'cells');

/** The first value where the two traces differ beyond the tolerance, or '' (every node, every step). */
function firstDifference(engine: Trace, mathjs: Trace): string {
  if (engine.evaluator !== 'engine' || mathjs.evaluator !== 'mathjs') return `evaluators ${engine.evaluator}, ${mathjs.evaluator}`;
  for (const [t, step] of mathjs.steps.entries()) {
    const ids = Object.keys(step.nodes);
    if (Object.keys(engine.steps[t]!.nodes).join() !== ids.join()) return `step ${t}: nodes ${Object.keys(engine.steps[t]!.nodes).join()} against ${ids.join()}`;
    for (const id of ids) {
      for (const [b, row] of step.nodes[id]!.entries()) {
        for (const [i, x] of row.entries()) {
          const y = engine.steps[t]!.nodes[id]![b]![i]!;
          if (!(Number.isNaN(x) && Number.isNaN(y)) && !(Math.abs(x - y) <= TOLERANCE * Math.max(1, Math.abs(x)))) return `step ${t}, ${id}[${b}][${i}]: engine ${y}, mathjs ${x}`;
        }
      }
    }
  }
  return '';
}

/** Both evaluators on the same seeded inputs ([T][2][F]), initial states and weights. */
function bothOn(cell: CellGraph, sizes: Record<string, number>, seed: number, weights?: Record<string, number[] | number[][]>): string {
  const random = createRandom(seed);
  const features = cell.inputs.reduce((n, d) => n + d.shape.reduce<number>((a, s) => a * (typeof s === 'number' ? s : sizes[s]!), 1), 0);
  const inputs = Array.from({ length: 4 }, () => Array.from({ length: 2 }, () => Array.from({ length: features }, () => random.uniform(-1, 1))));
  const options = { sizes, seed };
  return firstDifference(trace(cell, weights, inputs, { ...options, evaluator: 'engine' }), trace(cell, weights, inputs, { ...options, evaluator: 'mathjs' }));
}

describe('trace: the engine evaluator against mathjs', { timeout: 60_000 }, () => {
  it(`agrees on every node of ${GENERATED} generated cells within ${TOLERANCE} (batch 2, 4 steps)`, () => {
    const sizes = { input: 2, hidden: 3 };
    const failures: string[] = [];
    for (let seed = 1; seed <= GENERATED; seed++) {
      const generated = generateCell(seed);
      const cell = parseCell(generated.text, { file: `generated-${seed}.cell` });
      const found = bothOn(cell, sizes, seed, generateWeights(generated, sizes, createRandom(seed)));
      if (found) failures.push(`seed ${seed}: ${found}`);
    }
    expect(failures).toEqual([]);
  });

  it(`agrees on every shipped and fixture cell within ${TOLERANCE} (noise, x_prev, reductions, clips, stacks included)`, () => {
    const cells = [
      ...['gru', 'gru-cho', 'lstm', 'lstm-peephole', 'mgu', 'janet', 'qrnn', 'olah-lstm', 'antisymmetric', 'rnn', 'vae-reparam'].map((name) => loadCell(name)),
      ...readdirSync(FIXTURES).map((file) => parseCell(readFileSync(join(FIXTURES, file), 'utf8'), { file })),
    ];
    const failures = cells.flatMap((cell, k) => {
      const sizes = Object.fromEntries(cell.dims.map((d) => [d, d === 'input' ? 2 : 3]));
      const found = bothOn(cell, sizes, 100 + k);
      return found ? [`${cell.name}: ${found}`] : [];
    });
    expect(failures).toEqual([]);
    expect(cells.length).toBe(38);
  });

  it('gives every trace of a run of them its own values: the engine reuses one program and its memory from the second trace on', () => {
    // Different inputs and weights each time, one length changed midway; every engine trace is
    // compared with mathjs after all of them ran, so a later trace writing over an earlier
    // one's values shows.
    const cell = loadCell('lstm');
    const runs = [6, 6, 6, 6, 3, 3, 3].map((T, k) => {
      const random = createRandom(50 + k);
      const inputs = Array.from({ length: T }, () => Array.from({ length: 2 }, () => Array.from({ length: 3 }, () => random.uniform(-2, 2))));
      const options = { sizes: { hidden: 5 }, seed: k };
      return { engine: trace(cell, undefined, inputs, { ...options, evaluator: 'engine' }), inputs, options };
    });
    const failures = runs.map(({ engine, inputs, options }, k) => [k, firstDifference(engine, trace(cell, undefined, inputs, { ...options, evaluator: 'mathjs' }))]).filter(([, found]) => found);
    expect(failures).toEqual([]);
  });
});

describe('trace: the default evaluator', () => {
  it('is the engine when the probe agrees, and gives the same numbers as mathjs', () => {
    const inputs = [[1, 0], [0, 1], [0.5, -0.5]];
    const notes: string[] = [];
    const fast = trace(loadCell('lstm'), undefined, inputs, { sizes: { hidden: 3 }, seed: 4, warn: (m) => notes.push(m) });
    expect(fast.evaluator).toBe('engine');
    expect(notes).toEqual([]);
    expect(firstDifference(fast, trace(loadCell('lstm'), undefined, inputs, { sizes: { hidden: 3 }, seed: 4, evaluator: 'mathjs' }))).toBe('');
  });

  it('keeps a NaN operand of min, max and their row reductions as mathjs does, so the probe agrees and the engine runs', () => {
    // sqrt of a negative pre-activation is NaN; the engine used to return the other operand.
    const text = 'cell: nanmin\ninput: x\nstate: h\ns = sqrt(W x)\nh = min(s, h_prev) + max(h_prev, s) + min(s) + max(s)\n';
    const cell = parseCell(text, { file: 'nanmin.cell' });
    const notes: string[] = [];
    const inputs = [[1, 0], [0, 1]];
    const fast = trace(cell, undefined, inputs, { sizes: { hidden: 3 }, seed: 0, warn: (m) => notes.push(m) });
    expect([fast.evaluator, notes]).toEqual(['engine', []]);
    const reference = trace(cell, undefined, inputs, { sizes: { hidden: 3 }, seed: 0, evaluator: 'mathjs' });
    expect(firstDifference(fast, reference)).toBe('');
    // The case is real: some s is NaN, and then every h is (the row reductions spread it).
    expect(fast.steps[0]!.nodes.s![0]!.some(Number.isNaN)).toBe(true);
    expect(fast.steps[1]!.nodes.h![0]!.every(Number.isNaN)).toBe(true);
  });

  it('names the worst value outside the tolerance for the fallback note; both NaN and equal infinities agree', () => {
    const rows = (h: number[], z: number[]): NodeRows[] => [{ h: [h], z: [z] }];
    const reference = rows([1, Number.NaN, Infinity], [0, 2, -3]);
    expect(disagreement(reference, rows([1 + 1e-12, Number.NaN, Infinity], [1e-12, 2, -3]))).toBeUndefined();
    expect(disagreement(reference, rows([1, Number.NaN, Infinity], [0, 2 + 1e-9, -3 + 2e-9]))).toBe(
      'on a random probe the engine gives -2.999999998 where mathjs gives -3 (z[2], step 0, batch element 0; tolerance 1e-12 · (1 + |mathjs|))',
    );
    expect(disagreement(reference, rows([1, 0.5, Infinity], [0, 2, -3]))).toBe(
      'on a random probe the engine gives 0.5 where mathjs gives NaN (h[1], step 0, batch element 0; tolerance 1e-12 · (1 + |mathjs|))',
    );
  });
});

describe('gateflow trace --evaluator', () => {
  it('prints the same table with either evaluator, and names the choices when given another', async () => {
    const args = ['trace', 'gru', '-i', '[[1,0],[0,1],[0.5,0.5]]', '--hidden', '3', '--all-nodes'];
    const engine = await runInProcess([...args, '--evaluator', 'engine'], __dirname);
    const mathjs = await runInProcess([...args, '--evaluator', 'mathjs'], __dirname);
    expect(engine.status).toBe(0);
    expect(engine.stdout).toContain('gru (input 2, hidden 3, batch 1; 3 steps)');
    expect(engine.stdout).toBe(mathjs.stdout);
    const bad = await runInProcess([...args, '--evaluator', 'numpy'], __dirname);
    expect([bad.status, bad.stderr]).toEqual([2, "gateflow: option --evaluator: expected one of engine, mathjs, found 'numpy'\n"]);
  });
});
