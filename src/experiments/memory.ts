/**
 * Experiments stage: the connectivity map of "Visualizing memorization in RNNs" (Madsen,
 * Distill 2019): for every pair s ≤ t, the Frobenius norm of ∂h_t/∂x_s, how much the state at
 * t still depends on the input at s. One reverse pass gives all of it: the batch holds one
 * copy of each input sequence per (t, unit) pair, and the scalar Σ_t Σ_rows h_t ⊙ M_t, with
 * M_t one at (row (k, t, u), unit u), seeds row (k, t, u) with ∂h_t[u]; rows never mix, so
 * that row's gradient at x_s is ∂h_t[u]/∂x_s.
 */
import type { CellGraph } from '../cell/index.js';
import { parameter, sameShape, sizeOf, Tape, tensor, zeros, type Parameter, type Tensor, type Var } from '../engine/index.js';
import { InputError } from '../errors.js';
import { createRandom } from '../random.js';
import { anomaly } from '../train/index.js';
import { checkSequenceCell, otherSizes } from './train-task.js';

export interface MemoryOptions {
  readonly hidden: number;
  /** Input sequences [T, samples, input]: the map is their mean. */
  readonly inputs: Tensor;
  /** Seed of the random (PyTorch-style) weights when no trained weights are given. */
  readonly seed?: number;
  /** Sizes of the cell's dimensions other than its input's and states' (default: `hidden`). */
  readonly sizes?: Readonly<Record<string, number>>;
  /** Given cell parameters by name (from a compare record, or a weights file). */
  readonly weights?: Readonly<Record<string, { readonly shape: readonly number[]; readonly data: ArrayLike<number> }>>;
}

export interface MemoryMap {
  readonly cell: string;
  /** The state differentiated (h, or the cell's last state). */
  readonly state: string;
  readonly steps: number;
  /** Row-major [t][s]: mean over the samples of ‖∂h_t/∂x_s‖_F; 0 where s > t. */
  readonly norms: Float64Array;
}

/** The most values T · rows · width a map may put on the tape per node (the default T 30, 4 samples, hidden 16: 0.9 million). */
const MAX_TAPE_VALUES = 16e6;

/** N(0, 1) inputs [T, samples, input], the default when no task supplies sequences. */
export function normalInputs(steps: number, samples: number, input: number, seed: number): Tensor {
  const xs = zeros([steps, samples, input]);
  createRandom(seed).fillNormal(xs.data as Float64Array);
  return xs;
}

function cellParameters(predictor: anomaly.Predictor, weights: MemoryOptions['weights']): Parameter[] {
  const own = predictor.params.filter((p) => predictor.compiled.params.some((q) => q.name === p.name));
  if (!weights) return own;
  return own.map((p) => {
    const saved = weights[p.name];
    if (!saved) throw new InputError(`the saved weights of cell '${predictor.cell.name}' have no parameter '${p.name}' [${p.value.shape.join(', ')}]`);
    if (!sameShape(saved.shape, p.value.shape)) {
      throw new InputError(`the saved parameter '${p.name}' of cell '${predictor.cell.name}' has shape [${saved.shape.join(', ')}], expected [${p.value.shape.join(', ')}]`);
    }
    return parameter(p.name, tensor(Float64Array.from(saved.data), saved.shape));
  });
}

/** The memory map of `cell` at the given weights (random when none), averaged over the input sequences. */
export function memoryMap(cell: CellGraph, options: MemoryOptions): MemoryMap {
  const [T, samples, I] = options.inputs.shape as [number, number, number];
  checkSequenceCell(cell);
  const predictor = anomaly.createPredictor(cell, I, options.hidden, createRandom(options.seed ?? 1).fork(), I, otherSizes(cell, options.hidden, options.sizes));
  const params = cellParameters(predictor, options.weights);
  const state = predictor.output;
  const states = predictor.compiled.states;
  const width = sizeOf(states.find((s) => s.name === state)!.shape);
  const R = samples * T * width;
  // Every node of every step holds R rows of up to `width` values on the tape: refuse what would not fit in memory.
  if (T * R * width > MAX_TAPE_VALUES) {
    throw new InputError(`the memory map of cell '${cell.name}' at T = ${T}, ${samples} sample${samples === 1 ? '' : 's'} and state size ${width} would hold ${(T * R * width / 1e6).toFixed(1)} million values per node on the tape (at most ${MAX_TAPE_VALUES / 1e6} million); lower --samples or --steps`);
  }
  const row = (k: number, t: number, u: number) => (k * T + t) * width + u;
  const tape = new Tape();
  const values: Record<string, Var> = Object.fromEntries(params.map((p) => [p.name, tape.constant(p.value, p.name)]));
  for (const s of states) values[`${s.name}_prev`] = tape.constant(zeros([R, ...s.shape]), `${s.name}_0`);
  const xs: Var[] = [];
  let seeded: Var | undefined;
  // A cell that reads x_prev gets the previous step's input variable, so ∂h_t/∂x_{t−1} flows through it too.
  const lagged = cell.nodes.some((n) => n.kind === 'input_prev');
  for (let t = 0; t < T; t++) {
    const x = zeros([R, I]);
    for (let k = 0; k < samples; k++) {
      const sample = options.inputs.data.subarray((t * samples + k) * I, (t * samples + k + 1) * I);
      for (let r = row(k, 0, 0); r < row(k + 1, 0, 0); r++) x.data.set(sample, r * I);
    }
    xs.push(tape.variable(x, predictor.input));
    if (lagged) values[`${predictor.input}_prev`] = t > 0 ? xs[t - 1]! : tape.constant(zeros([R, I]), `${predictor.input}_prev`);
    const out = predictor.compiled.step(tape, { ...values, [predictor.input]: xs[t]! });
    for (const s of states) values[`${s.name}_prev`] = out[s.name]!;
    const mask = zeros([R, width]);
    for (let k = 0; k < samples; k++) for (let u = 0; u < width; u++) mask.data[row(k, t, u) * width + u] = 1;
    const picked = tape.sum(tape.mul(out[state]!, tape.constant(mask, `M_${t}`)));
    seeded = seeded ? tape.add(seeded, picked) : picked;
  }
  tape.backward(seeded!);
  const norms = new Float64Array(T * T);
  for (let t = 0; t < T; t++) {
    for (let s = 0; s <= t; s++) {
      const g = xs[s]!.grad;
      if (!g) continue;
      for (let k = 0; k < samples; k++) {
        let sq = 0;
        // Rows (k, t, 0..width−1) hold ∂h_t[u]/∂x_s for every unit u: together, the Jacobian.
        for (let i = row(k, t, 0) * I; i < (row(k, t, 0) + width) * I; i++) sq += g[i]! ** 2;
        norms[t * T + s] += Math.sqrt(sq) / samples;
      }
    }
  }
  return { cell: cell.name, state, steps: T, norms };
}

/** CSV: one row per (t, s ≤ t) with each map's norm, in the order given. */
export function memoryCsv(maps: readonly { readonly label: string; readonly map: MemoryMap }[]): string {
  const T = maps[0]?.map.steps ?? 0;
  const rows = [['t', 's', ...maps.map((m) => m.label.replace(/[^A-Za-z0-9.-]+/g, '_'))].join(',')];
  for (let t = 0; t < T; t++) {
    for (let s = 0; s <= t; s++) rows.push([t, s, ...maps.map((m) => (m.map.norms[t * T + s]! === 0 ? '0' : m.map.norms[t * T + s]!.toExponential(4)))].join(','));
  }
  return rows.join('\n') + '\n';
}

/** The mean of ‖∂h_t/∂x_{t−k}‖ over every t ≥ k, for each lag k = 0..T−1: how memory fades with distance. */
export function memoryByLag(map: MemoryMap): Float64Array {
  const T = map.steps;
  const lag = new Float64Array(T);
  for (let k = 0; k < T; k++) {
    let sum = 0;
    for (let t = k; t < T; t++) sum += map.norms[t * T + t - k]!;
    lag[k] = sum / (T - k);
  }
  return lag;
}

/** An aligned table of memoryByLag at about eight lags, one column per map. */
export function memoryTable(maps: readonly { readonly label: string; readonly map: MemoryMap }[]): string {
  const T = maps[0]?.map.steps ?? 0;
  const every = Math.max(1, Math.round(T / 8));
  const lags: number[] = [];
  for (let k = 0; k < T; k += every) lags.push(k);
  if (lags[lags.length - 1] !== T - 1) lags.push(T - 1);
  const profiles = maps.map((m) => memoryByLag(m.map));
  const head = ['lag t−s', ...maps.map((m) => m.label)];
  const body = lags.map((k) => [String(k), ...profiles.map((p) => (p[k]! === 0 ? '0' : p[k]!.toExponential(2)))]);
  const widths = head.map((h, k) => Math.max(h.length, ...body.map((r) => r[k]!.length)));
  const line = (cells: string[]) => cells.map((c, k) => c.padStart(widths[k]!)).join('  ');
  return [line(head), ...body.map(line)].join('\n') + '\n';
}
