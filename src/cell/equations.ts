/**
 * CellGraph → equations as TeX, Markdown or plain Unicode text. Pure strings.
 * symbolTex is shared with the diagram so that figure labels and equations agree.
 */
import type { ActivationName, CellGraph, CellNode, NodeId } from './types.js';

/** Where a name sits in time: a value at step t+offset, or a parameter (no time index). */
export type SymbolRole = { readonly time: number } | 'param';

const GREEK = new Set([
  'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu',
  'nu', 'xi', 'pi', 'rho', 'sigma', 'tau', 'phi', 'chi', 'psi', 'omega', 'Gamma', 'Delta', 'Theta', 'Lambda',
  'Xi', 'Pi', 'Sigma', 'Phi', 'Psi', 'Omega',
]);
const SPECIAL_BASES: Readonly<Record<string, string>> = { eps: '\\epsilon', logvar: '\\log\\sigma^{2}' };
/** A suffix naming an accent (c_tilde, or c̃ as written) and its TeX and Unicode combining forms. */
const ACCENTS: Readonly<Record<string, { tex: string; mark: string }>> = {
  tilde: { tex: '\\tilde', mark: '\u0303' }, hat: { tex: '\\hat', mark: '\u0302' }, bar: { tex: '\\bar', mark: '\u0304' },
  dot: { tex: '\\dot', mark: '\u0307' }, ddot: { tex: '\\ddot', mark: '\u0308' }, vec: { tex: '\\vec', mark: '\u20D7' },
  acute: { tex: '\\acute', mark: '\u0301' }, grave: { tex: '\\grave', mark: '\u0300' }, check: { tex: '\\check', mark: '\u030C' },
  breve: { tex: '\\breve', mark: '\u0306' },
};
/** Greek letters written as Unicode in a .cell file, so the TeX compiles with pdflatex too. */
const GREEK_LETTERS: Readonly<Record<string, string>> = Object.fromEntries(
  [...'αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΦΨΩ'].map((ch, i) => [ch, ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu', 'nu', 'xi', 'pi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'chi', 'psi', 'omega', 'Gamma', 'Delta', 'Theta', 'Lambda', 'Xi', 'Pi', 'Sigma', 'Phi', 'Psi', 'Omega'][i]!]),
);

/** 't', 't-1', 't+2'. */
export function timeIndex(offset: number): string {
  return offset === 0 ? 't' : offset < 0 ? `t${offset}` : `t+${offset}`;
}

function baseTex(base: string): string {
  if (Object.hasOwn(SPECIAL_BASES, base)) return SPECIAL_BASES[base];
  if (GREEK.has(base)) return `\\${base}`;
  if (Object.hasOwn(GREEK_LETTERS, base)) return `\\${GREEK_LETTERS[base]}`;
  return base.length === 1 ? base : `\\mathrm{${base}}`;
}

/**
 * TeX for a name: W_ir → W_{ir}; x at time 0 → x_{t}; h_prev → h_{t-1};
 * c_tilde → \tilde{c}_{t}; mu → \mu_{t}.
 */
export function symbolTex(name: string, role: SymbolRole): string {
  let rest = name;
  let offset = typeof role === 'object' ? role.time : 0;
  if (typeof role === 'object' && rest.endsWith('_prev')) {
    rest = rest.slice(0, -'_prev'.length);
    offset -= 1;
  }
  const parts = rest.split('_');
  // A letter or Greek name numbered as papers number them (h1, beta2) takes its number as a subscript: h_{1}, \\beta_{2}.
  const numbered = /^([A-Za-z]|[a-z]{2,7})(\d+)$/.exec(parts[0]);
  const numberedBase = numbered && (numbered[1].length === 1 || GREEK.has(numbered[1]) || Object.hasOwn(GREEK_LETTERS, numbered[1])) ? numbered : null;
  let tex = baseTex(numberedBase ? numberedBase[1] : parts[0]);
  const subscripts: string[] = numberedBase ? [numberedBase[2]] : [];
  for (const part of parts.slice(1)) {
    if (Object.hasOwn(ACCENTS, part)) tex = `${ACCENTS[part].tex}{${tex}}`;
    else if (part) subscripts.push(part);
  }
  if (typeof role === 'object') subscripts.push(timeIndex(offset));
  // Braces even for one character keep the output uniform and safe to nest.
  const subscript = subscripts.join(',');
  if (!subscript) return tex;
  // \log\sigma^{2} needs its subscript on the sigma, not after the superscript.
  if (tex === '\\log\\sigma^{2}') return `\\log\\sigma^{2}_{${subscript}}`;
  return `${tex}_{${subscript}}`;
}

/** Accent suffixes back as combining marks: c_tilde → c̃, W_hat_f → Ŵ_f. */
function accentsText(name: string): string {
  const [base, ...parts] = name.split('_');
  let text = base;
  const rest: string[] = [];
  for (const part of parts) {
    if (Object.hasOwn(ACCENTS, part)) text += ACCENTS[part].mark;
    else rest.push(part);
  }
  return [text.normalize('NFC'), ...rest].join('_');
}

/** Plain-text form of a name: h_prev → h_{t-1}, x → x_t, W_ir → W_ir, c_tilde → c̃_t. */
export function symbolText(name: string, role: SymbolRole): string {
  if (role === 'param') return accentsText(name);
  let rest = name;
  let offset = role.time;
  if (rest.endsWith('_prev')) {
    rest = rest.slice(0, -'_prev'.length);
    offset -= 1;
  }
  const t = timeIndex(offset);
  return `${accentsText(rest)}_${t.length > 1 ? `{${t}}` : t}`;
}

/**
 * Binding strength, as mathjs reads the text form: a call or a bracket 9, a transpose 8, a
 * power 7, unary minus 6, juxtaposition (W x, 2 x) 5, ⊙ and / 3, + and - 1. A TeX fraction
 * is atomic. An operand binding more loosely than its operator is parenthesised.
 */
const PRECEDENCE: Readonly<Record<CellNode['kind'], number>> = {
  input: 9, state: 9, param: 9, noise: 9, const: 9, identity: 9, input_prev: 9, activation: 9, reduce: 9, min: 9, max: 9, clip: 9, concat: 9, copy: 9,
  transpose: 8, pow: 7, neg: 6, matmul: 5, mul: 3, div: 3, add: 1, sub: 1,
};
const JUXTAPOSITION = 5;

interface Notation {
  readonly symbol: (name: string, role: SymbolRole) => string;
  readonly activation: Readonly<Record<ActivationName, (arg: string) => string>>;
  readonly call: (name: string, args: readonly string[]) => string;
  readonly hadamard: string;
  /** A product with a stacked vector, W · [h, x]. */
  readonly dot: string;
  readonly scale: string;
  /** null: the notation writes a/b inline (precedence 3). */
  readonly fraction: ((a: string, b: string) => string) | null;
  readonly paren: (s: string) => string;
  readonly transpose: (s: string) => string;
  readonly power: (base: string, exponent: string) => string;
  readonly stack: (parts: readonly string[]) => string;
  /**
   * Text only: mathjs reads `W (a)` as a call of W, so `W (1 - z)^2` would square W(1 - z); an
   * operand after a juxtaposition that opens with a bracket it does not end with is bracketed whole.
   */
  readonly guardCalls: boolean;
}

/** True when s is one bracketed group: '(a + b)', not '(a + b)^2'. */
function isOneGroup(s: string): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')' && --depth === 0) return i === s.length - 1;
  }
  return false;
}

const texCall = (name: string) => (arg: string) => `${name}\\left(${arg}\\right)`;
const TEX_FUNCTIONS: Readonly<Record<string, string>> = {
  min: '\\min', max: '\\max', mean: '\\operatorname{mean}', sum: '\\operatorname{sum}', clip: '\\operatorname{clip}',
};

const TEX: Notation = {
  symbol: symbolTex,
  activation: {
    sigmoid: texCall('\\sigma'),
    tanh: texCall('\\tanh'),
    relu: texCall('\\operatorname{ReLU}'),
    exp: texCall('\\exp'),
    softplus: texCall('\\operatorname{softplus}'),
    abs: (arg) => `\\left|${arg}\\right|`,
    sqrt: (arg) => `\\sqrt{${arg}}`,
    hardsigmoid: texCall('\\operatorname{hardsigmoid}'),
    hardsigmoid_keras2: texCall('\\operatorname{hardsigmoid}_{\\text{Keras 2}}'),
  },
  call: (name, args) => `${TEX_FUNCTIONS[name] ?? `\\operatorname{${name}}`}\\left(${args.join(', ')}\\right)`,
  hadamard: ' \\odot ',
  dot: ' \\cdot ',
  scale: '\\,',
  fraction: (a, b) => `\\frac{${a}}{${b}}`,
  paren: (s) => `\\left(${s}\\right)`,
  transpose: (s) => `${s}^{\\top}`,
  power: (base, exponent) => `${base}^{${exponent}}`,
  stack: (parts) => `\\left[${parts.join(', ')}\\right]`,
  guardCalls: false,
};

const textCall = (name: string) => (arg: string) => `${name}(${arg})`;
const TEXT: Notation = {
  symbol: symbolText,
  activation: {
    sigmoid: textCall('σ'), tanh: textCall('tanh'), relu: textCall('relu'), exp: textCall('exp'), softplus: textCall('softplus'),
    abs: textCall('abs'), sqrt: textCall('sqrt'), hardsigmoid: textCall('hardsigmoid'), hardsigmoid_keras2: textCall('hardsigmoid_keras2'),
  },
  call: (name, args) => `${name}(${args.join(', ')})`,
  hadamard: ' ⊙ ',
  dot: ' · ',
  scale: ' ',
  fraction: null,
  paren: (s) => `(${s})`,
  transpose: (s) => `${s}'`,
  power: (base, exponent) => `${base}^${exponent}`,
  stack: (parts) => `[${parts.join('; ')}]`,
  guardCalls: true,
};

/**
 * A very small or large number as mantissa and power of ten (1e-5 → 1, -5), rounded to
 * `digits` significant digits; undefined for 0 and for 0.01 ≤ |value| < 1e5, printed plainly.
 */
export function powerOfTen(value: number, digits: number): { mantissa: string; exponent: number } | undefined {
  const rounded = Number(value.toPrecision(digits));
  const size = Math.abs(rounded);
  if (size === 0 || (size >= 0.01 && size < 1e5)) return undefined;
  const [mantissa, exponent] = rounded.toExponential().split('e') as [string, string];
  return { mantissa, exponent: Number(exponent) };
}

/** A constant as TeX reads it best (10^{-5}, 2\cdot 10^{7}) or as a cell file writes it (1e-5, 2e7), with its binding. */
function formatNumber(value: number, tex: boolean): Printed {
  const plainPrec = value < 0 ? PRECEDENCE.neg : PRECEDENCE.const;
  const parts = powerOfTen(value, 12);
  if (!parts) return { text: Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(12))), prec: plainPrec };
  if (!tex) return { text: `${parts.mantissa}e${parts.exponent}`, prec: plainPrec };
  const power = `10^{${parts.exponent}}`;
  if (parts.mantissa === '1') return { text: power, prec: PRECEDENCE.pow };
  if (parts.mantissa === '-1') return { text: `-${power}`, prec: PRECEDENCE.neg };
  return { text: `${parts.mantissa}\\cdot ${power}`, prec: PRECEDENCE.mul };
}

interface Printed {
  readonly text: string;
  readonly prec: number;
}

/**
 * The right-hand side of a statement, rebuilt from the graph with the parentheses its structure
 * needs. Nodes are printed inputs first from a stack of their own, so a 20,000-term sum or a
 * deep nesting needs no deep recursion.
 */
function expression(cell: CellGraph, rootId: NodeId, notation: Notation, time: number): string {
  const byId = new Map(cell.nodes.map((n) => [n.id, n]));
  const statementRoots = new Set(cell.statements.map((s) => s.root));
  const printed = new Map<NodeId, Printed>();
  const stack: NodeId[] = [rootId];
  while (stack.length > 0) {
    const id = stack[stack.length - 1]!;
    const node = byId.get(id)!;
    if (printed.has(id)) {
      stack.pop();
    } else if (id !== rootId && statementRoots.has(id)) {
      // Another statement's value is written by its name.
      printed.set(id, { text: notation.symbol(node.statement || id, { time }), prec: 9 });
      stack.pop();
    } else {
      const waiting = node.inputs.filter((input) => !printed.has(input));
      if (waiting.length > 0) for (const w of waiting) stack.push(w);
      else printed.set(id, printNode(node, (input) => printed.get(input)!, byId, notation, time));
    }
  }
  return printed.get(rootId)!.text;
}

/** One node printed from its inputs' printed forms. */
function printNode(node: CellNode, printedOf: (id: NodeId) => Printed, byId: ReadonlyMap<NodeId, CellNode>, notation: Notation, time: number): Printed {
  const arg = (i: number): string => printedOf(node.inputs[i]).text;
  const done = (text: string): Printed => ({ text, prec: PRECEDENCE[node.kind] });
  switch (node.kind) {
    case 'input':
    case 'noise':
      return done(notation.symbol(node.name, { time }));
    case 'state':
    case 'input_prev':
      return done(notation.symbol(node.id, { time }));
    case 'param':
      return done(notation.symbol(node.name, 'param'));
    case 'identity':
      return done('I');
    case 'const':
      // A negative constant prints as -c, which binds as a unary minus.
      return formatNumber(node.value, notation === TEX);
    case 'copy':
      return printedOf(node.inputs[0]);
    case 'activation':
      return done(notation.activation[node.fn](arg(0)));
    case 'reduce':
      return done(notation.call(node.fn, [arg(0)]));
    case 'min':
    case 'max':
    case 'clip':
      return done(notation.call(node.kind, node.inputs.map((_, i) => arg(i))));
    case 'concat':
      return done(notation.stack(node.inputs.map((_, i) => arg(i))));
    case 'transpose':
    case 'pow':
    case 'neg':
    case 'add':
    case 'sub':
    case 'matmul':
    case 'mul':
    case 'div':
      return printOperator(node as OperatorNode, new Operands(node, printedOf, notation), byId, notation);
  }
}

/** A node's operands as printed, in parentheses where the operator binds tighter. */
class Operands {
  constructor(
    private readonly node: CellNode,
    private readonly printedOf: (id: NodeId) => Printed,
    private readonly notation: Notation,
  ) {}

  arg(i: number): string {
    return this.printedOf(this.node.inputs[i]).text;
  }

  /** Operand i, in parentheses when it binds more loosely than `min` (or as loosely, when strict). */
  operand(i: number, min: number, strict = false): string {
    const r = this.printedOf(this.node.inputs[i]);
    return r.prec < min || (strict && r.prec === min) ? this.notation.paren(r.text) : r.text;
  }

  /** The right operand of a juxtaposition (W x, 2 x). */
  juxtaposed(): string {
    const text = this.operand(1, JUXTAPOSITION, true);
    // W -h would read as a difference.
    if (text.startsWith('-')) return this.notation.paren(text);
    return this.notation.guardCalls && text.startsWith('(') && !isOneGroup(text) ? this.notation.paren(text) : text;
  }
}

/** An operator node: transpose, power, negation, sum, difference, products and division. */
type OperatorNode = CellNode & { readonly kind: 'transpose' | 'pow' | 'neg' | 'add' | 'sub' | 'matmul' | 'mul' | 'div' };

function printOperator(node: OperatorNode, o: Operands, byId: ReadonlyMap<NodeId, CellNode>, notation: Notation): Printed {
  const prec = PRECEDENCE[node.kind];
  const done = (text: string, p = prec): Printed => ({ text, prec: p });
  switch (node.kind) {
    case 'transpose':
      return done(notation.transpose(o.operand(0, prec)));
    case 'pow':
      return done(notation.power(o.operand(0, prec, true), o.arg(1)));
    case 'neg':
      return done(`-${o.operand(0, prec, true)}`);
    case 'add':
      return done(`${o.operand(0, prec)} + ${o.operand(1, prec, true)}`);
    case 'sub':
      return done(`${o.operand(0, prec)} - ${o.operand(1, prec, true)}`);
    case 'matmul':
      // Olah's W · [h_{t-1}, x_t]: written with a dot, which binds like ⊙ (mathjs reads W [..] as indexing).
      if (byId.get(node.inputs[1])!.kind === 'concat') return done(`${o.operand(0, PRECEDENCE.mul)}${notation.dot}${o.operand(1, PRECEDENCE.mul, true)}`, PRECEDENCE.mul);
      return done(`${o.operand(0, prec)} ${o.juxtaposed()}`);
    case 'mul': {
      const scalar = byId.get(node.inputs[0])!.shape.length === 0 || byId.get(node.inputs[1])!.shape.length === 0;
      if (scalar) return done(`${o.operand(0, JUXTAPOSITION)}${notation.scale}${o.juxtaposed()}`, JUXTAPOSITION);
      return done(`${o.operand(0, prec)}${notation.hadamard}${o.operand(1, prec, true)}`);
    }
    case 'div':
      if (notation.fraction) return done(notation.fraction(o.arg(0), o.arg(1)), 9);
      // The divisor is bracketed even when it is a product (a / (W x)), as a reader expects.
      return done(`${o.operand(0, prec)} / ${o.operand(1, JUXTAPOSITION, true)}`);
  }
}

/** TeX of one node's value as an expression (a parameter expression in a diagram label: W - W^{\top}). */
export function parameterTex(cell: CellGraph, id: NodeId): string {
  return expression(cell, id, TEX, 0);
}

export interface EquationLine {
  readonly target: string;
  readonly lhs: string;
  readonly rhs: string;
}

function lines(cell: CellGraph, notation: Notation, time: number): EquationLine[] {
  const noise = cell.noises.map((n) => ({
    target: n.name,
    lhs: notation.symbol(n.name, { time }),
    rhs: notation === TEX ? '\\mathcal{N}(0, I)' : 'N(0, I)',
  }));
  const statements = cell.statements.map((s) => ({
    target: s.target,
    lhs: notation.symbol(s.target, { time }),
    rhs: expression(cell, s.root, notation, time),
  }));
  return [...noise, ...statements];
}

const isNoise = (cell: CellGraph, target: string) => cell.noises.some((n) => n.name === target);

/** One TeX equation per statement, at step t (or t+time). */
export function equationsTex(cell: CellGraph, time = 0): EquationLine[] {
  return lines(cell, TEX, time);
}

/** A LaTeX `align*` block (needs amsmath); `standalone` wraps it in a compilable document. */
export function toTex(cell: CellGraph, options: { standalone?: boolean } = {}): string {
  const body = lines(cell, TEX, 0)
    .map((l) => `  ${l.lhs} &${isNoise(cell, l.target) ? '\\sim' : '='} ${l.rhs}`)
    .join(' \\\\\n');
  const block = `% ${cell.title} (${cell.name}), generated by gateflow\n\\begin{align*}\n${body}\n\\end{align*}\n`;
  if (!options.standalone) return block;
  return `\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n${block}\\end{document}\n`;
}

/** Markdown: a heading and one `$...$` line per equation. */
export function toMarkdown(cell: CellGraph): string {
  const body = lines(cell, TEX, 0)
    .map((l) => `$${l.lhs} ${isNoise(cell, l.target) ? '\\sim' : '='} ${l.rhs}$`)
    .join('\n\n');
  return `**${cell.title}** (\`${cell.name}\`)\n\n${body}\n`;
}

/** Plain Unicode text, one equation a line. */
export function toText(cell: CellGraph): string {
  return lines(cell, TEXT, 0)
    .map((l) => `${l.lhs} ${isNoise(cell, l.target) ? '~' : '='} ${l.rhs}`)
    .join('\n') + '\n';
}
