/**
 * Engine stage: the fast forward path (no tape). The cell's nodes are split into three
 * phases: parameter-only values (once per call), values that do not depend on a state
 * (once for the whole sequence, T·B rows at a time: the input projections x·W_ihᵀ become
 * one large matrix product), and the recurrent rest (per step). Matrix products that share
 * a right operand are stacked into one product ([W_ir; W_iz; W_in] x), as cuDNN does.
 * The plan for a run's lengths (schedule-plan.ts) is kept for the next run of the same ones.
 */
import type { CellGraph, CellNode } from '../cell/index.js';
import type { WasmArena } from './wasm.js';
import type { Parameter } from './tape.js';
import { sizeOf, type Data, type DType, type Tensor } from './tensor.js';
import type { ForwardResult } from './compile.js';
import { recordedHistories } from './schedule-record.js';
import { packTransposed } from './schedule-ops.js';
import { cellLayout, plan, type CellLayout, type Plan } from './schedule-plan.js';

export { useSinking, useStepProgram } from './schedule-plan.js';

/** Called after each step with `copyRow(id, r, into, at)`: copies row r of any node's value at that step into `into` at `at`. */
export type StepObserver = (t: number, copyRow: (id: string, r: number, into: Data, at: number) => void) => void;

/** A node's values over a whole run: element i of row r at step t is data[offset + t·tStride + r·rowStride + i]. */
export interface NodeHistory {
  readonly data: Data;
  readonly offset: number;
  readonly tStride: number;
  readonly rowStride: number;
  readonly width: number;
}

export interface Schedule {
  run(
    params: ReadonlyMap<string, Parameter>,
    inputs: Readonly<Record<string, Tensor>>,
    initial: Readonly<Record<string, Tensor>>,
    noise: Readonly<Record<string, Tensor>>,
    T: number,
    B: number,
    observe?: StepObserver,
    record?: readonly string[],
    /** With record: copy the recorded values out and keep this run's memory for the next (see ForwardOptions.keepMemory). */
    keepMemory?: boolean,
  ): ForwardResult;
  /** Stops the helper thread, if one runs. */
  dispose(): void;
}

export function buildSchedule(cell: CellGraph, byId: ReadonlyMap<string, CellNode>, batched: ReadonlySet<string>, dtype: DType, threads = 1, exact = false): Schedule {
  const L = cellLayout(cell, byId, batched, dtype, threads, exact);
  let cached: { T: number; B: number; record: boolean; plan: Plan } | undefined;
  // The last plan's arena (kept when its memory was handed over: its helper thread is stopped when the next plan is made).
  let arena: WasmArena | null = null;
  return {
    dispose() {
      arena?.dispose();
      arena = null;
      cached = undefined;
    },
    run(params, inputs, initial, noise, T, B, observe, record, keepMemory = false) {
      const recordAll = record !== undefined;
      if (!cached || cached.T !== T || cached.B !== B || cached.record !== recordAll) {
        cached = { T, B, record: recordAll, plan: plan(L, T, B, recordAll, arena) };
        arena = cached.plan.arena;
      }
      const { slots } = cached.plan;
      load(L, cached.plan, { params, inputs, initial, noise }, T, B);
      runSteps(cached.plan, T, B, observe);
      if (!record) return stateHistories(cell, cached.plan, T, B);
      // The recorded values are where the run left them: handed over (the next run makes its
      // own memory), or copied out (the next run of these lengths reuses this plan's). A state
      // history copied out with them is shared, not copied a second time.
      const done = cached.plan;
      if (!keepMemory) cached = undefined;
      const copies = new Map<Data, Data>();
      const recorded = recordedHistories(slots, record, keepMemory, copies);
      return { ...stateHistories(cell, done, T, B, copies), recorded };
    },
  };
}

/** What a run reads: the parameters by name, and per name the inputs, initial states and noise. */
interface RunValues {
  readonly params: ReadonlyMap<string, Parameter>;
  readonly inputs: Readonly<Record<string, Tensor>>;
  readonly initial: Readonly<Record<string, Tensor>>;
  readonly noise: Readonly<Record<string, Tensor>>;
}

/** Writes the run's values into the plan's buffers, then computes what does not change from step to step (constants, then the whole sequence's values). */
function load(L: CellLayout, { slots, history, instrs }: Plan, { params, inputs, initial, noise }: RunValues, T: number, B: number): void {
  for (const n of L.cell.nodes) {
    const slot = slots.get(n.id)!;
    if (n.kind === 'param') slot.buf.set(params.get(n.name)!.value.data);
    else if (n.kind === 'input') slot.buf.set(inputs[n.name]!.data);
    else if (n.kind === 'noise') slot.buf.set(noise[n.name]!.data);
    else if (n.kind === 'input_prev') {
      // x_{t-1}: zero at the first step, then the input one step behind.
      const rowWidth = B * slot.width;
      slot.buf.fill(0, 0, rowWidth);
      slot.buf.set(inputs[n.name]!.data.subarray(0, (T - 1) * rowWidth), rowWidth);
    }
  }
  for (const s of L.cell.states) {
    const h = history.get(s.name)!;
    const given = initial[s.name];
    if (given) h.set(given.data.subarray(0, B * sizeOf(s.shape as number[])));
    else h.fill(0, 0, B * sizeOf(s.shape as number[]));
  }
  for (const f of instrs.const) f(0, 1);
  for (const g of L.groups.values()) packTransposed(g, slots, L.dtype);
  for (const f of instrs.seq) f(0, T * B);
}

/** The steps: the fused step over the whole sequence in one call, or one step a call for an observer. */
function runSteps({ slots, instrs, stepProgram }: Plan, T: number, B: number, observe: StepObserver | undefined): void {
  if (stepProgram && !observe) return stepProgram(0, T);
  const step = instrs.step;
  let now = 0;
  const copyRow = (id: string, r: number, into: Data, at: number): void => {
    const s = slots.get(id)!;
    const from = s.off + now * s.tStride + r * s.stride;
    into.set(s.buf.subarray(from, from + s.width), at);
  };
  for (let t = 0; t < T; t++) {
    if (stepProgram) stepProgram(t, t + 1);
    else for (let k = 0; k < step.length; k++) step[k]!(t, B);
    now = t;
    observe?.(t, copyRow);
  }
}

/** Each state after every step ([T, B, ...]) and after the last ([B, ...]), copied out of the plan's memory (or the copy in `copied`, the recorded values'). */
function stateHistories(cell: CellGraph, { history }: Plan, T: number, B: number, copied?: ReadonlyMap<Data, Data>): Pick<ForwardResult, 'states' | 'final'> {
  const states: Record<string, Tensor> = {};
  const final: Record<string, Tensor> = {};
  for (const s of cell.states) {
    const shape = s.shape as number[];
    const w = sizeOf(shape);
    const buf = history.get(s.name)!;
    const h = copied?.get(buf) ?? buf.slice();
    states[s.name] = { shape: [T, B, ...shape], data: h.subarray(B * w) };
    final[s.name] = { shape: [B, ...shape], data: h.subarray(T * B * w) };
  }
  return { states, final };
}
