// The probe that lets a trace run on the engine (src/trace/probe.ts) runs the cell at small
// sizes of its own. These tests check that it still catches a wrong lowering at the trace's
// sizes: single-node faults injected into the engine's lowering (the useLowering seam), on
// every shipped and fixture cell and on generated ones. A fault counts when it changes the
// trace itself, which the mathjs evaluator decides on the faulty cell at the trace's sizes,
// inputs and weights; every such fault must send the trace to mathjs with a note. And the
// kernels' size-dependent paths (panels of 16 columns, 4-row tiles, 256-deep passes), which the
// small probe does not reach, against mathjs at sizes that cross them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ACTIVATIONS, REDUCTIONS, type CellGraph, type CellNode } from '../../src/cell/index.js';
import { withSizes } from '../../src/cell/index.js';
import { compile, useStepProgram } from '../../src/engine/index.js';
import { WasmArena } from '../../src/engine/wasm.js';
import { loadCell, parseCell } from '../../src/index.js';
import { createRandom, type Random } from '../../src/random.js';
import { useLowering } from '../../src/trace/engine-run.js';
import { runOnMathjs } from '../../src/trace/mathjs-run.js';
import { disagreement, probe, probeSizes, recordedNodes } from '../../src/trace/probe.js';
import { initWeights, toWeights, trace } from '../../src/trace/index.js';
import { generateCell, generateWeights } from '../diagram/random-cells.js';

const FIXTURES = join(__dirname, '..', 'fixtures', 'cells');
const SHIPPED = ['gru', 'gru-cho', 'lstm', 'lstm-peephole', 'mgu', 'janet', 'qrnn', 'olah-lstm', 'antisymmetric', 'rnn', 'vae-reparam'];
/** The trace's sizes: larger than the probe's (hidden 3, input 4), none of them equal. */
const TRACE_SIZES = { hidden: 7, input: 5 };
const FAULTS_PER_CELL = 2;
const GENERATED = 20;

type Mutate = (node: CellNode, cell: CellGraph) => CellNode;
interface Fault {
  readonly id: string;
  readonly what: string;
  readonly mutate: Mutate;
}

const other = <T>(xs: readonly T[], not: T, random: Random): T => {
  const rest = xs.filter((x) => x !== not);
  return rest[random.int(rest.length)]!;
};

/** The single-node faults a lowering could make on `cell`, each keeping every shape. */
function faultsOf(cell: CellGraph, random: Random): Fault[] {
  const faults: Fault[] = [];
  for (const node of cell.nodes) {
    const n = node as CellNode & { fn?: string; name?: string; value?: number };
    if (n.kind === 'activation') {
      const fn = other(ACTIVATIONS, n.fn!, random);
      faults.push({ id: n.id, what: `${n.fn} lowered as ${fn}`, mutate: (m) => ({ ...m, fn }) as CellNode });
    } else if (n.kind === 'reduce') {
      const fn = other(REDUCTIONS, n.fn!, random);
      faults.push({ id: n.id, what: `${n.fn} lowered as ${fn}`, mutate: (m) => ({ ...m, fn }) as CellNode });
    } else if (['add', 'sub', 'mul', 'div'].includes(n.kind)) {
      const kind = other(['add', 'sub', 'mul'], n.kind, random);
      faults.push({ id: n.id, what: `${n.kind} lowered as ${kind}`, mutate: (m) => ({ ...m, kind }) as CellNode });
      if (n.kind === 'sub' || n.kind === 'div') faults.push({ id: n.id, what: `${n.kind} with its operands swapped`, mutate: (m) => ({ ...m, inputs: [...m.inputs].reverse() }) });
    } else if (n.kind === 'min' || n.kind === 'max') {
      faults.push({ id: n.id, what: `${n.kind} lowered as the other`, mutate: (m) => ({ ...m, kind: m.kind === 'min' ? 'max' : 'min' }) as CellNode });
    } else if (n.kind === 'const') {
      faults.push({ id: n.id, what: `constant ${n.value} lowered as ${n.value! + 0.5}`, mutate: (m) => ({ ...m, value: (m as { value: number }).value + 0.5 }) as CellNode });
    } else if (n.kind === 'input_prev') {
      faults.push({ id: n.id, what: 'x_prev read as x', mutate: (m) => ({ ...m, kind: 'input' }) as CellNode });
    } else if (n.kind === 'state' && cell.states.length > 1) {
      // The state carried from the wrong target (another state of the same size, at the probe's sizes too).
      const same = cell.states.filter((s) => s.name !== n.name && s.shape.join() === cell.states.find((t) => t.name === n.name)!.shape.join());
      if (same.length) faults.push({ id: n.id, what: `${n.name}_prev carried from ${same[0]!.name}`, mutate: (m) => ({ ...m, name: same[0]!.name }) as CellNode });
    } else if (n.kind === 'matmul') {
      // Another parameter of the same shape as the left operand (a gate's weights mixed up).
      const left = cell.nodes.find((m) => m.id === n.inputs[0])!;
      const swap = cell.nodes.find((m) => m.kind === 'param' && m.id !== left.id && left.kind === 'param' && m.shape.join() === left.shape.join());
      if (swap) faults.push({ id: n.id, what: `${left.id} read as ${swap.id}`, mutate: (m) => ({ ...m, inputs: [swap.id, m.inputs[1]!] }) });
    }
  }
  return faults;
}

/** The cell with one node changed (same ids, so the engine reports the faulty values under the right names). */
const withFault = (cell: CellGraph, fault: Fault): CellGraph => ({ ...cell, nodes: cell.nodes.map((n) => (n.id === fault.id ? fault.mutate(n, cell) : n)) });

/** A 4-step, 2-element run of `cell` at the trace's sizes: the mathjs reference, and the probe's verdict for each fault. */
function probeFaults(cell: CellGraph, faults: readonly Fault[], seed: number, given?: Record<string, number[] | number[][]>): { changing: number; missed: string[] } {
  const sizes = Object.fromEntries(cell.dims.map((d) => [d, d in TRACE_SIZES ? TRACE_SIZES[d as keyof typeof TRACE_SIZES] : 6]));
  const random = createRandom(seed);
  const sized = withSizes(cell, sizes);
  const width = (shape: readonly (string | number)[]) => (shape as number[]).reduce((a, b) => a * b, 1);
  const rows = (n: number) => Array.from({ length: 2 }, () => Array.from({ length: n }, () => random.uniform(-1, 1)));
  const run = {
    steps: Array.from({ length: 4 }, () => rows(sized.inputs.reduce((n, d) => n + width(d.shape), 0))),
    initial: new Map(sized.states.map((s) => [s.name, rows(width(s.shape))])),
    noise: Array.from({ length: 4 }, () => new Map(sized.noises.map((d) => [d.name, rows(width(d.shape))]))),
  };
  const weights = given ? toWeights(given) : initWeights(cell, sizes, seed);
  const recorded = recordedNodes(sized);
  const reference = runOnMathjs(sized, weights, run, recorded);
  let changing = 0;
  const missed: string[] = [];
  for (const fault of faults) {
    // The fault is real when it changes the trace: mathjs on the faulty cell at the trace's sizes, inputs and weights.
    if (disagreement(reference, runOnMathjs(withFault(sized, fault), weights, run, recorded)) === undefined) continue;
    changing++;
    const previous = useLowering((c, s, o) => compile(withFault(c, fault), s, o));
    try {
      if (probe(cell, sizes, weights, seed) === undefined) missed.push(`${cell.name}: ${fault.id}, ${fault.what}`);
    } finally {
      useLowering(previous);
    }
  }
  return { changing, missed };
}

/** The fallback note, every part but the numbers and the node, which the random probe picks. */
const NOTE = /^cell 'gru': on a random probe the engine gives -?[\d.e+-]+ where mathjs gives -?[\d.e+-]+ \([\w.]+\[[0-2]\], step [0-2], batch element [01]; tolerance 1e-12 · \(1 \+ \|mathjs\|\)\); evaluated with mathjs$/;

afterEach(() => {
  useLowering(compile);
});

describe('the probe at its own small sizes', { timeout: 60_000 }, () => {
  it('keeps sizes 1 and 2 and gives every larger dimension its own size from 3 up, in the order of the dimensions', () => {
    const cell = parseCell('cell: sizes\ninput: x [input]\nstate: h [hidden]\ninput: u [k]\ninput: v [m]\nh = tanh(W x + U h_prev + A u + B v)\n', { file: 'sizes.cell' });
    expect(cell.dims).toEqual(['hidden', 'input', 'k', 'm']);
    expect(probeSizes(cell, { input: 32, hidden: 128, k: 1, m: 2 })).toEqual({ hidden: 3, input: 4, k: 1, m: 2 });
    expect(probeSizes(cell, { input: 3, hidden: 3, k: 300, m: 5 })).toEqual({ hidden: 3, input: 4, k: 5, m: 6 });
  });

  it(`sends a trace at hidden ${TRACE_SIZES.hidden}, input ${TRACE_SIZES.input} to mathjs for every injected lowering fault that changes it (shipped and fixture cells, ${FAULTS_PER_CELL} faults each)`, () => {
    const cells = [...SHIPPED.map((name) => loadCell(name)), ...readdirSync(FIXTURES).map((file) => parseCell(readFileSync(join(FIXTURES, file), 'utf8'), { file }))];
    const missed: string[] = [];
    let changing = 0;
    cells.forEach((cell, k) => {
      const random = createRandom(500 + k);
      const found = probeFaults(cell, random.shuffle(faultsOf(cell, random)).slice(0, FAULTS_PER_CELL), 500 + k);
      changing += found.changing;
      missed.push(...found.missed);
    });
    expect(missed).toEqual([]);
    // The faults are real: most of them change the trace (a few cannot, e.g. relu of a sigmoid lowered as abs).
    expect(changing).toBeGreaterThan(50);
  });

  it(`catches the same on ${GENERATED} generated cells with their own weights`, () => {
    const missed: string[] = [];
    let changing = 0;
    for (let seed = 1; seed <= GENERATED; seed++) {
      const generated = generateCell(seed);
      const cell = parseCell(generated.text, { file: `generated-${seed}.cell` });
      const random = createRandom(seed);
      const found = probeFaults(cell, random.shuffle(faultsOf(cell, random)).slice(0, 2), seed, generateWeights(generated, TRACE_SIZES, random));
      changing += found.changing;
      missed.push(...found.missed);
    }
    expect(missed).toEqual([]);
    expect(changing).toBeGreaterThan(GENERATED);
  });

  it('sends the trace itself to mathjs with a note naming the value where the faulty engine differs', () => {
    const fault = faultsOf(loadCell('gru'), createRandom(1)).find((f) => f.id === 'z')!;
    const notes: string[] = [];
    const previous = useLowering((c, s, o) => compile(withFault(c, fault), s, o));
    try {
      const result = trace(loadCell('gru'), undefined, [[1, 0, 0.5, 0.25, -1], [0, 1, -0.5, 2, 0]], { sizes: { hidden: 7 }, seed: 3, warn: (m) => notes.push(m) });
      expect(result.evaluator).toBe('mathjs');
    } finally {
      useLowering(previous);
    }
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(NOTE);
  });

  it('lets a trace with no fault run on the engine, with no note', () => {
    const notes: string[] = [];
    const result = trace(loadCell('lstm'), undefined, [[1, 0, 0.5, 0.25, -1], [0, 1, -0.5, 2, 0]], { sizes: { hidden: 7 }, seed: 3, warn: (m) => notes.push(m) });
    expect([result.evaluator, notes]).toEqual(['engine', []]);
  });
});

describe("the engine's size-dependent kernels against mathjs", () => {
  it('agree within 1e-12 · (1 + |mathjs|) at sizes past a panel, a 4-row tile and a 256-deep pass (lstm, hidden 37, input 260, batch 5)', () => {
    const cell = loadCell('lstm');
    const sizes = { hidden: 37, input: 260 };
    const random = createRandom(9);
    const inputs = Array.from({ length: 3 }, () => Array.from({ length: 5 }, () => Array.from({ length: 260 }, () => random.uniform(-1, 1))));
    const weights = initWeights(cell, sizes, 9);
    const engine = trace(cell, weights, inputs, { sizes, evaluator: 'engine' });
    const mathjs = trace(cell, weights, inputs, { sizes, evaluator: 'mathjs' });
    expect(disagreement(mathjs.steps.map((s) => ({ ...s.nodes })), engine.steps.map((s) => ({ ...s.nodes })))).toBeUndefined();
    // Not vacuous: 4·37 gate columns are ten panels of 16, the last one partial.
    expect(engine.steps[2]!.nodes.h![4]!.length).toBe(37);
  });
});

describe('the probe and the run compile one step program between them', () => {
  it('the probe runs the instructions one by one (no program), the trace builds one, and a throwing lowering leaves the step program on', () => {
    const programs = vi.spyOn(WasmArena.prototype, 'program');
    const cell = loadCell('gru');
    const sizes = { hidden: 6, input: 3 };
    const weights = initWeights(cell, sizes, 2);
    expect(probe(cell, sizes, weights, 2)).toBeUndefined();
    const afterProbe = programs.mock.calls.length;
    trace(cell, weights, [[0.5, -1, 2], [1, 0, -0.25]], { sizes });
    const afterTrace = programs.mock.calls.length;
    const previous = useLowering(() => {
      throw new Error('a lowering that throws');
    });
    expect(() => probe(cell, sizes, weights, 2)).toThrow('a lowering that throws');
    useLowering(previous);
    expect(useStepProgram(true)).toBe(true);
    programs.mockRestore();
    expect([afterProbe, afterTrace]).toEqual([0, 1]);
  });
});
