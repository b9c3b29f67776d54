/**
 * Engine stage: how each IR node kind becomes tape ops, one exhaustive table keyed by OpKind
 * (so a new IR op does not compile until the engine knows it), and which kinds the fast
 * forward schedule covers. The cell's W x is PyTorch's x·Wᵀ on a batch of rows.
 */
import type { ActivationName, CellNode, OpKind, ReductionName } from '../cell/index.js';
import type { EngineOp } from './kernels.js';
import type { Tape, Var } from './tape.js';
import { dtypeOf, sizeOf, zeros } from './tensor.js';

/** The IR shapes of a node's inputs (numeric after withSizes): a batched scalar needs them to broadcast. */
export type Lowering = (tape: Tape, node: CellNode, args: readonly Var[], leaf: (name: string) => Var, shapes: readonly (readonly number[])[]) => Var;

/**
 * A per-sample scalar (mean(a) over a batch is [B]) against a vector operand is repeated
 * along the row, [B] → [B, n], so the kernels' trailing-axis broadcasting applies.
 */
function alignScalars(t: Tape, args: readonly Var[], shapes: readonly (readonly number[])[]): Var[] {
  const widest = Math.max(...shapes.map((s) => sizeOf(s)));
  return args.map((v, i) => (shapes[i]!.length === 0 && v.value.shape.length === 1 && widest > 1 ? t.op('expandCols', [v], { length: widest }) : v));
}

const binaryLowering =
  (op: 'add' | 'sub' | 'mul' | 'div' | 'minimum' | 'maximum'): Lowering =>
  (t, _n, args, _leaf, shapes) => {
    const [a, b] = alignScalars(t, args, shapes);
    return t.op(op, [a!, b!]);
  };

const ACTIVATION_OPS: Readonly<Record<ActivationName, EngineOp>> = {
  sigmoid: 'sigmoid', tanh: 'tanh', relu: 'relu', exp: 'exp', softplus: 'softplus',
  abs: 'abs', sqrt: 'sqrt', hardsigmoid: 'hardsigmoid', hardsigmoid_keras2: 'hardsigmoidKeras2',
};

/** Vectors stacked along the features; an unbatched part (a parameter vector) is repeated on every row. */
function stackParts(t: Tape, parts: readonly Var[]): Var {
  const batched = parts.find((p) => p.value.shape.length === 2);
  if (!batched) return t.concat(parts);
  const B = batched.value.shape[0]!;
  return t.concat(parts.map((p) => (p.value.shape.length === 2 ? p : t.add(t.constant(zeros([B, p.value.shape[0]!], dtypeOf(p.value.data))), p))));
}

/** How each IR node kind becomes tape ops. The cell's W x is PyTorch's x·Wᵀ on a batch of rows. */
export const LOWER: Record<OpKind, Lowering> = {
  input: (_t, n, _a, leaf) => leaf((n as { name: string }).name),
  input_prev: (_t, n, _a, leaf) => leaf(`${(n as { name: string }).name}_prev`),
  state: (_t, n, _a, leaf) => leaf(`${(n as { name: string }).name}_prev`),
  param: (_t, n, _a, leaf) => leaf((n as { name: string }).name),
  noise: (_t, n, _a, leaf) => leaf((n as { name: string }).name),
  const: (_t, n, _a, leaf) => leaf(n.id),
  identity: (_t, n, _a, leaf) => leaf(n.id),
  matmul: (t, _n, [W, v]) => t.linear(v!, W!),
  add: binaryLowering('add'),
  sub: binaryLowering('sub'),
  mul: binaryLowering('mul'),
  div: binaryLowering('div'),
  min: binaryLowering('minimum'),
  max: binaryLowering('maximum'),
  neg: (t, _n, [a]) => t.neg(a!),
  activation: (t, n, [a]) => t.op(ACTIVATION_OPS[(n as { fn: ActivationName }).fn], [a!]),
  copy: (_t, _n, [a]) => a!,
  transpose: (t, _n, [a]) => t.op('transpose', [a!]),
  concat: (t, _n, parts) => stackParts(t, parts),
  reduce: (t, n, [a]) => {
    const fn = (n as { fn: ReductionName }).fn;
    return fn === 'min' ? t.op('rowMin', [a!]) : fn === 'max' ? t.op('rowMax', [a!]) : fn === 'sum' ? t.sum(a!, -1) : t.mean(a!, -1);
  },
  pow: (t, _n, [a, p]) => t.op('powConst', [a!], { factor: p!.value.data[0]! }),
  clip: (t, _n, [a, lo, hi]) => t.op('clip', [a!], { low: lo!.value.data[0]!, high: hi!.value.data[0]! }),
};

/** The kinds the fast forward schedule runs; a cell with any other runs forward() on an unrecorded tape. */
const SCHEDULED_KINDS: ReadonlySet<OpKind> = new Set([
  'input', 'input_prev', 'state', 'param', 'noise', 'const', 'identity', 'matmul', 'add', 'sub', 'mul', 'div', 'neg', 'activation',
  'copy', 'transpose', 'concat', 'reduce', 'min', 'max', 'pow', 'clip',
]);
const SCHEDULED_ACTIVATIONS: ReadonlySet<string> = new Set(['sigmoid', 'tanh', 'relu', 'exp', 'softplus', 'abs', 'sqrt', 'hardsigmoid', 'hardsigmoid_keras2']);
export const scheduled = (n: CellNode): boolean => SCHEDULED_KINDS.has(n.kind) && (n.kind !== 'activation' || SCHEDULED_ACTIVATIONS.has(n.fn));

