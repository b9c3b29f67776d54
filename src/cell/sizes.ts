import { InputError } from '../errors.js';
import type { CellGraph, Dim, Shape, Sizes } from './types.js';

/** Resolve symbolic dims to numbers. Every dim the cell uses must be given. */
export function withSizes(cell: CellGraph, sizes: Sizes): CellGraph {
  const missing = cell.dims.filter((d) => !(d in sizes));
  if (missing.length) {
    throw new InputError(`cell '${cell.name}' needs a size for ${missing.map((d) => `'${d}'`).join(', ')}`);
  }
  for (const d of cell.dims) {
    const v = sizes[d];
    if (!Number.isInteger(v) || v < 1) throw new InputError(`size '${d}' must be a positive integer, found ${v}`);
  }
  // A concatenation's size 'hidden+input' is the sum of its parts' sizes.
  const resolveDim = (d: Dim): number => (typeof d === 'number' ? d : d.split('+').reduce((sum, part) => sum + (/^\d+$/.test(part) ? Number(part) : sizes[part]), 0));
  const resolve = (shape: Shape): Dim[] => shape.map(resolveDim);
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

/** The numeric shape of a resolved shape; throws if a dim is still symbolic. */
export function numericShape(shape: Shape): number[] {
  return shape.map((d) => {
    if (typeof d !== 'number') throw new InputError(`dimension '${d}' has no size; call withSizes first`);
    return d;
  });
}
