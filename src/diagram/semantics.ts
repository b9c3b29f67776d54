/**
 * What a figure must say, decided on the CellGraph alone: which values leave the cell
 * upward, and which diagonal connections are peepholes. unroll draws by these rules and
 * checkFaithful holds the drawing to them, so both read one definition.
 */
import type { CellGraph, CellNode, NodeId } from '../cell/index.js';
import { parameterExpressions } from './extra-ops.js';

/**
 * The values drawn leaving each step upward: exactly the declared `output:` names; without
 * them, the last declared state (the LSTM's h, not its internal c), or for a cell
 * without state its last statement.
 */
export function shownOutputs(cell: CellGraph): string[] {
  if (cell.outputsDeclared || cell.states.length === 0) return [...cell.outputs];
  return [cell.states[cell.states.length - 1]!.name];
}

const sameValueCache = new WeakMap<CellGraph, ReadonlyMap<NodeId, NodeId>>();

/**
 * Stacks that compute the same vector: each `[a; b]` of the same values in the same order
 * as an earlier one → that earlier one. Olah's LSTM writes `[h_prev; x]` in every gate;
 * the figure draws one concatenation point whose wire fans out to all of them.
 */
export function sameValues(cell: CellGraph): ReadonlyMap<NodeId, NodeId> {
  const cached = sameValueCache.get(cell);
  if (cached) return cached;
  const byId = new Map(cell.nodes.map((n) => [n.id, n]));
  const plain = (id: NodeId): NodeId => (byId.get(id)?.kind === 'copy' ? plain(byId.get(id)!.inputs[0]!) : id);
  const first = new Map<string, NodeId>();
  const same = new Map<NodeId, NodeId>();
  for (const n of cell.nodes) {
    if (n.kind !== 'concat') continue;
    const key = n.inputs.map(plain).join(';');
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, n.id);
    else same.set(n.id, earlier);
  }
  sameValueCache.set(cell, same);
  return same;
}

/** A diagonal product p ⊙ v: exactly one operand a parameter, both vectors (a scalar factor is not diagonal). */
export function isDiagonalProduct(cell: CellGraph, n: CellNode): boolean {
  if (n.kind !== 'mul') return false;
  const inputs = n.inputs.map((id) => nodeOf(cell, id));
  return inputs.filter((i) => i.kind === 'param').length === 1 && inputs.every((i) => i.shape.length > 0);
}

/** Part of an affine map: a sum without constants, a matrix product with a parameter matrix, a diagonal product. */
export function isAffinePart(cell: CellGraph, n: CellNode): boolean {
  if (n.kind === 'add' || n.kind === 'sub') return !n.inputs.some((i) => nodeOf(cell, i).kind === 'const');
  // The matrix may be a parameter expression ((W - W') h): computed from parameters only.
  if (n.kind === 'matmul') return nodeOf(cell, n.inputs[0]).kind === 'param' || parameterExpressions(cell).has(n.inputs[0]);
  return isDiagonalProduct(cell, n);
}

/**
 * The peepholes of a cell: diagonal product id → the state value it reads.
 *
 * The rule: a diagonal product p ⊙ v, where v is a value of state S (S_prev, or S
 * computed earlier in this step), is a peephole when the affine map it belongs to has
 * a recurrent input (the states it reads through weight matrices) and S is not among
 * them. So the LSTM's c, read diagonally by gates fed by h through W_h·, is a peephole;
 * IndRNN's `u ⊙ h_prev` is the gate's own (diagonal) recurrence and is not.
 */
export function peepholes(cell: CellGraph): Map<NodeId, NodeId> {
  const found = new Map<NodeId, NodeId>();
  const consumer = new Map<NodeId, CellNode>();
  // Inside one statement every computed node has exactly one consumer (the expression is a tree).
  for (const n of cell.nodes) for (const i of n.inputs) if (nodeOf(cell, i).statement === n.statement && n.statement !== '') consumer.set(i, n);
  for (const d of cell.nodes) {
    if (!isDiagonalProduct(cell, d)) continue;
    const value = d.inputs.find((i) => nodeOf(cell, i).kind !== 'param')!;
    const state = stateOf(cell, value);
    if (state === null) continue;
    let top = d;
    for (let up = consumer.get(top.id); up && isAffinePart(cell, up); up = consumer.get(top.id)) top = up;
    const recurrent = matrixStates(cell, top);
    if (recurrent.size > 0 && !recurrent.has(state)) found.set(d.id, value);
  }
  return found;
}

/** The state whose value `id` is (S_prev, or the root of S's statement), or null. */
export function stateOf(cell: CellGraph, id: NodeId): string | null {
  const n = nodeOf(cell, id);
  if (n.kind === 'state') return n.name;
  return n.id === n.statement && cell.states.some((s) => s.name === n.id) ? n.id : null;
}

/** The states an affine tree reads through its matrix products (through any op of the same statement). */
function matrixStates(cell: CellGraph, top: CellNode): Set<string> {
  const states = new Set<string>();
  const operandStates = (id: NodeId): void => {
    const state = stateOf(cell, id);
    if (state !== null) states.add(state);
    const n = nodeOf(cell, id);
    if (state === null && n.statement === top.statement && n.id !== n.statement) n.inputs.forEach(operandStates);
  };
  const walk = (n: CellNode): void => {
    if (n.kind === 'matmul') operandStates(n.inputs[1]);
    for (const i of n.inputs) {
      const m = nodeOf(cell, i);
      if (m.statement === top.statement && m.id !== m.statement && isAffinePart(cell, m)) walk(m);
    }
  };
  walk(top);
  return states;
}

/** Each cell's nodes by id, built once: a linear search per lookup made long sums quadratic. */
const nodesById = new WeakMap<CellGraph, Map<NodeId, CellNode>>();

function nodeOf(cell: CellGraph, id: NodeId): CellNode {
  let byId = nodesById.get(cell);
  if (!byId) nodesById.set(cell, (byId = new Map(cell.nodes.map((x) => [x.id, x]))));
  const n = byId.get(id);
  if (!n) throw new Error(`internal: no node ${id}`);
  return n;
}
