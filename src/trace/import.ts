/**
 * Named tensors from a file (JSON or safetensors) → the cell's weights: a PyTorch
 * state_dict is mapped through the convention table; anything else must already be
 * keyed by the cell's parameter names.
 */
import type { CellGraph } from '../cell/index.js';
import { fromPyTorch, isPyTorchStateDict, type PyTorchOptions } from './pytorch.js';
import type { Tensor, Weights } from './types.js';

export function fromNamedTensors(cell: CellGraph, tensors: ReadonlyMap<string, Tensor>, options: PyTorchOptions = {}): Weights {
  return isPyTorchStateDict(tensors) ? fromPyTorch(cell, tensors, options) : tensors;
}
