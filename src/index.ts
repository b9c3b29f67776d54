/**
 * The library surface of gateflow: one namespace per pipeline stage, plus the few
 * functions most callers start from. The CLI (src/cli) is a thin layer over exactly this.
 */

export * as cell from './cell/index.js';
export * as diagram from './diagram/index.js';
export * as trace from './trace/index.js';
export * as engine from './engine/index.js';
export * as train from './train/index.js';
export * as explore from './explore/index.js';
export * as experiments from './experiments/index.js';
export * as plot from './plot/index.js';
export * as io from './io/index.js';
export { createRandom, type Random } from './random.js';
export { loadCell } from './load-cell.js';
export { parseCell, withSizes, toTex, toMarkdown, toText, toJson } from './cell/index.js';
export type { CellGraph, CellNode, Sizes } from './cell/index.js';
export { GateflowError, CellError, ShapeError, InputError } from './errors.js';
