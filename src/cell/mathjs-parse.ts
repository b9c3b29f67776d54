/**
 * The one place that loads mathjs's parser. mathjs's entry evaluates every
 * factory on import (about 0.5 s here), so it is required lazily on the first
 * parse: commands that never parse (`gateflow cells`) never pay for it.
 */
import { createRequire } from 'node:module';
import type { MathNode } from 'mathjs';

let parse: ((text: string) => MathNode) | undefined;

export function parseExpression(text: string): MathNode {
  if (!parse) {
    const mathjs = createRequire(import.meta.url)('mathjs') as typeof import('mathjs');
    parse = mathjs.create({ parseDependencies: mathjs.parseDependencies }).parse as (text: string) => MathNode;
  }
  return parse(text);
}

export type { MathNode };
