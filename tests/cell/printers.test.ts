// The equation printers are precedence-correct: random expressions, written fully bracketed in
// a cell, are printed as text and as TeX; the text is read back with mathjs and the TeX with a
// small reader below, and both must give the generator's own tree (fast-check, seeded).
import fc from 'fast-check';
import { parse, type MathNode } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { parseCell, toMarkdown, toTex, toText } from '../../src/cell/index.js';

const SEED = 20261128;
const RUNS = 300;

/** A generated expression: the tree and the canonical form both readers must reproduce. */
interface Gen {
  readonly source: string; // fully bracketed .cell syntax
  readonly canon: string;
}
const sym = (name: string): Gen => ({ source: name, canon: name });
const bin = (op: string, srcOp: string, a: Gen, b: Gen): Gen => ({ source: `(${a.source} ${srcOp} ${b.source})`, canon: `${op}(${a.canon},${b.canon})` });
const call = (name: string, args: Gen[], canonName = name): Gen => ({ source: `${name}(${args.map((a) => a.source).join(', ')})`, canon: `${canonName}(${args.map((a) => a.canon).join(',')})` });
const num = (v: number): Gen => ({ source: v < 0 ? `(${v})` : String(v), canon: String(v) });

let weights = 0;
/** Shapes of the generated matrices, declared in the cell (a chain of products cannot infer inner sizes). */
const declared = new Map<string, string>();
/** A fresh matrix name each use, [hidden, cols]. */
const matrix = (cols = 'hidden') => {
  const name = `W_${++weights}`;
  declared.set(name, `[hidden, ${cols}]`);
  return name;
};

const vector: fc.Arbitrary<Gen> = fc.letrec<{ v: Gen; s: Gen }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(sym('h_prev'), sym('b_1'), sym('b_2')),
    fc.constant(null).map(() => bin('mul*', '*', sym(matrix('input')), sym('x'))),
    fc.tuple(fc.constantFrom(['add', '+'], ['sub', '-'], ['had', '.*'], ['div', '/']), tie('v'), tie('v')).map(([[op, s], a, b]) => bin(op!, s!, a, b)),
    tie('v').map((a) => ({ source: `(-${a.source})`, canon: `neg(${a.canon})` })),
    fc.tuple(fc.constantFrom('sigmoid', 'tanh', 'relu', 'exp', 'softplus', 'abs', 'sqrt', 'hardsigmoid', 'hardsigmoid_keras2'), tie('v')).map(([f, a]) => call(f, [a])),
    fc.tuple(tie('v'), fc.constantFrom(2, 3, 0.5, -1)).map(([a, p]) => ({ source: `(${a.source} ^ ${num(p).source})`, canon: `pow(${a.canon},${p})` })),
    tie('v').map((a) => bin('mul*', '*', sym(matrix()), a)),
    tie('v').map((a) => {
      const W = matrix();
      return bin('mul*', '*', { source: `(${W}')`, canon: `T(${W})` }, a);
    }),
    tie('v').map((a) => bin('mul*', '*', sym(matrix('hidden + input')), { source: `[${a.source}; x]`, canon: `concat(${a.canon},x)` })),
    fc.tuple(tie('s'), tie('v')).map(([s, a]) => bin('mul*', '*', s, a)),
    fc.tuple(fc.constantFrom('min', 'max'), tie('v'), fc.oneof(tie('v'), fc.constantFrom(num(0), num(6)))).map(([f, a, b]) => call(f, [a, b])),
    tie('v').map((a) => call('clip', [a, num(-1), num(1)])),
    fc.tuple(fc.constantFrom(1, 2.5), tie('v')).map(([c, a]) => bin('sub', '-', num(c), a)),
  ),
  s: fc.oneof(
    // Tiny and huge constants are printed as powers of ten (10^{-5}, 2.5\cdot 10^{7}; 1e-5 in text).
    fc.constantFrom(sym('g'), num(0.5), num(2), num(1e-5), num(2.5e7), num(3.5e-7), num(-3e-8)),
    fc.tuple(fc.constantFrom('mean', 'sum', 'min', 'max'), tie('v')).map(([f, a]) => call(f, [a])),
  ),
})).v;

/** A mathjs tree in the canonical form: brackets dropped, W (…) read as a product, -2 as a number. */
function canonMathjs(node: MathNode): string {
  const n = node as MathNode & Record<string, any>;
  const c = (m: MathNode) => canonMathjs(m);
  switch (n.type) {
    case 'ParenthesisNode':
      return c(n.content);
    case 'SymbolNode':
      return n.name;
    case 'ConstantNode':
      return String(n.value);
    case 'ArrayNode':
      return `concat(${n.items.flatMap((i: any) => (i.type === 'ArrayNode' ? i.items : [i])).map(c).join(',')})`;
    case 'FunctionNode': {
      const name = n.fn.name === 'σ' ? 'sigmoid' : n.fn.name;
      if (/^W_\d+$/.test(name) || name === 'g') return `mul*(${name},${c(n.args[0])})`; // W (…): juxtaposition
      return `${name}(${n.args.map(c).join(',')})`;
    }
    case 'OperatorNode': {
      const ops: Record<string, string> = { add: 'add', subtract: 'sub', multiply: 'mul*', dotMultiply: 'had', divide: 'div', pow: 'pow', ctranspose: 'T' };
      if (n.fn === 'unaryMinus') {
        const inner = n.args[0].type === 'ParenthesisNode' ? n.args[0].content : n.args[0];
        return inner.type === 'ConstantNode' ? String(-inner.value) : `neg(${c(n.args[0])})`;
      }
      return `${ops[n.fn]}(${n.args.map(c).join(',')})`;
    }
    default:
      throw new Error(`unexpected ${n.type}`);
  }
}

/** Text equation → mathjs syntax: ⊙ → .*, σ → sigmoid, h_{t-1} → h_prev, x_t → x. */
function readText(rhs: string): string {
  return canonMathjs(parse(rhs.replace(/⊙/g, '.*').replace(/·/g, '*').replace(/σ\(/g, 'sigmoid(').replace(/([A-Za-z]\w*)_\{t-1\}/g, '$1_prev').replace(/\bx_t\b/g, 'x')));
}

/**
 * A reader for the TeX printer's output, with the printer's binding strengths taken from
 * ordinary mathematical reading: + - loosest, then ⊙, then juxtaposition and \, (products),
 * then unary minus, then ^, then atoms (symbols, numbers, \left( \right), \frac, calls).
 */
function readTex(tex: string): string {
  const tokens = tex.match(/\\left[(\[|]|\\right[)\]|]|\\operatorname\{[a-zA-Z]+\}(?:_\{\\text\{Keras 2\}\})?|\\[a-zA-Z]+|\\,|[A-Za-z](?:_\{[^}]*\})?|\d+(?:\.\d+)?|[-+{}^,]/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++]!;
  const expect_ = (t: string) => {
    if (next() !== t) throw new Error(`expected ${t} at token ${i - 1} of ${tex}`);
  };
  const FUNCTIONS: Record<string, string> = {
    '\\sigma': 'sigmoid', '\\tanh': 'tanh', '\\exp': 'exp', '\\min': 'min', '\\max': 'max', '\\operatorname{ReLU}': 'relu',
    '\\operatorname{softplus}': 'softplus', '\\operatorname{hardsigmoid}': 'hardsigmoid', '\\operatorname{hardsigmoid}_{\\text{Keras 2}}': 'hardsigmoid_keras2',
    '\\operatorname{mean}': 'mean', '\\operatorname{sum}': 'sum', '\\operatorname{clip}': 'clip',
  };
  const symbol = (t: string) => (t === 'h_{t-1}' ? 'h_prev' : t === 'x_{t}' ? 'x' : t.replace(/_\{(\d+)\}/, '_$1'));
  const args = (close: string): string[] => {
    const out = [sum()];
    while (peek() === ',') (next(), out.push(sum()));
    expect_(close);
    return out;
  };
  const group = (): string => {
    expect_('{');
    const e = sum();
    expect_('}');
    return e;
  };
  const startsAtom = (t: string | undefined) => t !== undefined && !['+', '-', '\\odot', '\\cdot', '\\,', '}', ',', '\\right)', '\\right]', '\\right|', '^'].includes(t);
  const atom = (): string => {
    const t = next();
    if (t === '\\left(') return args('\\right)')[0]!;
    if (t === '\\left[') return `concat(${args('\\right]').join(',')})`;
    if (t === '\\left|') return `abs(${args('\\right|')[0]})`;
    if (t === '\\frac') return `div(${group()},${group()})`;
    if (t === '\\sqrt') return `sqrt(${group()})`;
    if (FUNCTIONS[t]) {
      expect_('\\left(');
      return `${FUNCTIONS[t]}(${args('\\right)').join(',')})`;
    }
    if (/^\d/.test(t)) return t;
    if (/^[A-Za-z]/.test(t)) return symbol(t);
    throw new Error(`unexpected token ${t} in ${tex}`);
  };
  const postfix = (): string => {
    let e = atom();
    while (peek() === '^') {
      next();
      expect_('{');
      if (peek() === '\\top') {
        next();
        e = `T(${e})`;
      } else {
        const minus = peek() === '-' ? (next(), '-') : '';
        const exponent = `${minus}${next()}`;
        // 10^{k} is how the printer writes a tiny or huge constant: read it back as that number.
        e = e === '10' ? String(Number(`1e${exponent}`)) : `pow(${e},${exponent})`;
      }
      expect_('}');
    }
    return e;
  };
  const unary = (): string => {
    if (peek() !== '-') return postfix();
    next();
    const inner = unary();
    return /^\d/.test(inner) ? String(-Number(inner)) : `neg(${inner})`;
  };
  const product = (): string => {
    let e = unary();
    while (peek() === '\\,' || startsAtom(peek())) {
      if (peek() === '\\,') next();
      e = `mul*(${e},${unary()})`;
    }
    return e;
  };
  const hadamard = (): string => {
    let e = product();
    while (peek() === '\\odot' || peek() === '\\cdot') {
      const op = next();
      const right = product();
      const numeric = (v: string) => /^-?\d/.test(v) && Number.isFinite(Number(v));
      // m \cdot 10^{k}: one constant, m·10^k, read exactly as the decimal literal `m`e`k`.
      if (op === '\\cdot' && numeric(e) && numeric(right)) e = String(Number(`${e}e${Math.round(Math.log10(Number(right)))}`));
      else e = `${op === '\\odot' ? 'had' : 'mul*'}(${e},${right})`;
    }
    return e;
  };
  function sum(): string {
    let e = hadamard();
    while (peek() === '+' || peek() === '-') e = `${next() === '+' ? 'add' : 'sub'}(${e},${hadamard()})`;
    return e;
  }
  const result = sum();
  if (i !== tokens.length) throw new Error(`unread tokens from ${i} in ${tex}`);
  return result;
}

function cellOf(expr: Gen): string {
  // Biases declared too: one used only inside mean(b) or [b; x] has no size to infer from.
  const params = [...expr.source.matchAll(/W_\d+|b_\d/g)].map((m) => `param ${m[0]}: ${declared.get(m[0]) ?? '[hidden]'}\n`);
  return `input: x\nstate: h\nparam g: []\n${[...new Set(params)].join('')}h = (${expr.source}) + (W_0 * x) + (g * h_prev)\n`;
}
const wrap = (canon: string) => `add(add(${canon},mul*(W_0,x)),mul*(g,h_prev))`;

describe('equation printers: brackets exactly where the structure needs them', () => {
  it("h = tanh(W x) / (1 + exp(h_prev)) keeps its brackets in text, TeX and Markdown", () => {
    const cell = parseCell('input: x\nstate: h\nh = tanh(W x) / (1 + exp(h_prev))\n', { file: 'div.cell' });
    expect(toText(cell)).toBe('h_t = tanh(W x_t) / (1 + exp(h_{t-1}))\n');
    expect(toTex(cell)).toContain('h_{t} &= \\frac{\\tanh\\left(W x_{t}\\right)}{1 + \\exp\\left(h_{t-1}\\right)}');
    expect(toMarkdown(cell)).toContain('$h_{t} = \\frac{\\tanh\\left(W x_{t}\\right)}{1 + \\exp\\left(h_{t-1}\\right)}$');
  });

  it('a / (b c): a product in a divisor is bracketed; (a / b) c keeps its order; W (-h) is not W - h', () => {
    const cell = parseCell("input: x\nstate: h\nparam g: []\nh = h_prev / (g * (W x)) + (h_prev / 2) * g + U' * (-h_prev)\n", { file: 'p.cell' });
    expect(toText(cell)).toBe("h_t = h_{t-1} / (g (W x_t)) + (h_{t-1} / 2) g + U' (-h_{t-1})\n");
  });

  it(`random expressions read back to the same tree (seed ${SEED}, ${RUNS} runs)`, () => {
    fc.assert(
      fc.property(vector, (expr) => {
        const cell = parseCell(cellOf(expr), { file: 'generated.cell' });
        const text = toText(cell).trim().replace(/^h_t = /, '');
        expect(readText(text), text).toBe(wrap(expr.canon));
        const tex = toTex(cell).split('\n').find((l) => l.includes('&='))!.replace(/^\s*h_\{t\} &= /, '');
        expect(readTex(tex), tex).toBe(wrap(expr.canon));
      }),
      { seed: SEED, numRuns: RUNS, verbose: 1 },
    );
  }, 60_000);
});
