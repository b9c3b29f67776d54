// Shared by the diagram tests: shipped cells parsed once per test file.
import { parseCell, type CellGraph } from '../../src/cell/index.js';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** Test cells (tests/fixtures/cells/*.cell), read by globbing the folder: every cell there is checked. */
export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'cells');
export const FIXTURE_CELLS = readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.cell')).sort();

export function fixtureCell(file: string): CellGraph {
  const path = join(FIXTURE_DIR, file);
  let cell = cache.get(path);
  if (!cell) {
    cell = parseCell(readFileSync(path, 'utf8'), { file: `tests/fixtures/cells/${file}` });
    cache.set(path, cell);
  }
  return cell;
}
