/**
 * Experiments stage: the task names a user types. `file:PATH[:N]` is split off here too; its
 * values are read by the CLI and turned into a task by fileTask.
 */
import { InputError } from '../errors.js';
import { addingTask, copyTask } from './memory-tasks.js';
import { sineTask } from './series-tasks.js';
import { splitTaskName, type Task } from './tasks.js';
import { delayTask, spikesTask } from './timing-tasks.js';

const MAKERS: Readonly<Record<string, (length: number) => Task>> = {
  delay: delayTask,
  spikes: spikesTask,
  sine: sineTask,
  adding: addingTask,
  copy: copyTask,
};

/** The length each task takes when none is given: small enough to train in seconds. */
export const DEFAULT_LENGTHS: Readonly<Record<string, number>> = { delay: 10, spikes: 8, sine: 30, adding: 20, copy: 10 };

/** The built-in task names. */
export const TASK_NAMES: readonly string[] = Object.keys(MAKERS);

/** Default length of file:PATH tasks. */
export const FILE_TASK_LENGTH = 30;

/** A built-in task by name: 'adding', 'adding:50', 'delay:20'. */
export function taskByName(spec: string): Task {
  const [name, length] = splitTaskName(spec, TASK_NAMES, DEFAULT_LENGTHS);
  return MAKERS[name]!(length);
}

/** `file:data.csv` or `file:data.csv:40` → the path and the window length; null for other names. */
export function fileTaskSpec(spec: string): { path: string; length: number } | null {
  if (!spec.startsWith('file:')) return null;
  const rest = spec.slice('file:'.length);
  const m = /^(.*):(\d+)$/.exec(rest);
  const path = m ? m[1]! : rest;
  const length = m ? Number(m[2]) : FILE_TASK_LENGTH;
  if (path === '') throw new InputError(`task '${spec}' names no file (file:PATH.csv, or file:PATH.csv:N for windows of N steps)`);
  if (length < 2 || length > 10_000) throw new InputError(`task '${spec}': the length must be an integer from 2 to 10000, found ${length}`);
  return { path, length };
}
