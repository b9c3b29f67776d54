/**
 * Experiments stage: a comparison record as text: the learning curves and the summary as
 * CSV, and an aligned summary table for the terminal.
 */
import type { ComparisonRecord } from './record.js';

/** What the chart calls the task's reference error: the copy task's is Arjovsky et al.'s memoryless baseline. */
export function referenceLabel(task: { readonly name: string }): string {
  return task.name.startsWith('copy:') ? 'memoryless baseline' : 'chance';
}

const num = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v));

/** One row per cell and curve point: the mean, lowest and highest test error over the seeds. */
export function curvesCsv(record: ComparisonRecord): string {
  const rows = ['cell,step,mean_error,low_error,high_error'];
  for (const c of record.cells) record.curveSteps.forEach((step, k) => rows.push([c.cell, step, c.mean[k], c.low[k], c.high[k]].join(',')));
  return rows.join('\n') + '\n';
}

function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface SummaryRow {
  readonly cell: string;
  readonly hidden: number;
  readonly params: number;
  readonly finalMean: string;
  readonly finalStd: string;
  readonly solved: string;
  /** Median over the seeds that reached the target, with how many did. */
  readonly toTarget: string;
  readonly wallS: string;
}

function summaryRows(record: ComparisonRecord): SummaryRow[] {
  return record.cells.map((c) => {
    const reached = c.stepsToTarget.filter((s): s is number => s !== null);
    const m = median(reached);
    const wall = c.wallMs.length ? c.wallMs.reduce((a, b) => a + b, 0) / c.wallMs.length / 1000 : null;
    return {
      cell: c.cell,
      hidden: c.hidden,
      params: c.paramCount,
      finalMean: num(c.finalMean),
      finalStd: num(c.finalStd),
      solved: `${c.solved}/${c.finalErrors.length}`,
      toTarget: m === null ? 'never' : `${m} (${reached.length}/${c.stepsToTarget.length})`,
      wallS: wall === null ? '' : wall.toFixed(1),
    };
  });
}

/** One row per cell: size, final test error (mean, sd), seeds solved, steps to target, wall time. */
export function summaryCsv(record: ComparisonRecord): string {
  const rows = ['cell,hidden,params,final_error_mean,final_error_sd,seeds_solved,seeds,median_steps_to_target,seeds_reaching_target,wall_seconds_mean'];
  summaryRows(record).forEach((r, k) => {
    const c = record.cells[k]!;
    const reached = c.stepsToTarget.filter((s): s is number => s !== null);
    rows.push([r.cell, r.hidden, r.params, r.finalMean, r.finalStd, c.solved, c.finalErrors.length, median(reached) ?? '', reached.length, r.wallS].join(','));
  });
  return rows.join('\n') + '\n';
}

/** The summary as an aligned table, under a line naming the task and its criterion. */
export function summaryTable(record: ComparisonRecord): string {
  const t = record.task;
  const head = ['cell', 'hidden', 'params', `final error (mean ± sd)`, 'solved', 'steps to target', 'wall s'];
  const body = summaryRows(record).map((r) => [r.cell, String(r.hidden), String(r.params), `${r.finalMean} ± ${r.finalStd}`, r.solved, r.toTarget, r.wallS]);
  const widths = head.map((h, k) => Math.max(h.length, ...body.map((row) => row[k]!.length)));
  const line = (cells: string[]) => cells.map((c, k) => (k === 0 ? c.padEnd(widths[k]!) : c.padStart(widths[k]!))).join('  ').trimEnd();
  return [
    `${t.title}: ${record.seeds} seed${record.seeds === 1 ? '' : 's'}, ${record.steps} steps`,
    `error: ${t.errorName}; solved: ${t.criterion} (target ${t.target})`,
    line(head),
    ...body.map(line),
  ].join('\n') + '\n';
}
