// After bundle.mjs: gateflow's startup snapshots (src/cli/snapshot-launch.ts says how the bin
// uses them). src/cli/snapshot-entry.ts (diagram, cells, equations), snapshot-elk-entry.ts
// (a diagram of a .cell file) and snapshot-trace-entry.ts (trace), each with all it reaches
// as one CommonJS script (a snapshot takes one script and
// Node's own modules), run under `node --build-snapshot`; then a manifest of the Node that
// made the blobs and the files of dist/ as they are now.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importMetaAsBuilt, lazyFontkit, svgdomFontDir } from './esbuild-plugins.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'dist');
const { DIST, SNAPSHOT_DIR, BLOB, ELK_BLOB, TRACE_BLOB, MANIFEST, SNAPSHOT_COMMANDS, SNAPSHOT_FLAGS, UNSERVED_OPTIONS, fingerprint } = await import(join(dist, 'cli', 'snapshot-launch.js'));
rmSync(SNAPSHOT_DIR, { recursive: true, force: true });
mkdirSync(SNAPSHOT_DIR, { recursive: true });
// The trace's script leaves out the stages a served trace never loads (it would restore their
// source for nothing): drawing (trace --annotate and --html run without the snapshot:
// UNSERVED_OPTIONS), charts and training (other commands).
const snapshots = [
  { entry: 'snapshot-entry.ts', script: join(SNAPSHOT_DIR, 'entry.cjs'), blob: BLOB, leftOut: [] },
  { entry: 'snapshot-elk-entry.ts', script: join(SNAPSHOT_DIR, 'elk-entry.cjs'), blob: ELK_BLOB, leftOut: [] },
  { entry: 'snapshot-trace-entry.ts', script: join(SNAPSHOT_DIR, 'trace-entry.cjs'), blob: TRACE_BLOB, leftOut: ['diagram', 'explore', 'plot', 'train', 'experiments'] },
];
/** Imports of these stages' modules from outside them stay imports (of dist/), not bundled. */
function leaveOut(stages) {
  const dirs = stages.map((stage) => join(root, 'src', stage) + sep);
  return {
    name: 'leave-out-stages',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        const target = join(args.resolveDir, args.path);
        const dir = dirs.find((d) => target.startsWith(d));
        if (!dir || args.importer.startsWith(dir)) return undefined;
        return { path: join(dist, relative(join(root, 'src'), target)), external: true };
      });
    },
  };
}

// The script's own require takes Node's modules only, at build time and in the restored
// process alike: anything else (a native addon, a package left out of the bundle) is
// required, when first used, through a require made then, from this folder.
const banner = `var __gfBuiltinRequire = require;
var __gfPackageRequire;
var require = function (id) {
  if (id.startsWith('node:') || __gfBuiltinRequire('node:module').isBuiltin(id)) return __gfBuiltinRequire(id);
  __gfPackageRequire ??= process.getBuiltinModule('node:module').createRequire(__filename);
  return __gfPackageRequire(id);
};
var __gfImport = function (id) {
  return Promise.resolve().then(function () {
    var m = require(id);
    return m && m.__esModule ? m : Object.assign({ default: m }, m);
  });
};
require.resolve = function (id, options) {
  __gfPackageRequire ??= process.getBuiltinModule('node:module').createRequire(__filename);
  return __gfPackageRequire.resolve(id, options);
};`;
// Left out of the bundle, required where used: native addons and WebAssembly (a snapshot
// holds neither), and packages only some outputs load (PDF, PowerPoint, charts, data files).
const external = ['@resvg/resvg-js', 'onnxruntime-node', 'h5wasm', 'canvas', 'fontkit', 'pdfkit', 'svg-to-pdfkit', 'pptxgenjs', 'jszip', 'vega', 'vega-lite', 'onnx-proto', 'mnist', 'mathjs', '@tensorflow/*', 'playwright-core'];
// What a snapshot cannot hold, found by building one (V8 stops at CheckGlobalAndEternalHandles
// with an open handle in the heap): yargs reads process.stdout.columns as it loads, which opens
// standard output; read when asked instead. string-width (yargs's help, three copies) makes an
// Intl.Segmenter as it loads, an ICU object outside V8's heap; made on first use instead. And
// the mathjs factory bundle itself, not its loader (bundle.mjs): that compiles through
// vm.Script, whose handle a snapshot cannot hold either.
const mathjsBundle = join(dist, 'vendor', 'mathjs.bundle.cjs');
const replacements = [
  {
    file: 'yargs/lib/platform-shims/esm.mjs',
    from: "stdColumns: typeof process.stdout.columns !== 'undefined' ? process.stdout.columns : null",
    to: "get stdColumns() { return typeof process.stdout.columns !== 'undefined' ? process.stdout.columns : null; }",
  },
  {
    file: 'string-width/index.js',
    from: 'const segmenter = new Intl.Segmenter();',
    to: 'let madeSegmenter; const segmenter = { segment: (text) => (madeSegmenter ??= new Intl.Segmenter()).segment(text) };',
  },
  {
    file: 'src/cell/mathjs-parse.ts',
    from: "import { existsSync } from 'node:fs';",
    to: `import { existsSync } from 'node:fs';\nimport * as bundledFactories from ${JSON.stringify(mathjsBundle)};`,
  },
  { file: 'src/cell/mathjs-parse.ts', from: 'require(bundled)', to: 'bundledFactories' },
  // The trace's mathjs functions (its evaluator, the probe's reference) the same way, from the same bundle.
  {
    file: 'src/trace/mathjs-subset.ts',
    from: "import { existsSync } from 'node:fs';",
    to: `import { existsSync } from 'node:fs';\nimport * as bundledSubset from ${JSON.stringify(mathjsBundle)};`,
  },
  { file: 'src/trace/mathjs-subset.ts', from: 'require(bundled)', to: 'bundledSubset' },
];
// Every shipped cell's step layouts at both details, made by elkjs (on its thread, as without
// the snapshot) in a Node of their own: snapshot-diagram.ts recalls them, so that gateflow.blob
// holds the layouts and not the engine, which a restored process loads only for a layout of
// its own (src/diagram/elk-in-process.ts).
const layoutsScript = `
const io = await import(${JSON.stringify(join(dist, 'io', 'index.js'))});
const { parseCell } = await import(${JSON.stringify(join(dist, 'cell', 'index.js'))});
const d = await import(${JSON.stringify(join(dist, 'diagram', 'index.js'))});
for (const name of io.listCells()) {
  const source = io.readCell(name);
  const cell = parseCell(source.text, { file: source.file });
  for (const detail of ['gates', 'ops']) await d.diagram(cell, { detail });
}
process.stdout.write(JSON.stringify(await d.layoutsMade()));
`;
const layouts = spawnSync(process.execPath, ['--input-type=module', '-e', layoutsScript], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
if (layouts.status !== 0) {
  rmSync(SNAPSHOT_DIR, { recursive: true, force: true });
  console.error(`gateflow build: no startup snapshot: the shipped cells' layouts failed (status ${layouts.status}); the bin runs without it:\n${layouts.stderr}`);
  process.exit(0);
}
writeFileSync(join(SNAPSHOT_DIR, 'layouts.json'), layouts.stdout);

// Every script before any blob: the bin's shell check takes a .cjs newer than its blob for stale.
for (const { entry, script, leftOut } of snapshots) {
  await build({
    entryPoints: [join(root, 'src', 'cli', entry)],
    outfile: script,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: banner },
    // Whitespace and comments out (names kept): the script's source stays in the restored heap,
    // and esbuild keeps comments, whose few non-Latin-1 characters (×, ⊙, ≥) made V8 hold all of
    // it as two-byte text: 14.7 MB of a 36 MB heap, restored and checksummed at every start.
    minifyWhitespace: true,
    external,
    plugins: [leaveOut(leftOut), lazyFontkit, svgdomFontDir, importMetaAsBuilt({ src: join(root, 'src'), dist, replacements })],
    logLevel: 'warning',
    // svgdom's require.resolve('svgdom') (svgdomFontDir) is answered by the banner's require.
    logOverride: { 'require-resolve-not-external': 'silent' },
  });
  // The script has no dynamic import() in the restored process (Node: "A dynamic import
  // callback was not specified"): a package imported so (pptxgenjs and jszip for PowerPoint) is
  // required instead, as the namespace import() would give.
  const text = readFileSync(script, 'utf8').replace(/\bimport\("([^"./][^"]*)"\)/g, '__gfImport("$1")');
  // esbuild leaves a regular expression's characters as they are (/σ\(/): one character above
  // U+00FF and V8 holds the whole source as two-byte text, twice the bytes to restore. As a
  // \u escape it means the same in a string, a template, a regular expression or a name.
  writeFileSync(script, text.replace(/[^\u0000-\u00ff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

for (const { script, blob } of snapshots) {
  const made = spawnSync(process.execPath, [...SNAPSHOT_FLAGS.get(blob), '--snapshot-blob', blob, '--build-snapshot', script], { cwd: root, encoding: 'utf8' });
  if (made.status !== 0) {
    // The bin runs without a blob, so the build goes on (an install from git still works); the
    // test of the snapshot (tests/cli/snapshot.test.ts) fails, naming the missing blob.
    rmSync(SNAPSHOT_DIR, { recursive: true, force: true });
    console.error(`gateflow build: no startup snapshot: node --build-snapshot ${script} failed (status ${made.status}); the bin runs without it:\n${made.stderr}`);
    process.exit(0);
  }
}

/** Every file of dist/ but the snapshot's manifest, as paths under dist/. */
function distFiles(dir = dist) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (path === MANIFEST) return [];
    return statSync(path).isDirectory() ? distFiles(path) : [relative(dist, path)];
  });
}
const manifest = { dist: DIST, node: process.version, arch: process.arch, platform: process.platform, execPath: process.execPath, files: fingerprint(distFiles().filter((f) => /\.(c?js|blob)$/.test(f))) };
writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 1)}\n`);

// For the bin run as a program (dist/cli/main.js is a shell script first): the same decision
// as snapshotUnusable, made by the shell without starting a Node to make it. Stale here is a
// .js or .cjs of dist/ newer than the blob, or a Node binary newer than it (replaced in place).
// Few processes, as each costs a cold diagram a few per cent: the PATH's node compared with
// test's -ef (same file), not readlink; find stops at its first match (-quit), without head; a
// shell or find without these fails the check, and the bin runs without the snapshot.
const quote = (text) => `'${text.replaceAll("'", "'\\''")}'`;
const commandsOf = (blob) => [...SNAPSHOT_COMMANDS].filter(([, b]) => b === blob).map(([command]) => command).join('|');
writeFileSync(
  join(SNAPSHOT_DIR, 'launch.sh'),
  `# Written by src/build/snapshot.mjs; sourced by dist/cli/main.js run as a program. Starts the command
# in a Node restored from its startup snapshot when it can serve it, else returns (main.js then runs
# itself with Node, which says why with GATEFLOW_DEBUG=1).
case "$1" in
${snapshots.filter(({ blob }) => commandsOf(blob)).map(({ blob }) => `  ${commandsOf(blob)}) gateflow_blob=${quote(blob)} gateflow_flags=${quote(SNAPSHOT_FLAGS.get(blob).join(' '))} ;;`).join('\n')}
  *) return 0 ;;
esac
[ "$1" != diagram ] || for gateflow_arg in "$@"; do case "$gateflow_arg" in *.cell) gateflow_blob=${quote(ELK_BLOB)} gateflow_flags=${quote(SNAPSHOT_FLAGS.get(ELK_BLOB).join(' '))} ;; esac; done
${[...UNSERVED_OPTIONS].map(([command, options]) => `[ "$1" != ${command} ] || for gateflow_arg in "$@"; do case "$gateflow_arg" in ${options.flatMap((o) => [o, `${o}=*`]).join('|')}) return 0 ;; esac; done`).join('\n')}
[ "\${GATEFLOW_SNAPSHOT-}" != 0 ] && [ -z "\${NODE_OPTIONS-}" ] && [ "$gateflow_cli" = ${quote(join(DIST, 'cli'))} ] || return 0
gateflow_node=$(command -v node) && [ "$gateflow_node" -ef ${quote(realpathSync(process.execPath))} ] 2>/dev/null || return 0
[ ${quote(process.execPath)} -nt "$gateflow_blob" ] && return 0
gateflow_newer=$(find ${quote(DIST)} -newer "$gateflow_blob" \\( -name '*.js' -o -name '*.cjs' \\) -print -quit 2>/dev/null) && [ -z "$gateflow_newer" ] || return 0
[ "\${GATEFLOW_DEBUG-}" = 1 ] && printf 'gateflow: running from the startup snapshot %s\\n' "$gateflow_blob" >&2
exec ${quote(process.execPath)} $gateflow_flags --snapshot-blob "$gateflow_blob" -- "$@"
`,
);
