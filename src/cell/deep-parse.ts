/**
 * mathjs parses each bracket level recursively (about 15 frames a level) and overflows the
 * stack near 400 levels. A statement nested deeper is parsed in pieces: every bracketed
 * group that reaches GROUP_DEPTH levels is cut out, parsed on its own, and stands in its
 * parent as a placeholder symbol that is then replaced by the group's tree. Each piece is
 * shallow for mathjs; the whole tree is as deep as the text, which every later walk takes
 * without recursion. Syntax errors keep their position in the statement.
 */
import type { MathNode } from './mathjs-parse.js';

/** Groups this deep are parsed on their own (well within mathjs's recursion). */
export const GROUP_DEPTH = 32;

/** mathjs's syntax error in one piece, moved to an index of the whole text (0-based). */
export class PieceSyntaxError extends Error {
  constructor(
    readonly original: Error,
    readonly index: number,
  ) {
    super(original.message);
  }
}

/** Text handed to mathjs, with the index in the whole statement of each of its characters. */
interface Piece {
  text: string;
  at: number[];
}

interface Group {
  readonly content: Piece;
  readonly open: number;
  readonly close: number;
}

type Node = MathNode & Record<string, any>;

/** What mathjs still parses recursively, and how much of it a statement may hold. */
export const MAX_SQUARE_BRACKETS = 200;
export const MAX_SIGNS_IN_A_ROW = 1000;

/**
 * True when a text nests '[' brackets or unary signs beyond those limits (mathjs overflows
 * near 280 and 7,600 here, less on a busier stack); the cell language needs a few of each.
 */
export function nestsTooDeep(text: string): boolean {
  let depth = 0;
  let signs = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[' && ++depth > MAX_SQUARE_BRACKETS) return true;
    if (c === ']') depth--;
    if (c === '+' || c === '-') {
      if (++signs > MAX_SIGNS_IN_A_ROW) return true;
    } else if (c !== ' ' && c !== '\t') {
      signs = 0;
    }
  }
  return false;
}

/** A name no statement spells, for the placeholders. */
function placeholderPrefix(text: string): string {
  let prefix = '$$g';
  while (text.includes(prefix)) prefix = `$${prefix}`;
  return prefix;
}

/**
 * Cuts `text` into a top piece and groups, innermost first: a '(' group whose content holds
 * GROUP_DEPTH - 1 levels is replaced by '(NAME)' in its parent. An unclosed '(' is left in
 * the text for mathjs to report.
 */
function cut(text: string, prefix: string): { top: Piece; groups: Group[] } {
  // Nothing nests GROUP_DEPTH deep (almost every statement): the text is its own top piece, as
  // the walk below would rebuild it a character at a time (a 200 KB sum: 200,000 appends).
  if (maxParenDepth(text) < GROUP_DEPTH) return { top: { text, at: Array.from({ length: text.length }, (_, i) => i) }, groups: [] };
  const groups: Group[] = [];
  const frames: { piece: Piece; open: number; height: number }[] = [{ piece: { text: '', at: [] }, open: -1, height: 0 }];
  const append = (piece: Piece, more: string, at: number | number[]): void => {
    piece.text += more;
    for (let k = 0; k < more.length; k++) piece.at.push(typeof at === 'number' ? at : at[k]!);
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const top = frames[frames.length - 1]!;
    if (c === '(') {
      frames.push({ piece: { text: '', at: [] }, open: i, height: 0 });
      continue;
    }
    if (c !== ')' || frames.length === 1) {
      append(top.piece, c, i);
      continue;
    }
    frames.pop();
    const parent = frames[frames.length - 1]!;
    const height = top.height + 1;
    if (height >= GROUP_DEPTH) {
      const name = `${prefix}${groups.length}`;
      groups.push({ content: top.piece, open: top.open, close: i });
      append(parent.piece, `(${name})`, [top.open, ...Array.from({ length: name.length }, () => top.open), i]);
      parent.height = Math.max(parent.height, 1);
    } else {
      append(parent.piece, '(', top.open);
      append(parent.piece, top.piece.text, top.piece.at);
      append(parent.piece, ')', i);
      parent.height = Math.max(parent.height, height);
    }
  }
  // Unclosed groups go back into their parents as written.
  while (frames.length > 1) {
    const frame = frames.pop()!;
    const parent = frames[frames.length - 1]!;
    append(parent.piece, '(', frame.open);
    append(parent.piece, frame.piece.text, frame.piece.at);
  }
  return { top: frames[0]!.piece, groups };
}

/** The most '(' open at once, reading left to right (a ')' with none open is passed over, as cut does). */
function maxParenDepth(text: string): number {
  let depth = 0;
  let most = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 40) most = Math.max(most, ++depth);
    else if (c === 41 && depth > 0) depth--;
  }
  return most;
}

/** Each placeholder symbol of a tree with the node that holds it, found without recursion. */
function placeholdersOf(tree: Node, prefix: string): Map<string, Node> {
  const holders = new Map<string, Node>();
  const stack: Node[] = [tree];
  while (stack.length > 0) {
    const node = stack.pop()!;
    node.forEach((child: Node) => {
      if (child.type === 'SymbolNode' && child.name.startsWith(prefix)) holders.set(child.name, node);
      else stack.push(child);
    });
  }
  return holders;
}

/**
 * Parses a statement of any bracket depth. A syntax error is thrown as a PieceError whose
 * index is in `text` (the first one in reading order when several pieces fail).
 */
export function parseDeep(text: string, parse: (text: string) => MathNode): MathNode {
  const prefix = placeholderPrefix(text);
  const { top, groups } = cut(text, prefix);
  const errors: PieceSyntaxError[] = [];
  const parsePiece = (piece: Piece): Node | undefined => {
    try {
      return parse(piece.text) as Node;
    } catch (error) {
      if (error instanceof RangeError || !(error instanceof Error)) throw error;
      // mathjs's char is 1-based and may stand one past the end.
      const k = Math.max(((error as { char?: number }).char ?? 1) - 1, 0);
      errors.push(new PieceSyntaxError(error, k < piece.at.length ? piece.at[k]! : piece.at[piece.at.length - 1]! + 1));
      return undefined;
    }
  };
  const root = parsePiece(top);
  // Each group is parsed as the arguments of a call: in parentheses it must then be one.
  const call = `${prefix}f(`;
  const parsed = groups.map((group, k) => ({
    name: `${prefix}${k}`,
    group,
    tree: parsePiece({ text: `${call}${group.content.text})`, at: [...Array.from({ length: call.length }, () => group.open), ...group.content.at, group.close] }),
  }));
  if (errors.length > 0) throw errors.reduce((a, b) => (b.index < a.index ? b : a));
  const holders = new Map<string, Node>();
  for (const tree of [root!, ...parsed.map((g) => g.tree!)]) for (const [name, holder] of placeholdersOf(tree, prefix)) holders.set(name, holder);
  for (const { name, group, tree } of parsed) {
    const holder = holders.get(name);
    const args = tree!.args as Node[];
    if (holder?.type === 'FunctionNode' && holder.args.length === 1 && holder.args[0].name === name) holder.args = args;
    else if (holder?.type === 'ParenthesisNode' && args.length === 1) holder.content = args[0];
    // '(a, b)' outside a call, as mathjs words it.
    else throw new PieceSyntaxError(new SyntaxError('Parenthesis ) expected'), group.open);
  }
  return root!;
}
