/**
 * The writing half of io/fs.ts. A file is written through a temporary file in its folder and
 * renamed, so a reader never sees half a file; folders are made one level at a time; a FIFO or
 * device (-o /dev/stdout) is written in place, and a symlink's target is replaced, not the link.
 * checkOutputLocation lets a command refuse a bad output before its long work starts.
 */
import { lstatSync, mkdirSync, readdirSync, readlinkSync, realpathSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { InputError } from '../errors.js';

/** Most file systems allow 255 bytes in one name; the temporary name must fit too. */
const NAME_MAX_BYTES = 255;

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'the name is too long',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  ENOENT: 'no such folder',
  ELOOP: 'too many symbolic links',
  ENXIO: 'no such device, or a pipe without a reader',
};

/** A folder as the user would write it: relative to the working folder when inside it. */
function shownFolder(dir: string): string {
  const inside = relative(process.cwd(), dir);
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : dir;
}

function cannotWrite(path: string, reason: string): InputError {
  return new InputError(`cannot write '${path}': ${reason}`);
}

const reasonOf = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return REASONS[code] ?? (code || String(error));
};

function statOf(path: string, follow = true): Stats | undefined {
  try {
    // A missing path (the usual output) as undefined, not as a thrown error: in a Node restored
    // from the startup snapshot, the error's stack trace first scans the 5 MB script for its lines.
    return follow ? statSync(path, { throwIfNoEntry: false }) : lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** Devices and pipes (and anything under /dev or /proc, such as /dev/stdout) are written in place. */
function isSpecialTarget(path: string, info: Stats | undefined): boolean {
  const absolute = resolve(path);
  if (info && !info.isFile() && !info.isDirectory()) return true;
  return Boolean(info) && (absolute.startsWith('/dev/') || absolute.startsWith('/proc/'));
}

/** Make `dir` and any missing parents, one level at a time (no recursive mkdir: it loops on /proc). */
function makeFolders(dir: string, target: string): void {
  const info = statOf(dir);
  if (info) {
    if (!info.isDirectory()) throw cannotWrite(target, `'${shownFolder(dir)}' is a file, not a folder`);
    return;
  }
  const parent = dirname(dir);
  if (parent !== dir) makeFolders(parent, target);
  try {
    mkdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotWrite(target, `cannot create the folder '${shownFolder(dir)}' (${reasonOf(error)})`);
  }
}

/** `name` cut (at a character boundary) so that `.name.PID.tmp` fits in one file name. */
function tempStem(name: string): string {
  const room = NAME_MAX_BYTES - `..${process.pid}.tmp`.length - 10;
  let stem = name;
  while (Buffer.byteLength(stem) > room) stem = stem.slice(0, -1);
  return stem;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove `.NAME.PID.tmp` files that a killed run of another (dead) process left beside `path`. */
function removeStaleTemps(dir: string, stem: string): void {
  const prefix = `.${stem}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length, -'.tmp'.length));
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isAlive(pid)) rmSync(join(dir, name), { force: true });
  }
}

/** Where the bytes go: the file itself, or the regular file a symlink points to. */
function regularTarget(path: string): string {
  const link = statOf(path, false);
  if (!link?.isSymbolicLink()) return path;
  try {
    return realpathSync(path);
  } catch {
    // A dangling link: create the file it names.
    return resolve(dirname(path), readlinkSync(path));
  }
}

/**
 * Write through a temporary file in the same folder and rename, so a reader never sees half
 * a file and a failure leaves the old file (or none) in place.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const info = statOf(path);
  if (info?.isDirectory()) throw cannotWrite(path, 'it is a folder');
  if (isSpecialTarget(path, info)) {
    try {
      writeFileSync(path, data);
    } catch (error) {
      throw cannotWrite(path, reasonOf(error));
    }
    return;
  }
  const target = regularTarget(path);
  const dir = dirname(resolve(target));
  makeFolders(dir, path);
  const stem = tempStem(basename(target));
  removeStaleTemps(dir, stem);
  const temp = join(dir, `.${stem}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, data);
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw cannotWrite(path, reasonOf(error));
  }
}

/**
 * Refuse an output location that cannot work, before the work that fills it: a folder that is
 * a file, a file that is a folder, a parent that is a file, or one that cannot be created or
 * written. Leaves nothing behind: a probe file, or a missing folder, is created and removed again.
 */
export function checkOutputLocation(path: string, kind: 'file' | 'folder'): void {
  const info = statOf(path);
  if (info) {
    if (kind === 'file' && info.isDirectory()) throw cannotWrite(path, 'it is a folder');
    if (kind === 'folder' && !info.isDirectory()) throw cannotWrite(path, 'it is a file, not a folder');
    if (kind === 'file' && isSpecialTarget(path, info)) return;
  }
  let dir = resolve(kind === 'folder' && info ? path : dirname(resolve(regularTarget(path))));
  let missing: string | undefined;
  for (let found = statOf(dir); !found; found = statOf(dir)) {
    missing = dir;
    dir = dirname(dir);
  }
  const shown = (folder: string) => (folder === resolve(path) ? path : shownFolder(folder));
  if (!statOf(dir)!.isDirectory()) throw cannotWrite(path, `'${shown(dir)}' is a file, not a folder`);
  // A probe file, not access(W_OK): root passes access() where the file system still refuses (/sys).
  const probe = join(dir, `.gateflow-probe.${process.pid}.tmp`);
  try {
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (error) {
    // ENOENT on creating a file in a folder that exists: a virtual file system (/proc).
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it takes no new files' : reasonOf(error);
    throw cannotWrite(path, `cannot write in '${shown(dir)}' (${reason})`);
  }
  if (missing === undefined) return;
  try {
    mkdirSync(missing);
    rmdirSync(missing);
  } catch (error) {
    throw cannotWrite(path, `cannot create the folder '${shown(missing)}' (${reasonOf(error)})`);
  }
}
