import type { CellGraph } from './types.js';

/** The IR as JSON with a stable key order (for --format json and golden files). */
export function toJson(cell: CellGraph): string {
  const { name, title, file, description, inputs, states, noises, params, outputs, outputsDeclared, dims, statements, nodes } = cell;
  return JSON.stringify({ name, title, file, description, dims, inputs, states, noises, params, outputs, outputsDeclared, statements, nodes }, null, 2) + '\n';
}
