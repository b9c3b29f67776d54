/**
 * mathjs syntax tree → cell graph nodes, with shapes and source spans.
 * The only file that knows mathjs node classes.
 */
import { CellError, clipText, type Span } from '../errors.js';
import { parseExpression, type MathNode } from './mathjs-parse.js';
import { Unifier, type ShapeTerm } from './shapes.js';
import type { StatementSource, Token } from './source.js';
import { tokenize } from './source.js';
import type { ActivationName, NodeId, OpKind } from './types.js';

/** Function names accepted in .cell files. */
export const FUNCTION_NAMES: Readonly<Record<string, ActivationName>> = {
  σ: 'sigmoid',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  relu: 'relu',
  exp: 'exp',
  softplus: 'softplus',
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
  fn?: ActivationName;
  /** For a constant scalar: lets + and ⊙ broadcast it. */
  scalar?: boolean;
}

/** How a bare symbol in an expression resolves; supplied by the caller. */
export type ResolveSymbol = (name: string, span: Span) => DraftNode;

interface Parsed {
  readonly target: string;
  readonly targetSpan: Span;
  readonly value: MathNode;
  readonly tokens: Token[];
  /** The statement as written and the file column of its first character. */
  readonly text: string;
  readonly column: number;
}

/** Parse `target = expression` with mathjs, mapping syntax errors to file columns. */
export function parseStatement(statement: StatementSource, file: string): Parsed {
  const wholeStatement: Span = { file, line: statement.line, column: statement.column, length: statement.text.length };
  // mathjs parses brackets recursively (about 15 frames a level): refuse deep nesting before it overflows.
  if (bracketDepth(statement.rewritten) > MAX_EXPRESSION_DEPTH) throw tooDeep(wholeStatement);
  let tree: MathNode;
  try {
    tree = parseExpression(statement.rewritten);
  } catch (error) {
    if (error instanceof RangeError) throw tooDeep(wholeStatement);
    const err = error as Error & { char?: number };
    const index = Math.min(Math.max((err.char ?? 1) - 1, 0), statement.columnMap.length - 1);
    throw new CellError({ file, line: statement.line, column: statement.columnMap[index], length: 1 }, `syntax error: ${clipText(withoutCharSuffix(err.message), 200)}`);
  }
  if (treeDepth(tree) > MAX_EXPRESSION_DEPTH) throw tooDeep(wholeStatement);
  const tokens = tokenize(statement);
  const node = tree as MathNode & { type: string; object?: MathNode & { name?: string }; value?: MathNode };
  if (node.type !== 'AssignmentNode' || node.object?.type !== 'SymbolNode' || !node.value) {
    throw new CellError(wholeStatement, 'expected an assignment NAME = expression');
  }
  const first = tokens.shift()!;
  return {
    target: node.object.name!,
    targetSpan: { file, line: statement.line, column: first.column, length: first.text.length },
    value: node.value,
    tokens,
    text: statement.text,
    column: statement.column,
  };
}

/**
 * The deepest expression a statement may hold (brackets, or terms of one sum, which mathjs
 * nests one level each): far beyond any cell, and well within what the recursive walks over
 * a tree (lowering, printing) can take.
 */
export const MAX_EXPRESSION_DEPTH = 200;

function tooDeep(span: Span): CellError {
  return new CellError(span, `expression nested more than ${MAX_EXPRESSION_DEPTH} deep (brackets or terms of one sum); split it into several statements`);
}

function bracketDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (const c of text) {
    if (c === '(' || c === '[') deepest = Math.max(deepest, ++depth);
    else if (c === ')' || c === ']') depth--;
  }
  return deepest;
}

/** The depth of a parsed tree, found without recursion. */
function treeDepth(root: MathNode): number {
  let deepest = 0;
  const stack: [MathNode, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_EXPRESSION_DEPTH) break;
    node.forEach((child) => stack.push([child, depth + 1]));
  }
  return deepest;
}

/** mathjs ends a message with ' (char N)'; the column is reported separately. Cut without a regex (a backtracking one took 36 s). */
function withoutCharSuffix(message: string): string {
  const text = message.trimEnd();
  const open = text.lastIndexOf(' (char ');
  if (open < 0 || !text.endsWith(')')) return text;
  const digits = text.slice(open + ' (char '.length, -1);
  return digits.length > 0 && [...digits].every((d) => d >= '0' && d <= '9') ? text.slice(0, open).trimEnd() : text;
}

/** Visit the symbols (including function names) of a tree in source order. */
export function symbolsOf(node: MathNode): string[] {
  const names: string[] = [];
  const walk = (n: MathNode): void => {
    const any = n as MathNode & Record<string, any>;
    switch (any.type) {
      case 'SymbolNode':
        names.push(any.name);
        return;
      case 'FunctionNode':
        names.push(any.fn.name);
        any.args.forEach(walk);
        return;
      case 'OperatorNode':
        any.args.forEach(walk);
        return;
      case 'ParenthesisNode':
        walk(any.content);
        return;
      default:
        return;
    }
  };
  walk(node);
  return names;
}

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
  unifier: Unifier,
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
    return { file, line, column: token?.column ?? 1, length: token?.text.length ?? 1 };
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

  /** A lowered sub-expression: its node and where this use of it stands. */
  interface Use {
    readonly node: DraftNode;
    readonly span: Span;
  }

  const walk = (n: MathNode): Use => {
    const any = n as MathNode & Record<string, any>;
    switch (any.type) {
      case 'ParenthesisNode': {
        const inner = walk(any.content);
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
        // Own names only: 'constructor' or 'toString' must not find Object.prototype's.
        const fn = Object.hasOwn(FUNCTION_NAMES, name) ? FUNCTION_NAMES[name] : undefined;
        if (!fn) {
          throw new CellError(
            nameSpan,
            `unknown function '${name}' (known: σ, sigmoid, tanh, relu, exp, softplus; for a product write ${name} ⊙ (...) or ${name} * (...))`,
          );
        }
        if (any.args.length !== 1) throw new CellError(nameSpan, `${name} takes one argument, found ${any.args.length}`);
        const arg = walk(any.args[0]);
        const span = closeParen(cover(nameSpan, arg.span));
        const node: DraftNode = { id: nextId(fn), kind: 'activation', fn, inputs: [arg.node.id], term: arg.node.term, span, statement };
        emit(node);
        return { node, span };
      }
      case 'OperatorNode': {
        if (any.fn === 'unaryPlus') return walk(any.args[0]);
        if (any.fn === 'unaryMinus') {
          const arg = walk(any.args[0]);
          const minus = parsed.text.lastIndexOf('-', arg.span.column - parsed.column);
          const span = minus < 0 ? arg.span : cover({ file, line, column: minus + parsed.column, length: 1 }, arg.span);
          const node: DraftNode = { id: nextId('neg'), kind: 'neg', inputs: [arg.node.id], term: arg.node.term, span, statement, scalar: arg.node.scalar };
          emit(node);
          return { node, span };
        }
        const op = BINARY[any.fn];
        if (!op || any.args.length !== 2) {
          const at = cursor < tokens.length ? tokens[cursor] : undefined;
          throw new CellError({ file, line, column: at?.column ?? 1, length: 1 }, `operator '${any.op}' is not supported (use +, -, ⊙ or .*, * or juxtaposition for a matrix-vector product, /)`);
        }
        const a = walk(any.args[0]);
        const b = walk(any.args[1]);
        const span = cover(a.span, b.span);
        return { node: emitBinary(op.kind, op.verb, a.node, b.node, span), span };
      }
      default:
        throw new CellError({ file, line, column: 1, length: 1 }, `unsupported expression '${n.toString()}'`);
    }
  };

  const describe = (term: ShapeTerm): string => {
    const dims = unifier.dimsOf(term);
    const rank = dims ? ['a scalar', 'a vector', 'a matrix'][dims.length] ?? `rank ${dims.length}` : undefined;
    return rank ? `${unifier.show(term)} (${rank})` : unifier.show(term);
  };

  const emitBinary = (kind: OpKind, verb: string, a: DraftNode, b: DraftNode, span: Span): DraftNode => {
    let term: ShapeTerm;
    let scalar = false;
    // A product with a scalar constant scales elementwise rather than multiplying matrices.
    if (kind === 'matmul' && (a.scalar || b.scalar)) kind = 'mul';
    if (kind === 'matmul') {
      const rows = unifier.newDim();
      const cols = unifier.newDim();
      if (!unifier.unify(a.term, { dims: [rows, cols] })) {
        throw new CellError(span, `shape conflict: a matrix-vector product needs a matrix on the left, found ${unifier.show(a.term)} (for an elementwise product write ⊙ or .*)`);
      }
      if (!unifier.unify(b.term, { dims: [cols] })) {
        throw new CellError(span, `shape conflict: cannot multiply ${describe(a.term)} by ${describe(b.term)}`);
      }
      term = { dims: [rows] };
    } else if (a.scalar) {
      term = b.term;
      scalar = !!b.scalar;
    } else if (b.scalar) {
      term = a.term;
    } else {
      const shapes = unifier.dimsOf(a.term) && unifier.dimsOf(b.term) && unifier.dimsOf(a.term)!.length !== unifier.dimsOf(b.term)!.length
        ? `${describe(a.term)} and ${describe(b.term)}`
        : `${unifier.show(a.term)} and ${unifier.show(b.term)}`;
      if (!unifier.unify(a.term, b.term)) throw new CellError(span, `shape conflict: cannot ${verb} ${shapes}`);
      term = a.term;
    }
    const node: DraftNode = { id: nextId(kind), kind, inputs: [a.id, b.id], term, span, statement, scalar };
    emit(node);
    return node;
  };

  return walk(parsed.value).node;
}

