/** A cell by shipped name or by path, parsed: the first step of nearly every command. */
import { parseCell, type CellGraph } from './cell/index.js';
import { cellParseOptions, readCell } from './io/index.js';

/** A shipped cell by name (`gru`) or a `.cell` file by path, parsed into its graph. */
export function loadCell(nameOrPath: string): CellGraph {
  const source = readCell(nameOrPath);
  return parseCell(source.text, cellParseOptions(source));
}
