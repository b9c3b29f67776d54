/**
 * Errors a user can act on. Every error the library throws for bad input is a
 * GateflowError; the CLI prints its message (no stack) and exits with status 2.
 * Anything else reaching the CLI is an internal bug and is reported as such.
 */
export class GateflowError extends Error {
  override name = 'GateflowError';
  constructor(message: string) {
    super(oneLine(message));
  }
}

/** A message longer than this (one that echoes a megabyte of input) is cut. */
export const MAX_MESSAGE_CHARS = 1000;
/** How much of the user's own text a message quotes. */
export const MAX_QUOTED_CHARS = 60;

/**
 * Text made safe for a one-line message: line breaks, tabs and other control characters
 * are written as escapes (`\n`, `\u0001`), and what goes past `max` characters (escapes
 * included) is cut with a note of how much was left out. Every GateflowError's message goes through it, so no
 * input can split a message over lines or flood a terminal.
 */
export function oneLine(text: string, max = MAX_MESSAGE_CHARS): string {
  const { out, used } = escapeUpTo(text, max);
  return used < text.length ? `${out}… (${text.length - used} more characters)` : out;
}

/** The user's text as a message quotes it: one line, at most MAX_QUOTED_CHARS characters and '…'. */
export function clipText(text: string, max = MAX_QUOTED_CHARS): string {
  const { out, used } = escapeUpTo(text, max);
  return used < text.length ? `${out}…` : out;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Escapes characters until the output holds `max` (character by character, so escapes count too). */
function escapeUpTo(text: string, max: number): { out: string; used: number } {
  let out = '';
  let used = 0;
  for (; used < text.length && out.length < max; used++) {
    const char = text[used]!;
    out += CONTROL.test(char) ? escapeControl(char) : char;
  }
  return { out, used };
}

function escapeControl(char: string): string {
  const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  return named[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** A position in a source file; line and column are 1-based. */
export interface Span {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly length: number;
}

/** An error in a .cell file (or any text input), located at file:line:column. */
export class CellError extends GateflowError {
  override name = 'CellError';
  constructor(
    readonly span: Span,
    readonly reason: string,
  ) {
    super(`${span.file}:${span.line}:${span.column}: ${reason}`);
  }
}

/** A tensor whose shape is not the one expected: names the tensor and both shapes. */
export class ShapeError extends GateflowError {
  override name = 'ShapeError';
  constructor(
    readonly tensor: string,
    readonly expected: readonly (number | string)[],
    readonly found: readonly (number | string)[],
    context = '',
  ) {
    super(`${context ? context + ': ' : ''}tensor '${tensor}' has shape [${found.join(', ')}], expected [${expected.join(', ')}]`);
  }
}

/** Bad user input that is neither a cell nor a tensor shape (a file, an option, a value). */
export class InputError extends GateflowError {
  override name = 'InputError';
}
