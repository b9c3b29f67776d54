/**
 * The numeric meaning of each IR op, in float64 with mathjs: one table keyed by OpKind,
 * so a new op cannot compile without an evaluator and no cell has code of its own.
 * Batched values are [batch][size] matrices; parameters and constants are unbatched
 * and broadcast. Nodes that depend only on parameters are computed once.
 */
import type { Matrix } from 'mathjs';
import type { ActivationName, CellGraph, CellNode, NodeId, OpKind } from '../cell/index.js';
import { InputError } from '../errors.js';
import { math, numberMatrix } from './mathjs-subset.js';

/** A value during evaluation: a scalar, or a matrix that is [batch][size] when batched. */
export interface Value {
  readonly data: number | Matrix;
  /** True when it varies across the batch (and so is [batch][size]). */
  readonly batched: boolean;
}

/** What a step supplies to the leaves: inputs, previous states and noise, each [batch][size]. */
export interface StepLeaves {
  readonly input: ReadonlyMap<string, Matrix>;
  readonly state: ReadonlyMap<string, Matrix>;
  readonly noise: ReadonlyMap<string, Matrix>;
}

interface Context {
  readonly leaves: StepLeaves;
  readonly params: ReadonlyMap<string, Matrix>;
  /** Transposes of unbatched matrices, by node id, made once per trace. */
  readonly transposed: Map<NodeId, Matrix>;
}

type Evaluate = (node: CellNode, args: readonly Value[], context: Context) => Value;

/** Numerically stable forms: sigmoid and softplus never overflow exp. */
const ACTIVATION: Readonly<Record<ActivationName, (x: number) => number>> = {
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  tanh: Math.tanh,
  relu: (x) => (x > 0 ? x : 0),
  exp: Math.exp,
  softplus: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
};

const leaf = (value: Matrix | undefined, what: string): Value => {
  if (!value) throw new InputError(`no value for ${what}`);
  return { data: value, batched: true };
};

const elementwise =
  (op: (a: number | Matrix, b: number | Matrix) => number | Matrix): Evaluate =>
  (_node, [a, b]) => ({ data: op(a.data, b.data), batched: a.batched || b.batched });
const m = math;

const EVALUATE: Readonly<Record<OpKind, Evaluate>> = {
  input: (node, _args, c) => leaf(c.leaves.input.get((node as { name: string }).name), `input '${node.id}'`),
  state: (node, _args, c) => leaf(c.leaves.state.get((node as { name: string }).name), `state '${node.id}'`),
  noise: (node, _args, c) => leaf(c.leaves.noise.get((node as { name: string }).name), `noise '${node.id}'`),
  param: (node, _args, c) => ({ data: c.params.get((node as { name: string }).name)!, batched: false }),
  const: (node) => ({ data: (node as { value: number }).value, batched: false }),
  // W x for a batch of rows x: X Wᵀ, with Wᵀ made once.
  matmul: (node, [a, b], c) => {
    if (a.batched) throw new InputError(`'${node.id}': a matrix that varies per batch element is not supported`);
    if (!b.batched) return { data: m().multiply(a.data as Matrix, b.data as Matrix), batched: false };
    const left = node.inputs[0];
    let aT = c.transposed.get(left);
    if (!aT) c.transposed.set(left, (aT = m().transpose(a.data as Matrix)));
    return { data: m().multiply(b.data as Matrix, aT), batched: true };
  },
  add: elementwise((a, b) => m().add(a as Matrix, b as Matrix) as number | Matrix),
  sub: elementwise((a, b) => m().subtract(a as Matrix, b as Matrix) as number | Matrix),
  mul: elementwise((a, b) => m().dotMultiply(a as Matrix, b as Matrix) as number | Matrix),
  div: elementwise((a, b) => m().dotDivide(a as Matrix, b as Matrix) as number | Matrix),
  neg: (_node, [a]) => ({ data: m().unaryMinus(a.data as Matrix) as number | Matrix, batched: a.batched }),
  activation: (node, [a]) => {
    const fn = ACTIVATION[(node as { fn: ActivationName }).fn];
    return { data: typeof a.data === 'number' ? fn(a.data) : (m().map(a.data, (v: number) => fn(v)) as Matrix), batched: a.batched };
  },
};

/** The per-trace part of evaluation: parameters as mathjs matrices and the parameter-only nodes. */
export interface Evaluator {
  /** Every node's value at one step, in the cell's node order. */
  step(leaves: StepLeaves): Map<NodeId, Value>;
}

export function createEvaluator(cell: CellGraph, params: ReadonlyMap<string, number[] | number[][]>): Evaluator {
  const paramMatrices = new Map<string, Matrix>();
  for (const [name, value] of params) paramMatrices.set(name, numberMatrix(value));
  const transposed = new Map<NodeId, Matrix>();
  const noLeaves: StepLeaves = { input: new Map(), state: new Map(), noise: new Map() };

  // A node is fixed when nothing under it varies per step or batch element.
  const fixedIds = new Set<NodeId>();
  for (const node of cell.nodes) {
    const varying = node.kind === 'input' || node.kind === 'state' || node.kind === 'noise';
    if (!varying && node.inputs.every((id) => fixedIds.has(id))) fixedIds.add(node.id);
  }
  const fixed = new Map<NodeId, Value>();
  const evaluate = (node: CellNode, values: ReadonlyMap<NodeId, Value>, leaves: StepLeaves): Value =>
    EVALUATE[node.kind](node, node.inputs.map((id) => values.get(id)!), { leaves, params: paramMatrices, transposed });
  for (const node of cell.nodes) if (fixedIds.has(node.id)) fixed.set(node.id, evaluate(node, fixed, noLeaves));

  return {
    step(leaves) {
      const values = new Map(fixed);
      for (const node of cell.nodes) if (!fixedIds.has(node.id)) values.set(node.id, evaluate(node, values, leaves));
      return values;
    },
  };
}

/** A value as [batch][size] numbers (an unbatched vector is repeated per batch element). */
export function toRows(value: Value, batch: number): number[][] {
  if (typeof value.data === 'number') return Array.from({ length: batch }, () => [value.data as number]);
  const array = value.data.toArray() as number[] | number[][];
  if (value.batched) return array as number[][];
  const row = (array as number[]).slice();
  return Array.from({ length: batch }, () => row.slice());
}
