/**
 * The check that lets a trace run on the engine: the cell run by both evaluators on a short
 * random probe, every node compared within PROBE_TOLERANCE. The probe runs the cell at small
 * sizes of its own (probeSizes), so that it costs milliseconds whatever the trace's sizes.
 *
 * Why small sizes prove what the trace needs: the engine's lowering (src/engine compile) is
 * symbolic. It turns each node of the IR into one instruction chosen by the node's kind, its
 * operands and which of them vary per step or batch element; sizes only set loop bounds, row
 * strides and buffer lengths. A wrong translation of a statement (wrong op, operand, order,
 * broadcast, gate, state carried to the next step, x_prev) is wrong at every size, so it shows
 * on random values at any sizes that keep the cases the lowering tells apart: a size of 1 (a
 * row that broadcasts) stays 1, and the others become distinct (a transposed or swapped
 * operand of another dimension is then a shape the engine refuses, or other numbers). Three
 * steps carry each state twice and feed x_prev; two batch elements check the batch stride.
 * What depends on the sizes themselves, the kernels' blocking and SIMD tails, is the same code
 * for every cell and is tested against mathjs at sizes that cross those boundaries
 * (tests/trace/probe.test.ts). Probing one step at the trace's sizes instead would leave the
 * state carry and x_prev unchecked and still pay for mathjs at full size.
 * The weights are random, not the trace's: a lowering check wants generic values (zeros or
 * repeated weights would hide a swapped operand), and in the engine's exact mode both
 * evaluators make the same IEEE operations in the same order, so the trace's own values
 * cannot part them where random ones agree. A parameter whose shape the probe does not
 * change (a scalar such as janet's beta) keeps the trace's value.
 */
import type { CellGraph, CellNode } from '../cell/index.js';
import { withSizes } from '../cell/index.js';
import { GateflowError } from '../errors.js';
import { createRandom, type Random } from '../random.js';
import { useStepProgram } from '../engine/index.js';
import { engineValues, runOnEngine, type NodeRows, type RunInputs } from './engine-run.js';
import { runOnMathjs } from './mathjs-run.js';
import type { Tensor, Weights } from './types.js';

/** |engine - mathjs| ≤ PROBE_TOLERANCE · (1 + |mathjs|) on every value of the probe. */
export const PROBE_TOLERANCE = 1e-12;
const STEPS = 3;
const BATCH = 2;

const width = (shape: readonly (string | number)[]): number => shape.reduce<number>((a, d) => a * (d as number), 1);

/** The nodes a trace records: every per-sample value (parameters, constants and parameter matrices left out). */
export function recordedNodes(sized: CellGraph): CellNode[] {
  return sized.nodes.filter((n) => n.kind !== 'param' && n.kind !== 'const' && n.shape.length < 2);
}

/**
 * The probe's size of each dimension: 1 and 2 stay as they are (a row of one broadcasts;
 * 2 is already small), larger ones become 3, 4, 5, ... in the cell's order of dimensions,
 * so that no two of them are equal.
 */
export function probeSizes(cell: CellGraph, sizes: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  let next = 3;
  for (const dim of cell.dims) out[dim] = sizes[dim]! <= 2 ? sizes[dim]! : next++;
  return out;
}

/** Random weights U(-1, 1) at the probe's sizes; a parameter of unchanged shape keeps the trace's tensor. */
function probeWeights(small: CellGraph, weights: Weights, random: Random): Weights {
  const out = new Map<string, Tensor>();
  for (const param of small.params) {
    const shape = param.shape as number[];
    const own = weights.get(param.name);
    if (own && own.shape.length === shape.length && own.shape.every((d, i) => d === shape[i])) {
      out.set(param.name, own);
      continue;
    }
    const data = new Float64Array(width(shape));
    random.fillUniform(data, -1, 1);
    out.set(param.name, { shape, data });
  }
  return out;
}

/**
 * Both evaluators on a short random run of `cell` (unsized) at probeSizes(sizes); undefined
 * when they agree on every recorded node at every step, else why not (for the note).
 */
export function probe(cell: CellGraph, sizes: Readonly<Record<string, number>>, weights: Weights, seed: number): string | undefined {
  const random = createRandom(seed).fork();
  const small = probeSizes(cell, sizes);
  const sized = withSizes(cell, small);
  const rows = (n: number, scale: number) => Array.from({ length: BATCH }, () => Array.from({ length: n }, () => random.uniform(-scale, scale)));
  const features = sized.inputs.reduce((a, d) => a + width(d.shape), 0);
  const run: RunInputs = {
    steps: Array.from({ length: STEPS }, () => rows(features, 2)),
    initial: new Map(sized.states.map((s) => [s.name, rows(width(s.shape), 1)])),
    noise: Array.from({ length: STEPS }, () => new Map(sized.noises.map((d) => [d.name, rows(width(d.shape), 1)]))),
  };
  const probeWeightsDrawn = probeWeights(sized, weights, random);
  const recorded = recordedNodes(sized);
  let engine: NodeRows[];
  // The lowering is what the probe checks: its instructions one by one, without assembling and
  // compiling them into the one-function step program the run builds at its own sizes (that
  // program gives the instructions' bits: tests/engine/step-program.test.ts).
  const stepProgram = useStepProgram(false);
  try {
    engine = runOnEngine(sized, small, probeWeightsDrawn, run, recorded);
  } catch (error) {
    if (error instanceof GateflowError) return `the engine cannot evaluate it (${error.message})`;
    throw error;
  } finally {
    useStepProgram(stepProgram);
  }
  return disagreement(runOnMathjs(sized, probeWeightsDrawn, run, recorded), engine);
}

/**
 * The worst value where the engine's rows leave the tolerance around mathjs's, in words for the
 * note; undefined when every value agrees (both NaN, or the same infinity, agree).
 */
export function disagreement(reference: readonly NodeRows[], engine: readonly NodeRows[]): string | undefined {
  let worst = { excess: 0, id: '', t: 0, b: 0, i: 0, engine: 0, mathjs: 0 };
  reference.forEach((nodes, t) => {
    // The engine's values where it left them (no [batch][size] arrays made for every node).
    const inPlace = engineValues(engine[t]!);
    for (const [id, ref] of Object.entries(nodes)) {
      const v = inPlace?.(id);
      ref.forEach((row, b) =>
        row.forEach((x, i) => {
          const y = v ? v.data[v.start + b * v.rowStride + i]! : engine[t]![id]![b]![i]!;
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
