/** One statement, `target = expression`, parsed by mathjs (syntax errors at file columns); and a tree's symbols. */
import { CellError, clipText, type Span } from '../errors.js';
import { MAX_SIGNS_IN_A_ROW, MAX_SQUARE_BRACKETS, nestsTooDeep, parseDeep, PieceSyntaxError } from './deep-parse.js';
import { parseExpression, type MathNode } from './mathjs-parse.js';
import type { StatementSource, Token } from './source.js';
import { tokenize } from './source.js';

export interface Parsed {
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
  if (nestsTooDeep(statement.rewritten)) throw tooDeep(wholeStatement);
  let tree: MathNode;
  try {
    tree = parseDeep(statement.rewritten, parseExpression);
  } catch (error) {
    if (error instanceof RangeError) throw tooDeep(wholeStatement);
    if (!(error instanceof PieceSyntaxError)) throw error;
    const index = Math.min(error.index, statement.columnMap.length - 1);
    // mathjs reads NAME [...] as indexing; the cell language means a product with a stacked vector.
    const before = nameBeforeBracket(statement.rewritten);
    const hint = before ? ` (for a product with a stacked vector write ${before} * [...])` : '';
    throw new CellError({ file, line: statement.line, column: statement.columnMap[index], length: 1 }, `syntax error: ${clipText(withoutCharSuffix(error.message), 200)}${hint}`);
  }
  const tokens = tokenize(statement);
  const node = tree as MathNode & { type: string; object?: MathNode & { name?: string }; value?: MathNode };
  if (node.type !== 'AssignmentNode' || node.object?.type !== 'SymbolNode' || !node.value) {
    throw new CellError(wholeStatement, 'expected an assignment NAME = expression');
  }
  const first = tokens.shift()!;
  return {
    target: node.object.name!,
    targetSpan: { file, line: statement.line, column: first.column, length: first.length },
    value: node.value,
    tokens,
    text: statement.text,
    column: statement.column,
  };
}

/**
 * Parentheses nest without limit (deep-parse.ts) and a sum may have any number of terms;
 * what mathjs still parses recursively is nested '[' brackets and runs of unary signs.
 */
function tooDeep(span: Span): CellError {
  return new CellError(span, `expression nested too deeply for the parser (more than ${MAX_SQUARE_BRACKETS} nested [ brackets or ${MAX_SIGNS_IN_A_ROW} signs in a row); split it into several statements`);
}

/** mathjs ends a message with ' (char N)'; the column is reported separately. Cut without a regex (a backtracking one took 36 s). */
function withoutCharSuffix(message: string): string {
  const text = message.trimEnd();
  const open = text.lastIndexOf(' (char ');
  if (open < 0 || !text.endsWith(')')) return text;
  const digits = text.slice(open + ' (char '.length, -1);
  return digits.length > 0 && [...digits].every((d) => d >= '0' && d <= '9') ? text.slice(0, open).trimEnd() : text;
}

/** The name just before the first '[' ('W' in 'tanh(W [h; x])'), scanned without a regex so a long line stays linear. */
function nameBeforeBracket(text: string): string | undefined {
  const open = text.indexOf('[');
  let end = open;
  while (end > 0 && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  let start = end;
  while (start > 0 && /[\w$]/.test(text[start - 1]!)) start--;
  return open > 0 && start < end ? text.slice(start, end) : undefined;
}

/** The symbols (including function names) of a tree in source order, found without recursion. */
export function symbolsOf(root: MathNode): string[] {
  const names: string[] = [];
  const stack: MathNode[] = [root];
  while (stack.length > 0) {
    const any = stack.pop()! as MathNode & Record<string, any>;
    const children: MathNode[] =
      any.type === 'SymbolNode' ? [] : any.type === 'FunctionNode' ? any.args : any.type === 'OperatorNode' ? any.args : any.type === 'ArrayNode' ? any.items : any.type === 'ParenthesisNode' ? [any.content] : [];
    if (any.type === 'SymbolNode') names.push(any.name);
    if (any.type === 'FunctionNode') names.push(any.fn.name);
    for (let k = children.length - 1; k >= 0; k--) stack.push(children[k]!);
  }
  return names;
}
