/**
 * Engine stage: a forward run that keeps every node's value at every step (a trace's) without
 * a copy per node and step. A recording schedule (schedule.ts) gives every per-step value,
 * products included, a buffer for the whole sequence and writes step t at its own rows, as the
 * whole-sequence values (inputs, their projections) and the states' histories are written;
 * those buffers are handed over as they are, and the schedule makes new memory for its next run.
 */
import type { Slot } from './schedule-extra.js';
import type { NodeHistory } from './schedule.js';

/** The values of nodes `ids` over the run: views of the schedule's memory, which it no longer uses. */
export function recordedHistories(slots: ReadonlyMap<string, Slot>, ids: readonly string[]): ReadonlyMap<string, NodeHistory> {
  const out = new Map<string, NodeHistory>();
  for (const id of ids) {
    const { buf, off, stride, tStride, width } = slots.get(id)!;
    out.set(id, { data: buf, offset: off, tStride, rowStride: stride, width });
  }
  return out;
}
