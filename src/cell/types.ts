import type { Span } from '../errors.js';

export type { Span };

/**
 * A dimension: a symbolic size name ('input', 'hidden', ...) or, after withSizes, a number.
 * A concatenation's size is a sum of parts written with '+': 'hidden+input', 'hidden+3'.
 */
export type Dim = string | number;
/** [] is a scalar, [d] a vector, [rows, cols] a matrix. Shapes are per sample; batch is implicit. */
export type Shape = readonly Dim[];

/**
 * Elementwise functions of one argument. hardsigmoid is Keras 3's and PyTorch's relu6(x + 3) / 6;
 * hardsigmoid_keras2 is the older clip(0.2 x + 0.5, 0, 1) of Keras 2 and TensorFlow 1.
 */
export const ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'exp', 'softplus', 'abs', 'sqrt', 'hardsigmoid', 'hardsigmoid_keras2'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** The closed set of node kinds. Consumers key exhaustive tables by it. */
export type OpKind =
  | 'input' // an input at step t (x_t)
  | 'state' // a state at step t-1 (h_prev)
  | 'param' // a learned parameter (W_ir, b_ir, p_i)
  | 'noise' // a noise input drawn each step (eps ~ N(0, I))
  | 'const' // a scalar constant
  | 'identity' // the identity matrix I (square, its size from use), as in (W - W' - γ I) h
  | 'matmul' // matrix-vector product
  | 'add'
  | 'sub'
  | 'mul' // elementwise (Hadamard) product, or a scalar times a tensor
  | 'div' // elementwise division (in practice: by a scalar constant)
  | 'neg'
  | 'activation'
  | 'input_prev' // an input at step t-1 (x_prev), zero at the first step
  | 'copy' // a plain rename (h = c): the same value under the statement's name
  | 'transpose' // W' or transpose(W) of a matrix
  | 'concat' // [a; b]: vectors stacked into one (Olah's notation, W [h_prev; x])
  | 'reduce' // mean, sum, min or max over a vector's entries: a scalar
  | 'min' // elementwise minimum of two values (either may be a scalar)
  | 'max'
  | 'pow' // a ^ p with a constant exponent p (the second input, a 'const')
  | 'clip'; // clip(a, lo, hi) with constant bounds (the second and third inputs)

export const REDUCTIONS = ['mean', 'sum', 'min', 'max'] as const;
export type ReductionName = (typeof REDUCTIONS)[number];

export const LEAF_KINDS = ['input', 'state', 'param', 'noise', 'const', 'identity', 'input_prev'] as const;

export type NodeId = string;

interface NodeBase {
  /** Stable id derived from the source: 'x', 'h_prev', 'W_ir', 'r', 'r.matmul.0'. */
  readonly id: NodeId;
  readonly inputs: readonly NodeId[];
  readonly shape: Shape;
  /** Where the node's text stands (a leaf: its first use, or its header declaration). */
  readonly span: Span;
  /** The target of the statement the node belongs to; '' for shared leaves. */
  readonly statement: string;
}

export type CellNode =
  | (NodeBase & { readonly kind: 'input'; readonly name: string })
  | (NodeBase & { readonly kind: 'state'; readonly name: string })
  | (NodeBase & { readonly kind: 'param'; readonly name: string })
  | (NodeBase & { readonly kind: 'noise'; readonly name: string })
  | (NodeBase & { readonly kind: 'const'; readonly value: number })
  | (NodeBase & { readonly kind: 'identity' })
  | (NodeBase & { readonly kind: 'input_prev'; readonly name: string })
  | (NodeBase & { readonly kind: 'matmul' | 'add' | 'sub' | 'mul' | 'div' | 'neg' | 'copy' | 'transpose' | 'concat' | 'min' | 'max' | 'pow' | 'clip' })
  | (NodeBase & { readonly kind: 'reduce'; readonly fn: ReductionName })
  | (NodeBase & { readonly kind: 'activation'; readonly fn: ActivationName });

/** One line `target = expression`. */
export interface Statement {
  readonly target: string;
  /** The node computing the right-hand side; its id is the target name. */
  readonly root: NodeId;
  readonly span: Span;
  /** The statement's text as written (trimmed). */
  readonly text: string;
}

export interface Declared {
  readonly name: string;
  readonly shape: Shape;
  readonly span: Span;
}

/**
 * The cell graph: the single source of truth every consumer reads.
 * Nodes are in a topological order (leaves first, then statements in source order).
 */
export interface CellGraph {
  readonly name: string;
  readonly title: string;
  readonly file: string;
  /** Comment lines at the top of the file, without the '#'. */
  readonly description: readonly string[];
  readonly inputs: readonly Declared[];
  readonly states: readonly Declared[];
  readonly params: readonly Declared[];
  readonly noises: readonly Declared[];
  readonly statements: readonly Statement[];
  /** The `output:` names; without that header, the states, or the last statement when there is no state. */
  readonly outputs: readonly string[];
  /**
   * Whether `outputs` was written in an `output:` header. A cell that declares exactly its
   * states (`output: c, h`) has the same outputs as one that declares none, but a figure
   * draws the declared ones upward and, without a declaration, only the last state.
   */
  readonly outputsDeclared: boolean;
  readonly nodes: readonly CellNode[];
  /** Symbolic dimension names used, e.g. ['hidden', 'input']. */
  readonly dims: readonly string[];
}

export type Sizes = Readonly<Record<string, number>>;
