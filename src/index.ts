/**
 * The library surface of gateflow: one namespace per pipeline stage, plus the few
 * functions most callers start from. The CLI (src/cli) is a thin layer over exactly this.
 */
import { parseCell } from './cell/index.js';
import type { CellGraph } from './cell/index.js';
import { readCell } from './io/index.js';

export * as cell from './cell/index.js';
export * as diagram from './diagram/index.js';
export * as trace from './trace/index.js';
export * as engine from './engine/index.js';
export * as train from './train/index.js';
export * as plot from './plot/index.js';
export * as io from './io/index.js';
export { createRandom, type Random } from './random.js';
export { parseCell, withSizes, toTex, toMarkdown, toText, toJson } from './cell/index.js';
export type { CellGraph, CellNode, Sizes } from './cell/index.js';
export { GateflowError, CellError, ShapeError, InputError } from './errors.js';

/** A shipped cell by name (`gru`) or a `.cell` file by path, parsed into its graph. */
export function loadCell(nameOrPath: string): CellGraph {
  const source = readCell(nameOrPath);
  return parseCell(source.text, { file: source.file });
}
