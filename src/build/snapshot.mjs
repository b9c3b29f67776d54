// After bundle.mjs: gateflow's startup snapshot (src/cli/snapshot-launch.ts says how the bin
// uses it). src/cli/snapshot-entry.ts and all it reaches, as one CommonJS script (a snapshot
// takes one script and Node's own modules), run under `node --build-snapshot`; then a
// manifest of the Node that made the blob and the files of dist/ as they are now.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importMetaAsBuilt, lazyFontkit, svgdomFontDir } from './esbuild-plugins.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'dist');
const { DIST, SNAPSHOT_DIR, BLOB, MANIFEST, fingerprint } = await import(join(dist, 'cli', 'snapshot-launch.js'));
rmSync(SNAPSHOT_DIR, { recursive: true, force: true });
mkdirSync(SNAPSHOT_DIR, { recursive: true });
const script = join(SNAPSHOT_DIR, 'entry.cjs');

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
// the parser's mathjs factory bundle itself, not its loader (bundle.mjs): that compiles through
// vm.Script, whose handle a snapshot cannot hold either.
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
    to: `import { existsSync } from 'node:fs';\nimport * as bundledFactories from ${JSON.stringify(join(dist, 'cell', 'mathjs-parser.bundle.cjs'))};`,
  },
  { file: 'src/cell/mathjs-parse.ts', from: 'require(bundled)', to: 'bundledFactories' },
];
await build({
  entryPoints: [join(root, 'src', 'cli', 'snapshot-entry.ts')],
  outfile: script,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  banner: { js: banner },
  external,
  plugins: [lazyFontkit, svgdomFontDir, importMetaAsBuilt({ src: join(root, 'src'), dist, replacements })],
  logLevel: 'warning',
  // svgdom's require.resolve('svgdom') (svgdomFontDir) is answered by the banner's require.
  logOverride: { 'require-resolve-not-external': 'silent' },
});

// The script has no dynamic import() in the restored process (Node: "A dynamic import
// callback was not specified"): a package imported so (pptxgenjs and jszip for PowerPoint) is
// required instead, as the namespace import() would give.
const text = readFileSync(script, 'utf8');
writeFileSync(script, text.replace(/\bimport\("([^"./][^"]*)"\)/g, '__gfImport("$1")'));

const made = spawnSync(process.execPath, ['--snapshot-blob', BLOB, '--build-snapshot', script], { cwd: root, encoding: 'utf8' });
if (made.status !== 0) throw new Error(`node --build-snapshot failed (status ${made.status}):\n${made.stderr}`);

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
