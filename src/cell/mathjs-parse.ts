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

/** The node classes the parser builds, by mathjs's name for them. */
const NODE_CLASSES = [
  'Node', 'AccessorNode', 'ArrayNode', 'AssignmentNode', 'BlockNode', 'ConditionalNode', 'ConstantNode', 'FunctionAssignmentNode',
  'FunctionNode', 'IndexNode', 'ObjectNode', 'OperatorNode', 'ParenthesisNode', 'RangeNode', 'RelationalNode', 'SymbolNode',
] as const;

type Factory = (dependencies: Record<string, unknown>) => unknown;
/** mathjs's factories the parser is made of: create and numeric's dependencies, typed, the node classes, parse. */
type Factories = { create: (dependencies: object) => { numeric: unknown; config: () => object }; numericDependencies: object } & Record<string, Factory>;

/**
 * Only these factories: the package entry would build all of mathjs (~0.4 s more).
 * `npm run build` bundles them, tree-shaken, behind mathjs-parser.cjs beside this file
 * (src/build/bundle.mjs; one file, compiled from a V8 code cache): ~10 ms to load, where
 * mathjs's files pull in hundreds of modules (~90 ms). From src/ (vitest) or a bare tsc build they come from
 * mathjs itself; its exports map hides these files, so they are required by path.
 */
function loadFactories(): Factories {
  const require = createRequire(import.meta.url);
  const bundled = join(dirname(fileURLToPath(import.meta.url)), 'mathjs-parser.cjs');
  if (existsSync(bundled)) return require(bundled) as Factories;
  const lib = dirname(require.resolve('mathjs'));
  const from = (file: string) => require(join(lib, file)) as Record<string, unknown>;
  const factories: Record<string, unknown> = {
    create: from('core/create.js').create,
    numericDependencies: from('entry/dependenciesAny/dependenciesNumeric.generated.js').numericDependencies,
    createTyped: from('core/function/typed.js').createTyped,
    createParse: from('expression/parse.js').createParse,
  };
  for (const name of NODE_CLASSES) factories[`create${name}`] = from(`expression/node/${name}.js`)[`create${name}`];
  return factories as Factories;
}

/**
 * mathjs's parse, built from its factories with only what parsing needs. Through create(),
 * parse's dependencies would build the node classes' evaluation machinery too (units,
 * matrices, subset, pow, inv, ...: about 0.5 s of typed functions on the first parse);
 * gateflow never evaluates or compiles a parsed node, so those are stand-ins that refuse.
 */
function buildParse(f: Factories): (text: string) => MathNode {
  const unavailable = (what: string) => () => {
    throw new Error(`mathjs '${what}' is not available in gateflow's parser`);
  };
  const numbers = f.create({ numericDependencies: f.numericDependencies });
  const typed = f.createTyped({});
  const Node = f.createNode({ mathWithTransform: {} });
  const SymbolNode = f.createSymbolNode({ math: {}, Node });
  const classes: Record<string, unknown> = {
    AccessorNode: f.createAccessorNode({ subset: unavailable('subset'), Node }),
    ArrayNode: f.createArrayNode({ Node }),
    AssignmentNode: f.createAssignmentNode({ subset: unavailable('subset'), matrix: unavailable('matrix'), Node }),
    BlockNode: f.createBlockNode({ ResultSet: unavailable('ResultSet'), Node }),
    ConditionalNode: f.createConditionalNode({ Node }),
    ConstantNode: f.createConstantNode({ Node, isBounded: unavailable('isBounded') }),
    FunctionAssignmentNode: f.createFunctionAssignmentNode({ typed, Node }),
    FunctionNode: f.createFunctionNode({ math: {}, Node, SymbolNode }),
    IndexNode: f.createIndexNode({ Node, size: unavailable('size') }),
    ObjectNode: f.createObjectNode({ Node }),
    OperatorNode: f.createOperatorNode({ Node }),
    ParenthesisNode: f.createParenthesisNode({ Node }),
    RangeNode: f.createRangeNode({ Node }),
    RelationalNode: f.createRelationalNode({ Node }),
    SymbolNode,
  };
  return f.createParse({ typed, numeric: numbers.numeric, config: numbers.config(), ...classes }) as (text: string) => MathNode;
}

export function parseExpression(text: string): MathNode {
  parse ??= buildParse(loadFactories());
  return parse(text);
}

export type { MathNode };
