/**
 * A Trace as text: an aligned table for the terminal, CSV (one row per step and batch
 * element, one column per vector element) and JSON in the shape the issue fixes, with
 * each [batch][size] value on one line so a diff reads by value.
 */
import { InputError } from '../errors.js';
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
