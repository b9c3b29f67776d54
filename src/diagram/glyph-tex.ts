/**
 * The TeX drawn inside glyphs: activation names, pointwise operators with their
 * constant or parameter operands as labels (÷2, ×s), a linear box's expression, and
 * names at a step with a placeholder for the step's time index.
 */
import type { CellGraph, CellNode, NodeId } from '../cell/index.js';
import { symbolTex } from '../cell/index.js';
import { constTex, expressionTex, parameterExpressions } from './extra-ops.js';

export const ACTIVATION_TEX: Readonly<Record<string, string>> = {
  sigmoid: '\\sigma',
  tanh: '\\tanh',
  relu: '\\mathrm{ReLU}',
  exp: '\\exp',
  softplus: '\\mathrm{softplus}',
  abs: '\\left|{\\cdot}\\right|',
  sqrt: '\\sqrt{\\cdot}',
  hardsigmoid: '\\mathrm{hardsigmoid}',
  hardsigmoid_keras2: '\\mathrm{hardsigmoid}_{\\text{Keras 2}}',
};

const NOW = '@now@';
const BEFORE = '@before@';

/** TeX of a name at a step, with a placeholder for the step's time index (filled in by atTime). */
export function timedTex(name: string): string {
  const prev = name.endsWith('_prev');
  const tex = symbolTex(prev ? name.slice(0, -'_prev'.length) : name, { time: 0 });
  // symbolTex ends with the time subscript 't}'; swap it for a placeholder.
  return `${tex.slice(0, -2)}${prev ? BEFORE : NOW}}`;
}

/** Fill the time placeholders of timedTex: `time` for the step, `previous` for the step before. */
export function atTime(tex: string, time: string, previous: string): string {
  return tex.replaceAll(BEFORE, previous).replaceAll(NOW, time);
}

const formatConst = constTex;

/**
 * The TeX of an operand written into its operator's glyph instead of arriving on a
 * wire (a constant or the identity; a parameter when `labelParams`), or null for an operand on a wire.
 */
export function operandLabel(cell: CellGraph, id: NodeId, labelParams: boolean): string | null {
  const n = nodeOf(cell, id);
  if (n.kind === 'const') return formatConst(n.value);
  if (n.kind === 'identity') return 'I';
  if (n.kind === 'param' && labelParams) return symbolTex(n.id, 'param');
  if (labelParams && parameterExpressions(cell).has(id)) return expressionTex(cell, id);
  return null;
}

/** A pointwise (or matrix product) circle: its operator, with labelled operands written in place. */
export function pointwiseTex(cell: CellGraph, n: CellNode, labelParams: boolean): string {
  const [a, b] = n.inputs.map((id) => operandLabel(cell, id, labelParams));
  const scalar = n.inputs.some((id) => nodeOf(cell, id).shape.length === 0);
  const op: Record<string, string> = { add: '+', sub: '-', mul: scalar ? '\\times' : '\\odot', div: '\\div', matmul: '\\times', neg: '-' };
  const symbol = op[n.kind] ?? n.kind;
  if (n.kind === 'neg') return a === null ? '-' : `-${a}`;
  if (a !== null && b !== null) return `${a}${symbol}${b}`;
  // A constant or parameter on the left of a sum or product reads the same on the right.
  const commutes = n.kind === 'add' || n.kind === 'mul';
  if (b !== null) return `${symbol} ${b}`.replace(/^([+-]) /, '$1');
  if (a !== null) return commutes ? `${symbol} ${a}`.replace(/^([+-]) /, '$1') : `${a}${symbol}`;
  return symbol;
}

/** A linear box shows its expression, with a dot where each incoming wire enters: W_{hn}\cdot + b_{hn}. */
export function affineTex(cell: CellGraph, rootId: NodeId, members: readonly NodeId[]): string {
  const inside = new Set(members);
  const render = (id: NodeId): string => {
    if (!inside.has(id)) return '{\\cdot}';
    const n = nodeOf(cell, id);
    if (n.kind === 'param') return symbolTex(n.id, 'param');
    if (parameterExpressions(cell).has(id)) return expressionTex(cell, id);
    const [a, b] = n.inputs;
    if (n.kind === 'add') return `${render(a)}+${render(b)}`;
    // A sum is bracketed where precedence would otherwise regroup it: p ⊙ (W· − m), a − (b + c).
    if (n.kind === 'sub') return `${render(a)}-${bracketSum(b)}`;
    if (n.kind === 'matmul') return inside.has(b) ? `${render(a)}\\left(${render(b)}\\right)` : `${render(a)}{\\cdot}`;
    // A diagonal product p ⊙ (…).
    return `${bracketSum(a)}\\odot ${bracketSum(b)}`;
  };
  const bracketSum = (id: NodeId): string => {
    const kind = inside.has(id) && !parameterExpressions(cell).has(id) ? nodeOf(cell, id).kind : '';
    return kind === 'add' || kind === 'sub' ? `\\left(${render(id)}\\right)` : render(id);
  };
  return render(rootId);
}

function nodeOf(cell: CellGraph, id: NodeId): CellNode {
  return cell.nodes.find((x) => x.id === id)!;
}
