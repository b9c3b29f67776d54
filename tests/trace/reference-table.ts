// The trace table as it was written before the byte writer (src/trace/table.ts): strings,
// toFixed, padStart and join. The reference the table tests compare its bytes with.
import type { Trace } from '../../src/trace/index.js';

/** The table as it was written before the byte writer: strings, padStart, join. */
export function referenceTable(trace: Trace, names: readonly string[], digits: number): string {
  const batch = trace.sizes.batch ?? 1;
  const rows: { t: string; node: string; b: string; cells: string[] }[] = [];
  for (const step of trace.steps) {
    names.forEach((name, i) => {
      step.nodes[name]!.forEach((row, b) => {
        rows.push({ t: i === 0 && b === 0 ? String(step.t) : '', node: b === 0 ? name : '', b: String(b), cells: row.map((v) => (Object.is(v, -0) ? 0 : v).toFixed(digits)) });
      });
    });
  }
  const units = Math.max(0, ...rows.map((r) => r.cells.length));
  const cellWidth = Math.max(0, ...rows.flatMap((r) => r.cells.map((c) => c.length)), String(units - 1).length);
  const tWidth = Math.max(1, ...rows.map((r) => r.t.length));
  const nodeWidth = Math.max(4, ...rows.map((r) => r.node.length));
  const bWidth = Math.max(1, String(batch - 1).length);
  const header = ['t'.padStart(tWidth), 'node'.padEnd(nodeWidth), ...(batch > 1 ? ['b'.padStart(bWidth)] : []), ...Array.from({ length: units }, (_, i) => String(i).padStart(cellWidth))].join('  ');
  const sizes = Object.entries(trace.sizes).map(([k, v]) => `${k} ${v}`).join(', ');
  const lines = [`${trace.cell} (${sizes}; ${trace.steps.length} step${trace.steps.length === 1 ? '' : 's'})`, header];
  rows.forEach((r, i) => {
    if (r.t !== '' && i > 0) lines.push('');
    lines.push([r.t.padStart(tWidth), r.node.padEnd(nodeWidth), ...(batch > 1 ? [r.b.padStart(bWidth)] : []), ...r.cells.map((c) => c.padStart(cellWidth))].join('  ').trimEnd());
  });
  return lines.join('\n') + '\n';
}

