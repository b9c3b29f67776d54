/**
 * Weights for a cell: normalising what a caller passes, drawing seeded random ones
 * the way PyTorch initialises RNN/GRU/LSTM, and checking names and shapes against
 * the cell's parameters with messages that name the tensor and both shapes.
 */
import { withSizes, type CellGraph, type Sizes } from '../cell/index.js';
import { InputError, ShapeError } from '../errors.js';
import { createRandom } from '../random.js';
import type { NestedNumbers, Tensor, Weights, WeightsLike } from './types.js';

/** A Weights map from a map, or an object of tensors or nested arrays. */
export function toWeights(weights: WeightsLike): Weights {
  if (weights instanceof Map) return weights as Weights;
  const out = new Map<string, Tensor>();
  for (const [name, value] of Object.entries(weights as Record<string, Tensor | NestedNumbers>)) {
    out.set(name, isTensor(value) ? value : tensorFromNested(value as NestedNumbers | number, name));
  }
  return out;
}

function isTensor(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && 'shape' in value && 'data' in value;
}

/** A nested array → a row-major tensor; ragged rows are an error naming the weight. */
export function tensorFromNested(value: NestedNumbers | number, name: string): Tensor {
  // A scalar parameter (param beta: []) is written as a plain number.
  if (typeof value === 'number') return { shape: [], data: Float64Array.of(value) };
  if (!Array.isArray(value)) throw new InputError(`weight '${name}' must be an array of numbers`);
  if (value.length > 0 && Array.isArray(value[0])) {
    const rows = value as readonly (readonly number[])[];
    const cols = rows[0].length;
    const data = new Float64Array(rows.length * cols);
    rows.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== cols) throw new InputError(`weight '${name}' row ${i} has ${Array.isArray(row) ? row.length : 0} values, expected ${cols} (as row 0)`);
      data.set(row, i * cols);
    });
    return { shape: [rows.length, cols], data };
  }
  return { shape: [value.length], data: Float64Array.from(value as readonly number[]) };
}

/** A tensor as nested arrays ([n] or [rows][cols]; a scalar as [value]), e.g. for JSON. */
export function tensorToNested(tensor: Tensor): number[] | number[][] {
  if (tensor.shape.length !== 2) return Array.from(tensor.data);
  const [rows, cols] = tensor.shape;
  return Array.from({ length: rows }, (_, i) => Array.from(tensor.data.subarray(i * cols, (i + 1) * cols)));
}

/**
 * Seeded random weights for every parameter, drawn as PyTorch initialises nn.RNN,
 * nn.GRU and nn.LSTM: U(-1/√hidden, 1/√hidden) for every weight and bias. Parameters
 * are drawn in the cell's order, row-major, so a seed always gives the same weights.
 * A cell without a 'hidden' size scales each parameter by its own first dimension.
 */
export function initWeights(cell: CellGraph, sizes: Sizes, seed: number): Weights {
  const resolved = withSizes(cell, sizes);
  const random = createRandom(seed);
  const weights = new Map<string, Tensor>();
  for (const param of resolved.params) {
    const shape = param.shape as number[];
    const fanIn = sizes.hidden ?? shape[0] ?? 1;
    const bound = 1 / Math.sqrt(fanIn);
    const data = new Float64Array(shape.reduce((a, b) => a * b, 1));
    random.fillUniform(data, -bound, bound);
    weights.set(param.name, { shape, data });
  }
  return weights;
}

/**
 * Checks that `weights` names exactly the cell's parameters: a missing parameter is
 * listed with its shape (numeric where `sizes` know the dims), an unknown tensor with the
 * names the cell has. Needs no sizes, so it runs before they are inferred.
 */
export function checkWeightNames(cell: CellGraph, sizes: Sizes, weights: Weights, source = 'weights'): void {
  const missing = cell.params.filter((p) => !weights.has(p.name));
  const known = new Set(cell.params.map((p) => p.name));
  const extra = [...weights.keys()].filter((name) => !known.has(name));
  if (missing.length) {
    const shape = (p: (typeof missing)[number]) => showShape(p.shape.map((d) => (typeof d === 'string' && d in sizes ? sizes[d] : d)));
    const list = missing.map((p) => `'${p.name}' ${shape(p)}`).join(', ');
    const alsoExtra = extra.length ? ` (the file has ${extra.map((n) => `'${n}'`).join(', ')} instead)` : '';
    throw new InputError(`${source}: missing parameter${missing.length > 1 ? 's' : ''} ${list} of cell '${cell.name}'${alsoExtra}`);
  }
  if (extra.length) {
    throw new InputError(
      `${source}: unknown tensor${extra.length > 1 ? 's' : ''} ${extra.map((n) => `'${n}'`).join(', ')}; cell '${cell.name}' has parameters ${cell.params.map((p) => p.name).join(', ')}`,
    );
  }
}

/**
 * Checks that `weights` has exactly the cell's parameters with the shapes `sizes`
 * give them, and finite values. `source` (a file name) prefixes the messages.
 */
export function checkWeights(cell: CellGraph, sizes: Sizes, weights: Weights, source = 'weights'): void {
  checkWeightNames(cell, sizes, weights, source);
  const resolved = withSizes(cell, sizes);
  cell.params.forEach((symbolic, index) => {
    const expected = resolved.params[index].shape as number[];
    const tensor = weights.get(symbolic.name)!;
    if (tensor.shape.length !== expected.length || tensor.shape.some((d, i) => d !== expected[i])) {
      throw paramShapeError(symbolic.name, expected, tensor.shape, symbolic.shape, source);
    }
    const bad = tensor.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new InputError(`${source}: weight '${symbolic.name}' has a non-finite value (${tensor.data[bad]}) at ${showIndex(bad, expected)}`);
  });
}

/** `source: tensor 'W_ir' has shape [2, 3], expected [3, 2] ([hidden, input])`. */
function paramShapeError(name: string, expected: readonly number[], found: readonly number[], symbolic: readonly (string | number)[], source: string): ShapeError {
  const error = new ShapeError(name, expected, found, source);
  if (symbolic.some((d) => typeof d === 'string')) error.message += ` (${showShape(symbolic)})`;
  return error;
}

function showShape(shape: readonly (string | number)[]): string {
  return `[${shape.join(', ')}]`;
}

function showIndex(flat: number, shape: readonly number[]): string {
  const index: number[] = [];
  for (let i = shape.length - 1; i >= 0; i--) {
    index.unshift(flat % shape[i]);
    flat = Math.floor(flat / shape[i]);
  }
  return showShape(index);
}

/** Weights as JSON keyed by parameter name, a matrix row per line; numbers at full float64 precision. */
export function weightsToJson(weights: Weights): string {
  const entries = [...weights].map(([name, tensor]) => {
    const nested = tensorToNested(tensor);
    const body = tensor.shape.length === 0
      ? JSON.stringify(tensor.data[0])
      : tensor.shape.length === 2
      ? `[\n${(nested as number[][]).map((row) => `    ${JSON.stringify(row).replace(/,/g, ', ')}`).join(',\n')}\n  ]`
      : JSON.stringify(nested).replace(/,/g, ', ');
    return `  ${JSON.stringify(name)}: ${body}`;
  });
  return `{\n${entries.join(',\n')}\n}\n`;
}
