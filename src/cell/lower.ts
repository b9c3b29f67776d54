/**
 * mathjs syntax tree → cell graph nodes, with shapes and source spans. With
 * statement-parse.ts (which parses a statement into that tree), the only file that knows
 * mathjs node classes.
 */
import { CellError, type Span } from '../errors.js';
import type { MathNode } from './mathjs-parse.js';
import { Unifier, type ShapeTerm } from './shapes.js';
import type { Parsed } from './statement-parse.js';
import { formLowerings, KNOWN_FUNCTIONS, lowerTree, nodeText, OTHER_FUNCTIONS, reassociate, type Lowering, type Use } from './lower-forms.js';
import type { ActivationName, NodeId, OpKind, ReductionName } from './types.js';

/** Function names accepted in .cell files. */
export const FUNCTION_NAMES: Readonly<Record<string, ActivationName>> = {
  σ: 'sigmoid',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  relu: 'relu',
  exp: 'exp',
  softplus: 'softplus',
  abs: 'abs',
  sqrt: 'sqrt',
  hardsigmoid: 'hardsigmoid',
  hardsigmoid_keras2: 'hardsigmoid_keras2',
};

/** A node while the graph is being built: shape still a term. */
export interface DraftNode {
  id: NodeId;
  kind: OpKind;
  inputs: NodeId[];
  term: ShapeTerm;
  span: Span;
  statement: string;
  name?: string;
  value?: number;
  fn?: ActivationName | ReductionName;
  /** For a constant scalar: lets + and ⊙ broadcast it. */
  scalar?: boolean;
}

/** How a bare symbol in an expression resolves; supplied by the caller. */
export type ResolveSymbol = (name: string, span: Span) => DraftNode;

const BINARY: Readonly<Record<string, { kind: OpKind; verb: string }>> = {
  add: { kind: 'add', verb: 'add' },
  subtract: { kind: 'sub', verb: 'subtract' },
  dotMultiply: { kind: 'mul', verb: 'multiply elementwise' },
  multiply: { kind: 'matmul', verb: 'multiply' },
  divide: { kind: 'div', verb: 'divide' },
  dotDivide: { kind: 'div', verb: 'divide' },
};


/**
 * Lowers one statement's right-hand side. Each created node is passed to
 * `emit`; the returned node is the statement's root.
 */
export function lowerExpression(
  parsed: Parsed,
  file: string,
  line: number,
  unifier: Unifier<Span>,
  resolveSymbol: ResolveSymbol,
  emit: (node: DraftNode) => void,
): DraftNode {
  const tokens = parsed.tokens;
  let cursor = 0;
  const counters = new Map<string, number>();
  const statement = parsed.target;
  const nextId = (kind: string): string => {
    const k = counters.get(kind) ?? 0;
    counters.set(kind, k + 1);
    return `${statement}.${kind}.${k}`;
  };
  const take = (expected: string): Span => {
    // Tokens line up with the walk; find the next one with the same text.
    while (cursor < tokens.length && tokens[cursor].text !== expected && Number(tokens[cursor].text) !== Number(expected)) cursor++;
    const token = tokens[Math.min(cursor, tokens.length - 1)];
    cursor++;
    return { file, line, column: token?.column ?? 1, length: token?.length ?? 1 };
  };
  const cover = (a: Span, b: Span): Span => ({ file, line, column: a.column, length: Math.max(1, b.column + b.length - a.column) });
  /** Extend a span to the next `)` after it (closing a call or a parenthesis). */
  const closeParen = (span: Span): Span => {
    const end = parsed.text.indexOf(')', span.column + span.length - parsed.column);
    return end < 0 ? span : { ...span, length: end + parsed.column - span.column + 1 };
  };
  const openParen = (span: Span): Span => {
    const open = parsed.text.lastIndexOf('(', span.column - parsed.column - 1);
    return open < 0 ? span : { ...span, column: open + parsed.column, length: span.length + span.column - (open + parsed.column) };
  };


  // A generator: each sub-expression is yielded and comes back lowered (lowerTree), in source order.
  const walk = function* (n: MathNode): Lowering {
    const any = n as MathNode & Record<string, any>;
    switch (any.type) {
      case 'ParenthesisNode': {
        const inner: Use = yield any.content;
        return { node: inner.node, span: closeParen(openParen(inner.span)) };
      }
      case 'ConstantNode': {
        const span = take(String(any.value));
        if (typeof any.value !== 'number') throw new CellError(span, `only numeric constants are allowed, found ${JSON.stringify(any.value)}`);
        const node: DraftNode = { id: nextId('const'), kind: 'const', inputs: [], term: { dims: [] }, span, statement, value: any.value, scalar: true };
        emit(node);
        return { node, span };
      }
      case 'SymbolNode': {
        const span = take(any.name);
        if (Object.hasOwn(FUNCTION_NAMES, any.name)) throw new CellError(span, `'${any.name}' is a function; write ${any.name}(...)`);
        return { node: resolveSymbol(any.name, span), span };
      }
      case 'FunctionNode': {
        const name: string = any.fn.name;
        const nameSpan = take(name);
        if (Object.hasOwn(OTHER_FUNCTIONS, name)) return yield* otherFunction(name, nameSpan, any.args);
        // Own names only: 'constructor' or 'toString' must not find Object.prototype's.
        const fn = Object.hasOwn(FUNCTION_NAMES, name) ? FUNCTION_NAMES[name] : undefined;
        if (!fn) {
          throw new CellError(
            nameSpan,
            `unknown function '${name}' (known: ${KNOWN_FUNCTIONS}; for a product write ${name} ⊙ (...) or ${name} * (...))`,
          );
        }
        if (any.args.length !== 1) throw new CellError(nameSpan, `${name} takes one argument, found ${any.args.length}`);
        const arg: Use = yield any.args[0];
        const span = closeParen(cover(nameSpan, arg.span));
        const node: DraftNode = { id: nextId(fn), kind: 'activation', fn, inputs: [arg.node.id], term: arg.node.term, span, statement };
        emit(node);
        return { node, span };
      }
      case 'ArrayNode':
        return yield* concatenation(any.items);
      case 'OperatorNode': {
        if (any.fn === 'multiply') {
          const chain = reassociate(any);
          if (chain !== any) return (yield chain) as Use;
        }
        if (any.fn === 'unaryPlus') return (yield any.args[0]) as Use;
        if (any.fn === 'ctranspose' || any.fn === 'transpose') return transposeOf(yield any.args[0]);
        if (any.fn === 'pow' || any.fn === 'dotPow') return power(yield any.args[0], any.args[1]);
        if (any.fn === 'unaryMinus') {
          const arg: Use = yield any.args[0];
          const minus = parsed.text.lastIndexOf('-', arg.span.column - parsed.column);
          const span = minus < 0 ? arg.span : cover({ file, line, column: minus + parsed.column, length: 1 }, arg.span);
          const node: DraftNode = { id: nextId('neg'), kind: 'neg', inputs: [arg.node.id], term: arg.node.term, span, statement, scalar: arg.node.scalar };
          emit(node);
          return { node, span };
        }
        const op = BINARY[any.fn];
        if (!op || any.args.length !== 2) {
          const at = cursor < tokens.length ? tokens[cursor] : undefined;
          throw new CellError({ file, line, column: at?.column ?? 1, length: 1 }, `operator '${any.op}' is not supported (use +, -, ⊙ or .*, * or juxtaposition for a matrix-vector product, /, ^ with a constant exponent, ' for a transpose)`);
        }
        const a: Use = yield any.args[0];
        const b: Use = yield any.args[1];
        const span = cover(a.span, b.span);
        return { node: emitBinary(op.kind, op.verb, a.node, b.node, span), span };
      }
      case 'AccessorNode': {
        const span = take(any.object?.name ?? '');
        throw new CellError(span, `'${nodeText(n)}' reads as indexing, which the cell language does not have; for a product with a stacked vector write ${any.object?.name ?? 'W'} * [...]`);
      }
      default:
        throw new CellError({ file, line, column: 1, length: 1 }, `unsupported expression '${nodeText(n)}'`);
    }
  };

  const rankOf = (node: DraftNode): number | undefined => unifier.dimsOf(node.term)?.length;
  const isScalar = (node: DraftNode): boolean => !!node.scalar || rankOf(node) === 0;
  const make = (kind: OpKind, inputs: readonly DraftNode[], term: ShapeTerm, span: Span, extra: Partial<DraftNode> = {}): Use => {
    const node: DraftNode = { id: nextId(kind === 'reduce' ? String(extra.fn) : kind), kind, inputs: inputs.map((i) => i.id), term, span, statement, ...extra };
    emit(node);
    return { node, span };
  };
  /** A number written in the statement (a constant, or minus a constant). */
  const emitConstant = (value: number, span: Span): Use => {
    const node: DraftNode = { id: nextId('const'), kind: 'const', inputs: [], term: { dims: [] }, span, statement, value, scalar: true };
    emit(node);
    return { node, span };
  };
  const { transposeOf, power, concatenation, otherFunction } = formLowerings({
    text: parsed.text, column: parsed.column, statement, unifier, take, cover, closeParen,
    describe: (term) => describe(term), make, emitConstant, emitBinary: (...args) => emitBinary(...args),
  });

  const describe = (term: ShapeTerm): string => {
    const dims = unifier.dimsOf(term);
    const rank = dims ? ['a scalar', 'a vector', 'a matrix'][dims.length] ?? `rank ${dims.length}` : undefined;
    return rank ? `${unifier.show(term)} (${rank})` : unifier.show(term);
  };

  const emitBinary = (kind: OpKind, verb: string, a: DraftNode, b: DraftNode, span: Span): DraftNode => {
    let term: ShapeTerm;
    let scalar = false;
    // A product with a scalar (a constant or a scalar parameter) scales elementwise rather than multiplying matrices.
    if (kind === 'matmul' && (isScalar(a) || isScalar(b))) kind = 'mul';
    if (kind === 'matmul') {
      const rows = unifier.newDim();
      const cols = unifier.newDim();
      if (!unifier.unify(a.term, { dims: [rows, cols] })) {
        throw new CellError(span, `shape conflict: a matrix-vector product needs a matrix on the left, found ${unifier.show(a.term)} (for an elementwise product write ⊙ or .*)`);
      }
      if (rankOf(b) === 2) {
        throw new CellError(span, `a product of two matrices is supported only when a vector follows (W * U * x is computed as W (U x)); found ${describe(a.term)} times ${describe(b.term)}`);
      }
      if (!unifier.unify(b.term, { dims: [cols] })) {
        throw new CellError(span, `shape conflict: cannot multiply ${describe(a.term)} by ${describe(b.term)}`);
      }
      term = { dims: [rows] };
    } else if (isScalar(a)) {
      term = b.term;
      scalar = !!b.scalar;
    } else if (isScalar(b)) {
      term = a.term;
    } else {
      // The message is written only on failure: a failed unify leaves every binding as it was
      // (shapes.ts), so it shows the shapes as they stood, without two strings per sum node.
      if (!unifier.unify(a.term, b.term)) {
        const shapes = unifier.dimsOf(a.term) && unifier.dimsOf(b.term) && unifier.dimsOf(a.term)!.length !== unifier.dimsOf(b.term)!.length
          ? `${describe(a.term)} and ${describe(b.term)}`
          : `${unifier.show(a.term)} and ${unifier.show(b.term)}`;
        throw new CellError(span, `shape conflict: cannot ${verb} ${shapes}`);
      }
      term = a.term;
    }
    const node: DraftNode = { id: nextId(kind), kind, inputs: [a.id, b.id], term, span, statement, scalar };
    emit(node);
    return node;
  };

  return lowerTree(parsed.value, walk).node;
}

