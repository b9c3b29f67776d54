/**
 * The mathjs functions the evaluator uses, built from their own factories. mathjs's
 * package entry evaluates every factory on import (0.5 s or more here); these nine take
 * about a fifth of that, and share core modules with the cell parser's own subset.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MathJsInstance } from 'mathjs';

export type MathSubset = Pick<MathJsInstance, 'add' | 'subtract' | 'multiply' | 'dotMultiply' | 'dotDivide' | 'unaryMinus' | 'transpose' | 'map' | 'matrix'>;

const FUNCTIONS = ['add', 'subtract', 'multiply', 'dotMultiply', 'dotDivide', 'unaryMinus', 'transpose', 'map', 'matrix'] as const;

let instance: MathSubset | undefined;

export function math(): MathSubset {
  if (!instance) {
    const require = createRequire(import.meta.url);
    // `npm run build` bundles these factories with the cell parser's (tree-shaken, one bundle in
    // dist/vendor/ with a V8 code cache) and writes the loader beside this file: mathjs's own
    // files pull in about 700 modules.
    const bundled = join(dirname(fileURLToPath(import.meta.url)), 'mathjs-subset.cjs');
    const dependencies: Record<string, unknown> = {};
    let create: MathJsInstance['create'];
    if (existsSync(bundled)) {
      const bundle = require(bundled) as Record<string, unknown>;
      create = bundle.create as MathJsInstance['create'];
      for (const name of FUNCTIONS) dependencies[`${name}Dependencies`] = bundle[`${name}Dependencies`];
    } else {
      // The package's exports map hides the factory files, so they are required by path from its entry.
      const lib = dirname(require.resolve('mathjs'));
      create = (require(join(lib, 'core', 'create.js')) as Pick<MathJsInstance, 'create'>).create;
      for (const name of FUNCTIONS) {
        const key = `${name}Dependencies`;
        const file = `dependencies${name[0].toUpperCase()}${name.slice(1)}.generated.js`;
        dependencies[key] = (require(join(lib, 'entry', 'dependenciesAny', file)) as Record<string, unknown>)[key];
      }
    }
    instance = create(dependencies as Parameters<MathJsInstance['create']>[0]) as unknown as MathSubset;
  }
  return instance;
}

/**
 * A dense float64 matrix tagged with datatype 'number': untagged, mathjs rescans every
 * element of both operands on each multiply to find their type (half the run time).
 */
export function numberMatrix(rows: number[] | number[][]): import('mathjs').Matrix {
  return math().matrix(rows, 'dense', 'number');
}
