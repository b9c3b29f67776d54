// The dependency rules of architecture.md, read off the import lines of src/:
//   errors, random, stable-json ← cell ← diagram, engine ← trace (its fast evaluator) ← explore; engine ← train ← experiments;  plot depends only on errors;
//   io depends on cell types only; no stage imports io or cli; stages meet through index.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
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

// "Functions no longer than a screen": every function, method and arrow in these stages, from
// its first line to its last, read off the TypeScript syntax tree (comments before it excluded).
// Every stage of src/ is checked (the base modules at its top level are not).
const SHORT_STAGES = ['cell', 'diagram', 'io', 'plot', 'explore', 'experiments', 'engine', 'trace', 'train/anomaly', 'train/vae', 'cli'];
const MAX_FUNCTION_LINES = 60;
/** Longer functions, each with why it is still long; an entry that falls under the limit fails too, so the list stays true. */
const LONG_FUNCTIONS: Record<string, string> = {
  'io/series.ts decodeSeriesCsv': 'owned by the anomaly work of the same session (src/io/series.ts); split it there',
};

function functionLengths(file: string): { name: string; lines: number }[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: { name: string; lines: number }[] = [];
  const line = (pos: number) => source.getLineAndCharacterOfPosition(pos).line;
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const named = node.name ?? (ts.isVariableDeclaration(node.parent) || ts.isPropertyAssignment(node.parent) ? node.parent.name : undefined);
      const name = named ? named.getText(source) : `<function at line ${line(node.getStart(source)) + 1}>`;
      found.push({ name: `${relative(SRC, file).replaceAll('\\', '/')} ${name}`, lines: line(node.end) - line(node.getStart(source)) + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('architecture: function length', () => {
  const lengths = sourceFiles(SRC)
    .filter((file) => SHORT_STAGES.some((stage) => relative(SRC, file).replaceAll('\\', '/').startsWith(`${stage}/`)) && !file.endsWith('.d.ts'))
    .flatMap(functionLengths);

  it('measures the functions of the stages it checks', () => {
    expect(lengths.length).toBeGreaterThan(500);
    expect(lengths.find((f) => f.name === 'cell/parse.ts parseCell')?.lines).toBeGreaterThan(5);
    // Each checked stage is measured (a path typo would silently check nothing).
    for (const stage of SHORT_STAGES) expect(lengths.some((f) => f.name.startsWith(`${stage}/`)), stage).toBe(true);
  });

  it(`no function in ${SHORT_STAGES.join(', ')} is longer than ${MAX_FUNCTION_LINES} lines, but the listed ones`, () => {
    const long = lengths.filter((f) => f.lines > MAX_FUNCTION_LINES && !(f.name in LONG_FUNCTIONS)).map((f) => `${f.name}: ${f.lines} lines`);
    expect(long).toEqual([]);
  });

  it('every listed exception is still long (remove it once it is split)', () => {
    const split = Object.keys(LONG_FUNCTIONS).filter((name) => !lengths.some((f) => f.name === name && f.lines > MAX_FUNCTION_LINES));
    expect(split).toEqual([]);
  });
});
