/**
 * Engine stage: the fast forward path (no tape). The cell's nodes are split into three
 * phases: parameter-only values (once per call), values that do not depend on a state
 * (once for the whole sequence, T·B rows at a time: the input projections x·W_ihᵀ become
 * one large matrix product), and the recurrent rest (per step). Matrix products that share
 * a right operand are stacked into one product ([W_ir; W_iz; W_in] x), as cuDNN does.
 */
import type { CellGraph, CellNode } from '../cell/index.js';
import type { WasmArena } from './wasm.js';
import type { Parameter } from './tape.js';
import { sizeOf, type Data, type DType, type Tensor } from './tensor.js';
import type { ForwardResult } from './compile.js';
import { startRecording, type Recording } from './schedule-record.js';
import { packTransposed, productGroups, type Phase } from './schedule-group.js';
import { makePlan, type Plan, type PlanContext } from './schedule-plan.js';

export { useStepProgram } from './schedule-plan.js';

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
  ): ForwardResult;
  /** Stops the helper thread, if one runs. */
  dispose(): void;
}

/**
 * The forward schedule of a cell: each node's phase and the product groups, fixed here; a plan
 * per (T, B) (schedule-plan.ts), kept while they stay the same.
 */
export function buildSchedule(cell: CellGraph, byId: ReadonlyMap<string, CellNode>, batched: ReadonlySet<string>, dtype: DType, threads = 1, exact = false): Schedule {
  const stateTargets = new Set(cell.states.map((s) => s.name));
  const phase = phasesOf(cell, batched, stateTargets);
  const width = (id: string): number => sizeOf(byId.get(id)!.shape as number[]);
  const ctx: PlanContext = { cell, byId, phase, stateTargets, width, groups: productGroups(cell, byId, phase, width), dtype, threads, exact };
  let cached: { T: number; B: number; record: boolean; plan: Plan } | undefined;
  let arena: WasmArena | null = null;

  return {
    dispose() {
      arena?.dispose();
      arena = null;
      cached = undefined;
    },
    run(params, inputs, initial, noise, T, B, observe, record) {
      const recordAll = record !== undefined;
      if (!cached || cached.T !== T || cached.B !== B || cached.record !== recordAll) {
        cached = { T, B, record: recordAll, plan: makePlan(ctx, T, B, recordAll, arena) };
        arena = cached.plan.arena;
      }
      const plan = cached.plan;
      loadOperands(ctx, plan, { params, inputs, initial, noise }, T, B);
      const recording = record ? startRecording(plan.perStep, T) : undefined;
      runSteps(plan, T, B, observe, recording);
      const result = collectStates(cell, plan.history, T, B);
      if (!recording) return result;
      // The recorded values are views of this plan's memory: the next run makes its own.
      cached = undefined;
      return { ...result, recorded: recording.finish(plan.slots, record!) };
    },
  };
}

/** Phase of every node: state targets and anything downstream of a state are per step; the rest per sequence if batched, else constant. */
function phasesOf(cell: CellGraph, batched: ReadonlySet<string>, stateTargets: ReadonlySet<string>): Map<string, Phase> {
  const phase = new Map<string, Phase>();
  for (const n of cell.nodes) {
    let p: Phase = batched.has(n.id) ? 'seq' : 'const';
    if (n.kind === 'state' || stateTargets.has(n.id) || n.inputs.some((i) => phase.get(i) === 'step')) p = 'step';
    phase.set(n.id, p);
  }
  return phase;
}

/**
 * The run's operands into the plan's buffers (parameters, inputs, noise, x_{t−1}, the initial
 * states), then the constant and per-sequence phases and the packed product weights.
 */
function loadOperands(
  ctx: PlanContext,
  plan: Plan,
  given: { params: ReadonlyMap<string, Parameter>; inputs: Readonly<Record<string, Tensor>>; initial: Readonly<Record<string, Tensor>>; noise: Readonly<Record<string, Tensor>> },
  T: number,
  B: number,
): void {
  const { slots, history, instrs } = plan;
  for (const n of ctx.cell.nodes) {
    const slot = slots.get(n.id)!;
    if (n.kind === 'param') slot.buf.set(given.params.get(n.name)!.value.data);
    else if (n.kind === 'input') slot.buf.set(given.inputs[n.name]!.data);
    else if (n.kind === 'noise') slot.buf.set(given.noise[n.name]!.data);
    else if (n.kind === 'input_prev') {
      // x_{t-1}: zero at the first step, then the input one step behind.
      const rowWidth = B * slot.width;
      slot.buf.fill(0, 0, rowWidth);
      slot.buf.set(given.inputs[n.name]!.data.subarray(0, (T - 1) * rowWidth), rowWidth);
    }
  }
  for (const s of ctx.cell.states) {
    const h = history.get(s.name)!;
    const initial = given.initial[s.name];
    if (initial) h.set(initial.data.subarray(0, B * sizeOf(s.shape as number[])));
    else h.fill(0, 0, B * sizeOf(s.shape as number[]));
  }
  for (const f of instrs.const) f(0, 1);
  for (const g of ctx.groups.groups.values()) packTransposed(g, slots, ctx.dtype);
  for (const f of instrs.seq) f(0, T * B);
}

/** The T steps: the fused step runs the whole sequence in one call, or one step a call for an observer or a recording. */
function runSteps(plan: Plan, T: number, B: number, observe: StepObserver | undefined, recording: Recording | undefined): void {
  const { stepProgram, slots } = plan;
  const step = plan.instrs.step;
  if (stepProgram && !observe && !recording) return stepProgram(0, T);
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
    recording?.step(t);
  }
}

/** Each state's values after every step ([T, B, ...]) and after the last, copied out of the plan's memory. */
function collectStates(cell: CellGraph, history: ReadonlyMap<string, Data>, T: number, B: number): ForwardResult {
  const states: Record<string, Tensor> = {};
  const final: Record<string, Tensor> = {};
  for (const s of cell.states) {
    const shape = s.shape as number[];
    const w = sizeOf(shape);
    const h = history.get(s.name)!.slice();
    states[s.name] = { shape: [T, B, ...shape], data: h.subarray(B * w) };
    final[s.name] = { shape: [B, ...shape], data: h.subarray(T * B * w) };
  }
  return { states, final };
}
