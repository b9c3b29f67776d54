/**
 * The engine evaluator of a trace: the cell compiled onto the engine's typed-array schedule
 * in float64 (src/engine), every node's value read after each step. mathjs stays the
 * reference: by default a trace runs here only after a short random probe agrees with the
 * mathjs evaluator (probe.ts).
 */
import type { CellGraph, CellNode } from '../cell/index.js';
import { compile, parameter, type CompiledCell, type NodeHistory, type Tensor as EngineTensor } from '../engine/index.js';
import { InputError } from '../errors.js';
import type { Weights } from './types.js';

/** What a run needs, as plain numbers: steps [T][B][F], initial states [B][n], noise per step [B][n]. */
export interface RunInputs {
  readonly steps: readonly (readonly (readonly number[])[])[];
  readonly initial: ReadonlyMap<string, readonly (readonly number[])[]>;
  readonly noise: readonly ReadonlyMap<string, readonly (readonly number[])[]>[];
}

/** Per step, the recorded nodes' values as [batch][size]. */
export type NodeRows = Record<string, number[][]>;

/** How a sized cell becomes the engine's program: the engine's compile, or (tests) a faulty one. */
type Lowering = typeof compile;
let lower: Lowering = compile;

/**
 * For tests: makes runOnEngine lower cells with `lowering` (a deliberately wrong one shows that
 * the probe catches it); returns the one in use before.
 */
export function useLowering(lowering: Lowering): Lowering {
  const previous = lower;
  lower = lowering;
  return previous;
}

const width = (shape: readonly (string | number)[]): number => shape.reduce<number>((a, d) => a * (d as number), 1);

/** A [T][B][n] block of rows as one float64 tensor (row-major). */
function sequenceTensor(T: number, B: number, n: number, at: (t: number, b: number) => readonly number[], offset = 0): EngineTensor {
  const data = new Float64Array(T * B * n);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const row = at(t, b);
      const base = (t * B + b) * n;
      for (let i = 0; i < n; i++) data[base + i] = row[offset + i]!;
    }
  }
  return { shape: [T, B, n], data };
}

/** A step's values of one node in the engine's float64 history: row b is data[start + b·rowStride ...], width long. */
export interface StepValues {
  readonly data: Float64Array;
  /** Rows (the batch). */
  readonly rows: number;
  readonly start: number;
  readonly rowStride: number;
  readonly width: number;
}

/** Per node id, its values at one step as the engine left them, or undefined (no such node, or its arrays were made and may have been changed). */
export type StepValuesOf = (id: string) => StepValues | undefined;

/** The key under which a step made by lazySteps hands out its StepValuesOf (no other record answers it). */
const STEP_VALUES = Symbol('the engine values of a step');

/** The engine's values of a step's nodes when the engine made them (lazySteps), else undefined: for writers of large tables. */
export function engineValues(nodes: object): StepValuesOf | undefined {
  return (nodes as { [STEP_VALUES]?: StepValuesOf })[STEP_VALUES];
}

/**
 * Per step, the recorded nodes as lazily built [batch][size] arrays over the engine's history
 * (one float64 buffer per group of nodes, not an array per row): only the nodes an output
 * reads become arrays (each once, the same array on every read). Each step is a read-only
 * proxy that behaves as a plain object of its nodes (keys, entries, JSON).
 */
function lazySteps(history: ReadonlyMap<string, NodeHistory>, T: number, B: number): NodeRows[] {
  const ids = [...history.keys()];
  const at = (t: number, id: string): StepValues => {
    const h = history.get(id)!;
    return { data: h.data as Float64Array, rows: B, start: h.offset + t * h.tStride, rowStride: h.rowStride, width: h.width };
  };
  const records = readOnlyRecords<number[][]>(ids);
  return Array.from({ length: T }, (_, t) =>
    records(
      (id) => {
        const { data, start, rowStride, width } = at(t, id);
        return Array.from({ length: B }, (_, b) => Array.from(data.subarray(start + b * rowStride, start + b * rowStride + width)));
      },
      // Arrays once made are what the step holds (and a caller may have changed them).
      (id, made) => (made ? undefined : at(t, id)),
    ),
  );
}

/** What one record holds: how to make a value, the values made so far, and (engine steps) where the engine's values lie. */
class RecordTarget<V> {
  made: Map<string, V> | undefined;
  constructor(
    readonly make: (key: string) => V,
    readonly valuesOf: ((key: string, made: boolean) => StepValues | undefined) | undefined,
  ) {}

  value(key: string): V {
    let value = this.made?.get(key);
    if (value === undefined) (this.made ??= new Map()).set(key, (value = this.make(key)));
    return value;
  }
}

/**
 * A maker of read-only objects whose keys are `keys` and whose values `make` builds on first
 * read: one proxy handler for all of them (a trace makes one record per step), the record's own
 * state on its proxy's target. `valuesOf`: what engineValues hands out for the record.
 */
export function readOnlyRecords<V>(keys: readonly string[]): (make: (key: string) => V, valuesOf?: (key: string, made: boolean) => StepValues | undefined) => Record<string, V> {
  const known = new Set(keys);
  const handler: ProxyHandler<RecordTarget<V>> = {
    get: (target, key) => {
      if (typeof key === 'string') return known.has(key) ? target.value(key) : undefined;
      if (key === STEP_VALUES && target.valuesOf) {
        const valuesOf = target.valuesOf;
        return (id: string) => (known.has(id) ? valuesOf(id, target.made?.has(id) ?? false) : undefined);
      }
      return undefined;
    },
    has: (_target, key) => typeof key === 'string' && known.has(key),
    ownKeys: () => [...keys],
    getOwnPropertyDescriptor: (target, key) =>
      typeof key === 'string' && known.has(key) ? { value: target.value(key), enumerable: true, configurable: true, writable: false } : undefined,
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  };
  return (make, valuesOf) => new Proxy(new RecordTarget(make, valuesOf), handler) as unknown as Record<string, V>;
}

/**
 * The last cell traced with `reuseFor`, and from its second trace on its compiled program, held
 * weakly: the GC drops it, and its memory, once nothing else holds it. Not from the first: a
 * WeakRef's target lives to the end of the current macrotask, so a loop tracing many different
 * cells (the fuzzer, a batch of figures) would hold every one of their memories until it ends.
 */
let last: { readonly cell: CellGraph; readonly sizes: string; readonly lowering: Lowering; readonly compiled?: WeakRef<CompiledCell> } | undefined;

/**
 * The engine's program for `cell` and whether it is the last trace's, reused: with `reuseFor`
 * (the cell as written), a run of traces of that cell at these sizes reuses it from the third on.
 */
function compiledFor(cell: CellGraph, sizes: Readonly<Record<string, number>>, reuseFor: CellGraph | undefined): { compiled: CompiledCell; reused: boolean } {
  const key = JSON.stringify(sizes);
  const again = reuseFor !== undefined && last?.cell === reuseFor && last.sizes === key && last.lowering === lower;
  const previous = again ? last!.compiled?.deref() : undefined;
  if (previous) return { compiled: previous, reused: true };
  const compiled = lower(cell, sizes, { dtype: 'float64', exact: true });
  // Not while a startup snapshot is made (no WebAssembly then), which could not keep it.
  if (reuseFor && typeof WebAssembly !== 'undefined') last = { cell: reuseFor, sizes: key, lowering: lower, ...(again ? { compiled: new WeakRef(compiled) } : {}) };
  return { compiled, reused: false };
}

/**
 * Runs `cell` (already sized) on the engine and returns the recorded nodes' values per step.
 * Throws an InputError when the engine cannot run the cell (the reason names the node).
 * `reuseFor` (the cell as written): a run of traces of it at one size reuses the compiled
 * program and its memory from the third on (the first two hand their memory over to their
 * values: a single trace copies nothing).
 */
export function runOnEngine(cell: CellGraph, sizes: Readonly<Record<string, number>>, weights: Weights, run: RunInputs, recorded: readonly CellNode[], reuseFor?: CellGraph): NodeRows[] {
  const { compiled, reused } = compiledFor(cell, sizes, reuseFor);
  try {
    const params = compiled.params.map((p) => {
      const tensor = weights.get(p.name);
      if (!tensor || tensor.data.length !== width(p.shape)) throw new InputError(`the engine needs weight '${p.name}' with ${width(p.shape)} values`);
      return parameter(p.name, { shape: p.shape, data: tensor.data });
    });
    const T = run.steps.length;
    const B = run.steps[0]!.length;
    const inputs: Record<string, EngineTensor> = {};
    let offset = 0;
    for (const d of compiled.inputs) {
      const n = width(d.shape);
      inputs[d.name] = sequenceTensor(T, B, n, (t, b) => run.steps[t]![b]!, offset);
      offset += n;
    }
    const initial: Record<string, EngineTensor> = {};
    for (const s of compiled.states) {
      const rows = run.initial.get(s.name)!;
      initial[s.name] = { shape: [B, ...s.shape], data: sequenceTensor(1, B, width(s.shape), (_t, b) => rows[b]!).data };
    }
    const noise: Record<string, EngineTensor> = {};
    for (const d of compiled.noises) noise[d.name] = sequenceTensor(T, B, width(d.shape), (t, b) => run.noise[t]!.get(d.name)![b]!);
    const { recorded: history } = compiled.forward(params, { inputs, initial, noise, record: recorded.map((n) => n.id), keepMemory: reused });
    return lazySteps(history!, T, B);
  } finally {
    if (!reuseFor) compiled.dispose();
  }
}
