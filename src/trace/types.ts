/**
 * The data the trace stage passes around: weights in, a Trace out. Plain data only,
 * so a Trace can be written as JSON, compared in tests and handed to the diagram.
 */
import type { NodeId } from '../cell/index.js';

/** A row-major float64 tensor (a matrix [rows, cols] or a vector [n]). */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** Weights keyed by the cell's parameter names ('W_ir', 'b_ir', 'p_i', ...). */
export type Weights = ReadonlyMap<string, Tensor>;

/** Nested arrays as a user writes them: a vector [n] or a matrix [rows][cols]. */
export type NestedNumbers = readonly number[] | readonly (readonly number[])[];

/** What `trace` accepts as weights: a Weights map, or an object of tensors or nested arrays. */
export type WeightsLike = Weights | Readonly<Record<string, Tensor | NestedNumbers>>;

/** An input sequence: [T][I] (batch 1) or [T][B][I]. Several cell inputs are concatenated in declaration order. */
export type Sequence = readonly (readonly number[])[] | readonly (readonly (readonly number[])[])[];

/** One step of a trace. Every value is [batch][size]. */
export interface TraceStep {
  readonly t: number;
  /** The value of each statement's target (r, z, n, h), in statement order. */
  readonly values: Readonly<Record<string, number[][]>>;
  /**
   * Every node's value by CellGraph node id: inputs (x), previous states (h_prev), noise
   * (eps) and every intermediate (r.matmul.0); parameters and constants are left out.
   */
  readonly nodes: Readonly<Record<NodeId, number[][]>>;
}

export interface Trace {
  readonly cell: string;
  /** The cell's sizes ('input', 'hidden', ...) and 'batch'. */
  readonly sizes: Readonly<Record<string, number>>;
  readonly steps: readonly TraceStep[];
  /** The values after the last step: every state, then each of the cell.outputs that is not a state (an `output:` header). */
  readonly final: Readonly<Record<string, number[][]>>;
  /** The weights used (the given ones, or the seeded random draw), for saving; not part of the JSON. */
  readonly weights: Weights;
  /** Which evaluator computed the values (see TraceOptions.evaluator); not part of the JSON. */
  readonly evaluator: 'engine' | 'mathjs';
}

export interface TraceOptions {
  /** Sizes of the cell's dimensions ({hidden: 3}); others are read from the weights and the inputs. */
  readonly sizes?: Readonly<Record<string, number>>;
  /** Initial states by state name, [size] (the same for every batch element) or [batch][size]; default zeros. */
  readonly initial?: Readonly<Record<string, readonly number[] | readonly (readonly number[])[]>>;
  /** Seed of the noise inputs (eps ~ N(0, I)); default 0. */
  readonly seed?: number;
  /** The longest sequence accepted; default 10,000 steps. */
  readonly maxSteps?: number;
  /** Names the input in messages (a file name); default 'input'. */
  readonly inputName?: string;
  /** Names the weights in messages (a file name); default 'weights'. */
  readonly weightsName?: string;
  /**
   * 'mathjs' (the reference) or 'engine' (compiled typed-array kernels, float64). Default: the
   * engine when it agrees with mathjs within 1e-12 on a short random probe of this cell and these
   * weights, else mathjs, with the reason passed to `warn`.
   */
  readonly evaluator?: 'mathjs' | 'engine';
  /** Receives a note when the default evaluator falls back to mathjs. */
  readonly warn?: (message: string) => void;
}

/** The longest sequence `trace` accepts unless told otherwise. */
export const DEFAULT_MAX_STEPS = 10_000;
