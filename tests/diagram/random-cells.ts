// A seeded generator of well-typed recurrent cells, built as its own expression trees and
// printed as .cell text, and a small evaluator of those trees (plain loops, no mathjs,
// no IR): the reference that the trace must reproduce. Shapes: inputs have size I, every
// computed vector size H; a matrix is [H, I] (reads an input) or [H, H].
import { createRandom, type Random } from '../../src/random.js';

export type Fn = 'σ' | 'tanh' | 'relu' | 'softplus' | 'exp';

export type Expr =
  | { readonly k: 'ref'; readonly name: string } // an input, NAME_prev, or an earlier statement's target
  | { readonly k: 'param'; readonly name: string } // a parameter vector [H]
  | { readonly k: 'const'; readonly value: number }
  | { readonly k: 'matvec'; readonly w: string; readonly arg: Expr }
  | { readonly k: 'bin'; readonly op: '+' | '-' | '⊙'; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'scale'; readonly c: number; readonly a: Expr } // c * a
  | { readonly k: 'div'; readonly a: Expr; readonly c: number } // a / c
  | { readonly k: 'fn'; readonly fn: Fn; readonly a: Expr };

export interface GeneratedCell {
  readonly seed: number;
  readonly text: string;
  readonly inputs: readonly string[];
  readonly states: readonly string[];
  readonly outputs: readonly string[];
  readonly statements: readonly { readonly target: string; readonly expr: Expr }[];
  /** Parameter name → shape ([H] or [H, I] or [H, H]) as numbers for the given sizes. */
  readonly params: ReadonlyMap<string, 'vector' | 'input-matrix' | 'hidden-matrix'>;
}

const FNS: readonly Fn[] = ['σ', 'tanh', 'relu', 'softplus', 'exp'];

/** One random well-typed cell from `seed`: gates, state updates, shared matrices, maybe declared outputs. */
export function generateCell(seed: number): GeneratedCell {
  const random = createRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[random.int(xs.length)];
  const chance = (p: number) => random.next() < p;
  const inputs = chance(0.25) ? ['x', 'u'] : ['x'];
  const states = ['h', 'c', 'm'].slice(0, 1 + random.int(3));
  const params = new Map<string, 'vector' | 'input-matrix' | 'hidden-matrix'>();
  const statements: { target: string; expr: Expr }[] = [];
  const available: string[] = states.map((s) => `${s}_prev`); // vectors of size H readable now
  let count = 0;
  const fresh = (prefix: string, kind: 'vector' | 'input-matrix' | 'hidden-matrix') => {
    const name = `${prefix}${count++}`;
    params.set(name, kind);
    return name;
  };
  // A weight matrix is reused from an earlier statement a third of the time (shared weights).
  const matrix = (kind: 'input-matrix' | 'hidden-matrix'): string => {
    const earlier = [...params].filter(([, k]) => k === kind).map(([n]) => n);
    return earlier.length && chance(0.35) ? pick(earlier) : fresh(kind === 'input-matrix' ? 'W' : 'U', kind);
  };
  const usedInputs = new Set<string>();
  const affine = (mustReadInput: boolean): Expr => {
    const terms: Expr[] = [];
    if (mustReadInput || chance(0.7)) {
      const x = mustReadInput ? inputs.find((i) => !usedInputs.has(i)) ?? pick(inputs) : pick(inputs);
      usedInputs.add(x);
      terms.push({ k: 'matvec', w: matrix('input-matrix'), arg: { k: 'ref', name: x } });
    }
    for (let i = random.int(2) + (terms.length ? 0 : 1); i > 0; i--) terms.push({ k: 'matvec', w: matrix('hidden-matrix'), arg: { k: 'ref', name: pick(available) } });
    if (chance(0.35)) terms.push({ k: 'bin', op: '⊙', a: { k: 'param', name: fresh('p', 'vector') }, b: { k: 'ref', name: pick(available) } });
    if (chance(0.6)) terms.push({ k: 'param', name: fresh('b', 'vector') });
    return terms.reduce((a, b) => ({ k: 'bin', op: '+', a, b }));
  };
  const layer = (mustReadInput = false): Expr => ({ k: 'fn', fn: pick(FNS.slice(0, 4)), a: affine(mustReadInput) });
  const value = (): Expr => ({ k: 'ref', name: pick(available) });

  if (inputs.length === 1 && chance(0.2)) return stackedCell(seed, random);
  const gates = random.int(3) + (inputs.length > 1 ? 1 : 0);
  for (let g = 0; g < gates; g++) {
    const target = `g${g}`;
    statements.push({ target, expr: layer(g < inputs.length) });
    available.push(target);
  }
  for (const s of states) {
    const prev: Expr = { k: 'ref', name: `${s}_prev` };
    const needInput = inputs.some((i) => !usedInputs.has(i));
    const forms: (() => Expr)[] = [
      () => layer(needInput),
      () => ({ k: 'bin', op: '+', a: { k: 'bin', op: '⊙', a: value(), b: prev }, b: { k: 'bin', op: '⊙', a: { k: 'bin', op: '-', a: { k: 'const', value: 1 }, b: value() }, b: layer(needInput) } }),
      () => ({ k: 'bin', op: '⊙', a: layer(needInput), b: value() }),
      () => ({ k: 'bin', op: '+', a: { k: 'bin', op: '⊙', a: { k: 'param', name: fresh('d', 'vector') }, b: prev }, b: layer(needInput) }),
      () => ({ k: 'scale', c: 0.5, a: { k: 'bin', op: '+', a: layer(needInput), b: value() } }),
      () => ({ k: 'div', a: { k: 'bin', op: '-', a: { k: 'fn', fn: pick(FNS), a: value() }, b: layer(needInput) }, c: 2 }),
    ];
    statements.push({ target: s, expr: pick(forms)() });
    available.push(s);
  }
  let outputs: string[] = [];
  if (chance(0.3)) {
    const read = pick(states);
    const y: Expr = { k: 'bin', op: '+', a: { k: 'matvec', w: matrix('hidden-matrix'), arg: { k: 'ref', name: read } }, b: { k: 'bin', op: '⊙', a: { k: 'param', name: fresh('q', 'vector') }, b: { k: 'ref', name: read } } };
    statements.push({ target: 'y', expr: y });
    outputs = ['y'];
  } else if (chance(0.2)) {
    outputs = [pick([...states.slice(0, -1), ...statements.filter((s) => s.target.startsWith('g')).map((s) => s.target), states[0]])];
  } else if (chance(0.2)) {
    // Exactly the state list (LSTM's `output: c, h`), or the only state: drawn as declared, not by the default rule.
    outputs = [...states];
  }
  // A gate no elementwise operation reads has nothing to give its rows a size: declare one of its matrices.
  const read = new Set(statements.flatMap((s) => refs(s.expr)));
  const declarations = statements
    .filter((s) => s.target.startsWith('g') && !read.has(s.target))
    .map((s) => matricesOf(s.expr)[0])
    .map((w) => `param ${w}: [hidden, ${params.get(w) === 'input-matrix' ? 'input' : 'hidden'}]`);
  const header = [`# generated from seed ${seed}`, `cell: generated-${seed}`, `title: Generated ${seed}`, `input: ${inputs.join(', ')}`, `state: ${states.join(', ')}`];
  if (outputs.length) header.push(`output: ${outputs.join(', ')}`);
  header.push(...new Set(declarations));
  const text = [...header, ...statements.map((s) => `${s.target} = ${print(s.expr)}`)].join('\n') + '\n';
  return { seed, text, inputs, states, outputs, statements, params };
}

/**
 * Stacked layers (nn.RNN with num_layers > 1, or gated layers): layer k reads layer k-1's
 * new state, only the bottom layer reads x, and the top layer's state (or a readout of it)
 * is the output. The diagram stacks these layer above layer.
 */
function stackedCell(seed: number, random: Random): GeneratedCell {
  const states = ['h', 'c', 'm'].slice(0, 2 + random.int(2));
  const params = new Map<string, 'vector' | 'input-matrix' | 'hidden-matrix'>();
  let count = 0;
  const fresh = (prefix: string, kind: 'vector' | 'input-matrix' | 'hidden-matrix') => {
    const name = `${prefix}${count++}`;
    params.set(name, kind);
    return name;
  };
  const statements: { target: string; expr: Expr }[] = [];
  const sum = (terms: Expr[]): Expr => terms.reduce((a, b) => ({ k: 'bin', op: '+', a, b }));
  states.forEach((s, k) => {
    const below: Expr = { k: 'ref', name: k === 0 ? 'x' : states[k - 1] };
    const prev: Expr = { k: 'ref', name: `${s}_prev` };
    const affine = (): Expr =>
      sum([
        { k: 'matvec', w: fresh(k === 0 ? 'W' : 'V', k === 0 ? 'input-matrix' : 'hidden-matrix'), arg: below },
        random.next() < 0.3 ? { k: 'bin', op: '⊙', a: { k: 'param', name: fresh('u', 'vector') }, b: prev } : { k: 'matvec', w: fresh('U', 'hidden-matrix'), arg: prev },
        { k: 'param', name: fresh('b', 'vector') },
      ]);
    if (random.next() < 0.5) {
      statements.push({ target: s, expr: { k: 'fn', fn: FNS[random.int(3)], a: affine() } });
      return;
    }
    const gate = `g${k}`;
    statements.push({ target: gate, expr: { k: 'fn', fn: 'σ', a: affine() } });
    const g: Expr = { k: 'ref', name: gate };
    const candidate: Expr = { k: 'fn', fn: 'tanh', a: affine() };
    statements.push({ target: s, expr: { k: 'bin', op: '+', a: { k: 'bin', op: '⊙', a: g, b: prev }, b: { k: 'bin', op: '⊙', a: { k: 'bin', op: '-', a: { k: 'const', value: 1 }, b: g }, b: candidate } } });
  });
  const top = states[states.length - 1];
  const outputs = random.next() < 0.3 ? ['y'] : random.next() < 0.25 ? [...states] : [];
  if (outputs[0] === 'y') {
    statements.push({ target: 'y', expr: { k: 'bin', op: '+', a: { k: 'matvec', w: fresh('U', 'hidden-matrix'), arg: { k: 'ref', name: top } }, b: { k: 'bin', op: '⊙', a: { k: 'param', name: fresh('q', 'vector') }, b: { k: 'ref', name: top } } } });
  }
  const header = [`# generated from seed ${seed} (stacked layers)`, `cell: generated-${seed}`, `title: Generated ${seed}`, 'input: x', `state: ${states.join(', ')}`];
  if (outputs.length) header.push(`output: ${outputs.join(', ')}`);
  const text = [...header, ...statements.map((st) => `${st.target} = ${print(st.expr)}`)].join('\n') + '\n';
  return { seed, text, inputs: ['x'], states, outputs, statements, params };
}

/** Names read elementwise (a matrix's operand does not fix the size of its rows). */
function refs(e: Expr): string[] {
  if (e.k === 'ref') return [e.name];
  if (e.k === 'matvec') return e.arg.k === 'ref' ? [] : refs(e.arg);
  if (e.k === 'bin') return [...refs(e.a), ...refs(e.b)];
  if (e.k === 'scale' || e.k === 'div' || e.k === 'fn') return refs(e.a);
  return [];
}

function matricesOf(e: Expr): string[] {
  if (e.k === 'matvec') return [e.w, ...matricesOf(e.arg)];
  if (e.k === 'bin') return [...matricesOf(e.a), ...matricesOf(e.b)];
  if (e.k === 'scale' || e.k === 'div' || e.k === 'fn') return matricesOf(e.a);
  return [];
}

/** .cell text of an expression: every compound operand in parentheses, so precedence never decides. */
export function print(e: Expr): string {
  const operand = (x: Expr) => (x.k === 'ref' || x.k === 'param' || x.k === 'const' || x.k === 'fn' ? print(x) : `(${print(x)})`);
  switch (e.k) {
    case 'ref':
    case 'param':
      return e.name;
    case 'const':
      return String(e.value);
    case 'matvec':
      return e.arg.k === 'ref' ? `${e.w} ${e.arg.name}` : `${e.w} * (${print(e.arg)})`;
    case 'bin':
      return `${operand(e.a)} ${e.op} ${operand(e.b)}`;
    case 'scale':
      return `${e.c} * ${operand(e.a)}`;
    case 'div':
      return `${operand(e.a)} / ${e.c}`;
    case 'fn':
      return `${e.fn}(${print(e.a)})`;
  }
}

export interface Sizes {
  readonly input: number;
  readonly hidden: number;
}

/** Weights for a generated cell: U(-0.8, 0.8), row-major nested arrays. */
export function generateWeights(cell: GeneratedCell, sizes: Sizes, random: Random): Record<string, number[] | number[][]> {
  const weights: Record<string, number[] | number[][]> = {};
  const row = (n: number) => Array.from({ length: n }, () => random.uniform(-0.8, 0.8));
  for (const [name, kind] of cell.params) {
    weights[name] = kind === 'vector' ? row(sizes.hidden) : Array.from({ length: sizes.hidden }, () => row(kind === 'input-matrix' ? sizes.input : sizes.hidden));
  }
  return weights;
}

const FN: Readonly<Record<Fn, (v: number) => number>> = {
  σ: (v) => 1 / (1 + Math.exp(-v)),
  tanh: Math.tanh,
  relu: (v) => Math.max(0, v),
  softplus: (v) => Math.log1p(Math.exp(-Math.abs(v))) + Math.max(v, 0),
  exp: Math.exp,
};

/**
 * Runs the generated trees over `inputs` ([T][I·inputs], batch 1) from `initial` states:
 * every statement's value at every step.
 */
export function evaluateCell(
  cell: GeneratedCell,
  weights: Record<string, number[] | number[][]>,
  inputs: readonly (readonly number[])[],
  initial: Record<string, number[]>,
  sizes: Sizes,
): Record<string, number[]>[] {
  let state = { ...initial };
  const steps: Record<string, number[]>[] = [];
  for (const features of inputs) {
    const env = new Map<string, number[]>();
    cell.inputs.forEach((name, i) => env.set(name, features.slice(i * sizes.input, (i + 1) * sizes.input)));
    for (const s of cell.states) env.set(`${s}_prev`, state[s]);
    const ev = (e: Expr): number[] => {
      switch (e.k) {
        case 'ref':
          return env.get(e.name)!;
        case 'param':
          return weights[e.name] as number[];
        case 'const':
          return Array(sizes.hidden).fill(e.value);
        case 'matvec': {
          const w = weights[e.w] as number[][];
          const v = ev(e.arg);
          return w.map((row) => row.reduce((sum, wij, j) => sum + wij * v[j], 0));
        }
        case 'bin': {
          const a = ev(e.a);
          const b = ev(e.b);
          return a.map((ai, i) => (e.op === '+' ? ai + b[i] : e.op === '-' ? ai - b[i] : ai * b[i]));
        }
        case 'scale':
          return ev(e.a).map((v) => e.c * v);
        case 'div':
          return ev(e.a).map((v) => v / e.c);
        case 'fn':
          return ev(e.a).map(FN[e.fn]);
      }
    };
    const values: Record<string, number[]> = {};
    for (const s of cell.statements) {
      values[s.target] = ev(s.expr);
      env.set(s.target, values[s.target]);
    }
    steps.push(values);
    state = Object.fromEntries(cell.states.map((s) => [s, values[s]]));
  }
  return steps;
}
