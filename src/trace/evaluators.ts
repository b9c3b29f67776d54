/**
 * Which evaluator runs a trace. mathjs (mathjs-run.ts) is the reference; the engine
 * (engine-run.ts) is the fast path. Unless told, a trace runs on the engine after a short
 * random probe of the cell (probe.ts: 3 steps, 2 batch elements, small sizes, random weights,
 * inputs, states and noise) agrees with mathjs on every node within PROBE_TOLERANCE;
 * otherwise it runs on mathjs and says why through `warn`.
 */
import type { CellGraph, CellNode } from '../cell/index.js';
import { GateflowError, InputError } from '../errors.js';
import { runOnEngine, type NodeRows, type RunInputs } from './engine-run.js';
import { runOnMathjs } from './mathjs-run.js';
import { probe } from './probe.js';
import type { Weights } from './types.js';

export type EvaluatorName = 'mathjs' | 'engine';

export interface Chosen {
  readonly evaluator: EvaluatorName;
  readonly steps: NodeRows[];
}

/** The cell as written (the probe sizes it its own way) and as the trace sized it. */
export interface TracedCell {
  readonly cell: CellGraph;
  readonly sized: CellGraph;
}

/**
 * Runs the trace on the evaluator asked for, or (undefined) on the engine when the probe
 * agrees, else on mathjs with a note through `warn`. An explicit 'engine' that cannot run the
 * cell is an InputError naming why.
 */
export function runTrace(
  { cell, sized }: TracedCell,
  sizes: Readonly<Record<string, number>>,
  weights: Weights,
  run: RunInputs,
  recorded: readonly CellNode[],
  options: { readonly evaluator?: EvaluatorName; readonly seed: number; readonly warn?: (message: string) => void },
): Chosen {
  const onMathjs = (): Chosen => ({ evaluator: 'mathjs', steps: runOnMathjs(sized, weights, run, recorded) });
  if (options.evaluator === 'mathjs') return onMathjs();
  const fallBack = (why: string): Chosen => {
    options.warn?.(`cell '${cell.name}': ${why}; evaluated with mathjs`);
    return onMathjs();
  };
  const verdict = options.evaluator === 'engine' ? undefined : probe(cell, sizes, weights, options.seed);
  if (verdict !== undefined) return fallBack(verdict);
  try {
    return { evaluator: 'engine', steps: runOnEngine(sized, sizes, weights, run, recorded, cell) };
  } catch (error) {
    if (!(error instanceof GateflowError)) throw error;
    if (options.evaluator === 'engine') throw new InputError(`the engine cannot evaluate cell '${cell.name}': ${error.message}`);
    // The probe ran the cell at its own sizes; one the engine cannot run at the trace's runs on mathjs.
    return fallBack(`the engine cannot evaluate it (${error.message})`);
  }
}
