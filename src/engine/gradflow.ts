/**
 * Engine stage: gradient flow through time. For a cell with random inputs, the Jacobian
 * J_t = ∂h_T/∂h_t for every t, by reverse mode: the batch holds H copies of each input
 * sequence and row b of the seed at h_T is e_b, so row b of the gradient at h_t is row b
 * of J_t. Its spectral and Frobenius norms, averaged over the sequences, show whether
 * gradients vanish or explode with distance (Bengio et al. 1994; Pascanu et al. 2013).
 */
import type { CellGraph } from '../cell/index.js';
import { InputError } from '../errors.js';
import { createRandom } from '../random.js';
import { compile } from './compile.js';
import { Tape } from './tape.js';
import { sizeOf, zeros, type Tensor } from './tensor.js';

export interface GradientFlowOptions {
  /** T: the number of steps (default 50). */
  readonly steps?: number;
  readonly hidden?: number;
  /** Input size (default: the hidden size). */
  readonly input?: number;
  readonly seed?: number;
  /** How many random input sequences the norms are averaged over (default 16). */
  readonly samples?: number;
  /**
   * Recurrent matrices drawn N(0, init²/H), so their spectral radius is about `init`
   * (below 1: gradients vanish; well above: they can explode). Default: PyTorch's init.
   */
  readonly init?: number;
  /** The state to differentiate (default: defaultFlowState, h for an LSTM). */
  readonly state?: string;
  /** The name in CSV headers, tables and legends (default: the cell's name). */
  readonly label?: string;
}

export interface GradientFlow {
  readonly cell: string;
  /** The cell's name, or the label given (e.g. 'rnn, init 4'). */
  readonly label: string;
  readonly state: string;
  readonly steps: number;
  readonly hidden: number;
  readonly samples: number;
  /** norms[t] for t = 0..T: mean over samples of the largest singular value of ∂h_T/∂h_t. */
  readonly spectral: Float64Array;
  /** The same with the Frobenius norm. */
  readonly frobenius: Float64Array;
}

/** Largest singular value of an n×n row-major matrix, by power iteration on JᵀJ. */
export function spectralNorm(J: Float64Array, n: number, iterations = 100): number {
  let v = new Float64Array(n).fill(1 / Math.sqrt(n));
  const u = new Float64Array(n);
  let sigma = 0;
  for (let it = 0; it < iterations; it++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += J[i * n + k]! * v[k]!;
      u[i] = s;
    }
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) w[k] += J[i * n + k]! * u[i]!;
    let norm = 0;
    for (let k = 0; k < n; k++) norm += w[k]! * w[k]!;
    norm = Math.sqrt(norm);
    if (norm === 0) return 0;
    const next = Math.sqrt(norm);
    if (Math.abs(next - sigma) <= 1e-12 * next) return next;
    sigma = next;
    for (let k = 0; k < n; k++) w[k] /= norm;
    v = w;
  }
  return sigma;
}

/**
 * The state gradflow differentiates by default: the cell's output when exactly one of its
 * outputs is a state, else `h`, else the last declared state.
 */
export function defaultFlowState(cell: CellGraph): string {
  if (!cell.states.length) throw new InputError(`cell '${cell.name}' has no state, so no gradient flows through time`);
  const stateNames = cell.states.map((s) => s.name);
  const outputStates = cell.outputs.filter((o) => stateNames.includes(o));
  if (outputStates.length === 1) return outputStates[0]!;
  return stateNames.includes('h') ? 'h' : stateNames[stateNames.length - 1]!;
}

/** The states whose update reads their own previous value (a path S_{t-1} → S_t inside the step). */
export function recurrentStates(cell: CellGraph): string[] {
  const byId = new Map(cell.nodes.map((n) => [n.id, n]));
  return cell.states
    .map((s) => s.name)
    .filter((name) => {
      const seen = new Set<string>();
      const stack = [name];
      while (stack.length) {
        const node = byId.get(stack.pop()!)!;
        if (node.kind === 'state' && node.name === name) return true;
        for (const id of node.inputs) if (!seen.has(id)) (seen.add(id), stack.push(id));
      }
      return false;
    });
}

function checkRecurrent(cell: CellGraph, state: string): void {
  if (!cell.states.length) throw new InputError(`cell '${cell.name}' has no state, so no gradient flows through time`);
  const declared = cell.states.find((s) => s.name === state);
  if (!declared) throw new InputError(`cell '${cell.name}' has no state '${state}' (its states: ${cell.states.map((s) => s.name).join(', ')})`);
  if (recurrentStates(cell).includes(state)) return;
  const recurrent = recurrentStates(cell);
  const hint = recurrent.length ? `choose one that does with --state (${recurrent.join(', ')})` : 'no state of this cell does';
  const at = `${declared.span.file}:${declared.span.line}:${declared.span.column}`;
  throw new InputError(`${at}: state '${state}' of cell '${cell.name}' does not depend on ${state}_prev, so no gradient flows from ${state}_T back through time; ${hint}`);
}

export function gradientFlow(cell: CellGraph, options: GradientFlowOptions = {}): GradientFlow {
  const T = options.steps ?? 50;
  const H = options.hidden ?? 32;
  const I = options.input ?? H;
  const samples = options.samples ?? 16;
  for (const [name, v] of [['steps', T], ['hidden', H], ['input', I], ['samples', samples]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new InputError(`${name} must be a positive integer, found ${v}`);
  }
  if (options.init !== undefined && !(Number.isFinite(options.init) && options.init >= 0)) {
    throw new InputError(`init must be a non-negative number, found ${options.init}`);
  }
  const state = options.state ?? defaultFlowState(cell);
  checkRecurrent(cell, state);
  const sizes: Record<string, number> = {};
  for (const d of cell.dims) sizes[d] = d === 'hidden' ? H : d === 'input' ? I : H;
  const compiled = compile(cell, sizes);
  const width = sizeOf(compiled.states.find((s) => s.name === state)!.shape);

  const random = createRandom(options.seed ?? 1);
  const params = compiled.initParams(random.fork(), options.init === undefined ? {} : { recurrentGaussian: options.init });
  const inputRandom = random.fork();
  const spectral = new Float64Array(T + 1);
  const frobenius = new Float64Array(T + 1);
  const J = new Float64Array(width * width);

  for (let s = 0; s < samples; s++) {
    // One random sequence per sample, repeated on `width` batch rows.
    const inputs: Record<string, Tensor> = {};
    for (const d of compiled.inputs) {
      const n = sizeOf(d.shape);
      const one = new Float64Array(T * n);
      inputRandom.fillNormal(one);
      const x = zeros([T, width, ...d.shape]);
      for (let t = 0; t < T; t++) for (let b = 0; b < width; b++) x.data.set(one.subarray(t * n, (t + 1) * n), (t * width + b) * n);
      inputs[d.name] = x;
    }
    const tape = new Tape();
    const initial = Object.fromEntries(compiled.states.map((d) => [d.name, tape.variable(zeros([width, ...d.shape]), `${d.name}_0`)]));
    const seq = compiled.unroll(tape, params, { inputs, initial, random: inputRandom });
    const chain = [initial[state]!, ...seq.states[state]!];
    const seed = new Float64Array(width * width);
    for (let b = 0; b < width; b++) seed[b * width + b] = 1;
    tape.backward(chain[T]!, seed);
    for (let t = 0; t <= T; t++) {
      const g = chain[t]!.grad;
      if (g) J.set(g);
      else J.fill(0);
      let f = 0;
      for (let i = 0; i < J.length; i++) f += J[i]! * J[i]!;
      frobenius[t] += Math.sqrt(f) / samples;
      spectral[t] += spectralNorm(J, width) / samples;
    }
  }
  return { cell: cell.name, label: options.label ?? cell.name, state, steps: T, hidden: H, samples, spectral, frobenius };
}

/** Which norm a table, CSV column or chart shows. */
export type FlowNorm = 'spectral' | 'frobenius';

const fmt = (v: number): string => (v === 0 ? '0' : v.toExponential(4));

/** CSV: one row per t, with steps back (T − t) and each cell's spectral and Frobenius norm. */
export function gradientFlowCsv(flows: readonly GradientFlow[]): string {
  const T = flows[0]?.steps ?? 0;
  const column = (f: GradientFlow) => f.label.replace(/[^A-Za-z0-9.-]+/g, '_');
  const header = ['t', 'steps_back', ...flows.map((f) => `${column(f)}_spectral`), ...flows.map((f) => `${column(f)}_frobenius`)];
  const rows = [header.join(',')];
  for (let t = 0; t <= T; t++) rows.push([t, T - t, ...flows.map((f) => fmt(f.spectral[t]!)), ...flows.map((f) => fmt(f.frobenius[t]!))].join(','));
  return rows.join('\n') + '\n';
}

/** An aligned table of one norm at about a dozen values of t (every t when T ≤ 12). */
export function gradientFlowTable(flows: readonly GradientFlow[], norm: FlowNorm = 'spectral'): string {
  const T = flows[0]?.steps ?? 0;
  const every = Math.max(1, Math.round(T / 10));
  const ts: number[] = [];
  for (let t = 0; t <= T; t += every) ts.push(t);
  if (ts[ts.length - 1] !== T) ts.push(T);
  const head = ['t', 'T−t', ...flows.map((f) => f.label)];
  const body = ts.map((t) => [String(t), String(T - t), ...flows.map((f) => fmt(f[norm][t]!))]);
  const widths = head.map((h, k) => Math.max(h.length, ...body.map((r) => r[k]!.length)));
  const line = (cells: string[]) => cells.map((c, k) => c.padStart(widths[k]!)).join('  ');
  return [line(head), ...body.map(line)].join('\n') + '\n';
}
