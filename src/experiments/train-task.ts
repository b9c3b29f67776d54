/**
 * Experiments stage: one cell trained on one task with one seed. The model is the anomaly
 * trainer's predictor (the cell, then a linear readout of its output state after every
 * step), trained by BPTT on the engine's tape with Adam and gradient-norm clipping; the
 * test error is measured on a fixed test set every few steps, which gives the learning curve.
 */
import type { CellGraph } from '../cell/index.js';
import { adam, clipGradNorm, reshape, sizeOf, Tape, type Parameter, type Tensor, type Var } from '../engine/index.js';
import { InputError } from '../errors.js';
import { createRandom } from '../random.js';
import { anomaly } from '../train/index.js';
import type { Task, TaskBatch } from './tasks.js';

export interface TrainTaskOptions {
  readonly hidden: number;
  /** Adam steps (one batch each). */
  readonly steps: number;
  readonly seed: number;
  readonly lr?: number;
  readonly batch?: number;
  /** Gradient-norm clipping threshold. */
  readonly clip?: number;
  /** Test-error measurements along the way (default 20, plus the start). */
  readonly points?: number;
  /** The fixed test set (the same for every cell and seed of a comparison). */
  readonly test: TaskBatch;
  /** A clock in milliseconds; with it the run's wall time is measured. */
  readonly now?: () => number;
}

export interface TaskRun {
  readonly seed: number;
  readonly hidden: number;
  readonly paramCount: number;
  /** The steps at which the test error was measured (0 = before training) and the errors. */
  readonly curve: { readonly step: readonly number[]; readonly error: readonly number[] };
  readonly finalError: number;
  /** The first measured step whose test error reached the task's target; null if none did. */
  readonly stepsToTarget: number | null;
  /** Milliseconds of training (null without a clock). */
  readonly wallMs: number | null;
  /** Steps skipped because the gradient was not finite. */
  readonly skipped: number;
  /** The trained predictor (cell, then readout.W and readout.b). */
  readonly predictor: anomaly.Predictor;
}

/** The cell fed one sequence: one input, at least one state, no noise (the anomaly predictor's own checks speak of its detector). */
export function checkSequenceCell(cell: CellGraph): void {
  if (cell.inputs.length !== 1) {
    throw new InputError(`cell '${cell.name}' has ${cell.inputs.length} inputs (${cell.inputs.map((i) => `'${i.name}'`).join(', ')}); compare and memory feed one`);
  }
  if (cell.states.length === 0) throw new InputError(`cell '${cell.name}' has no state, so nothing carries from one step to the next`);
  if (cell.noises.length > 0) {
    throw new InputError(`cell '${cell.name}' draws noise (${cell.noises.map((n) => `'${n.name}'`).join(', ')}); compare and memory need a deterministic cell`);
  }
}

/**
 * Sizes of a cell's dimensions other than its input's and its states' (a rank, a read-out
 * width): `hidden` unless `given` names them, so any cell can be compared at one size.
 */
export function otherSizes(cell: CellGraph, hidden: number, given: Readonly<Record<string, number>> = {}): Record<string, number> {
  return Object.fromEntries(cell.dims.map((d) => [d, given[d] ?? hidden]));
}

/** The cell and readout sized for a task: the cell's input is the task's inputs, its states (and other dimensions) `hidden`. */
export function taskPredictor(cell: CellGraph, task: Task, hidden: number, seed: number): anomaly.Predictor {
  checkSequenceCell(cell);
  return anomaly.createPredictor(cell, task.inputs, hidden, createRandom(seed).fork(), task.outputs, otherSizes(cell, hidden));
}

export function paramCount(params: readonly Parameter[]): number {
  return params.reduce((n, p) => n + sizeOf(p.value.shape), 0);
}

/** The readout after every step, [T, B, outputs], without recording gradients. */
export function predict(predictor: anomaly.Predictor, xs: Tensor): Tensor {
  const tape = new Tape({ record: false });
  const vars = Object.fromEntries(predictor.params.map((p) => [p.name, tape.param(p)]));
  const steps = anomaly.predictWindows(tape, predictor, vars, xs);
  const [T, B] = xs.shape as [number, number];
  return reshape(tape.concat(steps, 0).value, [T, B, steps[0]!.value.shape[1]!]);
}

function taskLoss(tape: Tape, task: Task, predictor: anomaly.Predictor, batch: TaskBatch): Var {
  const vars = Object.fromEntries(predictor.params.map((p) => [p.name, tape.param(p)]));
  const [from, to] = task.lossSteps;
  const steps = anomaly.predictWindows(tape, predictor, vars, batch.xs).slice(from, to);
  const B = batch.xs.shape[1]!;
  const O = task.outputs;
  const predicted = tape.concat(steps, 0);
  const target = tape.constant({ shape: [(to - from) * B, O], data: batch.ys.data.subarray(from * B * O, to * B * O) }, 'target');
  return task.loss === 'crossEntropy' ? tape.softmaxCrossEntropy(predicted, target) : tape.mse(predicted, target);
}

/** Trains a fresh predictor (seeded by options.seed) on task for options.steps Adam steps. */
export function trainOnTask(cell: CellGraph, task: Task, options: TrainTaskOptions): TaskRun {
  const { hidden, steps, seed } = options;
  for (const [name, v] of [['hidden', hidden], ['steps', steps], ['batch', options.batch ?? 32]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new InputError(`--${name} must be a positive integer, found ${v}`);
  }
  const predictor = taskPredictor(cell, task, hidden, seed);
  const data = createRandom(seed).fork().fork();
  const optimizer = adam(predictor.params, { lr: options.lr ?? 0.01 });
  const points = options.points ?? 20;
  const measureAt = new Set(Array.from({ length: points + 1 }, (_, k) => Math.round((k * steps) / points)));
  const curve = { step: [] as number[], error: [] as number[] };
  const measure = (step: number) => {
    curve.step.push(step);
    curve.error.push(task.error(predict(predictor, options.test.xs), options.test));
  };
  const started = options.now?.();
  let skipped = 0;
  measure(0);
  for (let step = 1; step <= steps; step++) {
    const tape = new Tape();
    const loss = taskLoss(tape, task, predictor, task.sample(data, options.batch ?? 32, 'train'));
    optimizer.zeroGrad();
    tape.backward(loss);
    const norm = clipGradNorm(predictor.params, options.clip ?? 1);
    if (Number.isFinite(norm)) optimizer.step();
    else skipped++;
    if (measureAt.has(step)) measure(step);
  }
  const wallMs = started === undefined ? null : options.now!() - started;
  const reached = curve.error.findIndex((e) => e <= task.target);
  return {
    seed,
    hidden,
    paramCount: paramCount(predictor.params),
    curve,
    finalError: curve.error[curve.error.length - 1]!,
    stepsToTarget: reached < 0 ? null : curve.step[reached]!,
    wallMs,
    skipped,
    predictor,
  };
}
