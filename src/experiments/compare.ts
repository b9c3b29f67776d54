/**
 * Experiments stage: several cells on one task with the same budget and seeds. Phases: size
 * each cell (a fixed hidden size, or the largest whose parameter count fits a budget) → draw
 * the shared test set → train every cell with every seed → summarise the curves (mean and
 * the range over seeds), final errors, steps to the target and wall times.
 */
import type { CellGraph } from '../cell/index.js';
import { InputError } from '../errors.js';
import { createRandom } from '../random.js';
import type { Task } from './tasks.js';
import { paramCount, taskPredictor, trainOnTask, type TaskRun } from './train-task.js';

export interface CompareOptions {
  /** Seeds 1..seeds (default 5). */
  readonly seeds?: number;
  readonly steps: number;
  /** Every cell's state size; or give `params`. */
  readonly hidden?: number;
  /** A parameter budget: each cell gets the largest hidden size whose count fits it. */
  readonly params?: number;
  readonly lr?: number;
  readonly batch?: number;
  /** Sequences in the fixed test set (default 256). */
  readonly testSize?: number;
  readonly points?: number;
  readonly now?: () => number;
  /** Called after each run (for progress). */
  readonly onRun?: (cell: string, seed: number) => void;
}

export interface CellResult {
  readonly cell: string;
  readonly hidden: number;
  readonly paramCount: number;
  readonly runs: readonly TaskRun[];
  /** Per curve point: the mean, lowest and highest test error over the seeds. */
  readonly mean: readonly number[];
  readonly low: readonly number[];
  readonly high: readonly number[];
  readonly finalMean: number;
  /** Sample standard deviation of the final error over seeds (0 for one seed). */
  readonly finalStd: number;
  /** Seeds whose final error meets the task's target. */
  readonly solved: number;
}

export interface Comparison {
  readonly task: Task;
  readonly seeds: number;
  readonly steps: number;
  /** The steps at which the curves were measured. */
  readonly curveSteps: readonly number[];
  readonly cells: readonly CellResult[];
}

/** Largest state size (up to 512) whose predictor has at most `budget` parameters. */
export function hiddenForBudget(cell: CellGraph, task: Task, budget: number): number {
  let best = 0;
  for (let hidden = 1; hidden <= 512; hidden++) {
    if (paramCount(taskPredictor(cell, task, hidden, 1).params) > budget) break;
    best = hidden;
  }
  if (best === 0) throw new InputError(`a parameter budget of ${budget} is too small for cell '${cell.name}' on task '${task.name}' even at hidden size 1`);
  return best;
}

function summarise(cell: CellGraph, task: Task, runs: readonly TaskRun[]): CellResult {
  const points = runs[0]!.curve.error.length;
  const column = (k: number) => runs.map((r) => r.curve.error[k]!);
  const mean = Array.from({ length: points }, (_, k) => column(k).reduce((a, b) => a + b, 0) / runs.length);
  const finals = runs.map((r) => r.finalError);
  const finalMean = finals.reduce((a, b) => a + b, 0) / finals.length;
  const finalStd = finals.length > 1 ? Math.sqrt(finals.reduce((a, v) => a + (v - finalMean) ** 2, 0) / (finals.length - 1)) : 0;
  return {
    cell: cell.name,
    hidden: runs[0]!.hidden,
    paramCount: runs[0]!.paramCount,
    runs,
    mean,
    low: Array.from({ length: points }, (_, k) => Math.min(...column(k))),
    high: Array.from({ length: points }, (_, k) => Math.max(...column(k))),
    finalMean,
    finalStd,
    solved: finals.filter((e) => e <= task.target).length,
  };
}

/** Seed of the test set: one set for every cell and seed, apart from the training streams. */
const TEST_SEED = 20_020_115;

export function compareCells(cells: readonly CellGraph[], task: Task, options: CompareOptions): Comparison {
  const seeds = options.seeds ?? 5;
  if (!Number.isInteger(seeds) || seeds < 1) throw new InputError(`--seeds must be a positive integer, found ${seeds}`);
  if (!cells.length) throw new InputError('compare needs at least one cell');
  if (options.hidden === undefined && options.params === undefined) throw new InputError('give a hidden size (--hidden) or a parameter budget (--params)');
  const test = task.sample(createRandom(TEST_SEED), options.testSize ?? 256, 'test');
  const results = cells.map((cell) => {
    const hidden = options.params !== undefined ? hiddenForBudget(cell, task, options.params) : options.hidden!;
    const runs = Array.from({ length: seeds }, (_, k) => {
      const run = trainOnTask(cell, task, { ...options, hidden, seed: k + 1, test });
      options.onRun?.(cell.name, k + 1);
      return run;
    });
    return summarise(cell, task, runs);
  });
  return { task, seeds, steps: options.steps, curveSteps: results[0]!.runs[0]!.curve.step, cells: results };
}
