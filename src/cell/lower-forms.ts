/**
 * The less common forms of the cell language, lowered for lower.ts: transposes, powers with
 * a constant exponent, stacked vectors [a; b] (whose size is a sum, solved with the other
 * shapes), reductions, min/max, clip, and the reassociation of W * U * x into W (U x).
 * Each works on the statement's lowering context, so spans and shapes stay in one place.
 */
import { CellError, type Span } from '../errors.js';
import type { MathNode } from './mathjs-parse.js';
import type { Unifier, ShapeTerm } from './shapes.js';
import type { DraftNode } from './lower.js';
import type { OpKind, ReductionName } from './types.js';

/** Functions that are not elementwise activations: how many arguments each takes. */
export const OTHER_FUNCTIONS: Readonly<Record<string, string>> = {
  transpose: 'transpose(W)',
  mean: 'mean(v)',
  sum: 'sum(v)',
  min: 'min(v) or min(a, b)',
  max: 'max(v) or max(a, b)',
  clip: 'clip(a, lo, hi)',
};

/** Every function name a .cell file may call, for messages. */
export const KNOWN_FUNCTIONS = 'σ, sigmoid, tanh, relu, exp, softplus, abs, sqrt, hardsigmoid, hardsigmoid_keras2, mean, sum, min, max, clip, transpose';

/** Strips grouping parentheses: (W * U) * x is the same product chain as W * U * x. */
export const unwrap = (n: MathNode): MathNode & Record<string, any> => {
  let any = n as MathNode & Record<string, any>;
  while (any.type === 'ParenthesisNode') any = any.content;
  return any;
};

/**
 * W * U * x parses as (W U) x, a product of two matrices. It is lowered as W (U x), the same
 * value with matrix-vector products only, which every consumer computes; a constant on the
 * right (W x * 2) is left alone. The chain is walked down its left side in a loop, so a long
 * one needs no deep recursion: ((a b) c) d becomes a (b (c d)).
 */
export function reassociate(node: MathNode & Record<string, any>): MathNode & Record<string, any> {
  const isProduct = (n: MathNode & Record<string, any>) => n.type === 'OperatorNode' && n.fn === 'multiply' && n.args.length === 2;
  if (!isProduct(node) || !isProduct(unwrap(node.args[0])) || unwrap(node.args[1]).type === 'ConstantNode') return node;
  const product = (a: MathNode, b: MathNode) => ({ type: 'OperatorNode', op: '*', fn: 'multiply', args: [a, b] }) as unknown as MathNode & Record<string, any>;
  let right: MathNode = node.args[1];
  let left: MathNode = node.args[0];
  while (isProduct(unwrap(left))) {
    const inner = unwrap(left);
    right = reassociate(product(inner.args[1], right));
    left = inner.args[0];
  }
  return product(left, right);
}

/** A node's text for a message; a tree too deep for mathjs's recursive toString is elided. */
export function nodeText(n: MathNode): string {
  try {
    return n.toString();
  } catch (error) {
    if (error instanceof RangeError) return '…';
    throw error;
  }
}

/** A lowered sub-expression: its node and where this use of it stands. */
export interface Use {
  readonly node: DraftNode;
  readonly span: Span;
}

/**
 * A lowering yields each sub-expression it needs and receives it lowered, so that a driver
 * with its own stack, not the call stack, carries the nesting (see lowerTree).
 */
export type Lowering = Generator<MathNode, Use, Use>;

/** Runs a lowering to its end, lowering each yielded sub-expression first; input depth is bounded by memory only. */
export function lowerTree(root: MathNode, lower: (n: MathNode) => Lowering): Use {
  const stack: Lowering[] = [lower(root)];
  let result: Use | undefined;
  for (;;) {
    const step = stack[stack.length - 1]!.next(result!);
    if (!step.done) {
      stack.push(lower(step.value));
      result = undefined;
      continue;
    }
    stack.pop();
    result = step.value;
    if (stack.length === 0) return result;
  }
}

/** What the forms need from the statement being lowered (lower.ts's StatementLowering). */
export interface FormContext {
  readonly text: string;
  /** 1-based file column of text[0]. */
  readonly column: number;
  readonly statement: string;
  readonly unifier: Unifier<Span>;
  take(text: string): Span;
  cover(a: Span, b: Span): Span;
  closeParen(span: Span): Span;
  describe(term: ShapeTerm): string;
  make(kind: OpKind, inputs: readonly DraftNode[], term: ShapeTerm, span: Span, extra?: Partial<DraftNode>): Use;
  emitConstant(value: number, span: Span): Use;
  emitBinary(kind: OpKind, verb: string, a: DraftNode, b: DraftNode, span: Span): DraftNode;
}

/** A number written as a constant, or minus (minus ...) a constant; else undefined. */
function constantValue(n: MathNode): number | undefined {
  let sign = 1;
  let any = unwrap(n);
  while (any.type === 'OperatorNode' && any.fn === 'unaryMinus') {
    sign = -sign;
    any = unwrap(any.args[0]);
  }
  return any.type === 'ConstantNode' && typeof any.value === 'number' ? sign * any.value : undefined;
}

/** A constant argument (an exponent, a bound of clip) lowered to a const node. */
function constantUse(c: FormContext, n: MathNode, what: string, around: Span): Use {
  const value = constantValue(n);
  if (value === undefined) throw new CellError(around, `${what} must be a number, found '${nodeText(n)}'`);
  return c.emitConstant(value, c.take(String(Math.abs(value))));
}

/** W' or transpose(W): a matrix with rows and columns swapped. */
export function transposeOf(c: FormContext, arg: Use): Use {
  const rows = c.unifier.newDim();
  const cols = c.unifier.newDim();
  if (!c.unifier.unify(arg.node.term, { dims: [rows, cols] })) {
    throw new CellError(arg.span, `shape conflict: a transpose needs a matrix, found ${c.describe(arg.node.term)}`);
  }
  const end = c.text.indexOf("'", arg.span.column + arg.span.length - c.column);
  const span = end < 0 ? arg.span : { ...arg.span, length: end + c.column - arg.span.column + 1 };
  return c.make('transpose', [arg.node], { dims: [cols, rows] }, span);
}

/** base ^ constant, elementwise. */
export function power(c: FormContext, base: Use, exponent: MathNode): Use {
  const p = constantUse(c, exponent, "the exponent of '^'", base.span);
  return c.make('pow', [base.node, p.node], base.node.term, c.cover(base.span, p.span), { scalar: base.node.scalar });
}

/** [a; b]: the vectors stacked, the size a sum solved with the other shapes. */
export function* concatenation(c: FormContext, items: readonly MathNode[]): Lowering {
  // [a; b] is a column of rows [[a], [b]]; [a, b] a row. Either stacks the vectors.
  const parts = items.flatMap((item) => {
    const any = item as MathNode & Record<string, any>;
    return any.type === 'ArrayNode' ? any.items : [item];
  });
  if (parts.length === 0) throw new CellError(emptyBrackets(c), 'empty brackets [ ]: write the vectors to stack inside, [a; b]');
  const uses: Use[] = [];
  for (const part of parts) uses.push(yield part);
  const dims = uses.map((u) => {
    const dim = c.unifier.newDim();
    if (!c.unifier.unify(u.node.term, { dims: [dim] })) throw new CellError(u.span, `shape conflict: only vectors can be stacked in [...], found ${c.describe(u.node.term)}`);
    return dim;
  });
  const span = closeBracket(c, c.cover(uses[0].span, uses[uses.length - 1].span));
  const total = c.unifier.newDim();
  c.unifier.addSum(total, dims, span);
  return c.make('concat', uses.map((u) => u.node), { dims: [total] }, span);
}

/** The first '[' that only blanks separate from its ']'. */
function emptyBrackets(c: FormContext): Span {
  let open = c.text.indexOf('[');
  while (open >= 0) {
    let k = open + 1;
    while (c.text[k] === ' ' || c.text[k] === '\t') k++;
    if (c.text[k] === ']') break;
    open = c.text.indexOf('[', open + 1);
  }
  const span = c.take('');
  return open < 0 ? span : { ...span, column: c.column + open, length: 1 };
}

/** Extends a span out to the brackets around it. */
function closeBracket(c: FormContext, span: Span): Span {
  const open = c.text.lastIndexOf('[', span.column - c.column);
  const end = c.text.indexOf(']', span.column + span.length - c.column);
  if (open < 0 || end < 0) return span;
  return { ...span, column: open + c.column, length: end - open + 1 };
}

/** transpose, mean, sum, min, max and clip, their arity checked first. */
export function* otherFunction(c: FormContext, name: string, nameSpan: Span, args: readonly MathNode[]): Lowering {
  const usage = OTHER_FUNCTIONS[name];
  const arity = name === 'clip' ? [3] : name === 'min' || name === 'max' ? [1, 2] : [1];
  if (!arity.includes(args.length)) throw new CellError(nameSpan, `${name} takes ${arity.join(' or ')} argument${arity[arity.length - 1] === 1 ? '' : 's'} (${usage}), found ${args.length}`);
  const first = yield args[0]!;
  if (name === 'transpose') return transposeOf(c, { node: first.node, span: c.closeParen(c.cover(nameSpan, first.span)) });
  if (args.length === 1) {
    if (!c.unifier.unify(first.node.term, { dims: [c.unifier.newDim()] })) {
      throw new CellError(first.span, `shape conflict: ${name}(...) reduces a vector to a scalar, found ${c.describe(first.node.term)}`);
    }
    return c.make('reduce', [first.node], { dims: [] }, c.closeParen(c.cover(nameSpan, first.span)), { fn: name as ReductionName });
  }
  if (name === 'clip') {
    const lo = constantUse(c, args[1], 'the lower bound of clip', nameSpan);
    const hi = constantUse(c, args[2], 'the upper bound of clip', nameSpan);
    if (!(lo.node.value! <= hi.node.value!)) throw new CellError(c.cover(lo.span, hi.span), `clip's lower bound ${lo.node.value} is above its upper bound ${hi.node.value}`);
    return c.make('clip', [first.node, lo.node, hi.node], first.node.term, c.closeParen(c.cover(nameSpan, hi.span)), { scalar: first.node.scalar });
  }
  const second = yield args[1]!;
  const span = c.closeParen(c.cover(nameSpan, second.span));
  return { node: c.emitBinary(name as 'min' | 'max', `take the ${name}imum of`, first.node, second.node, span), span };
}
