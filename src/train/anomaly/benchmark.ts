/**
 * train/anomaly: the benchmark over labelled series: every cell, the two baselines and the two
 * reference detectors on each series, with the same default settings for all (no tuning per
 * series), and a table with one row per series and a total.
 */
import type { CellGraph } from '../../cell/index.js';
import { detect, type DetectOptions, type Evaluation } from './detect.js';
import { nabTotal } from './nab.js';
import type { Series } from './types.js';

export interface BenchmarkRow {
  readonly series: string;
  readonly length: number;
  /** Method name → its evaluation on the scored part (empty when skipped). */
  readonly methods: ReadonlyMap<string, Evaluation>;
  /** Why the series was not measured (it could not be read, has no labels, is too short...). */
  readonly skipped?: string;
}

/** A row for a series that was not measured, with the reason. */
export function skippedRow(series: string, reason: string, length = 0): BenchmarkRow {
  return { series, length, methods: new Map(), skipped: reason };
}

export const FLAG_EVERYTHING = 'flag everything';

/** Runs each cell (and the baselines, once) on a labelled series. */
export function benchmarkSeries(name: string, series: Series, cells: readonly CellGraph[], settings: Omit<DetectOptions, 'cell'>, onCell?: (cell: string) => void): BenchmarkRow {
  if (!series.labels) return skippedRow(name, 'no label column (label, anomaly, is_anomaly or labels), so nothing to measure', series.length);
  const methods = new Map<string, Evaluation>();
  let rest: [string, Evaluation][] = [];
  for (const cell of cells) {
    onCell?.(cell.name);
    const detection = detect(series, { ...settings, cell });
    methods.set(cell.name, detection.rnn.evaluation!);
    if (rest.length === 0) {
      rest = detection.baselines.map((b) => [b.name, b.evaluation!]);
      rest.push([FLAG_EVERYTHING, detection.references!.everything]);
    }
  }
  for (const [method, evaluation] of rest) methods.set(method, evaluation);
  return { series: name, length: series.length, methods };
}

const num = (v: number, digits: number) => (Number.isNaN(v) ? 'n/a' : v.toFixed(digits));

/**
 * The tables: per series, each method's composite F1, windows detected / labelled and
 * false-positive runs, and NAB score; a total row (windows and runs summed, composite F1
 * averaged over series with a scored window, NAB normalised over the summed raw scores as
 * NAB does); and for the first method, on how many series it beats both the z-score and
 * flagging everything on composite F1.
 */
export function formatBenchmark(allRows: readonly BenchmarkRow[], markdown = false): string[] {
  const rows = allRows.filter((r) => !r.skipped);
  const skipped = allRows.filter((r) => r.skipped);
  const methods = rows.length > 0 ? [...rows[0]!.methods.keys()] : [];
  const width = Math.max(12, ...allRows.map((r) => r.series.length));
  const cell = (text: string, w: number) => (markdown ? ` ${text} |` : text.padStart(w));
  const line = (first: string, cells: string[], w: number) => (markdown ? `| ${first} |${cells.map((c) => cell(c, w)).join('')}` : first.padEnd(width) + cells.map((c) => cell(c, w)).join(''));
  const out: string[] = [];
  const scored = rows.filter((r) => r.methods.get(methods[0]!)!.metrics.events.labelled > 0);
  const table = (title: string, w: number, value: (e: Evaluation) => string, total: (m: string) => string) => {
    out.push(title, line('series', methods, w));
    if (markdown) out.push(`|---|${methods.map(() => '---|').join('')}`);
    for (const r of allRows) out.push(line(r.series, methods.map((m) => (r.skipped ? 'skipped' : value(r.methods.get(m)!))), w));
    out.push(line('total', methods.map(total), w), '');
  };
  if (rows.length === 0) return [`no series was measured; skipped ${skipped.length}:`, ...skipped.map((r) => `${markdown ? '- ' : '  '}${r.series}: ${r.skipped}`), ''];
  const compositeMean = (m: string) => scored.reduce((a, r) => a + (r.methods.get(m)!.metrics.composite.f1 || 0), 0) / Math.max(1, scored.length);
  table('composite F1 (event recall × point precision)', 17, (e) => num(e.metrics.composite.f1, 3), (m) => `mean ${num(compositeMean(m), 3)}`);
  table('windows detected / labelled, false-positive runs', 17, (e) => `${e.metrics.events.detected}/${e.metrics.events.labelled}, ${e.metrics.events.falsePositiveRuns}`, (m) => {
    const sum = (f: (e: Evaluation) => number) => rows.reduce((a, r) => a + f(r.methods.get(m)!), 0);
    return `${sum((e) => e.metrics.events.detected)}/${sum((e) => e.metrics.events.labelled)}, ${sum((e) => e.metrics.events.falsePositiveRuns)}`;
  });
  table('NAB score (standard profile; 0 = flag nothing, 100 = perfect)', 17, (e) => num(e.nab.normalised, 1), (m) => num(nabTotal(rows.map((r) => r.methods.get(m)!.nab)), 1));
  if (skipped.length > 0) {
    out.push(`skipped ${skipped.length} of ${allRows.length} series (not in the totals):`);
    for (const r of skipped) out.push(`${markdown ? '- ' : '  '}${r.series}: ${r.skipped}`);
    out.push('');
  }
  return out;
}

/** Series (with a scored window) where `method`'s composite F1 is above both `others`'. */
export function wins(rows: readonly BenchmarkRow[], method: string, others: readonly string[]): { won: number; of: number } {
  const scored = rows.filter((r) => !r.skipped && r.methods.get(method)!.metrics.events.labelled > 0);
  const f1 = (r: BenchmarkRow, m: string) => r.methods.get(m)?.metrics.composite.f1 || 0;
  return { won: scored.filter((r) => others.every((o) => f1(r, method) > f1(r, o))).length, of: scored.length };
}
