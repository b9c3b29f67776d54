/**
 * Explore stage, the gradient view: for one unit of a chosen output at the last step T,
 * the norm of ∂output_T[unit] / ∂v_t for every value v the page draws and every t, by
 * reverse mode through the engine in float64 on the trace's own weights, inputs and noise.
 * Batch rows never mix, so one backward pass seeded with the unit in every row gives every
 * batch element's gradient at once.
 */
import type { CellGraph, NodeId } from '../cell/index.js';
import { compile, parameter, Tape, tensor, type Tensor, type Var } from '../engine/index.js';
import { InputError } from '../errors.js';
import type { Trace } from '../trace/index.js';

export interface GradientTarget {
  /** A statement target (an output or any statement), differentiated at the last step. */
  readonly output: string;
  readonly unit: number;
}

export interface GradientNorms {
  readonly target: GradientTarget;
  /** Per value id: ‖∂output_T[unit]/∂v_t‖ as [T][B] (t = T−1 is the last step). */
  readonly norms: ReadonlyMap<NodeId, Float64Array>;
}

/** The output a gradient view starts from: h when the cell outputs it, else its last output. */
export function defaultGradientOutput(cell: CellGraph): string {
  return cell.outputs.includes('h') ? 'h' : cell.outputs[cell.outputs.length - 1]!;
}

/** A trace's [B][n] rows at step t as an engine tensor [B, n]. */
function rowsTensor(rows: readonly (readonly number[])[]): Tensor {
  return tensor(Float64Array.from(rows.flat()), [rows.length, rows[0]!.length]);
}

function checkTarget(cell: CellGraph, trace: Trace, target: GradientTarget): number {
  const statements = cell.statements.map((s) => s.target);
  if (!statements.includes(target.output)) throw new InputError(`--grad-output '${target.output}' is not a statement of cell '${cell.name}' (its statements: ${statements.join(', ')})`);
  const size = trace.steps[0]!.nodes[target.output]![0]!.length;
  if (!Number.isInteger(target.unit) || target.unit < 0 || target.unit >= size) {
    throw new InputError(`--grad-unit ${target.unit} is outside '${target.output}' (units 0 to ${size - 1})`);
  }
  return size;
}

/** The norm of each batch row of a gradient [B, n] (zeros when nothing flowed back). */
function rowNorms(grad: ArrayLike<number> | null, batch: number, into: Float64Array, at: number): void {
  if (!grad) return;
  const n = grad.length / batch;
  for (let b = 0; b < batch; b++) {
    let s = 0;
    for (let u = 0; u < n; u++) s += grad[b * n + u]! ** 2;
    into[at + b] = Math.sqrt(s);
  }
}

/**
 * ‖∂output_T[unit]/∂v_t‖ for every statement, input and previous state of `cell`, from the
 * trace's weights, inputs, initial states and noise (so the values are the trace's own).
 */
export function gradientNorms(cell: CellGraph, trace: Trace, target: GradientTarget): GradientNorms {
  const outputSize = checkTarget(cell, trace, target);
  const T = trace.steps.length;
  const batch = trace.sizes.batch ?? 1;
  const sizes = Object.fromEntries(Object.entries(trace.sizes).filter(([k]) => k !== 'batch'));
  const compiled = compile(cell, sizes);
  const tape = new Tape();
  const params: Record<string, Var> = {};
  for (const p of compiled.params) {
    const w = trace.weights.get(p.name)!;
    params[p.name] = tape.constant(tensor(Float64Array.from(w.data), p.shape), p.name);
  }
  // Leaves are variables so their gradients are kept: inputs (and x_prev) and the initial states.
  const leaves = cell.nodes.filter((n) => n.kind === 'input' || n.kind === 'input_prev' || n.kind === 'noise').map((n) => n.id);
  const perStep: Record<NodeId, Var>[] = [];
  let previous: Record<string, Var> = {};
  for (const s of cell.states) previous[s.name] = tape.variable(rowsTensor(trace.steps[0]!.nodes[`${s.name}_prev`]!), `${s.name}_prev`);
  for (let t = 0; t < T; t++) {
    const nodes = trace.steps[t]!.nodes;
    const values: Record<string, Var> = { ...params };
    for (const id of leaves) values[id] = tape.variable(rowsTensor(nodes[id]!), id);
    for (const s of cell.states) values[`${s.name}_prev`] = previous[s.name]!;
    const out = compiled.step(tape, values);
    perStep.push({ ...values, ...out });
    previous = Object.fromEntries(cell.states.map((s) => [s.name, out[s.name]!]));
  }
  const seed = new Float64Array(batch * outputSize);
  for (let b = 0; b < batch; b++) seed[b * outputSize + target.unit] = 1;
  tape.backward(perStep[T - 1]![target.output]!, seed);

  const ids = [...leaves, ...cell.states.map((s) => `${s.name}_prev`), ...cell.statements.map((s) => s.target)];
  const norms = new Map<NodeId, Float64Array>();
  for (const id of ids) {
    const series = new Float64Array(T * batch);
    for (let t = 0; t < T; t++) rowNorms(perStep[t]![id]?.grad ?? null, batch, series, t * batch);
    norms.set(id, series);
  }
  return { target, norms };
}
