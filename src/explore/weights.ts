/**
 * Explore stage, which weights feed each statement: every parameter its expression reads,
 * with its shape, what it multiplies, and for cells named in the PyTorch scheme
 * (W_i<g>, W_h<g>, b_i<g>, b_h<g>) the rows of the state_dict tensor it is cut from.
 */
import type { CellGraph, CellNode } from '../cell/index.js';
import type { Trace } from '../trace/index.js';

/** weight_ih_l0[a:b] for W_i<g> when every gate of one PyTorch family is in the cell, else ''. */
function pytorchSlice(name: string, cell: CellGraph, gates: Readonly<Record<string, readonly string[]>>, hidden: number | undefined): string {
  const params = new Set(cell.params.map((p) => p.name));
  const match = /^([Wb])_([ih])(\w+)$/.exec(name);
  if (!match || hidden === undefined) return '';
  for (const order of Object.values(gates)) {
    if (!order.every((g) => params.has(`W_i${g}`) && params.has(`W_h${g}`))) continue;
    const k = order.indexOf(match[3]!);
    if (k < 0) continue;
    const tensor = `${match[1] === 'W' ? 'weight' : 'bias'}_${match[2] === 'i' ? 'ih' : 'hh'}_l0`;
    return ` = ${tensor}[${k * hidden}:${(k + 1) * hidden}]`;
  }
  return '';
}

/** How a parameter enters a node: "W_ir [3×2] · x", "b_ir [3] +", "p_i [3] ⊙ c_prev". */
function usage(node: CellNode, param: string, other: string | undefined, shape: readonly number[]): string {
  const dims = `[${shape.join('×')}]`;
  if (node.kind === 'matmul') return `${param} ${dims} · ${other ?? ''}`.trim();
  if (node.kind === 'mul') return `${param} ${dims} ⊙ ${other ?? ''}`.trim();
  return `${param} ${dims} (${node.kind === 'add' ? 'bias' : node.kind})`;
}

/** Per statement target, one line per parameter that feeds it, in source order, each once. */
export function weightLines(cell: CellGraph, trace: Trace, gates: Readonly<Record<string, readonly string[]>>): Record<string, string[]> {
  const byId = new Map(cell.nodes.map((n) => [n.id, n]));
  const lines: Record<string, string[]> = {};
  for (const s of cell.statements) {
    const seen = new Set<string>();
    const out: string[] = [];
    for (const node of cell.nodes.filter((n) => n.statement === s.target)) {
      node.inputs.forEach((id, i) => {
        const input = byId.get(id);
        if (input?.kind !== 'param' || seen.has(input.name)) return;
        seen.add(input.name);
        const other = node.inputs.find((_, j) => j !== i);
        const shape = trace.weights.get(input.name)?.shape ?? [];
        out.push(usage(node, input.name, other, shape) + pytorchSlice(input.name, cell, gates, trace.sizes.hidden));
      });
    }
    lines[s.target] = out;
  }
  return lines;
}
