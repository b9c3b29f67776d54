/**
 * A Trace as text: an aligned table for the terminal, CSV (one row per step and batch
 * element, one column per vector element) and JSON in the shape the issue fixes, with
 * each [batch][size] value on one line so a diff reads by value.
 */
import { InputError } from '../errors.js';
import { fixedDigits } from './fixed.js';
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
  // Every step holds the same nodes, so the selection is made once.
  const names = selectNodes(trace.steps[0], options);
  checkTextSize(trace, names, 'table');
  const batch = trace.sizes.batch ?? 1;
  const number = fixedDigits(options.digits ?? 4);
  const value = (v: number): number => (Object.is(v, -0) ? 0 : v);
  // The widths first, from the numbers' lengths; then the lines, written as bytes (a million
  // numbers at hidden 128: no string or array per number or row). Loops, not Math.max(...):
  // spreading a 10,000-step table overflows the call stack.
  let units = 0;
  let longestCell = 0;
  let tWidth = 1;
  let nodeWidth = 4;
  for (const step of trace.steps) {
    names.forEach((name, i) => {
      const rows = step.nodes[name];
      if (rows.length === 0) return;
      if (i === 0) tWidth = Math.max(tWidth, String(step.t).length);
      nodeWidth = Math.max(nodeWidth, name.length);
      for (const row of rows) {
        units = Math.max(units, row.length);
        for (const v of row) longestCell = Math.max(longestCell, number.length(value(v)));
      }
    });
  }
  const cellWidth = Math.max(longestCell, String(units - 1).length);
  const bWidth = Math.max(1, String(batch - 1).length);
  const header = [
    't'.padStart(tWidth),
    'node'.padEnd(nodeWidth),
    ...(batch > 1 ? ['b'.padStart(bWidth)] : []),
    ...Array.from({ length: units }, (_, i) => String(i).padStart(cellWidth)),
  ].join('  ');
  const sizes = Object.entries(trace.sizes).map(([k, v]) => `${k} ${v}`).join(', ');
  const out = new ByteText();
  out.text(`${trace.cell} (${sizes}; ${trace.steps.length} step${trace.steps.length === 1 ? '' : 's'})\n${header}\n`);
  let first = true;
  for (const step of trace.steps) {
    names.forEach((name, i) => {
      step.nodes[name].forEach((row, b) => {
        const t = i === 0 && b === 0 ? String(step.t) : '';
        if (t !== '' && !first) out.text('\n');
        first = false;
        const start = `${t.padStart(tWidth)}  ${(b === 0 ? name : '').padEnd(nodeWidth)}${batch > 1 ? `  ${String(b).padStart(bWidth)}` : ''}`;
        if (row.length === 0) return out.text(`${start.trimEnd()}\n`);
        out.text(start);
        // Each cell: two spaces, then the number right-aligned in its column.
        const bytes = out.room(row.length * (cellWidth + 2) + 1);
        let at = out.length;
        bytes.fill(32, at, at + row.length * (cellWidth + 2));
        for (const v of row) {
          at += cellWidth + 2;
          number.write(bytes, at, value(v));
        }
        bytes[at] = 10;
        out.length = at + 1;
      });
    });
  }
  return out.toString();
}

/** Text built as UTF-8 bytes in one growing buffer. */
class ByteText {
  private bytes = new Uint8Array(1 << 16);
  length = 0;
  private static readonly encoder = new TextEncoder();

  /** The buffer, with room for `n` more bytes after `length`. */
  room(n: number): Uint8Array {
    if (this.length + n > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    return this.bytes;
  }

  text(text: string): void {
    // At most three bytes of UTF-8 per UTF-16 unit.
    const bytes = this.room(text.length * 3);
    this.length += ByteText.encoder.encodeInto(text, bytes.subarray(this.length)).written;
  }

  toString(): string {
    return new TextDecoder().decode(this.bytes.subarray(0, this.length));
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
