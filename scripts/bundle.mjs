// After tsc: replace the compiled re-export files in dist/diagram/vendor/ with self-contained
// esbuild bundles of the same exports, and bundle mathjs's parser factories for
// dist/cell/mathjs-parse.js. Same code, fewer files: loading MathJax from ~220 modules,
// svgdom with its font stack and the parser from ~740 modules cost `gateflow diagram`
// about 0.3 s at start-up. Run by `npm run build`; without it dist/ still works, only
// slower to start.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const vendor = join(root, 'dist', 'diagram', 'vendor');

// svgdom imports fontkit (with brotli and unicode tables) only to measure text. gateflow draws
// its labels as paths and never measures text, so fontkit is required on its first use instead.
const lazyFontkit = {
  name: 'lazy-fontkit',
  setup(b) {
    // svgdom's import gets the stand-in; the stand-in's own require stays external.
    b.onResolve({ filter: /^fontkit$/ }, (args) =>
      args.namespace === 'lazy-fontkit' ? { path: 'fontkit', external: true } : { path: 'fontkit', namespace: 'lazy-fontkit' },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-fontkit' }, () => ({
      contents: "export function openSync(...args) { return require('fontkit').openSync(...args); }",
      loader: 'js',
    }));
  },
};

// svgdom finds its bundled fonts from its own file's URL; in the bundle that URL is dist's, so
// point it back at svgdom's package (its entry, main-module.js, sits at the package root).
const svgdomFontDir = {
  name: 'svgdom-font-dir',
  setup(b) {
    b.onLoad({ filter: /svgdom[\\/]src[\\/]utils[\\/]defaults\.js$/ }, async (args) => {
      const from = 'const fileDirname = dirname(fileURLToPath(import.meta.url))';
      const text = await readFile(args.path, 'utf8');
      if (!text.includes(from)) throw new Error(`svgdom changed: '${from}' not found in ${args.path}`);
      return { contents: text.replace(from, "const fileDirname = join(dirname(require.resolve('svgdom')), 'src', 'utils')"), loader: 'js' };
    });
  },
};

for (const name of ['svg', 'mathjax']) {
  const file = join(vendor, `${name}.js`);
  await build({
    entryPoints: [file],
    outfile: file,
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
}

// The cell parser's mathjs factories, from mathjs's ES modules so that esbuild keeps only what
// create({ parseDependencies }) reaches (mathjs declares itself free of side effects).
// CommonJS, because mathjs-parse.js loads it synchronously with require.
await build({
  stdin: { contents: "export { create, parseDependencies } from 'mathjs';", resolveDir: root, sourcefile: 'mathjs-parser-entry.js' },
  outfile: join(root, 'dist', 'cell', 'mathjs-parser.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
});

// V8's compiled code for elkjs's engine, as it is after a warm-up layout, for the layout
// thread (src/diagram/elk-thread.ts). Made by this Node; another version rejects it and compiles.
const { writeElkCache } = await import(join(root, 'dist', 'diagram', 'elk-thread.js'));
await writeElkCache();
