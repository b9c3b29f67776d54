/**
 * The numeric meaning of each IR op, in float64 with mathjs: one table keyed by OpKind,
 * so a new op cannot compile without an evaluator and no cell has code of its own.
 * Batched values are [batch][size] matrices; parameters and constants are unbatched
 * and broadcast. Nodes that depend only on parameters are computed once.
 */
import type { Matrix } from 'mathjs';
import type { ActivationName, CellGraph, CellNode, NodeId, OpKind, ReductionName } from '../cell/index.js';
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
  /** Each input at the step before (zeros at the first step), for x_prev. */
  readonly previousInput?: ReadonlyMap<string, Matrix>;
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
  abs: Math.abs,
  sqrt: Math.sqrt,
  // Keras 3 and PyTorch: relu6(x + 3) / 6. Keras 2: clip(0.2 x + 0.5, 0, 1).
  hardsigmoid: (x) => Math.min(Math.max(x + 3, 0), 6) / 6,
  hardsigmoid_keras2: (x) => Math.min(Math.max(0.2 * x + 0.5, 0), 1),
};

/** A value as nested numbers: a number, [n] (unbatched vector or matrix rows) or [batch][n]. */
const plain = (v: Value): number | number[] | number[][] => (typeof v.data === 'number' ? v.data : (v.data.toArray() as number[] | number[][]));

/** f applied entry by entry with a scalar or a batched scalar ([batch][1]) repeated, as mathjs broadcasts. */
function zipWith(a: Value, b: Value, f: (x: number, y: number) => number): Value {
  const x = plain(a), y = plain(b);
  const at = (v: number | number[] | number[][], batched: boolean, r: number, j: number): number => {
    if (typeof v === 'number') return v;
    const row = batched ? (v as number[][])[r] : (v as number[]);
    return row.length === 1 ? row[0] : row[j];
  };
  const widthOf = (v: number | number[] | number[][], batched: boolean): number => (typeof v === 'number' ? 1 : batched ? (v as number[][])[0].length : (v as number[]).length);
  const width = Math.max(widthOf(x, a.batched), widthOf(y, b.batched));
  const rows = a.batched ? (x as number[][]).length : b.batched ? (y as number[][]).length : 0;
  if (!a.batched && !b.batched && typeof x === 'number' && typeof y === 'number') return { data: f(x, y), batched: false };
  const row = (r: number) => Array.from({ length: width }, (_, j) => f(at(x, a.batched, r, j), at(y, b.batched, r, j)));
  return a.batched || b.batched ? { data: numberMatrix(Array.from({ length: rows }, (_, r) => row(r))), batched: true } : { data: numberMatrix(row(0)), batched: false };
}

const mapValue = (a: Value, f: (x: number) => number): Value => ({
  data: typeof a.data === 'number' ? f(a.data) : (m().map(a.data, (v: number) => f(v)) as Matrix),
  batched: a.batched,
});

const REDUCE: Readonly<Record<ReductionName, (row: readonly number[]) => number>> = {
  mean: (row) => row.reduce((s, v) => s + v, 0) / row.length,
  sum: (row) => row.reduce((s, v) => s + v, 0),
  min: (row) => Math.min(...row),
  max: (row) => Math.max(...row),
};

/** Vectors stacked: per batch row when any part is batched (an unbatched part repeats on every row). */
function stack(parts: readonly Value[]): Value {
  const arrays = parts.map(plain);
  const batch = parts.findIndex((p) => p.batched);
  const rowOf = (k: number, r: number): number[] => (parts[k].batched ? (arrays[k] as number[][])[r] : (arrays[k] as number[]));
  if (batch < 0) return { data: numberMatrix(arrays.flatMap((_, k) => rowOf(k, 0))), batched: false };
  const rows = (arrays[batch] as number[][]).length;
  return { data: numberMatrix(Array.from({ length: rows }, (_, r) => arrays.flatMap((_, k) => rowOf(k, r)))), batched: true };
}

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
  input_prev: (node, _args, c) => leaf(c.leaves.previousInput?.get((node as { name: string }).name), `input '${node.id}'`),
  // A scalar parameter is a number, so it broadcasts like a constant.
  param: (node, _args, c) => {
    const value = c.params.get((node as { name: string }).name)!;
    return { data: node.shape.length === 0 ? (value.toArray() as number[])[0] : value, batched: false };
  },
  const: (node) => ({ data: (node as { value: number }).value, batched: false }),
  identity: (node) => ({ data: numberMatrix(identityRows(Number(node.shape[0]))), batched: false }),
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
  activation: (node, [a]) => mapValue(a, ACTIVATION[(node as { fn: ActivationName }).fn]),
  copy: (_node, [a]) => a,
  transpose: (_node, [a]) => ({ data: m().transpose(a.data as Matrix), batched: false }),
  concat: (_node, parts) => stack(parts),
  // A batched scalar is [batch][1], which broadcasts against [batch][n].
  reduce: (node, [a]) => {
    const f = REDUCE[(node as { fn: ReductionName }).fn];
    const rows = plain(a) as number[] | number[][];
    return a.batched ? { data: numberMatrix((rows as number[][]).map((row) => [f(row)])), batched: true } : { data: f(rows as number[]), batched: false };
  },
  min: (_node, [a, b]) => zipWith(a, b, Math.min),
  max: (_node, [a, b]) => zipWith(a, b, Math.max),
  pow: (_node, [a, p]) => mapValue(a, (x) => x ** (p.data as number)),
  clip: (_node, [a, lo, hi]) => mapValue(a, (x) => Math.min(Math.max(x, lo.data as number), hi.data as number)),
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
    const varying = node.kind === 'input' || node.kind === 'state' || node.kind === 'noise' || node.kind === 'input_prev';
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

/** The rows of the n × n identity matrix. */
function identityRows(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}
