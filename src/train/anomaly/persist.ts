/**
 * train/anomaly: a flagged run must persist. The rnn's score averages the squared error over
 * `smooth` trailing steps, so a point anomaly that matters keeps the score above the threshold
 * for several steps (its square stays in the average for `smooth` of them), and so does a
 * sustained one. A run of the averaged score that lasts fewer than `minRun` steps is ordinary
 * errors grazing the threshold; it is dropped before the runs are localised (localise.ts).
 * The rule and its length were chosen on half of nab-dev and on seeded held-out series, and
 * checked on the other half, other seeds and a real-like set (README).
 */
import { runsOf } from './metrics.js';

/** Runs of flags shorter than this many steps are dropped, unless told otherwise (1 keeps every run). */
export const MIN_RUN_DEFAULT = 2;

/** The shortest run kept: `minRun` when given, else MIN_RUN_DEFAULT, but never more than `smooth` by default (unaveraged scores: a spike is one step). */
export function minRunFor(smooth: number, minRun?: number): number {
  return minRun ?? Math.min(MIN_RUN_DEFAULT, smooth);
}

/** flags without the runs shorter than `minRun` steps. */
export function persistentRuns(flags: Uint8Array, minRun: number): Uint8Array {
  if (!Number.isInteger(minRun) || minRun < 1) throw new RangeError(`the shortest flagged run must be a positive integer, got ${minRun}`);
  const out = flags.slice();
  if (minRun === 1) return out;
  for (const run of runsOf(flags)) if (run.end - run.start < minRun) out.fill(0, run.start, run.end);
  return out;
}
