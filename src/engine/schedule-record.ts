/**
 * Engine stage: a forward run that keeps every node's value at every step (a trace's) without
 * a copy per node and step. The schedule lays out a recording's per-step values in one block
 * (schedule.ts); after each step that block, and each per-step product's rows, is copied out
 * whole. Every other buffer already holds the whole sequence (inputs, their projections, the
 * states' histories) or one value for it (parameter expressions), and is handed over as it is:
 * the schedule makes new memory for its next run after a recording (schedule.ts).
 */
import type { Slot } from './schedule-extra.js';
import type { NodeHistory } from './schedule.js';
import type { Data } from './tensor.js';

export interface Recording {
  /** Copies step t's per-step values out (after the step ran). */
  step(t: number): void;
  /** The values of nodes `ids` over the run (views of the schedule's memory, which it no longer uses, and the per-step copies). */
  finish(slots: ReadonlyMap<string, Slot>, ids: readonly string[]): ReadonlyMap<string, NodeHistory>;
}

/** A recording of a T-step run whose per-step values live in the `perStep` buffers (views, rewritten each step). */
export function startRecording(perStep: readonly Data[], T: number): Recording {
  const kept = perStep.map((view) => {
    const history = new (view.constructor as Float64ArrayConstructor)(T * view.length);
    return { view, history };
  });
  return {
    step(t) {
      for (let k = 0; k < kept.length; k++) {
        const { view, history } = kept[k]!;
        history.set(view, t * view.length);
      }
    },
    finish(slots, ids) {
      const perStepHistory = new Map<Data, Data>(kept.map(({ view, history }) => [view, history]));
      const out = new Map<string, NodeHistory>();
      for (const id of ids) {
        const { buf, off, stride, tStride, width } = slots.get(id)!;
        const history = perStepHistory.get(buf);
        if (history) {
          out.set(id, { data: history, offset: off, tStride: buf.length, rowStride: stride, width });
          continue;
        }
        out.set(id, { data: buf, offset: off, tStride, rowStride: stride, width });
      }
      return out;
    },
  };
}
