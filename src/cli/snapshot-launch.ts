/**
 * gateflow's startup snapshots, seen from the bin (main.ts). `npm run build` writes
 * dist/snapshot/gateflow.blob: a V8 heap in which the command line, MathJax, svgdom and the
 * mathjs parser are loaded and warmed up, the shipped cells' layouts recalled
 * (snapshot-diagram.ts); gateflow-elk.blob, the same with elkjs, for a user's cells; trace.blob, the same
 * for the trace (snapshot-trace-entry.ts); and a manifest that says which Node made them and
 * from which files. A Node started from a blob skips loading
 * and compiling them, and elkjs's cold first layout; the bin starts one when the manifest
 * matches this Node and dist/ as they are, and otherwise runs the command itself: the same
 * code either way, so the same output bytes. Only Node's own modules here: this runs first.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DIST = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SNAPSHOT_DIR = join(DIST, 'snapshot');
export const BLOB = join(SNAPSHOT_DIR, 'gateflow.blob');
/**
 * The trace's own blob (snapshot-trace-entry.ts): the command line, the trace stage and the
 * engine, warmed, without the drawing, chart and training stages, whose heap and source a
 * trace would restore for nothing.
 */
export const TRACE_BLOB = join(SNAPSHOT_DIR, 'trace.blob');
/**
 * gateflow.blob with elkjs's engine in its heap, warmed up (snapshot-elk-entry.ts): for a
 * diagram of a .cell file, whose layout gateflow.blob does not hold; gateflow.blob would load
 * the engine cold.
 */
export const ELK_BLOB = join(SNAPSHOT_DIR, 'gateflow-elk.blob');
export const MANIFEST = join(SNAPSHOT_DIR, 'manifest.json');

/** What a blob was made by and from: the Node, and every file of dist/ as size and time. */
export interface SnapshotManifest {
  /** The dist/ it was made from: the heap holds its absolute paths. */
  readonly dist: string;
  readonly node: string;
  readonly arch: string;
  readonly platform: string;
  readonly execPath: string;
  /** Path under dist/ → [size, mtimeMs], the blob included. */
  readonly files: Readonly<Record<string, readonly [number, number]>>;
}

/** The files' sizes and times as recorded now. */
export function fingerprint(paths: readonly string[]): Record<string, [number, number]> {
  const files: Record<string, [number, number]> = {};
  for (const path of paths) {
    const info = statSync(join(DIST, path));
    files[path] = [info.size, info.mtimeMs];
  }
  return files;
}

/**
 * Why the blob cannot serve this process, or null when it can: missing, made by another Node
 * (V8 would refuse it), or stale (a file of dist/ changed since, the blob included).
 */
export function snapshotUnusable(): string | null {
  let manifest: SnapshotManifest;
  try {
    manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as SnapshotManifest;
  } catch {
    return 'no snapshot (npm run build makes one)';
  }
  if (manifest.dist !== DIST) return `the snapshot was made for ${manifest.dist}, not ${DIST}`;
  const made = `${manifest.node} ${manifest.platform}-${manifest.arch} ${manifest.execPath}`;
  const here = `${process.version} ${process.platform}-${process.arch} ${process.execPath}`;
  if (made !== here) return `the snapshot was made by ${made}, not ${here}`;
  for (const [path, [size, mtime]] of Object.entries(manifest.files)) {
    let info;
    try {
      info = statSync(join(DIST, path));
    } catch {
      return `stale snapshot: dist/${path} is gone`;
    }
    if (info.size !== size || info.mtimeMs !== mtime) return `stale snapshot: dist/${path} changed since it was made`;
  }
  return null;
}

/**
 * The commands the snapshots are made and tested for (the bin's first argument), each with its
 * blob. The others may load packages that a restored heap cannot import: ES modules (vega for
 * charts), which need `import()`, absent from a restored Node. (A trace's Keras weights are
 * read by h5wasm, an ES module too, but on a thread of its own, whose Node imports as usual.)
 */
export const SNAPSHOT_COMMANDS: ReadonlyMap<string, string> = new Map([
  ['diagram', BLOB],
  ['cells', BLOB],
  ['equations', BLOB],
  ['trace', TRACE_BLOB],
]);

/**
 * Node's options for a blob, the same when it is made and whenever a Node is restored from it
 * (V8 refuses a blob made under other flags). gateflow.blob keeps the hash seed it was made
 * with (no rehashing of every string and table on restore: 7% of a cold diagram's CPU); a
 * fixed seed only matters to a process hashing hostile keys at scale, which a diagram is not.
 * trace.blob takes none: a trace's threads inherit the process's options.
 */
export const SNAPSHOT_FLAGS: ReadonlyMap<string, readonly string[]> = new Map([
  [BLOB, ['--no-rehash-snapshot']],
  [ELK_BLOB, ['--no-rehash-snapshot']],
  [TRACE_BLOB, []],
]);

/**
 * Options with which a command runs without its snapshot: a trace that draws (--annotate, and
 * --html, the explorer page), since trace.blob leaves the diagram stage out. (The page's script
 * is besides the explore stage's functions as their source text, which a bundle renames.)
 * launch.sh makes the same exceptions.
 */
export const UNSERVED_OPTIONS: ReadonlyMap<string, readonly string[]> = new Map([['trace', ['--html', '--annotate']]]);

/**
 * The blob that serves `argv`, or undefined (another command, or an option it leaves out): a
 * diagram with an argument naming a .cell file (a cell of the user's) from ELK_BLOB.
 */
export function snapshotFor(argv: readonly string[]): string | undefined {
  const command = argv[0] ?? '';
  const unserved = UNSERVED_OPTIONS.get(command) ?? [];
  if (argv.some((arg) => unserved.some((option) => arg === option || arg.startsWith(`${option}=`)))) return undefined;
  if (command === 'diagram' && argv.some((arg) => arg.endsWith('.cell'))) return ELK_BLOB;
  return SNAPSHOT_COMMANDS.get(command);
}

/**
 * Run `argv` in a Node started from the snapshot and end this process as that one ended;
 * false (nothing run) for another command, when the blob cannot serve, when GATEFLOW_SNAPSHOT=0,
 * or when this Node runs with flags of its own (V8 refuses a blob made under other flags).
 */
export function runFromSnapshot(argv: readonly string[]): boolean {
  const blob = snapshotFor(argv);
  if (blob === undefined || process.env.GATEFLOW_SNAPSHOT === '0' || process.execArgv.length > 0) return false;
  const debug = process.env.GATEFLOW_DEBUG === '1';
  const why = snapshotUnusable();
  if (why !== null) {
    if (debug) process.stderr.write(`gateflow: ${why}; running without it\n`);
    return false;
  }
  if (debug) process.stderr.write(`gateflow: running from the startup snapshot ${blob}\n`);
  // `--` ends Node's own options: the command's (--help, -o) pass through as they are.
  const run = spawnSync(process.execPath, [...(SNAPSHOT_FLAGS.get(blob) ?? []), '--snapshot-blob', blob, '--', ...argv], { stdio: 'inherit' });
  if (run.error) return false;
  // Stopped by a signal: the status a shell reports for it (128 + its number).
  process.exit(run.signal ? 128 + (constants.signals[run.signal] ?? 0) : (run.status ?? 1));
}
