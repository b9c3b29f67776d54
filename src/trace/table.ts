/**
 * A Trace as an aligned table for the terminal: one block per step, one line per node (and
 * batch element), one right-aligned column per vector element, written as UTF-8 bytes. The
 * table of a 1,000-step trace at hidden 128 has over a million numbers: they are read straight
 * from the engine's float64 history when the engine made the trace (no array per row or
 * number) and written by fixed.ts's byte writer.
 */
import { engineValues, type StepValues, type StepValuesOf } from './engine-run.js';
import { fixedDigits, type FixedDigits } from './fixed.js';
import { checkTextSize, selectNodes, type FormatOptions } from './format.js';
import type { Trace, TraceStep } from './types.js';

export interface TableOptions extends FormatOptions {
  /** Digits after the decimal point; default 4. */
  readonly digits?: number;
}

/** The trace as an aligned table (a string). */
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
  const reader = new RowReader();
  const { units, tWidth, nodeWidth, cellWidth } = tableWidths(trace, names, reader, number);
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
    reader.step(step);
    for (let i = 0; i < names.length; i++) {
      reader.node(names[i]!);
      for (let b = 0; b < reader.rows; b++) {
        reader.row(b);
        const withT = i === 0 && b === 0;
        if (withT && !first) out.text('\n');
        first = false;
        if (reader.length === 0) {
          out.text(`${`${(withT ? t : '').padStart(tWidth)}${leadText[i]![b]!}`.trimEnd()}\n`);
          continue;
        }
        const prefix = lead[i]![b]!;
        const bytes = out.room(tWidth + prefix.length + reader.length * cell + 1);
        let at = out.length;
        // The t column (digits, right-aligned) or blanks, then the node's name and batch element.
        bytes.fill(32, at, at + tWidth);
        if (withT) for (let k = 0; k < t.length; k++) bytes[at + tWidth - t.length + k] = t.charCodeAt(k);
        at += tWidth;
        bytes.set(prefix, at);
        at += prefix.length;
        // Each cell: two spaces, then the number right-aligned in its column (-0 as 0).
        bytes.fill(32, at, at + reader.length * cell);
        at = number.writeCells(bytes, at, reader.data, reader.from, reader.length, cell);
        bytes[at] = 10;
        out.length = at + 1;
      }
    }
  }
  return out.bytes();
}

const NO_NUMBERS = new Float64Array(0);

/**
 * Reads a step's rows of a node without making arrays: from the engine's history when the
 * engine made the step (and its arrays were not made, which a caller may have changed), else
 * from the step's arrays. One reader, moved along: row b is data[from ... from + length).
 */
class RowReader {
  rows = 0;
  data: ArrayLike<number> = NO_NUMBERS;
  from = 0;
  length = 0;
  private current: TraceStep | undefined;
  private valuesOf: StepValuesOf | undefined;
  private engine: StepValues | undefined;
  private plain: readonly (readonly number[])[] = [];

  step(step: TraceStep): void {
    this.current = step;
    this.valuesOf = engineValues(step.nodes);
  }

  node(name: string): void {
    this.engine = this.valuesOf?.(name);
    if (this.engine) this.rows = this.engine.rows;
    else {
      this.plain = this.current!.nodes[name]!;
      this.rows = this.plain.length;
    }
  }

  row(b: number): void {
    const v = this.engine;
    if (v) {
      this.data = v.data;
      this.from = v.start + b * v.rowStride;
      this.length = v.width;
    } else {
      this.data = this.plain[b]!;
      this.from = 0;
      this.length = this.data.length;
    }
  }
}

/** The table's column widths. Loops, not Math.max(...): spreading a 10,000-step table overflows the call stack. */
function tableWidths(trace: Trace, names: readonly string[], reader: RowReader, number: FixedDigits) {
  let units = 0;
  let tWidth = 1;
  let nodeWidth = 4;
  const range = new ValueRange();
  for (const step of trace.steps) {
    reader.step(step);
    names.forEach((name, i) => {
      reader.node(name);
      if (reader.rows === 0) return;
      if (i === 0) tWidth = Math.max(tWidth, String(step.t).length);
      nodeWidth = Math.max(nodeWidth, name.length);
      for (let b = 0; b < reader.rows; b++) {
        reader.row(b);
        units = Math.max(units, reader.length);
        range.add(reader.data, reader.from, reader.length);
      }
    });
  }
  const cellWidth = Math.max(range.longest(number, () => longestOfAll(trace, names, reader, number)), String(units - 1).length);
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

  add(data: ArrayLike<number>, from: number, count: number): void {
    let top = this.top;
    let bottom = this.bottom;
    for (let i = from; i < from + count; i++) {
      const v = data[i]!;
      if (v >= 0) {
        if (v > top) top = v;
      } else if (v < bottom) bottom = v;
      else if (v !== v) this.nan = true;
    }
    this.top = top;
    this.bottom = bottom;
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
function longestOfAll(trace: Trace, names: readonly string[], reader: RowReader, number: FixedDigits): number {
  let longest = 0;
  for (const step of trace.steps) {
    reader.step(step);
    for (const name of names) {
      reader.node(name);
      for (let b = 0; b < reader.rows; b++) {
        reader.row(b);
        for (let k = reader.from; k < reader.from + reader.length; k++) {
          const v = reader.data[k]!;
          longest = Math.max(longest, number.length(Object.is(v, -0) ? 0 : v));
        }
      }
    }
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
