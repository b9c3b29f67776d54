/**
 * A Trace as text: an aligned table for the terminal, CSV (one row per step and batch
 * element, one column per vector element) and JSON in the shape the issue fixes, with
 * each [batch][size] value on one line so a diff reads by value.
 */
import { InputError } from '../errors.js';
import { fixedDigits, type FixedDigits } from './fixed.js';
import { engineRows } from './engine-run.js';
import type { Trace, TraceStep } from './types.js';

export interface FormatOptions {
  /**
   * Which values: the inputs and the statements' targets (default 'values'), every node
   * ('all'), or the listed node ids in the given order (table and CSV only).
   */
  readonly nodes?: 'values' | 'all' | readonly string[];
}

/** Inputs first (what went in), then the statement targets or every node, in IR order. */
export function selectNodes(step: TraceStep, options: FormatOptions): string[] {
  const chosen = options.nodes;
  if (Array.isArray(chosen)) {
    const unknown = chosen.filter((id) => !(id in step.nodes));
    if (unknown.length) {
      throw new InputError(`no node ${unknown.map((id) => `'${id}'`).join(', ')} in the trace (nodes: ${Object.keys(step.nodes).join(', ')})`);
    }
    return [...chosen];
  }
  if (chosen === 'all') return Object.keys(step.nodes);
  const targets = Object.keys(step.values);
  // Node ids of inputs and noise are their bare names; intermediates have a '.', states '_prev'.
  const inputs = Object.keys(step.nodes).filter((id) => !(id in step.values) && !id.includes('.') && !id.endsWith('_prev'));
  return [...inputs, ...targets];
}

/** A JavaScript string holds at most about 512 MB; stay well under it. */
const MAX_TEXT_NUMBERS = 15_000_000;

/** Refuses, with advice, a text output whose numbers would not fit in one string. */
export function checkTextSize(trace: Trace, names: readonly string[], what: string): void {
  const first = trace.steps[0];
  const perStep = names.reduce((n, id) => n + first.nodes[id].length * (first.nodes[id][0]?.length ?? 0), 0);
  const count = perStep * trace.steps.length;
  if (count > MAX_TEXT_NUMBERS) {
    throw new InputError(`the ${what} would hold ${count} numbers, more than one file of text can (${MAX_TEXT_NUMBERS}); trace fewer steps, or pick nodes with --nodes`);
  }
}

export interface TableOptions extends FormatOptions {
  /** Digits after the decimal point; default 4. */
  readonly digits?: number;
}

/**
 * The trace as an aligned table: one block per step, one line per node (and batch
 * element), one right-aligned column per vector element.
 */
export function formatTable(trace: Trace, options: TableOptions = {}): string {
  return new TextDecoder().decode(formatTableBytes(trace, options));
}

/** formatTable's text as UTF-8 bytes, for writing out without making a string of it (7 MB at 1,000 steps of hidden 128). */
export function formatTableBytes(trace: Trace, options: TableOptions = {}): Uint8Array {
  // Every step holds the same nodes, so the selection is made once.
  const names = selectNodes(trace.steps[0], options);
  checkTextSize(trace, names, 'table');
  const batch = trace.sizes.batch ?? 1;
  const number = fixedDigits(options.digits ?? 4);
  // Rows straight from the engine's float64 history when it made the trace (no array per row).
  const rowsOf = (step: TraceStep, name: string): readonly ArrayLike<number>[] => engineRows(step.nodes)?.(name) ?? step.nodes[name];
  // The widths first; then the lines, written as bytes (a million numbers at hidden 128: no
  // string or array per number or row).
  const { units, tWidth, nodeWidth, cellWidth } = tableWidths(trace, names, rowsOf, number);
  const bWidth = Math.max(1, String(batch - 1).length);
  const header = [
    't'.padStart(tWidth),
    'node'.padEnd(nodeWidth),
    ...(batch > 1 ? ['b'.padStart(bWidth)] : []),
    ...Array.from({ length: units }, (_, i) => String(i).padStart(cellWidth)),
  ].join('  ');
  const sizes = Object.entries(trace.sizes).map(([k, v]) => `${k} ${v}`).join(', ');
  // What follows the t column on each line, by node and batch element: the same at every step.
  const encoder = new TextEncoder();
  const leadText = names.map((name) => Array.from({ length: batch }, (_, b) => `  ${(b === 0 ? name : '').padEnd(nodeWidth)}${batch > 1 ? `  ${String(b).padStart(bWidth)}` : ''}`));
  const lead = leadText.map((texts) => texts.map((text) => encoder.encode(text)));
  const leadBytes = lead.reduce((n, rows) => rows.reduce((m, bytes) => m + bytes.length, n), 0);
  const out = new ByteText(trace.steps.length * (1 + leadBytes + names.length * batch * (tWidth + 1 + units * (cellWidth + 2))) + 3 * header.length + 1024);
  out.text(`${trace.cell} (${sizes}; ${trace.steps.length} step${trace.steps.length === 1 ? '' : 's'})\n${header}\n`);
  const cell = cellWidth + 2;
  let first = true;
  for (const step of trace.steps) {
    const t = String(step.t);
    names.forEach((name, i) => {
      rowsOf(step, name).forEach((row, b) => {
        const withT = i === 0 && b === 0;
        if (withT && !first) out.text('\n');
        first = false;
        if (row.length === 0) return out.text(`${`${(withT ? t : '').padStart(tWidth)}${leadText[i]![b]!}`.trimEnd()}\n`);
        const prefix = lead[i]![b]!;
        const bytes = out.room(tWidth + prefix.length + row.length * cell + 1);
        let at = out.length;
        // The t column (digits, right-aligned) or blanks, then the node's name and batch element.
        bytes.fill(32, at, at + tWidth);
        if (withT) for (let k = 0; k < t.length; k++) bytes[at + tWidth - t.length + k] = t.charCodeAt(k);
        at += tWidth;
        bytes.set(prefix, at);
        at += prefix.length;
        // Each cell: two spaces, then the number right-aligned in its column (-0 as 0).
        bytes.fill(32, at, at + row.length * cell);
        at = number.writeRow(bytes, at, row, cell);
        bytes[at] = 10;
        out.length = at + 1;
      });
    });
  }
  return out.bytes();
}

/** The table's column widths. Loops, not Math.max(...): spreading a 10,000-step table overflows the call stack. */
function tableWidths(trace: Trace, names: readonly string[], rowsOf: (step: TraceStep, name: string) => readonly ArrayLike<number>[], number: FixedDigits) {
  let units = 0;
  let tWidth = 1;
  let nodeWidth = 4;
  const range = new ValueRange();
  for (const step of trace.steps) {
    names.forEach((name, i) => {
      const rows = rowsOf(step, name);
      if (rows.length === 0) return;
      if (i === 0) tWidth = Math.max(tWidth, String(step.t).length);
      nodeWidth = Math.max(nodeWidth, name.length);
      for (const row of rows) {
        units = Math.max(units, row.length);
        range.add(row);
      }
    });
  }
  const cellWidth = Math.max(range.longest(number, () => longestOfAll(trace, names, number)), String(units - 1).length);
  return { units, tWidth, nodeWidth, cellWidth };
}

/**
 * The largest value ≥ 0 and the most negative one, which have the longest toFixed strings of
 * their sign: toFixed rounds |v| to the nearest multiple of 10^-digits (the larger on a tie),
 * which never decreases as |v| grows, so neither does its count of digits, below 1e21 (from
 * there toFixed writes the exponent form, "1e+21"). Comparing two numbers costs a fraction of
 * writing one, and the table has a million.
 */
class ValueRange {
  private top = -1;
  private bottom = 0;
  private nan = false;

  add(row: ArrayLike<number>): void {
    for (let i = 0; i < row.length; i++) {
      const v = row[i]!;
      if (v >= 0) {
        if (v > this.top) this.top = v;
      } else if (v < this.bottom) this.bottom = v;
      else if (v !== v) this.nan = true;
    }
  }

  /** The longest toFixed string's length, or `scanAll()` when a value lies beyond ±1e21 or is infinite. */
  longest(number: FixedDigits, scanAll: () => number): number {
    if (!(this.top < 1e21 && this.bottom > -1e21)) return scanAll();
    // -0 is written as 0, which the top holds as 0 too.
    const top = this.top >= 0 ? number.length(this.top === 0 ? 0 : this.top) : 0;
    const bottom = this.bottom < 0 ? number.length(this.bottom) : 0;
    return Math.max(top, bottom, this.nan ? number.length(NaN) : 0);
  }
}

/** The longest number of the table, each measured: for values beyond ±1e21 or infinite. */
function longestOfAll(trace: Trace, names: readonly string[], number: FixedDigits): number {
  let longest = 0;
  for (const step of trace.steps) {
    for (const name of names) for (const row of step.nodes[name]) for (const v of row) longest = Math.max(longest, number.length(Object.is(v, -0) ? 0 : v));
  }
  return longest;
}

/** Text built as UTF-8 bytes in one growing buffer. */
class ByteText {
  private buffer: Uint8Array;
  length = 0;
  private static readonly encoder = new TextEncoder();

  /** `capacity`: the bytes expected, so that a table's buffer is made once. */
  constructor(capacity: number) {
    this.buffer = new Uint8Array(Math.max(capacity, 1 << 10));
  }

  /** The buffer, with room for `n` more bytes after `length`. */
  room(n: number): Uint8Array {
    if (this.length + n > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + n));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    return this.buffer;
  }

  text(text: string): void {
    // At most three bytes of UTF-8 per UTF-16 unit.
    const bytes = this.room(text.length * 3);
    this.length += ByteText.encoder.encodeInto(text, bytes.subarray(this.length)).written;
  }

  /** The text's bytes (a view of the buffer). */
  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

/** CSV: columns t, batch, then name[i] for each node's elements; numbers at full float64 precision. */
export function toCsv(trace: Trace, options: FormatOptions = {}): string {
  const first = trace.steps[0];
  const names = selectNodes(first, options);
  checkTextSize(trace, names, 'CSV');
  const header = ['t', 'batch', ...names.flatMap((name) => first.nodes[name][0].map((_, i) => `${name}[${i}]`))];
  const lines = [header.map(csvField).join(',')];
  for (const step of trace.steps) {
    for (let b = 0; b < (trace.sizes.batch ?? 1); b++) {
      lines.push([String(step.t), String(b), ...names.flatMap((name) => step.nodes[name][b].map(String))].join(','));
    }
  }
  return lines.join('\n') + '\n';
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export interface JsonOptions {
  /** 'values' (default): the statements' targets; 'all': also "nodes", every node by IR id. */
  readonly nodes?: 'values' | 'all';
}

/**
 * JSON: {"cell", "sizes", "steps": [{"t", "values"}], "final"}; with nodes 'all' each
 * step also has "nodes" (every node by IR id). Keys keep this fixed order; numbers are
 * written at full float64 precision, so the same trace gives the same bytes.
 */
export function toJson(trace: Trace, options: JsonOptions = {}): string {
  const names = Object.keys(trace.steps[0].values);
  checkTextSize(trace, options.nodes === 'all' ? [...names, ...Object.keys(trace.steps[0].nodes)] : names, 'JSON');
  const document = {
    cell: trace.cell,
    sizes: trace.sizes,
    steps: trace.steps.map((s) => (options.nodes === 'all' ? { t: s.t, values: s.values, nodes: s.nodes } : { t: s.t, values: s.values })),
    final: trace.final,
  };
  return stringify(document, '') + '\n';
}

/** JSON with 2-space indentation, except that arrays of numbers (or of arrays of numbers) stay on one line. */
function stringify(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'number' || (Array.isArray(v) && v.every((w) => typeof w === 'number')))) {
      return JSON.stringify(value).replace(/,/g, ', ');
    }
    const inner = indent + '  ';
    return `[\n${value.map((v) => inner + stringify(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const inner = indent + '  ';
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${stringify(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}
