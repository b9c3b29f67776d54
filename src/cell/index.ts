export { parseCell, type ParseOptions } from './parse.js';
export { withSizes, numericShape } from './sizes.js';
export { toTex, toMarkdown, toText, equationsTex, parameterTex, powerOfTen, symbolTex, symbolText, timeIndex, type EquationLine, type SymbolRole } from './equations.js';
export { toJson } from './json.js';
export { readCellHeader, type CellHeader } from './header.js';
export { ACTIVATIONS, LEAF_KINDS, REDUCTIONS } from './types.js';
export type { CellGraph, CellNode, Declared, Dim, NodeId, OpKind, Shape, Sizes, Span, Statement, ActivationName, ReductionName } from './types.js';
export { CellError } from '../errors.js';
export { lintCell } from './lint.js';
