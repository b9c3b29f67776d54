/**
 * mathjs syntax tree → cell graph nodes, with shapes and source spans. With
 * statement-parse.ts (which parses a statement into that tree), the only file that knows
 * mathjs node classes.
 */
import { CellError, type Span } from '../errors.js';
import type { MathNode } from './mathjs-parse.js';
import type { Unifier, ShapeTerm } from './shapes.js';
import type { Parsed } from './statement-parse.js';
import { concatenation, KNOWN_FUNCTIONS, lowerTree, nodeText, OTHER_FUNCTIONS, otherFunction, power, reassociate, transposeOf, type FormContext, type Lowering, type Use } from './lower-forms.js';
import type { Token } from './source.js';
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
  const lowering = new StatementLowering(parsed, file, line, unifier, resolveSymbol, emit);
  return lowerTree(parsed.value, (n) => lowering.walk(n)).node;
}

/** One statement's lowering: node ids, spans read off its tokens, and shapes unified as nodes are made. */
class StatementLowering implements FormContext {
  readonly text: string;
  readonly column: number;
  readonly statement: string;
  private readonly tokens: readonly Token[];
  private cursor = 0;
  private readonly counters = new Map<string, number>();

  constructor(
    private readonly parsed: Parsed,
    private readonly file: string,
    private readonly line: number,
    readonly unifier: Unifier<Span>,
    private readonly resolveSymbol: ResolveSymbol,
    private readonly emit: (node: DraftNode) => void,
  ) {
    this.text = parsed.text;
    this.column = parsed.column;
    this.statement = parsed.target;
    this.tokens = parsed.tokens;
  }

  private nextId(kind: string): string {
    const k = this.counters.get(kind) ?? 0;
    this.counters.set(kind, k + 1);
    return `${this.statement}.${kind}.${k}`;
  }

  take(expected: string): Span {
    // Tokens line up with the walk; find the next one with the same text.
    const tokens = this.tokens;
    while (this.cursor < tokens.length && tokens[this.cursor].text !== expected && Number(tokens[this.cursor].text) !== Number(expected)) this.cursor++;
    const token = tokens[Math.min(this.cursor, tokens.length - 1)];
    this.cursor++;
    return { file: this.file, line: this.line, column: token?.column ?? 1, length: token?.length ?? 1 };
  }

  cover(a: Span, b: Span): Span {
    return { file: this.file, line: this.line, column: a.column, length: Math.max(1, b.column + b.length - a.column) };
  }

  /** Extend a span to the next `)` after it (closing a call or a parenthesis). */
  closeParen(span: Span): Span {
    const end = this.text.indexOf(')', span.column + span.length - this.column);
    return end < 0 ? span : { ...span, length: end + this.column - span.column + 1 };
  }

  private openParen(span: Span): Span {
    const open = this.text.lastIndexOf('(', span.column - this.column - 1);
    return open < 0 ? span : { ...span, column: open + this.column, length: span.length + span.column - (open + this.column) };
  }

  // A generator: each sub-expression is yielded and comes back lowered (lowerTree), in source order.
  *walk(n: MathNode): Lowering {
    const any = n as MathNode & Record<string, any>;
    switch (any.type) {
      case 'ParenthesisNode': {
        const inner: Use = yield any.content;
        return { node: inner.node, span: this.closeParen(this.openParen(inner.span)) };
      }
      case 'ConstantNode': {
        const span = this.take(String(any.value));
        if (typeof any.value !== 'number') throw new CellError(span, `only numeric constants are allowed, found ${JSON.stringify(any.value)}`);
        return this.emitConstant(any.value, span);
      }
      case 'SymbolNode': {
        const span = this.take(any.name);
        if (Object.hasOwn(FUNCTION_NAMES, any.name)) throw new CellError(span, `'${any.name}' is a function; write ${any.name}(...)`);
        return { node: this.resolveSymbol(any.name, span), span };
      }
      case 'FunctionNode':
        return yield* this.call(any.fn.name, any.args);
      case 'ArrayNode':
        return yield* concatenation(this, any.items);
      case 'OperatorNode':
        return yield* this.operator(any);
      case 'AccessorNode': {
        const span = this.take(any.object?.name ?? '');
        throw new CellError(span, `'${nodeText(n)}' reads as indexing, which the cell language does not have; for a product with a stacked vector write ${any.object?.name ?? 'W'} * [...]`);
      }
      default:
        throw new CellError({ file: this.file, line: this.line, column: 1, length: 1 }, `unsupported expression '${nodeText(n)}'`);
    }
  }

  /** name(args): an activation of one argument, or one of the other functions. */
  private *call(name: string, args: readonly MathNode[]): Lowering {
    const nameSpan = this.take(name);
    if (Object.hasOwn(OTHER_FUNCTIONS, name)) return yield* otherFunction(this, name, nameSpan, args);
    // Own names only: 'constructor' or 'toString' must not find Object.prototype's.
    const fn = Object.hasOwn(FUNCTION_NAMES, name) ? FUNCTION_NAMES[name] : undefined;
    if (!fn) {
      throw new CellError(
        nameSpan,
        `unknown function '${name}' (known: ${KNOWN_FUNCTIONS}; for a product write ${name} ⊙ (...) or ${name} * (...))`,
      );
    }
    if (args.length !== 1) throw new CellError(nameSpan, `${name} takes one argument, found ${args.length}`);
    const arg: Use = yield args[0];
    return this.make('activation', [arg.node], arg.node.term, this.closeParen(this.cover(nameSpan, arg.span)), { fn });
  }

  /** An operator: a product chain reassociated, unary plus and minus, transpose, power, or a binary operator. */
  private *operator(any: MathNode & Record<string, any>): Lowering {
    if (any.fn === 'multiply') {
      const chain = reassociate(any);
      if (chain !== any) return (yield chain) as Use;
    }
    if (any.fn === 'unaryPlus') return (yield any.args[0]) as Use;
    if (any.fn === 'ctranspose' || any.fn === 'transpose') return transposeOf(this, yield any.args[0]);
    if (any.fn === 'pow' || any.fn === 'dotPow') return power(this, yield any.args[0], any.args[1]);
    if (any.fn === 'unaryMinus') {
      const arg: Use = yield any.args[0];
      const minus = this.text.lastIndexOf('-', arg.span.column - this.column);
      const span = minus < 0 ? arg.span : this.cover({ file: this.file, line: this.line, column: minus + this.column, length: 1 }, arg.span);
      return this.make('neg', [arg.node], arg.node.term, span, { scalar: arg.node.scalar });
    }
    const op = BINARY[any.fn];
    if (!op || any.args.length !== 2) {
      const at = this.cursor < this.tokens.length ? this.tokens[this.cursor] : undefined;
      throw new CellError({ file: this.file, line: this.line, column: at?.column ?? 1, length: 1 }, `operator '${any.op}' is not supported (use +, -, ⊙ or .*, * or juxtaposition for a matrix-vector product, /, ^ with a constant exponent, ' for a transpose)`);
    }
    const a: Use = yield any.args[0];
    const b: Use = yield any.args[1];
    const span = this.cover(a.span, b.span);
    return { node: this.emitBinary(op.kind, op.verb, a.node, b.node, span), span };
  }

  private rankOf(node: DraftNode): number | undefined {
    return this.unifier.dimsOf(node.term)?.length;
  }

  private isScalar(node: DraftNode): boolean {
    return !!node.scalar || this.rankOf(node) === 0;
  }

  /** A node of `kind` emitted; an activation or reduction is numbered by its function (h.tanh.0), the others by kind. */
  make(kind: OpKind, inputs: readonly DraftNode[], term: ShapeTerm, span: Span, extra: Partial<DraftNode> = {}): Use {
    const node: DraftNode = { id: this.nextId(extra.fn ?? kind), kind, inputs: inputs.map((i) => i.id), term, span, statement: this.statement, ...extra };
    this.emit(node);
    return { node, span };
  }

  /** A number written in the statement (a constant, or minus a constant). */
  emitConstant(value: number, span: Span): Use {
    return this.make('const', [], { dims: [] }, span, { value, scalar: true });
  }

  describe(term: ShapeTerm): string {
    const dims = this.unifier.dimsOf(term);
    const rank = dims ? ['a scalar', 'a vector', 'a matrix'][dims.length] ?? `rank ${dims.length}` : undefined;
    return rank ? `${this.unifier.show(term)} (${rank})` : this.unifier.show(term);
  }

  /** a OP b, its shape checked: a matrix-vector product, or elementwise with scalars broadcast. */
  emitBinary(kind: OpKind, verb: string, a: DraftNode, b: DraftNode, span: Span): DraftNode {
    // A product with a scalar (a constant or a scalar parameter) scales elementwise rather than multiplying matrices.
    if (kind === 'matmul' && (this.isScalar(a) || this.isScalar(b))) kind = 'mul';
    let term: ShapeTerm;
    let scalar = false;
    if (kind === 'matmul') {
      term = this.productTerm(a, b, span);
    } else if (this.isScalar(a)) {
      term = b.term;
      scalar = !!b.scalar;
    } else if (this.isScalar(b)) {
      term = a.term;
    } else {
      this.unifyElementwise(verb, a, b, span);
      term = a.term;
    }
    return this.make(kind, [a, b], term, span, { scalar }).node;
  }

  /** The shape of a matrix times a vector: [rows] for a [rows, cols] matrix and a [cols] vector. */
  private productTerm(a: DraftNode, b: DraftNode, span: Span): ShapeTerm {
    const { unifier } = this;
    const rows = unifier.newDim();
    const cols = unifier.newDim();
    if (!unifier.unify(a.term, { dims: [rows, cols] })) {
      throw new CellError(span, `shape conflict: a matrix-vector product needs a matrix on the left, found ${unifier.show(a.term)} (for an elementwise product write ⊙ or .*)`);
    }
    if (this.rankOf(b) === 2) {
      throw new CellError(span, `a product of two matrices is supported only when a vector follows (W * U * x is computed as W (U x)); found ${this.describe(a.term)} times ${this.describe(b.term)}`);
    }
    if (!unifier.unify(b.term, { dims: [cols] })) {
      throw new CellError(span, `shape conflict: cannot multiply ${this.describe(a.term)} by ${this.describe(b.term)}`);
    }
    return { dims: [rows] };
  }

  /** Two operands of an elementwise operation have one shape. */
  private unifyElementwise(verb: string, a: DraftNode, b: DraftNode, span: Span): void {
    const { unifier } = this;
    // The message is written only on failure: a failed unify leaves every binding as it was
    // (shapes.ts), so it shows the shapes as they stood, without two strings per sum node.
    if (!unifier.unify(a.term, b.term)) {
      const shapes = unifier.dimsOf(a.term) && unifier.dimsOf(b.term) && unifier.dimsOf(a.term)!.length !== unifier.dimsOf(b.term)!.length
        ? `${this.describe(a.term)} and ${this.describe(b.term)}`
        : `${unifier.show(a.term)} and ${unifier.show(b.term)}`;
      throw new CellError(span, `shape conflict: cannot ${verb} ${shapes}`);
    }
  }
}
