/**
 * Trace → what the diagram stage draws on an annotated figure: for the chosen step t
 * (and t-1 when t > 0), every node's vector of batch element 0 keyed by CellGraph node
 * id, plus the largest magnitude so both steps share one colour scale.
 */
import { InputError } from '../errors.js';
import type { Trace } from './types.js';

export interface StepAnnotation {
  readonly t: number;
  readonly values: Map<string, number[]>;
}

export interface Annotation {
  readonly steps: StepAnnotation[];
  readonly maxAbs: number;
}

export function toAnnotation(trace: Trace, t: number, batchElement = 0): Annotation {
  if (!Number.isInteger(t) || t < 0 || t >= trace.steps.length) {
    throw new InputError(`--step ${t} is outside the trace (steps 0 to ${trace.steps.length - 1})`);
  }
  const batch = trace.sizes.batch ?? 1;
  if (!Number.isInteger(batchElement) || batchElement < 0 || batchElement >= batch) throw new InputError(`--batch-element ${batchElement} is outside the batch (elements 0 to ${batch - 1})`);
  const chosen = t > 0 ? [t - 1, t] : [t];
  const steps = chosen.map((s) => ({
    t: s,
    values: new Map(Object.entries(trace.steps[s].nodes).map(([id, rows]) => [id, rows[batchElement].slice()])),
  }));
  let maxAbs = 0;
  for (const step of steps) for (const v of step.values.values()) for (const x of v) maxAbs = Math.max(maxAbs, Math.abs(x));
  return { steps, maxAbs };
}
