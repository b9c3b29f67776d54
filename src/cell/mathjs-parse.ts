/**
 * The one place that loads mathjs's parser. mathjs's entry evaluates every
 * factory on import (about 0.5 s here), so it is required lazily on the first
 * parse: commands that never parse (`gateflow cells`) never pay for it.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { MathNode } from 'mathjs';

let parse: ((text: string) => MathNode) | undefined;

export function parseExpression(text: string): MathNode {
  if (!parse) {
    // Only the parser's own factories: the package entry would build all of mathjs (~0.4 s more).
    // The package's exports map hides these files, so they are required by path from its entry.
    const require = createRequire(import.meta.url);
    const lib = dirname(require.resolve('mathjs'));
    const { create } = require(join(lib, 'core', 'create.js')) as Pick<typeof import('mathjs'), 'create'>;
    const { parseDependencies } = require(join(lib, 'entry', 'dependenciesAny', 'dependenciesParse.generated.js')) as Pick<typeof import('mathjs'), 'parseDependencies'>;
    parse = create({ parseDependencies }).parse as (text: string) => MathNode;
  }
  return parse(text);
}

export type { MathNode };
