// After tsc: replace the compiled re-export files in dist/diagram/vendor/ with self-contained
// esbuild bundles of the same exports, and bundle the mathjs factories that the cell parser and
// the trace's evaluator use (dist/vendor/mathjs.bundle.cjs). Same code, fewer files: loading MathJax from ~220 modules,
// svgdom with its font stack and the parser from ~740 modules cost `gateflow diagram`
// about 0.3 s at start-up. Run by `npm run build`; without it dist/ still works, only
// slower to start.
import { build } from 'esbuild';
import { lazyFontkit, svgdomFontDir } from './esbuild-plugins.mjs';
import { createRequire } from 'node:module';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const vendor = join(root, 'dist', 'diagram', 'vendor');

const svg = join(vendor, 'svg.js');
await build({
  entryPoints: [svg],
  outfile: svg,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS code inside an ES module bundle needs a real require for what stays external.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  plugins: [lazyFontkit, svgdomFontDir],
  logLevel: 'warning',
});

// MathJax, and below the cell parser's mathjs factories, as CommonJS bundles that a small
// loader (written over the module that is imported) compiles through vm.Script with a V8
// code cache made at the end of this build (or by the first run of an installed package): ES
// modules take no code cache in Node 20, and compiling a bundle is most of its load time.
const caches = [];
async function writeCachedLoader(bundle, loader, format) {
  const names = Object.keys(createRequire(import.meta.url)(bundle)).filter((n) => n !== '__esModule');
  const load = `const file = join(${format === 'esm' ? 'dirname(fileURLToPath(import.meta.url))' : '__dirname'}, ${JSON.stringify(basename(bundle))});
// One cache per Node version: another version's V8 would reject it. An installed package ships
// none (package.json "files"), so its first run makes them, beside the bundle, at exit.
const cacheFile = file + '.' + process.version + '.cache';
const cachedData = existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
const script = new vm.Script('(function (exports, require, module, __filename, __dirname) {' + readFileSync(file, 'utf8') + '\\n})', {
  filename: file,
  cachedData,
});
const bundle = { exports: {} };
script.runInThisContext()(bundle.exports, createRequire(file), bundle, file, dirname(file));
/** Store the compiled code, once the bundle has run what it uses; a folder we cannot write keeps none. */
function saveCodeCache() {
  const temp = cacheFile + '.' + process.pid + '.tmp';
  try {
    writeFileSync(temp, script.createCachedData());
    renameSync(temp, cacheFile);
  } catch {
    try { unlinkSync(temp); } catch {}
  }
}
if (cachedData === undefined || script.cachedDataRejected) process.once('exit', saveCodeCache);`;
  const text =
    format === 'esm'
      ? `import { existsSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
${load}
export const { ${names.join(', ')} } = bundle.exports;
export { saveCodeCache };
`
      : `const { existsSync, readFileSync, renameSync, unlinkSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const vm = require('node:vm');
${load}
module.exports = { ...bundle.exports, saveCodeCache };
`;
  await writeFile(loader, `// Written by src/build/bundle.mjs: ${basename(bundle)}, with V8's code cache when this Node accepts it.\n${text}`);
  caches.push(loader);
}

const mathjax = join(vendor, 'mathjax.js');
await build({ entryPoints: [mathjax], outfile: join(vendor, 'mathjax.cjs'), bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' });
await writeCachedLoader(join(vendor, 'mathjax.cjs'), mathjax, 'esm');

// mathjs's factories, once for both of its users: the cell parser's (src/cell/mathjs-parse.ts
// builds parse from them) and the trace's mathjs evaluator's nine functions
// (src/trace/mathjs-subset.ts), so that a trace's probe does not load mathjs's ~700 files and
// the package ships mathjs once. From mathjs's ES modules, so that esbuild keeps only what they
// reach (mathjs declares itself free of side effects). CommonJS, because both load it
// synchronously with require; each finds its loader beside itself (mathjs-parser.cjs,
// mathjs-subset.cjs), a one-line module that requires the shared one.
const mathjsBundle = join(root, 'dist', 'vendor', 'mathjs.bundle.cjs');
const parserFactories = ['create', 'numericDependencies', 'createTyped', 'createParse', 'createNode', 'createAccessorNode', 'createArrayNode', 'createAssignmentNode', 'createBlockNode', 'createConditionalNode', 'createConstantNode', 'createFunctionAssignmentNode', 'createFunctionNode', 'createIndexNode', 'createObjectNode', 'createOperatorNode', 'createParenthesisNode', 'createRangeNode', 'createRelationalNode', 'createSymbolNode'];
const evaluatorFunctions = ['add', 'subtract', 'multiply', 'dotMultiply', 'dotDivide', 'unaryMinus', 'transpose', 'map', 'matrix'].map((name) => `${name}Dependencies`);
await build({
  stdin: { contents: `export { ${[...parserFactories, ...evaluatorFunctions].join(', ')} } from 'mathjs';`, resolveDir: root, sourcefile: 'mathjs-entry.js' },
  outfile: mathjsBundle,
  // Whitespace only (names kept): the package stays well under its size limit.
  minifyWhitespace: true,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
});
await writeCachedLoader(mathjsBundle, join(root, 'dist', 'vendor', 'mathjs.cjs'), 'cjs');
// The two bundles of earlier builds, which npm pack would otherwise still ship from a dist/ built before.
for (const old of ['cell/mathjs-parser.bundle.cjs', 'trace/mathjs-subset.bundle.cjs']) await rm(join(root, 'dist', old), { force: true });
for (const user of ['cell/mathjs-parser.cjs', 'trace/mathjs-subset.cjs']) {
  await writeFile(join(root, 'dist', user), "// Written by src/build/bundle.mjs: mathjs's factories, shared with the other user of mathjs.\nmodule.exports = require('../vendor/mathjs.cjs');\n");
}

// Parse and draw every shipped cell (at both details: elkjs's layered algorithm, on its thread,
// runs each), then store the bundles' code caches.
const io = await import(join(root, 'dist', 'io', 'index.js'));
const { parseCell } = await import(join(root, 'dist', 'cell', 'index.js'));
const { diagram } = await import(join(root, 'dist', 'diagram', 'index.js'));
for (const name of io.listCells()) {
  const source = io.readCell(name);
  for (const detail of ['gates', 'ops']) await diagram(parseCell(source.text, { file: source.file }), { legend: true, detail });
}
// V8's compiled code for elkjs's engine, as it is after those layouts (the functions a cell's
// first layout compiles), for the layout thread (src/diagram/elk-thread.ts) and the engine a
// process restored from the startup snapshot loads (elk-in-process.ts). Made by this Node;
// another version rejects it and compiles.
const { writeElkCache } = await import(join(root, 'dist', 'diagram', 'elk-thread.js'));
await writeElkCache();

// And trace one (the mathjs evaluator's functions), for its bundle's cache.
const { trace } = await import(join(root, 'dist', 'trace', 'index.js'));
trace(parseCell(io.readCell('lstm').text, { file: 'lstm.cell' }), undefined, [[1, 0], [0, 1]], { sizes: { hidden: 2 }, evaluator: 'mathjs' });
for (const loader of caches) {
  const { saveCodeCache } = loader.endsWith('.cjs') ? createRequire(import.meta.url)(loader) : await import(loader);
  saveCodeCache();
}

// The bin is a shell script first (the startup snapshot's launcher): runnable as ./dist/cli/main.js
// from a clone too, not only through npm's bin link (which sets the mode itself).
await chmod(join(root, 'dist', 'cli', 'main.js'), 0o755);
// For `npm start` (src/build/build-if-stale.mjs): the time of this complete build.
await writeFile(join(root, 'dist', '.build-stamp'), `${new Date().toISOString()}\n`);
