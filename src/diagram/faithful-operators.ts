/**
 * Does each glyph say which operation it draws, and in which order? Part of checkFaithful:
 * a circle drawn "+" for a product, a σ box for a tanh, or a − b drawn as b − a all keep
 * every wire right, so the wire checks alone pass them. The expected symbols are written
 * here again, from the meaning of each node kind, rather than read from the code that draws.
 */
import type { CellGraph, CellNode, NodeId } from '../cell/index.js';
import type { DiagramGraph, DiagramNode, PlacedGraph } from './types.js';

/** A fragment the label of an activation's box or ellipse must hold. */
const ACTIVATION_MARK: Readonly<Record<string, string>> = {
  sigmoid: '\\sigma',
  tanh: '\\tanh',
  relu: 'ReLU',
  exp: '\\exp',
  softplus: 'softplus',
  abs: '\\left|',
  sqrt: '\\sqrt',
  hardsigmoid: 'hardsigmoid',
  hardsigmoid_keras2: 'Keras 2',
};

/** Operations whose operands cannot be swapped. */
const ORDERED = new Set(['sub', 'div']);

/** The operator symbol a circle of this node must show, or null where the kind has none to check. */
function operatorMark(ir: ReadonlyMap<NodeId, CellNode>, n: CellNode): string | null {
  switch (n.kind) {
    case 'add':
      return '+';
    case 'sub':
    case 'neg':
      return '-';
    case 'div':
      return '\\div';
    // A product of two vectors is elementwise (⊙); a number scales (×), as does a matrix product.
    case 'mul':
      return n.inputs.every((i) => ir.get(i)!.shape.length > 0) ? '\\odot' : '\\times';
    case 'matmul':
      return '\\times';
    case 'transpose':
      return '\\top';
    case 'pow':
      return '^{';
    case 'activation':
      return ACTIVATION_MARK[n.fn] ?? null;
    case 'reduce':
      return n.fn;
    case 'min':
    case 'max':
      return `\\${n.kind}`;
    case 'clip':
      return 'clip';
    default:
      return null;
  }
}

/**
 * Each circle, ellipse and gate box shows its operation; an ordered operation with one operand
 * written in the label (1 − z, ÷2) writes it on its own side: `label` then the symbol for the
 * first operand, the symbol then `label` for the second.
 */
export function checkOperators(cell: CellGraph, graph: DiagramGraph, labelOf: (id: NodeId) => string | null): string[] {
  const problems: string[] = [];
  const ir = new Map(cell.nodes.map((n) => [n.id, n]));
  for (const g of graph.nodes) {
    if (g.glyph === 'concat' || g.glyph === 'param' || g.glyph === 'linear') continue;
    const root = ir.get(g.valueOf);
    const mark = root ? operatorMark(ir, root) : null;
    if (!root || mark === null) continue;
    const what = root.kind === 'activation' ? root.fn : root.kind;
    if (!g.tex.includes(mark)) {
      problems.push(`${g.glyph} ${g.id} draws ${g.valueOf}, a ${what}, but its label ${g.tex} does not show ${mark}`);
      continue;
    }
    if (!ORDERED.has(root.kind)) continue;
    const [first, second] = root.inputs.map(labelOf);
    // Only one operand in the label can be out of order; a label missing it is checkLabels' finding.
    const label = first ?? second;
    if ((first === null) === (second === null) || !g.tex.includes(label!)) continue;
    const expected = first !== null ? `${first}${mark}` : `${mark} ${second}`;
    if (g.tex.replace(/ /g, '') !== expected.replace(/ /g, '')) problems.push(`${g.glyph} ${g.id} draws ${g.valueOf} as ${g.tex}, which reads its operands the other way round (expected ${expected})`);
  }
  return problems;
}

/**
 * In the placed figure, an ordered operation's two wired operands enter one above the other,
 * the first above the second, as a − b and a ÷ b are read; a figure that swaps them draws b − a.
 */
export function checkOperandOrder(cell: CellGraph, placed: PlacedGraph, valueOf: (id: NodeId) => NodeId, isWired: (id: NodeId) => boolean): string[] {
  const problems: string[] = [];
  const ir = new Map(cell.nodes.map((n) => [n.id, n]));
  const ordered = placed.graph.nodes.filter((g: DiagramNode) => g.glyph === 'pointwise' && ORDERED.has(ir.get(g.valueOf)?.kind ?? ''));
  for (const g of ordered) {
    const [a, b] = ir.get(g.valueOf)!.inputs.map((i) => (isWired(i) ? valueOf(i) : null));
    if (a === null || b === null || a === b) continue;
    for (const step of placed.steps) {
      const into = placed.edges.filter((e) => e.target === `${step.index}:${g.id}`);
      const end = (v: NodeId) => into.find((e) => e.valueOf === v)?.points.at(-1);
      const [top, bottom] = [end(a), end(b)];
      if (top && bottom && !(top.y < bottom.y)) problems.push(`step ${step.index}: ${g.glyph} ${g.id} computes ${a} ${ir.get(g.valueOf)!.kind === 'sub' ? '−' : '÷'} ${b}, but ${a} enters at y ${top.y}, not above ${b} at y ${bottom.y}`);
    }
  }
  return problems;
}
