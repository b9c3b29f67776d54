/**
 * CellGraph → equations as TeX, Markdown or plain Unicode text. Pure strings.
 * symbolTex is shared with the diagram so that figure labels and equations agree.
 */
import type { CellGraph, CellNode, NodeId } from './types.js';

/** Where a name sits in time: a value at step t+offset, or a parameter (no time index). */
export type SymbolRole = { readonly time: number } | 'param';

const GREEK = new Set([
  'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu',
  'nu', 'xi', 'pi', 'rho', 'sigma', 'tau', 'phi', 'chi', 'psi', 'omega', 'Gamma', 'Delta', 'Theta', 'Lambda',
  'Xi', 'Pi', 'Sigma', 'Phi', 'Psi', 'Omega',
]);
const SPECIAL_BASES: Readonly<Record<string, string>> = { eps: '\\epsilon', logvar: '\\log\\sigma^{2}' };
const ACCENTS: Readonly<Record<string, string>> = { tilde: '\\tilde', hat: '\\hat', bar: '\\bar' };

/** 't', 't-1', 't+2'. */
export function timeIndex(offset: number): string {
  return offset === 0 ? 't' : offset < 0 ? `t${offset}` : `t+${offset}`;
}

function baseTex(base: string): string {
  if (Object.hasOwn(SPECIAL_BASES, base)) return SPECIAL_BASES[base];
  if (GREEK.has(base)) return `\\${base}`;
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
  let tex = baseTex(parts[0]);
  const subscripts: string[] = [];
  for (const part of parts.slice(1)) {
    if (Object.hasOwn(ACCENTS, part)) tex = `${ACCENTS[part]}{${tex}}`;
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

/** Plain-text form of a name: h_prev → h_{t-1}, x → x_t, W_ir → W_ir. */
export function symbolText(name: string, role: SymbolRole): string {
  if (role === 'param') return name;
  let rest = name;
  let offset = role.time;
  if (rest.endsWith('_prev')) {
    rest = rest.slice(0, -'_prev'.length);
    offset -= 1;
  }
  const t = timeIndex(offset);
  return `${rest}_${t.length > 1 ? `{${t}}` : t}`;
}

const PRECEDENCE: Readonly<Record<CellNode['kind'], number>> = {
  input: 9, state: 9, param: 9, noise: 9, const: 9, activation: 9,
  neg: 3, mul: 2, matmul: 2, div: 2, add: 1, sub: 1,
};

interface Notation {
  readonly symbol: (name: string, role: SymbolRole) => string;
  readonly activation: Readonly<Record<string, string>>;
  readonly hadamard: string;
  readonly scale: string;
  readonly divide: (a: string, b: string) => string;
  readonly paren: (s: string) => string;
}

const TEX: Notation = {
  symbol: symbolTex,
  activation: { sigmoid: '\\sigma', tanh: '\\tanh', relu: '\\operatorname{ReLU}', exp: '\\exp', softplus: '\\operatorname{softplus}' },
  hadamard: ' \\odot ',
  scale: '\\,',
  divide: (a, b) => `\\frac{${a}}{${b}}`,
  paren: (s) => `\\left(${s}\\right)`,
};

const TEXT: Notation = {
  symbol: symbolText,
  activation: { sigmoid: 'σ', tanh: 'tanh', relu: 'relu', exp: 'exp', softplus: 'softplus' },
  hadamard: ' ⊙ ',
  scale: ' ',
  divide: (a, b) => `${a} / ${b}`,
  paren: (s) => `(${s})`,
};

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(12)));
}

/** The right-hand side of a statement, rebuilt from the graph with minimal parentheses. */
function expression(cell: CellGraph, rootId: NodeId, notation: Notation, time: number): string {
  const byId = new Map(cell.nodes.map((n) => [n.id, n]));
  const statementRoots = new Set(cell.statements.map((s) => s.root));
  const render = (id: NodeId, isRoot: boolean): { text: string; prec: number } => {
    const node = byId.get(id)!;
    if (!isRoot && statementRoots.has(id)) return { text: notation.symbol(node.statement || id, { time }), prec: 9 };
    const sub = (i: number, minPrec: number, strict = false): string => {
      const r = render(node.inputs[i], false);
      return r.prec < minPrec || (strict && r.prec === minPrec) ? notation.paren(r.text) : r.text;
    };
    const prec = PRECEDENCE[node.kind];
    switch (node.kind) {
      case 'input':
      case 'noise':
        return { text: notation.symbol(node.name, { time }), prec };
      case 'state':
        return { text: notation.symbol(node.id, { time }), prec };
      case 'param':
        return { text: notation.symbol(node.name, 'param'), prec };
      case 'const':
        return { text: formatNumber(node.value), prec };
      case 'activation': {
        const arg = render(node.inputs[0], false).text;
        return { text: `${notation.activation[node.fn]}${notation.paren(arg)}`, prec };
      }
      case 'neg':
        return { text: `-${sub(0, prec)}`, prec };
      case 'add':
        return { text: `${sub(0, prec)} + ${sub(1, prec)}`, prec };
      case 'sub':
        return { text: `${sub(0, prec)} - ${sub(1, prec, true)}`, prec };
      case 'matmul':
        return { text: `${sub(0, prec)} ${sub(1, prec, true)}`, prec };
      case 'mul': {
        const scalar = byId.get(node.inputs[0])!.shape.length === 0 || byId.get(node.inputs[1])!.shape.length === 0;
        return { text: `${sub(0, prec)}${scalar ? notation.scale : notation.hadamard}${sub(1, prec, true)}`, prec };
      }
      case 'div':
        return { text: notation.divide(render(node.inputs[0], false).text, render(node.inputs[1], false).text), prec: notation === TEX ? 9 : prec };
    }
  };
  return render(rootId, true).text;
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
