/**
 * The only module of the library that touches the filesystem.
 * Shipped templates are found relative to this file, so the tool works from any
 * working directory and from an installed package.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';

/** templates/ beside src/ and dist/. */
export const TEMPLATES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates');
export const CELLS_DIR = join(TEMPLATES_DIR, 'cells');
export const THEMES_DIR = join(TEMPLATES_DIR, 'themes');

export interface SourceFile {
  readonly text: string;
  /** The path as the user should see it in messages. */
  readonly file: string;
}

export function readText(path: string, what = 'file'): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read ${what} '${path}'${code === 'ENOENT' ? ': no such file' : code ? ` (${code})` : ''}`);
  }
}

export function readBytes(path: string, what = 'file'): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read ${what} '${path}'${code === 'ENOENT' ? ': no such file' : code ? ` (${code})` : ''}`);
  }
}

/** Paths of the files in folder `dir` whose names end in `extension` (such as '.csv'), sorted by name. */
export function listFiles(dir: string, extension: string, what = 'folder'): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`cannot list ${what} '${dir}'${code === 'ENOENT' ? ': no such folder' : code === 'ENOTDIR' ? ': not a folder' : code ? ` (${code})` : ''}`);
  }
  return names.filter((n) => n.toLowerCase().endsWith(extension)).sort().map((n) => join(dir, n));
}

/** Names of the shipped cells, sorted. */
export function listCells(): string[] {
  return readdirSync(CELLS_DIR)
    .filter((f) => f.endsWith('.cell'))
    .map((f) => f.slice(0, -'.cell'.length))
    .sort();
}

/** A shipped cell by name ('gru') or any path to a .cell file. */
export function readCell(nameOrPath: string): SourceFile {
  const looksLikePath = nameOrPath.includes('/') || nameOrPath.includes('\\') || nameOrPath.endsWith('.cell');
  if (looksLikePath || existsSync(nameOrPath)) {
    if (!existsSync(nameOrPath) && !looksLikePath) throw new InputError(`unknown cell '${nameOrPath}'`);
    return { text: readText(nameOrPath, 'cell file'), file: nameOrPath };
  }
  const path = join(CELLS_DIR, `${nameOrPath}.cell`);
  if (!existsSync(path)) {
    throw new InputError(`unknown cell '${nameOrPath}' (shipped cells: ${listCells().join(', ')}; or give a path to a .cell file)`);
  }
  return { text: readFileSync(path, 'utf8'), file: `templates/cells/${basename(path)}` };
}

export { writeFileAtomic, checkOutputLocation } from './fs-write.js';
