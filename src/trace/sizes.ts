/**
 * Which size each of a cell's dimensions has, read in order of authority: sizes the
 * caller gives, then the weights (W_ir [3, 2] fixes hidden = 3, input = 2), then the
 * input sequence's feature count. Each size remembers where it came from, so a
 * mismatch later says why the cell expected what it expected.
 */
import type { CellGraph } from '../cell/index.js';
import { InputError } from '../errors.js';
import type { Weights } from './types.js';

export interface ResolvedSizes {
  readonly sizes: Record<string, number>;
  /** For messages: 'given', "weight 'W_ir' is [3, 2]", 'the input has 2 features'. */
  readonly origin: Record<string, string>;
}

export function resolveSizes(cell: CellGraph, given: Readonly<Record<string, number>>, weights: Weights | undefined): ResolvedSizes {
  const sizes: Record<string, number> = {};
  const origin: Record<string, string> = {};
  for (const [dim, value] of Object.entries(given)) {
    if (!cell.dims.includes(dim)) continue;
    if (!Number.isInteger(value) || value < 1) throw new InputError(`size '${dim}' must be a positive integer, found ${value}`);
    sizes[dim] = value;
    origin[dim] = 'given';
  }
  if (weights) {
    for (const param of cell.params) {
      const tensor = weights.get(param.name);
      // A rank mismatch is left to checkWeights, which names both shapes.
      if (!tensor || tensor.shape.length !== param.shape.length) continue;
      param.shape.forEach((dim, i) => {
        if (typeof dim === 'string' && !(dim in sizes) && tensor.shape[i] >= 1) {
          sizes[dim] = tensor.shape[i];
          origin[dim] = `weight '${param.name}' is [${tensor.shape.join(', ')}]`;
        }
      });
    }
  }
  return { sizes, origin };
}

/**
 * Fills the sizes of the cell's inputs from the number of features per step, and
 * checks the count against sizes already fixed. Inputs are concatenated in
 * declaration order, so the feature count is the sum of their sizes.
 */
export function sizesFromFeatures(cell: CellGraph, resolved: ResolvedSizes, features: number, inputName: string): void {
  const { sizes, origin } = resolved;
  let known = 0;
  const unknown = new Map<string, number>();
  for (const input of cell.inputs) {
    for (const dim of input.shape.length ? input.shape : [1]) {
      if (typeof dim === 'number') known += dim;
      else if (dim in sizes) known += sizes[dim];
      else unknown.set(dim, (unknown.get(dim) ?? 0) + 1);
    }
  }
  const inputNames = cell.inputs.map((i) => i.name).join(', ');
  if (unknown.size === 0) {
    if (known !== features) {
      const why = cell.inputs
        .flatMap((i) => i.shape)
        .filter((d): d is string => typeof d === 'string')
        .map((d) => `${d} = ${sizes[d]} (${origin[d]})`);
      throw new InputError(
        `${inputName}: each step has ${features} feature${features === 1 ? '' : 's'}, but cell '${cell.name}' takes ${known} (${inputNames}${why.length ? `: ${[...new Set(why)].join(', ')}` : ''})`,
      );
    }
    return;
  }
  if (unknown.size > 1) {
    throw new InputError(`${inputName}: cannot tell the sizes ${[...unknown.keys()].map((d) => `'${d}'`).join(' and ')} apart from ${features} features; give them explicitly`);
  }
  const [[dim, count]] = [...unknown];
  const rest = features - known;
  if (rest < count || rest % count !== 0) {
    throw new InputError(`${inputName}: each step has ${features} features, which cannot be split over cell '${cell.name}''s inputs ${inputNames}`);
  }
  sizes[dim] = rest / count;
  origin[dim] = `the input has ${features} features`;
}
