import { InputError } from '../errors.js';
import type { CellGraph, Declared, Dim, Shape, Sizes } from './types.js';

/** Resolve symbolic dims to numbers. Every dim the cell uses must be given. */
export function withSizes(cell: CellGraph, sizes: Sizes): CellGraph {
  const missing = cell.dims.filter((d) => !Object.hasOwn(sizes, d));
  if (missing.length) {
    throw new InputError(`cell '${cell.name}' needs a size for ${missing.map((d) => `'${d}'`).join(', ')}`);
  }
  for (const d of cell.dims) {
    const v = sizes[d];
    if (!Number.isInteger(v) || v < 1) throw new InputError(`size '${d}' must be a positive integer, found ${v}`);
  }
  // A concatenation's size 'hidden+input' is the sum of its parts' sizes.
  // A cell's nodes share a few dims: each sum ('hidden+input') is split and added once.
  const known = new Map<string, number>();
  const resolveDim = (d: Dim): number => {
    if (typeof d === 'number') return d;
    let value = known.get(d);
    if (value === undefined) {
      value = d.split('+').reduce((sum, part) => sum + (/^\d+$/.test(part) ? Number(part) : sizes[part]), 0);
      known.set(d, value);
    }
    return value;
  };
  const resolve = (shape: Shape): Dim[] => shape.map(resolveDim);
  for (const declared of [...cell.inputs, ...cell.states, ...cell.params, ...cell.noises]) checkValueCount(declared, resolve(declared.shape) as number[]);
  return {
    ...cell,
    inputs: cell.inputs.map((d) => ({ ...d, shape: resolve(d.shape) })),
    states: cell.states.map((d) => ({ ...d, shape: resolve(d.shape) })),
    params: cell.params.map((d) => ({ ...d, shape: resolve(d.shape) })),
    noises: cell.noises.map((d) => ({ ...d, shape: resolve(d.shape) })),
    nodes: cell.nodes.map((n) => ({ ...n, shape: resolve(n.shape) })),
    dims: [],
  };
}

/**
 * The most values one tensor of a cell may hold (2^25, 256 MB as float64): a size written
 * in a cell (`state: h [20000]`) or given by the caller is checked before anything is allocated.
 */
export const MAX_TENSOR_VALUES = 2 ** 25;

function checkValueCount(declared: Declared, shape: readonly number[]): void {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count > MAX_TENSOR_VALUES) {
    const { file, line, column } = declared.span;
    throw new InputError(`${file}:${line}:${column}: tensor '${declared.name}' would hold ${shape.join(' × ')} = ${count} values, more than the limit of ${MAX_TENSOR_VALUES} (is a size too large?)`);
  }
}

/** The numeric shape of a resolved shape; throws if a dim is still symbolic. */
export function numericShape(shape: Shape): number[] {
  return shape.map((d) => {
    if (typeof d !== 'number') throw new InputError(`dimension '${d}' has no size; call withSizes first`);
    return d;
  });
}
