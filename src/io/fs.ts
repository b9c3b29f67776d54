/**
 * The only module of the library that touches the filesystem.
 * Shipped templates are found relative to this file, so the tool works from any
 * working directory and from an installed package.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
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

/** What a file is read as: each kind has its own size limit. */
export type ReadKind = 'cell' | 'theme' | 'text' | 'series' | 'dataset' | 'weights';

const MB = 1024 * 1024;
/**
 * The largest file read of each kind, in bytes. A cell or theme is a few KB; inputs and
 * saved models are text; a weights file may be a large binary. GATEFLOW_MAX_READ_MB
 * replaces every limit (to raise them, or lower them); the CLI's --max-read-mb raises every
 * limit below it to it. Text is capped at 500 MB in any case: a JavaScript string holds at
 * most 2^29 characters.
 */
export const READ_LIMITS: Readonly<Record<ReadKind, number>> = {
  cell: 1 * MB,
  theme: 1 * MB,
  text: 64 * MB,
  series: 256 * MB,
  dataset: 256 * MB,
  weights: 1024 * MB,
};
const MAX_TEXT_BYTES = 500 * MB;
export const READ_LIMIT_VARIABLE = 'GATEFLOW_MAX_READ_MB';
/** The option that raises every read limit (the CLI defines it; its rule is in cli/number-rules.ts). */
export const READ_LIMIT_OPTION = '--max-read-mb';

/** Megabytes that every limit is raised to, for the current command (set by the CLI). */
let raisedToMb: number | undefined;

/** Raise every read limit to at least `mb` megabytes (undefined: back to the defaults), as --max-read-mb does. */
export function raiseReadLimits(mb: number | undefined): void {
  if (mb !== undefined && !(mb > 0 && Number.isFinite(mb))) throw new InputError(`${READ_LIMIT_OPTION} must be a positive number of megabytes, found ${mb}`);
  raisedToMb = mb;
}

/** The limit for a kind of file: READ_LIMITS or GATEFLOW_MAX_READ_MB, raised by --max-read-mb. */
export function readLimit(kind: ReadKind): number {
  const raw = process.env[READ_LIMIT_VARIABLE];
  let limit = READ_LIMITS[kind];
  if (raw !== undefined && raw !== '') {
    const mb = Number(raw);
    if (!(mb > 0) || !Number.isFinite(mb)) throw new InputError(`${READ_LIMIT_VARIABLE} must be a positive number of megabytes, found '${raw}'`);
    limit = Math.floor(mb * MB);
  }
  if (raisedToMb !== undefined) limit = Math.max(limit, Math.floor(raisedToMb * MB));
  return kind === 'weights' ? limit : Math.min(limit, MAX_TEXT_BYTES);
}

/** A UTF-8 text file, refused if it is not a regular file or is larger than the kind's limit. */
export function readText(path: string, what = 'file', kind: ReadKind = 'text'): string {
  return readCapped(path, what, kind).toString('utf8');
}

/** A binary file (weights), refused if it is not a regular file or is larger than the kind's limit. */
export function readBytes(path: string, what = 'file', kind: ReadKind = 'weights'): Uint8Array {
  return readCapped(path, what, kind);
}

/** Standard input as text, read up to the kind's limit. */
export function readStdinText(what = 'standard input', kind: ReadKind = 'text'): string {
  try {
    return readChunks(0, what, readLimit(kind), kind).toString('utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot read ${what} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/**
 * The one reader of user files. A device, FIFO or folder where a file is expected is
 * refused before it is opened (reading /dev/zero never ends; opening a FIFO blocks), and
 * the size is checked before and while reading (a file may grow, /proc files claim 0 bytes).
 */
function readCapped(path: string, what: string, kind: ReadKind): Buffer {
  const limit = readLimit(kind);
  let fd: number | undefined;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new InputError(`cannot read ${what} '${path}': ${fileTypeOf(stat)}, not a regular file`);
    if (stat.size > limit) throw tooLarge(what, path, stat.size, limit, kind);
    fd = openSync(path, 'r');
    return readChunks(fd, `${what} '${path}'`, limit, kind);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read ${what} '${path}'${code === 'ENOENT' ? ': no such file' : code ? ` (${code})` : ''}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function readChunks(fd: number, what: string, limit: number, kind: ReadKind = 'text'): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  const buffer = Buffer.allocUnsafe(Math.min(limit + 1, 4 * MB));
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buffer, 0, buffer.length, null);
    } catch (error) {
      // A non-blocking standard input has no data yet: wait a little and try again.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      continue;
    }
    if (n === 0) break;
    total += n;
    if (total > limit) throw tooLarge(what, undefined, total, limit, kind, true);
    chunks.push(Buffer.from(buffer.subarray(0, n)));
  }
  return Buffer.concat(chunks, total);
}

function tooLarge(what: string, path: string | undefined, size: number, limit: number, kind: ReadKind, atLeast = false): InputError {
  const name = path === undefined ? what : `${what} '${path}'`;
  const mb = (bytes: number): string => (bytes < MB ? `${bytes} bytes` : `${Number((bytes / MB).toFixed(1))} MB`);
  return new InputError(
    `${name} is ${atLeast ? 'more than ' : ''}${mb(atLeast ? limit : size)}, above the limit of ${mb(limit)} for a ${kind} file (raise it with ${READ_LIMIT_OPTION} or ${READ_LIMIT_VARIABLE})`,
  );
}

function fileTypeOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'a special file';
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

/** A folder of series files as listSeriesFolder finds it. */
export interface SeriesFolder {
  /** The CSV files, sorted by name; `relative` is the path below the folder (with '/'), `name` the same without '.csv' and with '/' written '__' (as nab-dev names NAB's files). */
  readonly files: readonly { readonly path: string; readonly name: string; readonly relative: string }[];
  /** Folders left out, each as "path (why)": links to folders, folders past the depth limit or that cannot be listed (other files are not series and are passed over silently). */
  readonly ignored: readonly string[];
  /** NAB's labels/combined_windows.json, when `dir` is a NAB checkout or its data/ folder. */
  readonly nabWindows?: string;
}

/** How deep listSeriesFolder looks below the folder it is given (NAB's data/<category>/<name>.csv is 2). */
export const SERIES_FOLDER_DEPTH = 3;

/**
 * The CSV files of a benchmark folder and of its subfolders (up to SERIES_FOLDER_DEPTH levels),
 * sorted. A NAB checkout (a folder holding data/ and labels/combined_windows.json) is read from
 * its data/ folder, so its results/ are not taken for series; so is its data/ folder given
 * directly. Hidden entries and symbolic links to folders are not followed (no loops).
 */
export function listSeriesFolder(dir: string): SeriesFolder {
  const windowsAt = (root: string) => join(root, 'labels', 'combined_windows.json');
  const isFile = (path: string) => statOrUndefined(path)?.isFile() ?? false;
  let start = dir;
  let nabWindows: string | undefined;
  if (isFile(windowsAt(dir)) && isDirectory(join(dir, 'data'))) [start, nabWindows] = [join(dir, 'data'), windowsAt(dir)];
  else if (basename(resolve(dir)) === 'data' && isFile(windowsAt(join(dir, '..')))) nabWindows = windowsAt(join(dir, '..'));
  const files: { path: string; name: string; relative: string }[] = [];
  const ignored: string[] = [];
  const visit = (folder: string, relative: string[], depth: number) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (depth > 0) return void ignored.push(`${folder} (cannot list it${code ? `: ${code}` : ''})`);
      throw new InputError(`cannot list data folder '${dir}'${code === 'ENOENT' ? ': no such folder' : code === 'ENOTDIR' ? ': not a folder' : code ? ` (${code})` : ''}`);
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(folder, entry.name);
      if (entry.name.startsWith('.')) continue;
      const target = entry.isSymbolicLink() ? statOrUndefined(path) : undefined;
      if (entry.isDirectory() || target?.isDirectory()) {
        if (target) ignored.push(`${path} (a link to a folder)`);
        else if (depth >= SERIES_FOLDER_DEPTH) ignored.push(`${path} (a folder more than ${SERIES_FOLDER_DEPTH} levels down)`);
        else visit(path, [...relative, entry.name], depth + 1);
      } else if (entry.name.toLowerCase().endsWith('.csv')) files.push({ path, name: [...relative, entry.name.slice(0, -'.csv'.length)].join('__'), relative: [...relative, entry.name].join('/') });
    }
  };
  visit(start, [], 0);
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { files, ignored, ...(nabWindows ? { nabWindows } : {}) };
}

function isDirectory(path: string): boolean {
  return statOrUndefined(path)?.isDirectory() ?? false;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Names of the shipped cells, sorted. */
export function listCells(): string[] {
  return readdirSync(CELLS_DIR)
    .filter((f) => f.endsWith('.cell'))
    .map((f) => f.slice(0, -'.cell'.length))
    .sort();
}

/**
 * How to parse a cell read from a file (cell/parse.ts's options): its name in messages, and the
 * cell read limit as the longest text, so --max-read-mb raises both.
 */
export function cellParseOptions(source: SourceFile): { readonly file: string; readonly maxLength: number } {
  return { file: source.file, maxLength: readLimit('cell') };
}

/** A shipped cell by name ('gru') or any path to a .cell file. */
export function readCell(nameOrPath: string): SourceFile {
  const looksLikePath = nameOrPath.includes('/') || nameOrPath.includes('\\') || nameOrPath.endsWith('.cell');
  if (looksLikePath || existsSync(nameOrPath)) {
    if (!existsSync(nameOrPath) && !looksLikePath) throw new InputError(`unknown cell '${nameOrPath}'`);
    return { text: readText(nameOrPath, 'cell file', 'cell'), file: nameOrPath };
  }
  const path = join(CELLS_DIR, `${nameOrPath}.cell`);
  if (!existsSync(path)) {
    throw new InputError(`unknown cell '${nameOrPath}' (shipped cells: ${listCells().join(', ')}; or give a path to a .cell file)`);
  }
  return { text: readText(path, 'cell file', 'cell'), file: `templates/cells/${basename(path)}` };
}

export { writeFileAtomic, checkOutputLocation } from './fs-write.js';

/**
 * A file inside an installed package, as a file URL, found along Node's module search paths
 * (for packages whose "exports" offer no require condition, such as h5wasm, and for test
 * runners without import.meta.resolve).
 */
export function packageFileUrl(name: string, path: string): string {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths(name) ?? []) {
    const candidate = join(dir, name, path);
    if (existsSync(candidate)) return pathToFileURL(candidate).href;
  }
  throw new Error(`package ${name} is not installed (looked for ${name}/${path})`);
}
