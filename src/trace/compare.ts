/**
 * Do two models compute the same function? Each side is a run: the values of every gate at
 * every step, from a model traced here or from outputs a framework saved. The comparison
 * keeps the largest absolute difference per step and per gate, over the batch and units.
 */
import { InputError } from '../errors.js';
import type { CellResolver, RecurrentModel } from './model.js';
import { trace } from './trace.js';
import type { Sequence } from './types.js';

/** Per step, each compared value by name ('r', 'z', 'n', 'h', 'c'), [batch][size]. */
export interface Run {
  readonly label: string;
  readonly steps: readonly Readonly<Record<string, number[][]>>[];
}

export interface StepDifference {
  readonly t: number;
  /** Largest |a − b| of each compared value at this step. */
  readonly diffs: Readonly<Record<string, number>>;
}

export interface Comparison {
  /** The values both runs have, in the first run's order. */
  readonly names: readonly string[];
  readonly steps: readonly StepDifference[];
  readonly max: { readonly diff: number; readonly t: number; readonly name: string };
  readonly tolerance: number;
  readonly agree: boolean;
}

/** A model traced on `inputs`, starting from its stored initial states. */
export function runModel(model: RecurrentModel, cells: CellResolver, inputs: Sequence, options: { maxSteps?: number; inputName?: string } = {}): Run {
  const cell = cells(model.cell, model.recurrentActivation);
  const result = trace(cell, model.weights, inputs, { initial: model.initial ?? {}, weightsName: model.source, ...options });
  return { label: model.source, steps: result.steps.map((s) => s.values) };
}

export function compareRuns(a: Run, b: Run, tolerance: number): Comparison {
  const names = Object.keys(a.steps[0] ?? {}).filter((name) => name in (b.steps[0] ?? {}));
  if (names.length === 0) {
    throw new InputError(`${a.label} and ${b.label} have no value in common to compare (${a.label}: ${Object.keys(a.steps[0] ?? {}).join(', ')}; ${b.label}: ${Object.keys(b.steps[0] ?? {}).join(', ')})`);
  }
  if (a.steps.length !== b.steps.length) throw new InputError(`${a.label} has ${a.steps.length} steps, ${b.label} has ${b.steps.length}; give an input of ${b.steps.length} steps`);
  let max = { diff: -1, t: 0, name: names[0] };
  const steps = a.steps.map((valuesA, t) => {
    const diffs: Record<string, number> = {};
    for (const name of names) {
      const diff = maxAbsDifference(valuesA[name], b.steps[t][name], `${b.label}: step ${t}, '${name}'`);
      diffs[name] = diff;
      if (diff > max.diff) max = { diff, t, name };
    }
    return { t, diffs };
  });
  return { names, steps, max, tolerance, agree: max.diff <= tolerance };
}

/** The largest |a − b| of two [batch][size] values; NaN counts as a difference of Infinity. */
function maxAbsDifference(a: number[][], b: number[][], where: string): number {
  if (a.length !== b.length || a.some((row, i) => row.length !== b[i].length)) {
    throw new InputError(`${where} has shape [${b.length}, ${b[0]?.length ?? 0}], expected [${a.length}, ${a[0]?.length ?? 0}] ([batch, size])`);
  }
  let max = 0;
  a.forEach((row, i) =>
    row.forEach((v, j) => {
      const d = Math.abs(v - b[i][j]);
      max = Math.max(max, Number.isNaN(d) ? Infinity : d);
    }),
  );
  return max;
}

/** A difference as printed: 0, or three significant digits in exponent form. */
export function formatDifference(diff: number): string {
  return diff === 0 ? '0' : diff.toExponential(2);
}

/** The table of max differences, a row per step with pass/fail, then the verdict line. */
export function formatComparison(comparison: Comparison): string {
  const header = ['step', ...comparison.names, 'result'];
  const rows = comparison.steps.map((s) => [
    String(s.t),
    ...comparison.names.map((n) => formatDifference(s.diffs[n])),
    Object.values(s.diffs).every((d) => d <= comparison.tolerance) ? 'pass' : 'fail',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const { max, tolerance, agree } = comparison;
  const verdict = agree
    ? `agree: max |A - B| = ${formatDifference(max.diff)} (step ${max.t}, ${max.name}), within the tolerance ${tolerance.toExponential()}`
    : `differ: max |A - B| = ${formatDifference(max.diff)} at step ${max.t}, ${max.name} (tolerance ${tolerance.toExponential()})`;
  return `${[line(header), ...rows.map(line)].join('\n')}\n${verdict}\n`;
}

/** Saved outputs as io decodes them: arrays by name (h, c), or a gateflow trace's steps. */
export type OutputsLike =
  | { readonly kind: 'tensors'; readonly tensors: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float64Array }> }
  | { readonly kind: 'steps'; readonly steps: readonly Readonly<Record<string, number[][]>>[] };

/**
 * Saved outputs as a run. An array of h per step is [T, H] (batch 1), [T, N, H], or ONNX's
 * Y [T, 1, N, H] (one direction); c likewise.
 */
export function runFromOutputs(outputs: OutputsLike, label: string): Run {
  if (outputs.kind === 'steps') {
    if (outputs.steps.length === 0) throw new InputError(`${label}: the trace has no steps`);
    return { label, steps: outputs.steps };
  }
  const perName = new Map<string, number[][][]>();
  let steps = -1;
  for (const [name, tensor] of outputs.tensors) {
    const shape = tensor.shape;
    const dims = shape.length === 2 ? [shape[0], 1, shape[1]] : shape.length === 3 ? shape : shape.length === 4 && shape[1] === 1 ? [shape[0], shape[2], shape[3]] : undefined;
    if (!dims || dims.some((d) => d === 0)) {
      throw new InputError(`${label}: '${name}' has shape [${shape.join(', ')}], expected [T, H], [T, N, H] or ONNX's [T, 1, N, H]`);
    }
    const [T, N, H] = dims;
    if (steps >= 0 && T !== steps) throw new InputError(`${label}: '${name}' has ${T} steps, expected ${steps} (as the first array)`);
    steps = T;
    perName.set(name, Array.from({ length: T }, (_, t) => Array.from({ length: N }, (_, b) => Array.from(tensor.data.subarray((t * N + b) * H, (t * N + b + 1) * H)))));
  }
  if (steps < 0) throw new InputError(`${label}: no outputs in the file`);
  return { label, steps: Array.from({ length: steps }, (_, t) => Object.fromEntries([...perName].map(([name, v]) => [name, v[t]]))) };
}
