/**
 * The mathjs evaluator of a trace (the reference): the cell's nodes evaluated step by step by
 * evaluate.ts, the recorded nodes' values kept as [batch][size] rows, in the same form as the
 * engine evaluator's (engine-run.ts) so that the probe can compare the two.
 */
import type { Matrix } from 'mathjs';
import type { CellGraph, CellNode } from '../cell/index.js';
import type { NodeRows, RunInputs } from './engine-run.js';
import { createEvaluator, toRows } from './evaluate.js';
import { numberMatrix } from './mathjs-subset.js';
import type { Weights } from './types.js';
import { tensorToNested } from './weights.js';

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

