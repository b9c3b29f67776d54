// The dependency rules of architecture.md, read off the import lines of src/:
//   errors, random, stable-json ← cell ← diagram, engine ← trace (its fast evaluator) ← explore; engine ← train ← experiments;  plot depends only on errors;
//   io depends on cell types only; no stage imports io or cli; stages meet through index.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '..', 'src');

/** Modules every stage may import (they import nothing of ours but each other). */
const BASE_MODULES: readonly string[] = ['errors', 'random', 'stable-json'];

/** What each stage may import from other stages (besides itself and the base modules). */
const ALLOWED: Record<string, readonly string[]> = {
  cell: [],
  diagram: ['cell'],
  trace: ['cell', 'engine'],
  engine: ['cell'],
  train: ['cell', 'engine'],
  explore: ['cell', 'diagram', 'trace', 'engine'],
  experiments: ['cell', 'engine', 'train'],
  plot: [],
  io: ['cell'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

interface Import {
  readonly from: string;
  readonly target: string;
  readonly typeOnly: boolean;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const found: Import[] = [];
  const pattern = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(pattern)) {
    const spec = m[3] ?? m[4]!;
    found.push({ from: file, target: resolve(dirname(file), spec).replace(/\.js$/, '.ts'), typeOnly: Boolean(m[2]) });
  }
  return found;
}

/** 'cell' for src/cell/parse.ts, 'errors' for src/errors.ts, 'index' for src/index.ts. */
function stageOf(path: string): string {
  const rel = relative(SRC, path);
  const first = rel.split(/[\\/]/)[0]!;
  return first.replace(/\.ts$/, '');
}

const imports = sourceFiles(SRC).flatMap(importsOf);

describe('architecture: stage dependencies', () => {
  it('finds the source files and their imports', () => {
    expect(imports.length).toBeGreaterThan(20);
  });

  it.each(Object.keys(ALLOWED))('%s imports only the stages it may', (stage) => {
    const wrong = imports
      .filter((i) => stageOf(i.from) === stage)
      .filter((i) => {
        const target = stageOf(i.target);
        if (target === stage || BASE_MODULES.includes(target)) return false;
        if (stage === 'io' && target === 'cell') return !i.typeOnly;
        return !ALLOWED[stage]!.includes(target);
      })
      .map((i) => `${relative(SRC, i.from)} → ${relative(SRC, i.target)}`);
    expect(wrong).toEqual([]);
  });

  it('stages reach other stages only through their index.ts', () => {
    const wrong = imports
      .filter((i) => {
        const from = stageOf(i.from);
        const to = stageOf(i.target);
        if (from === to || from === 'cli' || from === 'index' || from === 'gallery') return false;
        if (BASE_MODULES.includes(to)) return false;
        return !i.target.endsWith(`${to}/index.ts`);
      })
      .map((i) => `${relative(SRC, i.from)} → ${relative(SRC, i.target)}`);
    expect(wrong).toEqual([]);
  });

  it('errors.ts, random.ts and stable-json.ts import nothing of ours but each other', () => {
    const wrong = imports.filter((i) => BASE_MODULES.includes(stageOf(i.from)) && !BASE_MODULES.includes(stageOf(i.target)));
    expect(wrong).toEqual([]);
  });
});
