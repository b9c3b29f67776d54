// esbuild plugins shared by the build's bundles (bundle.mjs) and the startup snapshot's (snapshot.mjs).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// svgdom imports fontkit (with brotli and unicode tables) only to measure text. gateflow draws
// its labels as paths and never measures text, so fontkit is required on its first use instead.
export const lazyFontkit = {
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
export const svgdomFontDir = {
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


/**
 * For a CommonJS bundle (the startup snapshot's): each module's `import.meta` as the object
 * it is where the module runs unbundled, its url that of the built file (src/x/y.ts →
 * dist/x/y.js, a package's file its own), so that what a module finds beside itself it
 * still finds. Absolute paths: the snapshot's manifest ties the blob to this dist/.
 * `replacements` (each `from` must be found: a changed source fails the build rather than
 * bundling the wrong thing) edit a file, named by the end of its path, as it is loaded.
 */
export function importMetaAsBuilt({ src, dist, replacements = [] }) {
  return {
    name: 'import-meta-as-built',
    setup(b) {
      b.onLoad({ filter: /\.(ts|js|mjs)$/ }, async (args) => {
        let text = await readFile(args.path, 'utf8');
        const fromSrc = args.path.startsWith(src) ? args.path.slice(src.length + 1).replaceAll('\\', '/') : null;
        const edits = replacements.filter((r) => args.path.replaceAll('\\', '/').endsWith(`/${r.file}`));
        if (!text.includes('import.meta') && edits.length === 0) return undefined;
        for (const { from, to } of edits) {
          if (!text.includes(from)) throw new Error(`'${from}' not found in ${args.path}`);
          text = text.replace(from, to);
        }
        const built = fromSrc !== null ? join(dist, fromSrc.replace(/\.ts$/, '.js')) : args.path;
        const meta = `({ url: ${JSON.stringify(pathToFileURL(built).href)} })`;
        return { contents: text.replace(/\bimport\.meta\b/g, meta), loader: args.path.endsWith('.ts') ? 'ts' : 'js' };
      });
    },
  };
}
