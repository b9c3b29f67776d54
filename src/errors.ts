/**
 * Errors a user can act on. Every error the library throws for bad input is a
 * GateflowError; the CLI prints its message (no stack) and exits with status 2.
 * Anything else reaching the CLI is an internal bug and is reported as such.
 */
export class GateflowError extends Error {
  override name = 'GateflowError';
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
