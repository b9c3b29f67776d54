/**
 * trace(cell, weights, inputs, options): run a cell over a sequence and keep every
 * node's value at every step. The phases, in order:
 *   1. inputs → [T][B][F], finite, no longer than maxSteps
 *   2. sizes from the options, the weights and the feature count
 *   3. weights: given (checked) or seeded random (PyTorch's initialisation)
 *   4. initial states (zeros unless given) and the noise stream
 *   5. step through the sequence on the engine (float64) or the mathjs evaluator (evaluators.ts)
 */
import type { CellGraph } from '../cell/index.js';
import { withSizes } from '../cell/index.js';
import { InputError, ShapeError } from '../errors.js';
import { createRandom } from '../random.js';
import { readOnlyRecords } from './engine-run.js';
import { runTrace } from './evaluators.js';
import { recordedNodes } from './probe.js';
import { resolveSizes, sizesFromFeatures } from './sizes.js';
import { DEFAULT_MAX_STEPS, type Sequence, type Trace, type TraceOptions, type TraceStep, type WeightsLike } from './types.js';
import { checkWeightNames, checkWeights, initWeights, toWeights } from './weights.js';

/**
 * Evaluates `cell` over `inputs` ([T][I] or [T][B][I]) and returns every node's value at
 * every step. With `weights` undefined, weights are drawn from `options.seed` as PyTorch
 * would; `options.sizes.hidden` then gives the hidden size.
 */
export function trace(cell: CellGraph, weights: WeightsLike | undefined, inputs: Sequence, options: TraceOptions = {}): Trace {
  const inputName = options.inputName ?? 'input';
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new InputError(`seed must be an integer, found ${seed}`);
  const steps = normalizeSequence(inputs, inputName, options.maxSteps ?? DEFAULT_MAX_STEPS);
  const batch = steps[0].length;
  const features = steps[0][0].length;

  const weightsName = options.weightsName ?? 'weights';
  const given = toWeights(weights ?? new Map());
  const resolved = resolveSizes(cell, options.sizes ?? {}, weights ? given : undefined);
  // Wrong names say more than the sizes they would have given, so they are reported first.
  if (weights) checkWeightNames(cell, resolved.sizes, given, weightsName);
  sizesFromFeatures(cell, resolved, features, inputName);
  const missing = cell.dims.filter((d) => !(d in resolved.sizes));
  if (missing.length) {
    const how = missing.map((d) => (d === 'hidden' ? '--hidden N' : `--size ${d}=N`)).join(', ');
    throw new InputError(`cell '${cell.name}' needs a size for ${missing.map((d) => `'${d}'`).join(', ')} (give ${how} / options.sizes, or weights)`);
  }
  const sizes = resolved.sizes;
  const finalWeights = weights ? given : initWeights(cell, sizes, seed);
  if (weights) checkWeights(cell, sizes, finalWeights, weightsName);
  const sized = withSizes(cell, sizes);

  const noise = createRandom(seed).fork();
  const targets = sized.statements.map((s) => s.target);
  // Inputs first in declaration order (how the features are split), then the IR's order.
  const inputOrder = new Map(sized.inputs.map((d, i) => [d.name, i]));
  // Parameter expressions that are matrices (W - W') are not per-sample values.
  const recorded = recordedNodes(sized)
    .map((node, index) => ({ node, index: node.kind === 'input' ? (inputOrder.get(node.id) ?? 0) - sized.inputs.length : index }))
    .sort((a, b) => a.index - b.index)
    .map((e) => e.node);
  const run = {
    steps,
    initial: initialStates(sized, options.initial ?? {}, batch),
    // Drawn step by step, noise by noise, as the evaluators consume them.
    noise: steps.map(() => new Map(sized.noises.map((n) => [n.name, randomRows(noise, batch, size(n.shape))]))),
  };
  const chosen = runTrace({ cell, sized }, sizes, finalWeights, run, recorded, { evaluator: options.evaluator, seed, warn: options.warn });
  // A statement's value is its node's (the engine's nodes are made on first read).
  const values = readOnlyRecords<number[][]>(targets);
  const out: TraceStep[] = chosen.steps.map((nodes, t) => ({ t, values: values((name) => nodes[name]!), nodes }));
  const last = out[out.length - 1];
  return {
    cell: cell.name,
    sizes: orderSizes(sizes, batch),
    steps: out,
    // The states (what the next call would start from), then declared outputs that are not states.
    final: Object.fromEntries([...new Set([...sized.states.map((s) => s.name), ...sized.outputs])].map((name) => [name, last.values[name]])),
    weights: finalWeights,
    evaluator: chosen.evaluator,
  };
}

/** [T][I] or [T][B][I] → [T][B][F], checking it is rectangular, finite and short enough. */
export function normalizeSequence(inputs: Sequence, inputName: string, maxSteps: number): number[][][] {
  if (!Array.isArray(inputs) || inputs.length === 0) throw new InputError(`${inputName}: the sequence has no steps`);
  if (inputs.length > maxSteps) {
    throw new InputError(`${inputName}: the sequence has ${inputs.length} steps, more than the limit of ${maxSteps} (raise it with --max-steps)`);
  }
  const threeD = Array.isArray(inputs[0]) && Array.isArray((inputs[0] as unknown[])[0]);
  const steps = (threeD ? inputs : (inputs as readonly (readonly number[])[]).map((row) => [row])) as readonly (readonly (readonly number[])[])[];
  const batch = steps[0].length;
  const features = Array.isArray(steps[0][0]) ? steps[0][0].length : 0;
  if (batch === 0 || features === 0) throw new InputError(`${inputName}: the first step is empty`);
  return steps.map((step, t) => {
    if (!Array.isArray(step) || step.length !== batch) throw new InputError(`${inputName}: step ${t} has ${Array.isArray(step) ? step.length : 0} batch elements, expected ${batch} (as step 0)`);
    return step.map((row, b) => {
      if (!Array.isArray(row) || row.length !== features) {
        throw new InputError(`${inputName}: step ${t}${threeD ? `, batch element ${b},` : ''} has ${Array.isArray(row) ? row.length : 0} features, expected ${features} (as step 0)`);
      }
      row.forEach((v, i) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new InputError(`${inputName}: step ${t}${threeD ? `, batch element ${b}` : ''}, feature ${i} is ${String(v)}; inputs must be finite numbers`);
        }
      });
      return row.slice();
    });
  });
}

function size(shape: readonly (string | number)[]): number {
  return shape.reduce<number>((a, d) => a * (d as number), 1);
}

function randomRows(random: ReturnType<typeof createRandom>, batch: number, n: number): number[][] {
  return Array.from({ length: batch }, () => Array.from({ length: n }, () => random.normal()));
}

function initialStates(cell: CellGraph, initial: NonNullable<TraceOptions['initial']>, batch: number): Map<string, number[][]> {
  const names = new Set(cell.states.map((s) => s.name));
  for (const name of Object.keys(initial)) {
    if (!names.has(name)) throw new InputError(`initial value for '${name}', which is not a state of cell '${cell.name}' (states: ${[...names].join(', ')})`);
  }
  return new Map(
    cell.states.map((s) => {
      const n = size(s.shape);
      const given = initial[s.name];
      if (!given) return [s.name, Array.from({ length: batch }, () => new Array<number>(n).fill(0))];
      const rows = (Array.isArray(given[0]) ? given : [given]) as readonly (readonly number[])[];
      const perBatch = Array.isArray(given[0]);
      const found = perBatch ? [rows.length, rows[0]?.length ?? 0] : [rows[0].length];
      if ((perBatch && rows.length !== batch) || rows.some((r) => r.length !== n)) {
        throw new ShapeError(`${s.name}0`, perBatch ? [batch, n] : [n], found, 'initial state');
      }
      rows.forEach((r, b) =>
        r.forEach((v, i) => {
          if (!Number.isFinite(v)) throw new InputError(`initial state '${s.name}0' has a non-finite value (${v}) at [${perBatch ? `${b}, ` : ''}${i}]`);
        }),
      );
      return [s.name, perBatch ? rows.map((r) => r.slice()) : Array.from({ length: batch }, () => rows[0].slice())];
    }),
  );
}

/** input and hidden first (as users read them), other dims sorted, batch last. */
function orderSizes(sizes: Readonly<Record<string, number>>, batch: number): Record<string, number> {
  const names = Object.keys(sizes).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return { ...Object.fromEntries(names.map((n) => [n, sizes[n]])), batch };
}

function rank(dim: string): number {
  return dim === 'input' ? 0 : dim === 'hidden' ? 1 : 2;
}
