/**
 * Which evaluator runs a trace. mathjs (evaluate.ts) is the reference; the engine
 * (engine-run.ts) is the fast path. Unless told, a trace runs on the engine after a short
 * random probe (3 steps, 2 batch elements, random inputs, states and noise, the trace's own
 * weights) agrees with mathjs on every node within PROBE_TOLERANCE; otherwise it runs on
 * mathjs and says why through `warn`.
 */
import type { Matrix } from 'mathjs';
import type { CellGraph, CellNode } from '../cell/index.js';
import { GateflowError, InputError } from '../errors.js';
import { createRandom } from '../random.js';
import { runOnEngine, type NodeRows, type RunInputs } from './engine-run.js';
import { createEvaluator, toRows } from './evaluate.js';
import { numberMatrix } from './mathjs-subset.js';
import type { Weights } from './types.js';
import { tensorToNested } from './weights.js';

export type EvaluatorName = 'mathjs' | 'engine';

/** |engine - mathjs| ≤ PROBE_TOLERANCE · (1 + |mathjs|) on every value of the probe. */
export const PROBE_TOLERANCE = 1e-12;

const width = (shape: readonly (string | number)[]): number => shape.reduce<number>((a, d) => a * (d as number), 1);

/** Runs the cell with the mathjs evaluator; the recorded nodes' values per step. */
export function runOnMathjs(cell: CellGraph, weights: Weights, run: RunInputs, recorded: readonly CellNode[]): NodeRows[] {
  const params = new Map([...weights].map(([name, tensor]) => [name, tensorToNested(tensor) as number[] | number[][]]));
  const evaluator = createEvaluator(cell, params);
  const batch = run.steps[0]!.length;
  let state = new Map([...run.initial].map(([name, rows]) => [name, numberMatrix(rows.map((r) => r.slice()))]));
  // x_prev at the first step is zero: the convolution of QRNN starts from an empty window.
  let previousInput = splitInputs(cell, run.steps[0]!.map((row) => row.map(() => 0)));
  const out: NodeRows[] = [];
  for (let t = 0; t < run.steps.length; t++) {
    const input = splitInputs(cell, run.steps[t]!);
    const noise = new Map([...run.noise[t]!].map(([name, rows]) => [name, numberMatrix(rows.map((r) => r.slice()))]));
    const values = evaluator.step({ input, state, noise, previousInput });
    previousInput = input;
    const nodes: NodeRows = {};
    for (const node of recorded) nodes[node.id] = toRows(values.get(node.id)!, batch);
    out.push(nodes);
    state = new Map(cell.states.map((s) => [s.name, numberMatrix(nodes[s.name]!)]));
  }
  return out;
}

/** One step's [B][F] rows, cut into each declared input's [B][size]. */
function splitInputs(cell: CellGraph, rows: readonly (readonly number[])[]): Map<string, Matrix> {
  const out = new Map<string, Matrix>();
  let offset = 0;
  for (const input of cell.inputs) {
    const n = width(input.shape);
    out.set(input.name, numberMatrix(rows.map((r) => r.slice(offset, offset + n))));
    offset += n;
  }
  return out;
}

export interface Chosen {
  readonly evaluator: EvaluatorName;
  readonly steps: NodeRows[];
}

/**
 * Runs the trace on the evaluator asked for, or (undefined) on the engine when the probe
 * agrees, else on mathjs with a note through `warn`. An explicit 'engine' that cannot run the
 * cell is an InputError naming why.
 */
export function runTrace(
  cell: CellGraph,
  sizes: Readonly<Record<string, number>>,
  weights: Weights,
  run: RunInputs,
  recorded: readonly CellNode[],
  options: { readonly evaluator?: EvaluatorName; readonly seed: number; readonly warn?: (message: string) => void },
): Chosen {
  if (options.evaluator === 'mathjs') return { evaluator: 'mathjs', steps: runOnMathjs(cell, weights, run, recorded) };
  if (options.evaluator === 'engine') {
    try {
      return { evaluator: 'engine', steps: runOnEngine(cell, sizes, weights, run, recorded) };
    } catch (error) {
      if (error instanceof GateflowError) throw new InputError(`the engine cannot evaluate cell '${cell.name}': ${error.message}`);
      throw error;
    }
  }
  const verdict = probe(cell, sizes, weights, recorded, options.seed);
  if (verdict === undefined) return { evaluator: 'engine', steps: runOnEngine(cell, sizes, weights, run, recorded) };
  options.warn?.(`cell '${cell.name}': ${verdict}; evaluated with mathjs`);
  return { evaluator: 'mathjs', steps: runOnMathjs(cell, weights, run, recorded) };
}

/** Both evaluators on a short random run; undefined when they agree, else why not (for the note). */
export function probe(cell: CellGraph, sizes: Readonly<Record<string, number>>, weights: Weights, recorded: readonly CellNode[], seed: number): string | undefined {
  const random = createRandom(seed).fork();
  const T = 3, B = 2;
  const rows = (n: number, scale: number) => Array.from({ length: B }, () => Array.from({ length: n }, () => random.uniform(-scale, scale)));
  const features = cell.inputs.reduce((a, d) => a + width(d.shape), 0);
  const run: RunInputs = {
    steps: Array.from({ length: T }, () => rows(features, 2)),
    initial: new Map(cell.states.map((s) => [s.name, rows(width(s.shape), 1)])),
    noise: Array.from({ length: T }, () => new Map(cell.noises.map((d) => [d.name, rows(width(d.shape), 1)]))),
  };
  let engine: NodeRows[];
  try {
    engine = runOnEngine(cell, sizes, weights, run, recorded);
  } catch (error) {
    if (error instanceof GateflowError) return `the engine cannot evaluate it (${error.message})`;
    throw error;
  }
  return disagreement(runOnMathjs(cell, weights, run, recorded), engine);
}

/**
 * The worst value where the engine's rows leave the tolerance around mathjs's, in words for the
 * note; undefined when every value agrees (both NaN, or the same infinity, agree).
 */
export function disagreement(reference: readonly NodeRows[], engine: readonly NodeRows[]): string | undefined {
  let worst = { excess: 0, id: '', t: 0, b: 0, i: 0, engine: 0, mathjs: 0 };
  reference.forEach((nodes, t) => {
    for (const [id, ref] of Object.entries(nodes)) {
      ref.forEach((row, b) =>
        row.forEach((x, i) => {
          const y = engine[t]![id]![b]![i]!;
          const diff = Math.abs(x - y);
          const same = x === y || (Number.isNaN(x) && Number.isNaN(y));
          const excess = same ? 0 : Number.isNaN(diff) ? Infinity : diff / (PROBE_TOLERANCE * (1 + Math.abs(x)));
          if (excess > 1 && excess > worst.excess) worst = { excess, id, t, b, i, engine: y, mathjs: x };
        }),
      );
    }
  });
  if (worst.excess <= 1) return undefined;
  const { id, t, b, i, engine: y, mathjs: x } = worst;
  return `on a random probe the engine gives ${y} where mathjs gives ${x} (${id}[${i}], step ${t}, batch element ${b}; tolerance ${PROBE_TOLERANCE} · (1 + |mathjs|))`;
}
