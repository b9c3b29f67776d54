/**
 * Splits a .cell file into header declarations and statements, keeping the
 * line and column of everything, and rewrites the Unicode operators mathjs does
 * not know (⊙, −, ·) while remembering how columns moved.
 */
import { CellError, type Span } from '../errors.js';
import { sumDims } from './shapes.js';

export interface NameDecl {
  readonly name: string;
  /** Dims written after the name ('mu [latent]'), or undefined for the default. */
  readonly dims?: readonly string[];
  readonly span: Span;
}

export interface ParamDecl {
  readonly name: string;
  readonly dims: readonly string[];
  readonly span: Span;
}

export interface StatementSource {
  /** The statement as written, trailing comment removed. */
  readonly text: string;
  /** The text handed to mathjs (⊙ → .*, − → -, · → *). */
  readonly rewritten: string;
  /** columnMap[i] is the 1-based column in the file of rewritten[i]. */
  readonly columnMap: readonly number[];
  readonly line: number;
  /** 1-based column of text[0] in the file. */
  readonly column: number;
}

export interface NoiseDecl extends NameDecl {
  readonly distribution: 'normal';
}

export interface CellSource {
  readonly file: string;
  readonly description: readonly string[];
  readonly name?: { value: string; span: Span };
  readonly title?: string;
  readonly inputs: readonly NameDecl[];
  readonly states: readonly NameDecl[];
  readonly outputs: readonly NameDecl[];
  readonly noises: readonly NoiseDecl[];
  readonly params: readonly ParamDecl[];
  readonly statements: readonly StatementSource[];
}

// Combining accents (U+0300–U+036F) may follow any letter of a name: h̃ is read as h_tilde.
const IDENT = '[A-Za-z_$\\u00C0-\\u02AF\\u0370-\\u03FF][\\w$\\u00C0-\\u02AF\\u0300-\\u03FF]*';
const HEADER = /^(cell|title|input|inputs|state|states|output|outputs|noise):(.*)$/;
const PARAM = new RegExp(`^param\\s+(${IDENT})\\s*:\\s*\\[([^\\]]*)\\]\\s*$`);
const NOISE_STATEMENT = new RegExp(`^(${IDENT})\\s*~\\s*N\\(\\s*0\\s*,\\s*I\\s*\\)\\s*$`);
const ASSIGNMENT = new RegExp(`^${IDENT}\\s*=[^=]`);
const NAME_WITH_DIMS = new RegExp(`^(${IDENT})\\s*(?:\\[([^\\]]*)\\])?$`);

/** Unicode operators accepted in .cell files and what mathjs gets instead. */
const REWRITES: Record<string, string> = { '⊙': '.*', '∘': '.*', '−': '-', '·': '*', '×': '*' };

/** Combining accents and the suffix that names them (symbolTex typesets h_tilde as \tilde{h}). */
const ACCENT_MARKS: Readonly<Record<string, string>> = {
  '\u0300': '_grave', '\u0301': '_acute', '\u0302': '_hat', '\u0303': '_tilde', '\u0304': '_bar', '\u0306': '_breve',
  '\u0307': '_dot', '\u0308': '_ddot', '\u030C': '_check', '\u20D7': '_vec',
};

/** One character of a name in ASCII-suffix form: 'h̃' (h + U+0303) or 'ã' → 'h_tilde', 'a_tilde'. */
function spellAccents(ch: string): string {
  // Below U+00C0 no character decomposes (NFD): most of a cell's text skips normalize() and its array.
  if (ch.length === 1 && ch.charCodeAt(0) < 0xc0) return ch;
  if (ACCENT_MARKS[ch]) return ACCENT_MARKS[ch];
  const parts = [...ch.normalize('NFD')];
  if (parts.length < 2 || !parts.slice(1).every((m) => ACCENT_MARKS[m])) return ch;
  return parts[0] + parts.slice(1).map((m) => ACCENT_MARKS[m]).join('');
}

/** A declared or used name with its accents spelled out: 'c̃' → 'c_tilde'. */
export function canonicalName(name: string): string {
  return [...name].map(spellAccents).join('');
}

export function rewriteOperators(text: string, firstColumn: number): { rewritten: string; columnMap: number[] } {
  // Runs of ASCII (no rewrite, no accent: most of a statement) are copied whole; other code
  // points one by one. A character at a time, a 200 KB statement built 200,000 strings.
  const parts: string[] = [];
  const columnMap: number[] = [];
  let column = firstColumn;
  let runStart = 0;
  let i = 0;
  while (i < text.length) {
    if (text.charCodeAt(i) < 0x80) {
      columnMap.push(column++);
      i++;
      continue;
    }
    if (runStart < i) parts.push(text.slice(runStart, i));
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    const out = REWRITES[ch] ?? spellAccents(ch);
    parts.push(out);
    for (let k = 0; k < out.length; k++) columnMap.push(column);
    column += ch.length; // columns count UTF-16 units, as editors' "col" usually does for BMP text
    i += ch.length;
    runStart = i;
  }
  if (runStart < text.length) parts.push(text.slice(runStart));
  columnMap.push(column); // one past the end, for "unexpected end of expression"
  return { rewritten: parts.join(''), columnMap };
}

function stripComment(line: string): string {
  const hash = line.indexOf('#');
  return hash >= 0 ? line.slice(0, hash) : line;
}

function splitNames(body: string, bodyColumn: number, file: string, line: number): NameDecl[] {
  const decls: NameDecl[] = [];
  let offset = 0;
  // Split on commas that are not inside [...].
  const parts: { text: string; start: number }[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= body.length; i++) {
    const ch = body[i];
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (i === body.length || (ch === ',' && depth === 0)) {
      parts.push({ text: body.slice(start, i), start });
      start = i + 1;
    }
  }
  for (const part of parts) {
    const lead = part.text.length - part.text.trimStart().length;
    const text = part.text.trim();
    offset = part.start + lead;
    const span: Span = { file, line, column: bodyColumn + offset, length: Math.max(1, text.length) };
    if (!text) throw new CellError(span, 'expected a name');
    const m = NAME_WITH_DIMS.exec(text);
    if (!m) throw new CellError(span, `'${text}' is not a name (optionally followed by [dims])`);
    const dims = m[2] === undefined ? undefined : splitDims(m[2], span);
    decls.push({ name: canonicalName(m[1]), dims, span: { ...span, length: m[1].length } });
  }
  return decls;
}

function splitDims(text: string, span: Span): string[] {
  if (text.trim() === '') return []; // param beta: [] is a scalar
  const dims = text.split(',').map((d) => d.trim());
  const part = '(?:[A-Za-z_]\\w*|[1-9]\\d*)';
  if (dims.length === 0 || dims.some((d) => !new RegExp(`^${part}(?:\\s*\\+\\s*${part})*$`).test(d))) {
    throw new CellError(span, `dimensions must be names, positive integers or sums of them (hidden + input), found [${text}]`);
  }
  // A sum (the size of a stacked vector) in the form shape inference writes it: 'hidden+input'.
  return dims.map((d) => (d.includes('+') ? String(sumDims(d.split('+').map((p) => p.trim()))) : d));
}

/** A source being split: its declarations and statements as they are read, line by line. */
interface Splitting {
  readonly file: string;
  readonly description: string[];
  name?: CellSource['name'];
  title?: string;
  readonly inputs: NameDecl[];
  readonly states: NameDecl[];
  readonly outputs: NameDecl[];
  readonly noises: NoiseDecl[];
  readonly params: ParamDecl[];
  readonly statements: StatementSource[];
}

/** One line's content (comment and surrounding blanks removed) and where it starts. */
interface SourceLine {
  readonly content: string;
  readonly line: number;
  /** 1-based column of content[0]. */
  readonly column: number;
  spanOf(offset: number, length: number): Span;
}

export function splitSource(text: string, file: string): CellSource {
  const into: Splitting = { file, description: [], inputs: [], states: [], outputs: [], noises: [], params: [], statements: [] };
  let seenContent = false;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmedStart = raw.trimStart();
    if (trimmedStart.startsWith('#')) {
      if (!seenContent) into.description.push(trimmedStart.replace(/^#+\s?/, ''));
      return;
    }
    const body = stripComment(raw).trimEnd();
    const lead = body.length - body.trimStart().length;
    const content = body.trim();
    if (!content) return;
    seenContent = true;
    const column = lead + 1;
    const spanOf = (offset: number, length: number): Span => ({ file, line, column: column + offset, length: Math.max(1, length) });
    readLine(into, { content, line, column, spanOf });
  });
  const { description, name, title, inputs, states, outputs, noises, params, statements } = into;
  return { file, description, name, title, inputs, states, outputs, noises, params, statements };
}

/** A header, a parameter, a noise or an assignment; anything else is an error. */
function readLine(into: Splitting, at: SourceLine): void {
  const { content, spanOf } = at;
  const header = HEADER.exec(content);
  if (header) return readHeader(into, at, header[1], header[2]);
  const param = PARAM.exec(content);
  if (param) {
    const span = spanOf(content.indexOf(param[1], 5), param[1].length);
    into.params.push({ name: canonicalName(param[1]), dims: splitDims(param[2], span), span });
    return;
  }
  if (content.startsWith('param')) {
    throw new CellError(spanOf(0, content.length), "expected 'param NAME: [dim, dim]'");
  }
  const noise = NOISE_STATEMENT.exec(content);
  if (noise) {
    into.noises.push({ name: canonicalName(noise[1]), span: spanOf(0, noise[1].length), distribution: 'normal' });
    return;
  }
  if (ASSIGNMENT.test(content)) {
    const { rewritten, columnMap } = rewriteOperators(content, at.column);
    into.statements.push({ text: content, rewritten, columnMap, line: at.line, column: at.column });
    return;
  }
  throw new CellError(
    spanOf(0, content.length),
    'expected a header (cell:, title:, input:, state:, output:, noise:, param NAME: [dims]) or an assignment NAME = expression',
  );
}

/** `key: value` for cell:, title:, input(s):, state(s):, output(s): and noise:. */
function readHeader(into: Splitting, at: SourceLine, key: string, value: string): void {
  const valueOffset = key.length + 1 + (value.length - value.trimStart().length);
  const trimmed = value.trim();
  if (key === 'title') {
    into.title = trimmed;
    return;
  }
  if (key === 'cell') {
    if (!/^[A-Za-z][\w-]*$/.test(trimmed)) throw new CellError(at.spanOf(valueOffset, trimmed.length), `cell name must be a word (letters, digits, '-', '_'), found '${trimmed}'`);
    into.name = { value: trimmed, span: at.spanOf(valueOffset, trimmed.length) };
    return;
  }
  const decls = splitNames(value.trim(), at.column + valueOffset, into.file, at.line);
  // Loops, not push(...decls): a header line of a megabyte lists more names than a call takes arguments.
  const list = key.startsWith('input') ? into.inputs : key.startsWith('state') ? into.states : key.startsWith('output') ? into.outputs : undefined;
  if (list) for (const d of decls) list.push(d);
  else for (const d of decls) into.noises.push({ ...d, distribution: 'normal' as const });
}

/** An identifier or number token of a statement, with its column in the file. */
export interface Token {
  readonly text: string;
  readonly kind: 'name' | 'number';
  readonly column: number;
  /** Its length in the file (h̃ is two characters for mathjs's seven of h_tilde). */
  readonly length: number;
}

const TOKEN = new RegExp(`(${IDENT})|((?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)`, 'g');

/**
 * The names and numbers of a statement in source order. mathjs nodes carry no
 * positions; walking its tree left to right meets the same names and numbers in
 * the same order, which is how nodes get their columns back.
 */
export function tokenize(statement: StatementSource): Token[] {
  // The rewritten text spells names as mathjs sees them (h̃ → h_tilde); columns come from its map.
  const tokens: Token[] = [];
  for (const m of statement.rewritten.matchAll(TOKEN)) {
    const start = m.index ?? 0;
    const column = statement.columnMap[start];
    tokens.push({ text: m[0], kind: m[1] ? 'name' : 'number', column, length: statement.columnMap[start + m[0].length] - column });
  }
  return tokens;
}
