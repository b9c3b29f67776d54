/**
 * The one place that loads mathjs's parser. mathjs's entry evaluates every
 * factory on import (about 0.5 s here), so it is required lazily on the first
 * parse: commands that never parse (`gateflow cells`) never pay for it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MathNode } from 'mathjs';

let parse: ((text: string) => MathNode) | undefined;

type Factories = Pick<typeof import('mathjs'), 'create' | 'parseDependencies'>;

/**
 * Only the parser's own factories: the package entry would build all of mathjs (~0.4 s more).
 * `npm run build` bundles them, tree-shaken, behind mathjs-parser.cjs beside this file
 * (src/build/bundle.mjs; one file, compiled from a V8 code cache): ~10 ms to load, where
 * mathjs's dependency files pull in ~740 modules (~90 ms). From src/ (vitest) or a bare tsc build they come from
 * mathjs itself; its exports map hides these files, so they are required by path.
 */
function loadFactories(): Factories {
  const require = createRequire(import.meta.url);
  const bundled = join(dirname(fileURLToPath(import.meta.url)), 'mathjs-parser.cjs');
  if (existsSync(bundled)) return require(bundled) as Factories;
  const lib = dirname(require.resolve('mathjs'));
  const { create } = require(join(lib, 'core', 'create.js')) as Pick<Factories, 'create'>;
  const { parseDependencies } = require(join(lib, 'entry', 'dependenciesAny', 'dependenciesParse.generated.js')) as Pick<Factories, 'parseDependencies'>;
  return { create, parseDependencies };
}

export function parseExpression(text: string): MathNode {
  if (!parse) {
    const { create, parseDependencies } = loadFactories();
    parse = create({ parseDependencies }).parse as (text: string) => MathNode;
  }
  return parse(text);
}

export type { MathNode };
