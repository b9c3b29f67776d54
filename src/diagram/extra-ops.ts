/**
 * How the language's less common ops are drawn (transpose, stacking, reductions, min/max,
 * powers, clip, renames, the previous input), kept beside unroll so its grouping rules stay
 * readable. Parameter expressions ((W - W'), a product of two parameters) are labels, like
 * the parameters they are made of: no value flows on a wire into them.
 */
import type { CellGraph, CellNode, NodeId } from '../cell/index.js';
import { parameterTex, powerOfTen } from '../cell/index.js';
import type { GlyphKind } from './types.js';

/** Nodes computed from parameters (and constants, the identity) only, other than a parameter or constant itself. */
export function parameterExpressions(cell: CellGraph): Set<NodeId> {
  const fixed = new Set<NodeId>();
  const expressions = new Set<NodeId>();
  for (const n of cell.nodes) {
    if (n.kind === 'param' || n.kind === 'const' || n.kind === 'identity') fixed.add(n.id);
    else if (n.inputs.length && n.inputs.every((i) => fixed.has(i)) && n.id !== n.statement) {
      fixed.add(n.id);
      expressions.add(n.id);
    }
  }
  return expressions;
}

/** Every node under a parameter expression (its parameters, constants and inner ops). */
export function expressionMembers(cell: CellGraph, id: NodeId): NodeId[] {
  const byId = new Map(cell.nodes.map((n) => [n.id, n]));
  const out: NodeId[] = [];
  const visit = (at: NodeId) => {
    if (out.includes(at)) return;
    out.push(at);
    for (const i of byId.get(at)!.inputs) visit(i);
  };
  visit(id);
  return out;
}

/** TeX of a parameter expression inside a box's label, bracketed unless it is a single symbol. */
export function expressionTex(cell: CellGraph, id: NodeId): string {
  const tex = parameterTex(cell, id);
  return /^[A-Za-z\\{}_^]+$/.test(tex) && !tex.includes(' ') ? tex : `\\left(${tex}\\right)`;
}

/**
 * A constant in a glyph, as the faithfulness check reads it back: 0.5, 2, and a very small
 * or large one as a power of ten (10^{-5}, 2.5{\cdot}10^{-4}), so its circle stays small.
 */
export function constTex(value: number): string {
  const parts = powerOfTen(value, 6);
  if (!parts) return String(Number(value.toPrecision(6)));
  const power = `10^{${parts.exponent}}`;
  return parts.mantissa === '1' ? power : parts.mantissa === '-1' ? `-${power}` : `${parts.mantissa}{\\cdot}${power}`;
}
const formatConst = constTex;

const REDUCE_TEX: Readonly<Record<string, string>> = { mean: '\\operatorname{mean}', sum: '\\textstyle\\sum', min: '\\min', max: '\\max' };

/** The glyph and label of an op this file draws, or undefined for the ops unroll draws itself. */
export function extraGlyph(n: CellNode, node: (id: NodeId) => CellNode): { glyph: GlyphKind; tex: string } | undefined {
  const constant = (i: number) => formatConst((node(n.inputs[i]!) as { value: number }).value);
  switch (n.kind) {
    case 'concat':
      return { glyph: 'concat', tex: '' };
    case 'transpose':
      return { glyph: 'pointwise', tex: '{\\cdot}^{\\top}' };
    case 'reduce':
      return { glyph: 'function', tex: REDUCE_TEX[n.fn]! };
    case 'min':
    case 'max': {
      // A constant operand is written in the label: \max({\cdot}, 0).
      const args = n.inputs.map((id, i) => (node(id).kind === 'const' ? constant(i) : '{\\cdot}'));
      return { glyph: 'function', tex: args.some((a) => a !== '{\\cdot}') ? `\\${n.kind}(${args.join(', ')})` : `\\${n.kind}` };
    }
    case 'pow':
      return { glyph: 'pointwise', tex: `{\\cdot}^{${constant(1)}}` };
    case 'clip':
      return { glyph: 'function', tex: `\\operatorname{clip}_{[${constant(1)},${constant(2)}]}` };
    default:
      return undefined;
  }
}
