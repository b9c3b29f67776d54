/**
 * Cell stage: warnings about cells that parse but probably do not say what was meant. Any
 * name the cell does not declare is a parameter, so a misspelt state (`h_prv`, `hprev`,
 * `c_perv`) silently becomes a learned vector: the recurrence disappears from the trace and
 * the figure shows a parameter where a wire from the previous step was meant.
 */
import type { DraftNode } from './lower.js';
import type { NameDecl } from './source.js';
import type { CellGraph } from './types.js';

/** Edits (insert, delete, substitute, swap two neighbours) between a and b: the optimal string alignment distance. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** Letters and digits only, lower case: `h_prev`, `hPrev` and `hprev` all read `hprev`. */
const plain = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The state or input name a parameter name looks like a misspelling of, or null. */
export function lookalike(param: string, names: readonly string[]): string | null {
  for (const name of names) {
    if (name === param) continue;
    // One slip in a name long enough that a one-letter difference is not a different name (W vs V).
    if (plain(name) === plain(param) || (name.length >= 4 && editDistance(name, param) === 1)) return name;
  }
  return null;
}

/** What a statement can read from outside the cell: each state and input, now and at the previous step. */
export function valueNames(states: readonly { name: string }[], inputs: readonly { name: string }[]): string[] {
  return [...states, ...inputs].flatMap((d) => [d.name, `${d.name}_prev`]);
}

/** Sentences naming file:line:column, one per parameter whose name looks like a misspelt state or input. */
export function lintCell(cell: CellGraph): string[] {
  const values = valueNames(cell.states, cell.inputs);
  const warnings: string[] = [];
  for (const p of cell.params) {
    const meant = lookalike(p.name, values);
    if (meant === null) continue;
    const { file, line, column } = p.span;
    warnings.push(`${file}:${line}:${column}: '${p.name}' is not a state or input, so it is read as a learned parameter; did you mean '${meant}'?`);
  }
  return warnings;
}

/**
 * A shape that cannot be inferred is often a misspelt state: `U hprev` reads a parameter hprev
 * of unknown size. Name the first undeclared parameter that looks like a state or input.
 */
export function misspeltHint(leaves: readonly DraftNode[], declared: ReadonlyMap<string, NameDecl>, source: { states: readonly NameDecl[]; inputs: readonly NameDecl[] }): string {
  const names = valueNames(source.states, source.inputs);
  for (const leaf of leaves) {
    if (leaf.kind !== 'param' || declared.has(leaf.id)) continue;
    const meant = lookalike(leaf.id, names);
    if (meant !== null) return ` (is '${leaf.id}' a misspelling of '${meant}'? an undeclared name is read as a parameter)`;
  }
  return '';
}
