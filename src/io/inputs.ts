/**
 * Text → numbers for `gateflow trace`: an input sequence (JSON [T][I] or [T][B][I], or
 * CSV with one row a step and one column a feature), initial states, and weights as a
 * JSON object keyed by parameter name. Pure decoders; every message names file:line:column.
 */
import { clipText, InputError } from '../errors.js';
import { jsonError, parseJsonText, type JsonValue, type ParsedJson } from './json-text.js';
import { DECIMAL_NUMBER } from './number-text.js';
import type { NamedTensor, NamedTensors } from './tensors.js';

/** A decoded input sequence, always [T][B][F] (a [T][I] file gives batch 1). */
export interface DecodedSequence {
  readonly steps: number[][][];
  /** How the file laid it out, for messages. */
  readonly layout: '[T][I]' | '[T][B][I]';
}

/** A JSON or CSV sequence; CSV when the name ends in .csv or the text does not start like JSON. */
export function decodeSequence(text: string, file: string): DecodedSequence {
  const trimmed = text.trimStart().replace(/^\ufeff/, '');
  const csv = /\.(csv|tsv|txt)$/i.test(file) || !(trimmed.startsWith('[') || trimmed.startsWith('{'));
  return csv ? decodeSequenceCsv(text, file) : decodeSequenceJson(text, file);
}

export function decodeSequenceJson(text: string, file: string): DecodedSequence {
  const plain = plainSequence(text);
  if (plain) return plain;
  const parsed = parseJsonText(text, file);
  const { value } = parsed;
  if (!Array.isArray(value)) throw jsonError(file, { line: 1, column: 1 }, `expected an array of steps ([T][I] or [T][B][I]), found ${kindOf(value)}`);
  if (value.length === 0) throw jsonError(file, parsed.positions.get(value)!, 'the sequence has no steps');
  const shape = rectangularShape(parsed, value, file, SEQUENCE_AXES);
  if (shape.length === 2) return { steps: (value as number[][]).map((row) => [row]), layout: '[T][I]' };
  if (shape.length === 3) return { steps: value as number[][][], layout: '[T][B][I]' };
  throw jsonError(file, parsed.positions.get(value)!, `expected a [T][I] or [T][B][I] array of numbers, found a ${shape.length}-dimensional array [${shape.join(', ')}]`);
}

/**
 * A well-formed sequence ([T][I] or [T][B][I] finite numbers, rectangular) read by JSON.parse,
 * several times faster than the reader that keeps positions; the values are the same (both
 * take strict JSON and round numbers alike). Anything else is undefined, and goes through
 * that reader, whose message says where it is wrong.
 */
function plainSequence(text: string): DecodedSequence | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length === 0 || !Array.isArray(value[0]) || value[0].length === 0) return undefined;
  const numbers = (row: unknown, n: number): boolean => Array.isArray(row) && row.length === n && row.every((v) => typeof v === 'number' && Number.isFinite(v));
  const first = value[0] as unknown[];
  if (typeof first[0] === 'number') {
    return value.every((row) => numbers(row, first.length)) ? { steps: (value as number[][]).map((row) => [row]), layout: '[T][I]' } : undefined;
  }
  const features = Array.isArray(first[0]) ? first[0].length : 0;
  const step = (rows: unknown): boolean => Array.isArray(rows) && rows.length === first.length && rows.every((row) => numbers(row, features));
  return features > 0 && value.every(step) ? { steps: value as number[][][], layout: '[T][B][I]' } : undefined;
}

export function decodeSequenceCsv(text: string, file: string): DecodedSequence {
  const rows = decodeCsvNumbers(text, file);
  if (rows.length === 0) throw new InputError(`${file}: the sequence has no steps`);
  return { steps: rows.map((row) => [row]), layout: '[T][I]' };
}

/**
 * An initial state given as text: a JSON vector [H] (the same for every batch element)
 * or matrix [B][H]. Returned as [B][H] (B = 1 for a vector; the caller broadcasts).
 */
export function decodeStateJson(text: string, file: string): { readonly rows: number[][]; readonly perBatch: boolean } {
  const parsed = parseJsonText(text, file);
  const { value } = parsed;
  if (!Array.isArray(value)) throw jsonError(file, { line: 1, column: 1 }, `expected a vector [H] or a matrix [B][H], found ${kindOf(value)}`);
  if (value.length === 0) throw jsonError(file, parsed.positions.get(value)!, 'the state is empty');
  const shape = rectangularShape(parsed, value, file, STATE_AXES);
  if (shape.length === 1) return { rows: [value as number[]], perBatch: false };
  if (shape.length === 2) return { rows: value as number[][], perBatch: true };
  throw jsonError(file, parsed.positions.get(value)!, `expected a vector [H] or a matrix [B][H], found a ${shape.length}-dimensional array`);
}

/** Weights as a JSON object: {"W_ir": [[...], ...], "b_ir": [...], ...}. */
export function decodeWeightsJson(text: string, file: string): NamedTensors {
  const parsed = parseJsonText(text, file);
  const { value } = parsed;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw jsonError(file, { line: 1, column: 1 }, `expected an object keyed by parameter name ({"W_ir": [[...]], ...}), found ${kindOf(value)}`);
  }
  const tensors = new Map<string, NamedTensor>();
  for (const [name, entry] of Object.entries(value)) {
    const at = parsed.memberPosition(value, name);
    if (typeof entry === 'number') {
      tensors.set(name, { shape: [], data: Float64Array.of(entry), dtype: 'json' });
      continue;
    }
    if (!Array.isArray(entry)) throw jsonError(file, at, `weight '${name}' must be an array of numbers, found ${kindOf(entry)}`);
    if (entry.length === 0) throw jsonError(file, at, `weight '${name}' is empty`);
    const shape = rectangularShape(parsed, entry, file, WEIGHT_AXES, `weight '${name}'`);
    const data = Float64Array.from((entry as unknown[]).flat(shape.length) as number[]);
    tensors.set(name, { shape, data, dtype: 'json' });
  }
  return tensors;
}

/** Rows of finite numbers from CSV; a first row that is not numeric is a header and skipped. */
export function decodeCsvNumbers(text: string, file: string): number[][] {
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/);
  const rows: number[][] = [];
  let width = -1;
  let widthLine = 0;
  let seenFirst = false;
  lines.forEach((line, lineIndex) => {
    const lineNumber = lineIndex + 1;
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const cells = splitCsvLine(line);
    if (!seenFirst) {
      seenFirst = true;
      // A header names the columns: any cell that is not a number (nor nan/inf) marks it.
      if (cells.some((c) => c.text !== '' && !isNumberLike(c.text))) {
        width = cells.length;
        widthLine = lineNumber;
        return;
      }
    }
    if (width >= 0 && cells.length !== width) {
      throw new InputError(`${file}:${lineNumber}:1: row has ${cells.length} column${cells.length === 1 ? '' : 's'}, expected ${width} (as on line ${widthLine})`);
    }
    width = cells.length;
    widthLine ||= lineNumber;
    rows.push(
      cells.map((c) => {
        const where = `${file}:${lineNumber}:${c.column}`;
        if (c.text === '') throw new InputError(`${where}: empty value`);
        if (!isNumberLike(c.text)) throw new InputError(`${where}: '${clipText(c.text)}' is not a number`);
        const v = Number(c.text);
        if (!Number.isFinite(v)) throw new InputError(`${where}: '${clipText(c.text)}' is not a finite number`);
        return v;
      }),
    );
  });
  return rows;
}

function splitCsvLine(line: string): { text: string; column: number }[] {
  const cells: { text: string; column: number }[] = [];
  let start = 0;
  for (let i = 0; i <= line.length; i++) {
    if (i === line.length || line[i] === ',') {
      const raw = line.slice(start, i);
      const lead = raw.length - raw.trimStart().length;
      cells.push({ text: raw.trim().replace(/^"(.*)"$/, '$1'), column: start + lead + 1 });
      start = i + 1;
    }
  }
  return cells;
}

/** A decimal number, or a spelling of NaN/infinity (rejected later with a clearer message). */
function isNumberLike(text: string): boolean {
  return DECIMAL_NUMBER.test(text) || /^[+-]?(nan|inf|infinity)$/i.test(text);
}

function kindOf(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value === 'string' ? `the string ${JSON.stringify(clipText(value))}` : `${typeof value} ${String(value)}`;
}

/**
 * The shape of a nested array of numbers, checking that it is rectangular; a ragged
 * row or a non-number is reported at its own position, named by its index path.
 * `axisNames(rank)` names the axes for messages ('step', 'feature').
 */
function rectangularShape(parsed: ParsedJson, root: JsonValue[], file: string, axisNames: (rank: number) => readonly string[], what = 'element'): number[] {
  const shape: number[] = [];
  for (let node: JsonValue = root; Array.isArray(node); node = node[0]) {
    if (node.length === 0) throw jsonError(file, parsed.positions.get(node)!, `${what} ${'[0]'.repeat(shape.length)} is empty`);
    shape.push(node.length);
  }
  const names = axisNames(shape.length);
  const plural = (n: number, name: string): string => `${n} ${name}${n === 1 ? '' : 's'}`;
  const visit = (node: JsonValue[], depth: number, path: string): void => {
    node.forEach((child, i) => {
      const here = `${path}[${i}]`;
      const at = parsed.elementPosition(node, i);
      if (depth + 1 < shape.length) {
        const expected = plural(shape[depth + 1], names[depth + 1] ?? 'value');
        if (!Array.isArray(child)) throw jsonError(file, at, `${what} ${here}: expected an array of ${expected}, found ${kindOf(child)}`);
        if (child.length !== shape[depth + 1]) {
          throw jsonError(file, at, `${what} ${here} has ${plural(child.length, names[depth + 1] ?? 'value')}, expected ${shape[depth + 1]} (as ${what} ${path}[0])`);
        }
        visit(child, depth + 1, here);
      } else if (typeof child !== 'number') {
        throw jsonError(file, at, `${what} ${here}: expected a number, found ${kindOf(child)}`);
      }
    });
  };
  visit(root, 0, '');
  return shape;
}

const SEQUENCE_AXES = (rank: number): readonly string[] => (rank === 3 ? ['step', 'batch element', 'feature'] : ['step', 'feature']);
const STATE_AXES = (rank: number): readonly string[] => (rank === 2 ? ['batch element', 'unit'] : ['unit']);
const WEIGHT_AXES = (rank: number): readonly string[] => (rank === 2 ? ['row', 'column'] : ['value', 'value', 'value']);
