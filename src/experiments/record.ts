/**
 * Experiments stage: a comparison as plain data (a "record"): what the charts, CSVs and the
 * README are made from, and what `compare --from FILE` and `memory --from FILE` read back.
 * It keeps each cell's seed-1 trained weights (the cell's own, not the readout) so the memory
 * maps can show a trained cell; numbers are rounded so the file stays small and diffable.
 */
import { InputError } from '../errors.js';
import { toStableJson } from '../stable-json.js';
import type { CellResult, Comparison } from './compare.js';

export interface TaskInfo {
  readonly name: string;
  readonly title: string;
  readonly source: string;
  readonly criterion: string;
  readonly errorName: string;
  readonly target: number;
  readonly chance: number;
  readonly length: number;
  readonly inputs: number;
}

export interface SavedTensor {
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

/** A cell's summary as in CellResult, with the per-seed figures as plain numbers. */
export interface CellRecord extends Pick<CellResult, 'cell' | 'hidden' | 'paramCount' | 'mean' | 'low' | 'high' | 'finalMean' | 'finalStd' | 'solved'> {
  readonly finalErrors: readonly number[];
  readonly stepsToTarget: readonly (number | null)[];
  /** Per seed, or empty when the run was not timed. */
  readonly wallMs: readonly number[];
  /** The seed-1 run's trained cell parameters by name. */
  readonly weights: Readonly<Record<string, SavedTensor>>;
}

export interface ComparisonRecord {
  readonly format: 'gateflow-compare-1';
  readonly task: TaskInfo;
  readonly seeds: number;
  readonly steps: number;
  readonly curveSteps: readonly number[];
  readonly cells: readonly CellRecord[];
}

const round = (v: number, digits = 6) => (Number.isFinite(v) ? Number(v.toPrecision(digits)) : v);

export function toRecord(comparison: Comparison): ComparisonRecord {
  const t = comparison.task;
  return {
    format: 'gateflow-compare-1',
    task: { name: t.name, title: t.title, source: t.source, criterion: t.criterion, errorName: t.errorName, target: round(t.target), chance: round(t.chance), length: t.length, inputs: t.inputs },
    seeds: comparison.seeds,
    steps: comparison.steps,
    curveSteps: comparison.curveSteps,
    cells: comparison.cells.map((c) => {
      const first = c.runs[0]!.predictor;
      const cellParams = first.params.filter((p) => first.compiled.params.some((q) => q.name === p.name));
      return {
        cell: c.cell,
        hidden: c.hidden,
        paramCount: c.paramCount,
        mean: c.mean.map((v) => round(v)),
        low: c.low.map((v) => round(v)),
        high: c.high.map((v) => round(v)),
        finalErrors: c.runs.map((r) => round(r.finalError)),
        finalMean: round(c.finalMean),
        finalStd: round(c.finalStd),
        solved: c.solved,
        stepsToTarget: c.runs.map((r) => r.stepsToTarget),
        wallMs: c.runs.flatMap((r) => (r.wallMs === null ? [] : [Math.round(r.wallMs)])),
        weights: Object.fromEntries(cellParams.map((p) => [p.name, { shape: p.value.shape, data: Array.from(p.value.data, (v) => round(v, 8)) }])),
      };
    }),
  };
}

export function recordToJson(record: ComparisonRecord): string {
  return toStableJson(record);
}

/** A record read back; `file` names it in errors. Checks the fields the reports read. */
export function recordFromJson(value: unknown, file: string): ComparisonRecord {
  const r = value as Partial<ComparisonRecord> | null;
  if (!r || typeof r !== 'object' || r.format !== 'gateflow-compare-1') {
    throw new InputError(`${file}: not a gateflow compare result (expected "format": "gateflow-compare-1"; make one with gateflow compare … -o DIR)`);
  }
  const points = r.curveSteps?.length ?? 0;
  const ok = r.task && typeof r.task.name === 'string' && Array.isArray(r.cells) && r.cells.length > 0 && points > 0
    && r.cells.every((c) => typeof c.cell === 'string' && c.mean?.length === points && c.low?.length === points && c.high?.length === points && Array.isArray(c.finalErrors) && typeof c.weights === 'object');
  if (!ok) throw new InputError(`${file}: a compare result needs task, curveSteps and, per cell, mean, low and high with one value per curve step, finalErrors and weights`);
  return r as ComparisonRecord;
}
