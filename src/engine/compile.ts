/**
 * Engine stage: a CellGraph with sizes → a CompiledCell. Each IR node kind lowers to tape
 * ops through one exhaustive table (Record<OpKind, …> in lower-cell.ts), so a new IR op does
 * not compile until the engine knows it. Phases: resolve sizes → check the graph is batchable → lower
 * each step onto a Tape (unroll, for gradients) or onto a flat schedule (forward, fast).
 */
import { numericShape, withSizes, type CellGraph, type Sizes } from '../cell/index.js';
import { InputError, ShapeError } from '../errors.js';
import type { Random } from '../random.js';
import { buildSchedule, type NodeHistory, type Schedule, type StepObserver } from './schedule.js';
import { Tape, parameter, type Parameter, type Var } from './tape.js';
import { allocate, dtypeOf, sameShape, slice0, zeros, type DType, type Tensor } from './tensor.js';
import { LOWER, scheduled } from './lower-cell.js';
import { fusedLowering, fusedMatmuls, type FusedGroup, type FusedMember } from './fuse.js';

export interface CompileOptions {
  /** Element type of parameters and values (default float64). */
  readonly dtype?: DType;
  /**
   * Threads for forward()'s large matrix products (default 1). With 2, a worker thread on
   * shared WebAssembly memory takes half of the columns of each big product; call
   * dispose() when done with the cell (the worker never keeps a finished program alive).
   */
  readonly threads?: number;
  /**
   * forward() computes elementwise functions (exp, sigmoid, tanh, ...) with JavaScript's Math, as the
   * tape's kernels and the mathjs trace do, instead of the faster WebAssembly polynomials (within
   * 1e-15 relative in float64): the trace's engine evaluator, which then matches mathjs bit for bit.
   */
  readonly exact?: boolean;
  /**
   * step() and unroll() multiply each group of parameter matrices that share their operand (a
   * gated cell's W_hr h, W_hz h, W_hn h) as one stacked product, then slice it: one matrix
   * product instead of three or four, large enough for the WebAssembly kernel (default false).
   * Values agree with the unfused ops to rounding only, not bit for bit.
   */
  readonly fuseMatmuls?: boolean;
}

export interface NamedShape {
  readonly name: string;
  /** Per-sample shape; batched values carry a leading batch axis on top of it. */
  readonly shape: readonly number[];
}

export interface InitOptions {
  /**
   * Draw the recurrent matrices (those applied to something that depends on a state) from
   * N(0, scale²/fanIn) instead of the default init: spectral radius ≈ scale, to move a cell
   * between vanishing and exploding gradients.
   */
  readonly recurrentGaussian?: number;
}

export interface UnrollOptions {
  /** Every cell input as [T, B, ...shape]. */
  readonly inputs: Readonly<Record<string, Tensor>>;
  /** Initial states as [B, ...shape] (Tensor: a constant; Var: e.g. a variable to differentiate). Default zeros. */
  readonly initial?: Readonly<Record<string, Tensor | Var>>;
  /** Noise values as [T, B, ...shape]; otherwise drawn N(0, 1) from `random`. */
  readonly noise?: Readonly<Record<string, Tensor>>;
  readonly random?: Random;
  /**
   * Truncated BPTT: the states are detached every `truncate` steps, so no gradient flows
   * back across a chunk boundary (chunks of k steps, as in Williams and Peng's BPTT(k, k)).
   */
  readonly truncate?: number;
}

export interface Unrolled {
  /** Per step t (0-based), every statement's value at t, keyed by statement target. */
  readonly steps: readonly Readonly<Record<string, Var>>[];
  /** Per state, its value after each step: states.h[t] is h_t ([B, ...]). */
  readonly states: Readonly<Record<string, readonly Var[]>>;
  /** The states entering step 0. */
  readonly initial: Readonly<Record<string, Var>>;
  /** The states after the last step. */
  readonly final: Readonly<Record<string, Var>>;
}

export interface ForwardOptions {
  readonly inputs: Readonly<Record<string, Tensor>>;
  readonly initial?: Readonly<Record<string, Tensor>>;
  readonly noise?: Readonly<Record<string, Tensor>>;
  readonly random?: Random;
  /**
   * Called after each step with `copyRow(nodeId, r, into, at)`, which copies row r of any
   * node's value at that step. For traces that keep every node; only the fast schedule has it.
   */
  readonly observe?: StepObserver;
  /**
   * Node ids whose values at every step the result keeps (`recorded`), copied out of the
   * schedule in one piece a step rather than node by node. Only the fast schedule has it.
   */
  readonly record?: readonly string[];
  /**
   * With `record`: the recorded values are copied out, and the schedule keeps its memory and
   * step program for the next forward of the same lengths (whose memory is then already
   * mapped): for many runs in a row. Default false: the values are views of memory the
   * schedule hands over, and the next forward makes its own.
   */
  readonly keepMemory?: boolean;
}

export interface ForwardResult {
  /** Per state, its values after every step as [T, B, ...shape]. */
  readonly states: Readonly<Record<string, Tensor>>;
  /** The states after the last step, [B, ...shape]. */
  readonly final: Readonly<Record<string, Tensor>>;
  /** With `record`: each recorded node's values at every step. */
  readonly recorded?: ReadonlyMap<string, NodeHistory>;
}

export interface CompiledCell {
  readonly cell: CellGraph;
  readonly sizes: Sizes;
  readonly dtype: DType;
  readonly params: readonly NamedShape[];
  readonly inputs: readonly NamedShape[];
  readonly states: readonly NamedShape[];
  readonly noises: readonly NamedShape[];
  /** Matrices applied to a state-dependent vector (W_hh, W_hr, …). */
  readonly recurrent: readonly string[];
  /** Parameters initialised as PyTorch does: U(−1/√H, 1/√H), H = the hidden size (else the fan-in). */
  initParams(random: Random, options?: InitOptions): Parameter[];
  /** One step on a tape: values of inputs, previous states, params (and noise) → every statement's value. */
  step(tape: Tape, values: Readonly<Record<string, Var>>): Record<string, Var>;
  /**
   * The whole sequence on a tape, for backpropagation through time. `params` is the list of
   * Parameters (their grads accumulate on backward), or Vars by name already on the tape.
   */
  unroll(tape: Tape, params: readonly Parameter[] | Readonly<Record<string, Var>>, options: UnrollOptions): Unrolled;
  /** The whole sequence without a tape, through the fast schedule (no gradients). */
  forward(params: readonly Parameter[], options: ForwardOptions): ForwardResult;
  /** Releases the forward schedule's helper thread and buffers (it is rebuilt on the next forward). */
  dispose(): void;
}

/** Nodes whose value differs per sample (they depend on an input, a state or noise). */
function batchedNodes(cell: CellGraph): Set<string> {
  const batched = new Set<string>();
  for (const n of cell.nodes) {
    if (n.kind === 'input' || n.kind === 'input_prev' || n.kind === 'state' || n.kind === 'noise' || n.inputs.some((i) => batched.has(i))) batched.add(n.id);
  }
  return batched;
}

/** Matrices multiplied with something that depends on a state within the step. */
function recurrentMatrices(cell: CellGraph): string[] {
  const fromState = new Set<string>();
  for (const n of cell.nodes) if (n.kind === 'state' || n.inputs.some((i) => fromState.has(i))) fromState.add(n.id);
  const byId = new Map(cell.nodes.map((n) => [n.id, n]));
  const names = new Set<string>();
  for (const n of cell.nodes) {
    if (n.kind !== 'matmul' || !fromState.has(n.inputs[1]!)) continue;
    const W = byId.get(n.inputs[0]!);
    if (W?.kind === 'param') names.add(W.name);
  }
  return [...names];
}

/** forward() for a cell the schedule does not cover: the same ops on a tape that records nothing. */
function forwardOnTape(compiled: CompiledCell, params: readonly Parameter[], options: ForwardOptions, stateNames: readonly string[]): ForwardResult {
  const run = compiled.unroll(new Tape({ record: false }), params, options);
  const states: Record<string, Tensor> = {};
  const final: Record<string, Tensor> = {};
  for (const s of stateNames) {
    const steps = run.states[s]!.map((v) => v.value);
    const last = run.final[s]!.value;
    const data = allocate(steps.length * last.data.length, dtypeOf(last.data));
    steps.forEach((v, t) => data.set(v.data, t * last.data.length));
    states[s] = { shape: [steps.length, ...last.shape], data };
    final[s] = last;
  }
  return { states, final };
}

function sample(t: Tensor, index: number): Tensor {
  return slice0(t, index);
}

/** Everything compile() resolves once: the sized cell and the tables its steps read. */
interface Resolved extends Pick<CompiledCell, 'cell' | 'sizes' | 'dtype' | 'params' | 'inputs' | 'states' | 'noises' | 'recurrent'> {
  readonly batched: Set<string>;
  readonly byId: Map<string, CellGraph['nodes'][number]>;
  readonly constants: Map<string, Tensor>;
  readonly statementIds: Set<string>;
  readonly stateNames: readonly string[];
  readonly lagged: Set<string>;
  readonly fused: Map<string, FusedMember>;
  readonly lowerFused: ReturnType<typeof fusedLowering>;
}

/** Sizes the cell, checks it is batchable and builds the tables step() and forward() share. */
function resolveCell(source: CellGraph, sizes: Sizes, options: CompileOptions, dtype: DType): Resolved {
  // Always through withSizes, which also refuses tensors too large to allocate.
  const cell = withSizes(source, sizes);
  const named = (ds: CellGraph['params']): NamedShape[] => ds.map((d) => ({ name: d.name, shape: numericShape(d.shape) }));
  const params = named(cell.params);
  const inputs = named(cell.inputs);
  const states = named(cell.states);
  const noises = named(cell.noises);
  const batched = batchedNodes(cell);
  const byId = new Map(cell.nodes.map((n) => [n.id, n]));
  for (const n of cell.nodes) {
    if (n.kind === 'matmul' && batched.has(n.inputs[0]!)) {
      throw new InputError(`${n.span.file}:${n.span.line}:${n.span.column}: the engine multiplies by a matrix of parameters only; '${n.inputs[0]}' depends on an input or a state`);
    }
  }
  const recurrent = recurrentMatrices(cell);
  const constants = new Map<string, Tensor>();
  for (const n of cell.nodes) if (n.kind === 'const') constants.set(n.id, { shape: [], data: allocate(1, dtype).fill(n.value) });
  for (const n of cell.nodes) if (n.kind === 'identity') constants.set(n.id, identityTensor(Number(n.shape[0]), dtype));
  const statementIds = new Set(cell.statements.map((s) => s.root));
  const stateNames = states.map((s) => s.name);
  const lagged = new Set(cell.nodes.flatMap((n) => (n.kind === 'input_prev' ? [n.name] : [])));
  const fused = options.fuseMatmuls ? fusedMatmuls(cell, byId) : new Map<string, FusedMember>();
  return { cell, sizes, dtype, params, inputs, states, noises, batched, byId, recurrent, constants, statementIds, stateNames, lagged, fused, lowerFused: fusedLowering() };
}

/** The given parameters by name, each checked against the cell's list. */
function checkParams(r: Resolved, list: readonly Parameter[]): Map<string, Parameter> {
  const map = new Map(list.map((p) => [p.name, p]));
  for (const p of r.params) {
    const found = map.get(p.name);
    if (!found) throw new InputError(`cell '${r.cell.name}' needs parameter '${p.name}' [${p.shape.join(', ')}]`);
    if (!sameShape(found.value.shape, p.shape)) {
      throw new ShapeError(p.name, p.shape, found.value.shape, `cell '${r.cell.name}'`);
    }
  }
  return map;
}

/** T and B from the inputs, each checked against [T, B, ...shape]. */
function sequenceShape(r: Resolved, given: Readonly<Record<string, Tensor>>, what: string, list: readonly NamedShape[], TB?: [number, number]): [number, number] {
  let tb = TB;
  for (const d of list) {
    const t = given[d.name];
    if (!t) throw new InputError(`cell '${r.cell.name}' needs ${what} '${d.name}' as [steps, batch, ${d.shape.join(', ')}]`);
    tb ??= [t.shape[0] ?? 0, t.shape[1] ?? 0];
    const expected = [tb[0], tb[1], ...d.shape];
    if (t.shape.length !== expected.length || t.shape.some((s, i) => s !== expected[i])) throw new ShapeError(d.name, expected, t.shape, `cell '${r.cell.name}' ${what}`);
  }
  if (!tb) throw new InputError(`cell '${r.cell.name}' has no input to take the sequence length from`);
  return tb;
}

/** The noise as given (checked), or drawn N(0, 1) from `random`. */
function noiseTensors(r: Resolved, given: { readonly noise?: Readonly<Record<string, Tensor>>; readonly random?: Random }, T: number, B: number): Record<string, Tensor> {
  const noises = r.noises;
  if (!noises.length) return {};
  if (given.noise) {
    sequenceShape(r, given.noise, 'noise', noises, [T, B]);
    return { ...given.noise };
  }
  if (!given.random) throw new InputError(`cell '${r.cell.name}' draws noise (${noises.map((n) => `'${n.name}'`).join(', ')}): pass noise or random`);
  const out: Record<string, Tensor> = {};
  for (const n of noises) {
    const t = zeros([T, B, ...n.shape], r.dtype);
    given.random.fillNormal(t.data);
    out[n.name] = t;
  }
  return out;
}

function initParams(r: Resolved, random: Random, init: InitOptions): Parameter[] {
  const hidden = r.sizes['hidden'];
  return r.params.map((p) => {
    const fan = hidden ?? p.shape[p.shape.length - 1] ?? 1;
    const bound = 1 / Math.sqrt(fan);
    const value = zeros(p.shape, r.dtype);
    const isRecurrent = r.recurrent.includes(p.name);
    if (isRecurrent && init.recurrentGaussian !== undefined) {
      random.fillNormal(value.data, 0, init.recurrentGaussian / Math.sqrt(p.shape[1] ?? 1));
    } else {
      random.fillUniform(value.data, -bound, bound);
    }
    return parameter(p.name, value);
  });
}

function stepOnTape(r: Resolved, tape: Tape, values: Readonly<Record<string, Var>>): Record<string, Var> {
  const computed = new Map<string, Var>();
  const leaf = (name: string): Var => {
    const c = r.constants.get(name);
    if (c) return tape.constant(c, name);
    const v = values[name];
    if (!v) throw new InputError(`cell '${r.cell.name}' step needs a value for '${name}'`);
    return v;
  };
  const result: Record<string, Var> = {};
  const products = new Map<FusedGroup, Var>();
  for (const n of r.cell.nodes) {
    const args = n.inputs.map((id) => computed.get(id)!);
    const member = r.fused.get(n.id);
    let v: Var;
    if (member) v = r.lowerFused(tape, member, args[1]!, leaf, products);
    else v = LOWER[n.kind](tape, n, args, leaf, n.inputs.map((id) => r.byId.get(id)!.shape as number[]));
    computed.set(n.id, v);
    if (r.statementIds.has(n.id)) result[n.id] = v;
  }
  return result;
}

/** unroll()'s parameters as Vars on the tape: Parameters become tape params, Vars are taken as they are. */
function paramVarsOn(r: Resolved, tape: Tape, given: readonly Parameter[] | Readonly<Record<string, Var>>): Record<string, Var> {
  const paramVars: Record<string, Var> = {};
  if (Array.isArray(given)) {
    const map = checkParams(r, given as readonly Parameter[]);
    for (const p of r.params) paramVars[p.name] = tape.param(map.get(p.name)!);
  } else {
    const vars = given as Readonly<Record<string, Var>>;
    checkParams(r, Object.entries(vars).map(([name, v]) => ({ name, value: v.value, grad: v.value })));
    for (const p of r.params) paramVars[p.name] = vars[p.name]!;
  }
  return paramVars;
}

/** A given initial state of `s` must be [B, ...s's shape] (unroll and forward both check it). */
function checkInitialShape(r: Resolved, s: NamedShape, shape: readonly number[], B: number): void {
  const expected = [B, ...s.shape];
  if (!sameShape(shape, expected)) throw new ShapeError(s.name, expected, shape, `cell '${r.cell.name}' initial state`);
}

/** The states entering step 0 as Vars: given ones (checked against [B, ...shape]) or zeros. */
function initialStatesOn(r: Resolved, tape: Tape, given: UnrollOptions['initial'], B: number): Record<string, Var> {
  const initial: Record<string, Var> = {};
  for (const s of r.states) {
    const start = given?.[s.name];
    const value = start ? ('value' in start ? start.value : start) : zeros([B, ...s.shape], r.dtype);
    if (start) checkInitialShape(r, s, value.shape, B);
    initial[s.name] = start && 'value' in start ? start : tape.constant(value, `${s.name}_0`);
  }
  return initial;
}

/** Step t's leaves: the params, inputs (and x_prev), noise and previous states (detached at a truncation boundary). */
function stepValues(r: Resolved, tape: Tape, paramVars: Readonly<Record<string, Var>>, options: UnrollOptions, noise: Readonly<Record<string, Tensor>>, current: Readonly<Record<string, Var>>, t: number, B: number): Record<string, Var> {
  const truncate = options.truncate;
  const values: Record<string, Var> = { ...paramVars };
  for (const d of r.inputs) values[d.name] = tape.constant(sample(options.inputs[d.name]!, t), d.name);
  // x_prev: the input one step back, zero at the first step.
  for (const d of r.inputs.filter((i) => r.lagged.has(i.name))) values[`${d.name}_prev`] = t > 0 ? tape.constant(sample(options.inputs[d.name]!, t - 1), `${d.name}_prev`) : tape.constant(zeros([B, ...d.shape], r.dtype), `${d.name}_prev`);
  for (const d of r.noises) values[d.name] = tape.constant(sample(noise[d.name]!, t), d.name);
  for (const s of r.stateNames) {
    const prev = current[s]!;
    values[`${s}_prev`] = truncate && t > 0 && t % truncate === 0 ? tape.detach(prev) : prev;
  }
  return values;
}

function unrollOnTape(r: Resolved, tape: Tape, given: readonly Parameter[] | Readonly<Record<string, Var>>, options: UnrollOptions): Unrolled {
  const paramVars = paramVarsOn(r, tape, given);
  const [T, B] = sequenceShape(r, options.inputs, 'input', r.inputs);
  const noise = noiseTensors(r, options, T, B);
  const initial = initialStatesOn(r, tape, options.initial, B);
  const truncate = options.truncate;
  if (truncate !== undefined && (!Number.isInteger(truncate) || truncate < 1)) throw new InputError(`truncate must be a positive integer, found ${truncate}`);
  const steps: Record<string, Var>[] = [];
  const history: Record<string, Var[]> = Object.fromEntries(r.stateNames.map((s) => [s, []]));
  let current = initial;
  for (let t = 0; t < T; t++) {
    const out = stepOnTape(r, tape, stepValues(r, tape, paramVars, options, noise, current, t, B));
    steps.push(out);
    current = Object.fromEntries(r.stateNames.map((s) => [s, out[s]!]));
    for (const s of r.stateNames) history[s]!.push(out[s]!);
  }
  return { steps, states: history, initial, final: current };
}

/** forward()'s checks before it runs: parameters, shapes, noise, and what observe/record ask of the schedule. */
function forwardInputs(r: Resolved, list: readonly Parameter[], options: ForwardOptions): { map: Map<string, Parameter>; noise: Record<string, Tensor>; T: number; B: number; unscheduled: boolean } {
  const map = checkParams(r, list);
  const [T, B] = sequenceShape(r, options.inputs, 'input', r.inputs);
  const noise = noiseTensors(r, options, T, B);
  for (const s of r.states) {
    const given = options.initial?.[s.name];
    if (given) checkInitialShape(r, s, given.shape, B);
  }
  const unscheduled = r.cell.nodes.find((n) => !scheduled(n));
  if (unscheduled && (options.observe || options.record)) throw new InputError(`cell '${r.cell.name}': the fast schedule has no '${unscheduled.kind}' for observing every node`);
  const unknown = options.record?.find((id) => !r.byId.has(id));
  if (unknown !== undefined) throw new InputError(`cell '${r.cell.name}' has no node '${unknown}' to record`);
  return { map, noise, T, B, unscheduled: unscheduled !== undefined };
}

/** Compiles a cell for fixed sizes (every symbolic dim the cell uses must be given). */
export function compile(source: CellGraph, sizes: Sizes, options: CompileOptions = {}): CompiledCell {
  const dtype = options.dtype ?? 'float64';
  const threads = options.threads ?? 1;
  const exact = options.exact ?? false;
  if (!Number.isInteger(threads) || threads < 1) throw new InputError(`threads must be a positive integer, found ${threads}`);
  const r = resolveCell(source, sizes, options, dtype);
  let schedule: Schedule | undefined;
  const compiled: CompiledCell = {
    cell: r.cell,
    sizes,
    dtype,
    params: r.params,
    inputs: r.inputs,
    states: r.states,
    noises: r.noises,
    recurrent: r.recurrent,
    initParams: (random, init = {}) => initParams(r, random, init),
    step: (tape, values) => stepOnTape(r, tape, values),
    unroll: (tape, given, unrollOptions) => unrollOnTape(r, tape, given, unrollOptions),
    dispose() {
      schedule?.dispose();
    },
    forward(list, forwardOptions) {
      const { map, noise, T, B, unscheduled } = forwardInputs(r, list, forwardOptions);
      if (unscheduled) return forwardOnTape(compiled, list, { ...forwardOptions, noise }, r.stateNames);
      schedule ??= buildSchedule(r.cell, r.byId, r.batched, dtype, threads, exact);
      return schedule.run(map, forwardOptions.inputs, forwardOptions.initial ?? {}, noise, T, B, forwardOptions.observe, forwardOptions.record, forwardOptions.keepMemory);
    },
  };
  return compiled;
}


/** The n × n identity matrix (the cell's I), a constant of the tape. */
function identityTensor(n: number, dtype: Parameters<typeof allocate>[1]): Tensor {
  const data = allocate(n * n, dtype);
  for (let i = 0; i < n; i++) data[i * n + i] = 1;
  return { shape: [n, n], data };
}
