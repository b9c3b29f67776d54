/**
 * The experiments stage: evidence about cells from training them. `compareCells` trains
 * several cells on one task with the same seeds and budget and summarises learning curves,
 * final test errors, steps to the task's target and wall time; `memoryMap` measures how much
 * the state at t still depends on the input at s (‖∂h_t/∂x_s‖), for random or trained weights.
 *
 * ```ts
 * const task = taskByName('adding:50');               // or fileTask(path, values, 30)
 * const comparison = compareCells([loadCell('rnn'), loadCell('lstm')], task, { steps: 500, hidden: 16, seeds: 5 });
 * const record = toRecord(comparison);                // plain data: JSON, CSV, charts
 * summaryTable(record); curvesCsv(record); recordToJson(record);
 * const inputs = task.sample(createRandom(1), 4, 'test').xs;
 * memoryMap(loadCell('lstm'), { hidden: 16, inputs, weights: record.cells[1].weights }).norms; // [t][s]
 * ```
 * Pure: the CLI reads files and times runs (pass `now` to get wall times).
 */
export { taskByName, fileTaskSpec, TASK_NAMES, DEFAULT_LENGTHS, FILE_TASK_LENGTH } from './registry.js';
export type { Task, TaskBatch, TaskPart } from './tasks.js';
export { delayTask, spikesTask } from './timing-tasks.js';
export { addingTask, copyTask, COPY_SYMBOLS, COPY_CATEGORIES } from './memory-tasks.js';
export { sineTask, fileTask, FILE_TRAIN_SHARE } from './series-tasks.js';
export { trainOnTask, predict, paramCount, checkSequenceCell, type TrainTaskOptions, type TaskRun } from './train-task.js';
export { compareCells, hiddenForBudget, type CompareOptions, type Comparison, type CellResult } from './compare.js';
export { toRecord, recordToJson, recordFromJson, type ComparisonRecord, type CellRecord, type TaskInfo, type SavedTensor } from './record.js';
export { curvesCsv, summaryCsv, summaryTable, referenceLabel } from './report.js';
export { memoryMap, memoryCsv, memoryByLag, memoryTable, normalInputs, type MemoryMap, type MemoryOptions } from './memory.js';
