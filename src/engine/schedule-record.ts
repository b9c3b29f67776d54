/**
 * Engine stage: a forward run that keeps every node's value at every step (a trace's) without
 * a copy per node and step. A recording plan (schedule.ts) gives each per-step value a place
 * per step: step t's values lie in block t of one region, a per-step product's output in row
 * block t of its buffer, and every other buffer already holds the whole sequence (inputs, their
 * projections, the states' histories) or one value for it (parameter expressions). The step
 * program writes them there, so the values need no copy while the sequence runs; after it,
 * the buffers are handed over as they are, or copied out whole when the schedule keeps its
 * memory for the next run.
 */
import { Buffer } from 'node:buffer';
import type { Slot } from './schedule-extra.js';
import type { NodeHistory } from './schedule.js';
import type { Data } from './tensor.js';

/**
 * The values of nodes `ids` over the run: views of the buffers the slots live in (`copy`
 * false: the caller gives that memory up), or of copies of them, one per buffer, left in
 * `copies` (buffer → its copy) for the state histories to share.
 */
export function recordedHistories(slots: ReadonlyMap<string, Slot>, ids: readonly string[], copy: boolean, copies = new Map<Data, Data>()): ReadonlyMap<string, NodeHistory> {
  const out = new Map<string, NodeHistory>();
  for (const id of ids) {
    const { buf, off, stride, tStride, width } = slots.get(id)!;
    let data = buf;
    if (copy) {
      data = copies.get(buf) ?? copyOf(buf);
      copies.set(buf, data);
    }
    out.set(id, { data, offset: off, tStride, rowStride: stride, width });
  }
  return out;
}

/** A copy of `data` in memory of its own, not zeroed first (every element is written): the copy is most of a kept run's cost. */
function copyOf(data: Data): Data {
  // Small buffers come from Node's pool at any offset: a plain copy.
  if (data.byteLength < 8192) return data.slice();
  const bytes = Buffer.allocUnsafe(data.byteLength);
  const Typed = data.constructor as Float64ArrayConstructor;
  const copy = new Typed(bytes.buffer, bytes.byteOffset, data.length);
  copy.set(data);
  return copy;
}
