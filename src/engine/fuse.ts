/**
 * Engine stage: fused gate products for step() on a tape (CompileOptions.fuseMatmuls). A gated
 * cell multiplies the same operand by several parameter matrices (W_hr h, W_hz h, W_hn h): each
 * product alone, [batch, 32]·[32, 32] at the detector's sizes, is too small for the WebAssembly
 * kernel, and a tape's time goes to many small products. Stacked, [batch, 32]·[96, 32]ᵀ, they
 * run as one product, then each node takes its slice. Sums are formed in another order, so
 * values agree with the unfused ops to rounding, not bit for bit.
 */
import type { CellGraph } from '../cell/index.js';
import type { Tape, Var } from './tape.js';

type CellNode = CellGraph['nodes'][number];

export interface FusedGroup {
  /** Parameter names of the stacked matrices, in node order. */
  readonly weights: readonly string[];
}

export interface FusedMember {
  readonly group: FusedGroup;
  /** Where this product's columns start in the stacked product, and how many. */
  readonly offset: number;
  readonly rows: number;
}

/** Matmul nodes W v (W a parameter [rows, k]) grouped by their operand v, for groups of two or more. */
export function fusedMatmuls(cell: CellGraph, byId: ReadonlyMap<string, CellNode>): Map<string, FusedMember> {
  const byOperand = new Map<string, CellNode[]>();
  for (const n of cell.nodes) {
    const W = n.kind === 'matmul' ? byId.get(n.inputs[0]!) : undefined;
    if (W?.kind !== 'param' || W.shape.length !== 2) continue;
    const list = byOperand.get(n.inputs[1]!) ?? [];
    list.push(n);
    byOperand.set(n.inputs[1]!, list);
  }
  const members = new Map<string, FusedMember>();
  for (const nodes of byOperand.values()) {
    if (nodes.length < 2) continue;
    const weights = nodes.map((n) => byId.get(n.inputs[0]!)!);
    const group: FusedGroup = { weights: weights.map((W) => (W as { name: string }).name) };
    let offset = 0;
    nodes.forEach((n, i) => {
      const rows = Number(weights[i]!.shape[0]);
      members.set(n.id, { group, offset, rows });
      offset += rows;
    });
  }
  return members;
}

/**
 * Lowers a member's node: the slice of its group's product with `operand`. The stacked
 * matrix is recorded once per tape (again only if a step is given other Vars for the
 * matrices), the product once per step (`products`, fresh for each step).
 */
export function fusedLowering(): (tape: Tape, member: FusedMember, operand: Var, leaf: (name: string) => Var, products: Map<FusedGroup, Var>) => Var {
  const stacks = new WeakMap<Tape, Map<FusedGroup, { parts: Var[]; stacked: Var }>>();
  const stackedOn = (tape: Tape, group: FusedGroup, leaf: (name: string) => Var): Var => {
    let byGroup = stacks.get(tape);
    if (!byGroup) stacks.set(tape, (byGroup = new Map()));
    const parts = group.weights.map(leaf);
    const cached = byGroup.get(group);
    if (cached && cached.parts.every((p, i) => p === parts[i])) return cached.stacked;
    const stacked = tape.concat(parts, 0);
    byGroup.set(group, { parts, stacked });
    return stacked;
  };
  return (tape, member, operand, leaf, products) => {
    let product = products.get(member.group);
    if (!product) products.set(member.group, (product = tape.linear(operand, stackedOn(tape, member.group, leaf))));
    return tape.slice(product, member.offset, member.rows);
  };
}
