// Shared by the diagram tests: shipped cells parsed once per test file.
import { parseCell, type CellGraph } from '../../src/cell/index.js';
import { listCells, readCell } from '../../src/io/index.js';

const cache = new Map<string, CellGraph>();

export function cellNamed(name: string): CellGraph {
  let cell = cache.get(name);
  if (!cell) {
    const source = readCell(name);
    cell = parseCell(source.text, { file: source.file });
    cache.set(name, cell);
  }
  return cell;
}

export const SHIPPED = listCells();
