/**
 * Engine stage: reverse-mode autodiff. A Tape records each op as it runs (the recording
 * order is a topological order), and backward() walks it in reverse, each kernel adding
 * its inputs' gradients. Parameters live outside tapes; their gradients accumulate into
 * `param.grad` until an optimizer's zeroGrad().
 */
import { InputError } from '../errors.js';
import { KERNELS, type EngineOp, type OpAttrs, type Reduction } from './kernels.js';
import { BufferPool, markZeros, withPool } from './pool.js';
import { allocate, dtypeOf, sizeOf, zeros, type Data, type DType, type Tensor } from './tensor.js';

/** A learned tensor and its accumulated gradient (same shape and dtype). */
export interface Parameter {
  readonly name: string;
  readonly value: Tensor;
  readonly grad: Tensor;
}

export function parameter(name: string, value: Tensor): Parameter {
  const p = { name, value, grad: zeros(value.shape, dtypeOf(value.data)) };
  gradCleared(p);
  return p;
}

/**
 * Gradients known to hold only zeros (new, or cleared by an optimizer's zeroGrad). A backward
 * sums a parameter's gradient straight into such a buffer instead of into one of its own that
 * it then adds: 0 + s is s, so the bits are the same, and the VAE's 650k weights are neither
 * allocated again nor added up a second time each batch.
 */
const clearedGrads = new WeakSet<Data>();

/** Records that every entry of p.grad is zero (call after filling it with zeros). */
export function gradCleared(p: Parameter): void {
  clearedGrads.add(p.grad.data);
}

/**
 * Gives p new storage (arrays of p's length and dtype, e.g. views into an optimizer's
 * WebAssembly memory) holding its current value and gradient; a cleared gradient stays cleared.
 */
export function moveParameter(p: Parameter, value: Data, grad: Data): void {
  value.set(p.value.data);
  grad.set(p.grad.data);
  const cleared = clearedGrads.has(p.grad.data);
  const movable = p as { value: Tensor; grad: Tensor };
  movable.value = { shape: p.value.shape, data: value };
  movable.grad = { shape: p.grad.shape, data: grad };
  if (cleared) clearedGrads.add(grad);
}

/** A value on a tape. `grad` is filled by backward() when the value needs a gradient. */
export interface Var {
  readonly value: Tensor;
  grad: Data | null;
  readonly requiresGrad: boolean;
  readonly name: string;
}

interface Entry {
  readonly op: EngineOp;
  readonly inputs: readonly Var[];
  readonly out: Var;
  readonly attrs: OpAttrs;
}

export interface TapeOptions {
  /** false: run the ops without recording them (inference; no backward). */
  readonly record?: boolean;
  /**
   * Take op values and gradients from this pool (reset it once the tape is done with, e.g.
   * after the optimizer step): the next batch's tape then reuses the same buffers.
   */
  readonly pool?: BufferPool;
}

/** A convolution's step, zero border, and what follows its product (bias [F], relu). */
export interface ConvOptions {
  readonly stride?: number;
  readonly padding?: number;
  readonly bias?: Var;
  readonly relu?: boolean;
}

function convAttrs(options: ConvOptions): OpAttrs {
  return { stride: options.stride ?? 1, padding: options.padding ?? 0, ...(options.relu ? { relu: true } : {}) };
}

export class Tape {
  private readonly entries: Entry[] = [];
  private readonly leaves: Var[] = [];
  private readonly bound = new Map<Parameter, Var>();
  readonly record: boolean;
  private readonly pool: BufferPool | undefined;

  constructor(options: TapeOptions = {}) {
    this.record = options.record ?? true;
    this.pool = options.pool;
  }

  private allocate(length: number, dtype: DType): Data {
    return this.pool ? this.pool.take(length, dtype) : allocate(length, dtype);
  }

  /** Number of recorded ops (for tests and profiling). */
  get size(): number {
    return this.entries.length;
  }

  /** Data that needs no gradient (inputs, targets, noise). */
  constant(value: Tensor, name = 'constant'): Var {
    return { value, grad: null, requiresGrad: false, name };
  }

  /** A leaf whose gradient backward() leaves on `var.grad` (gradient checks, dh_T/dh_0). */
  variable(value: Tensor, name = 'variable'): Var {
    const v: Var = { value, grad: null, requiresGrad: this.record, name };
    if (this.record) this.leaves.push(v);
    return v;
  }

  /** The parameter on this tape (one Var per parameter, however often it is used). */
  param(p: Parameter): Var {
    let v = this.bound.get(p);
    if (!v) {
      v = this.variable(p.value, p.name);
      this.bound.set(p, v);
    }
    return v;
  }

  /** The same value, cut from the graph: no gradient flows through it (truncated BPTT). */
  detach(v: Var): Var {
    return this.constant(v.value, v.name);
  }

  /** Any kernel of the table by name (the cell compiler's ops that have no method of their own). */
  op(op: EngineOp, inputs: readonly Var[], attrs: OpAttrs = {}): Var {
    return this.apply(op, inputs, attrs);
  }

  private apply(op: EngineOp, inputs: readonly Var[], attrs: OpAttrs = {}, name: string = op): Var {
    const dtype = dtypeOf(inputs[0]!.value.data);
    for (const v of inputs) {
      if (dtypeOf(v.value.data) !== dtype) throw new InputError(`${op}: '${v.name}' is ${dtypeOf(v.value.data)}, expected ${dtype} like '${inputs[0]!.name}'`);
    }
    const kernel = KERNELS[op];
    const values = inputs.map((v) => v.value);
    const value = this.pool ? withPool(this.pool, () => kernel.forward(values, attrs)) : kernel.forward(values, attrs);
    const requiresGrad = this.record && inputs.some((v) => v.requiresGrad);
    const out: Var = { value, grad: null, requiresGrad, name };
    if (requiresGrad) this.entries.push({ op, inputs, out, attrs });
    return out;
  }

  /** a[M,K] · b[K,N]. */
  matmul(a: Var, b: Var): Var {
    return this.apply('matmul', [a, b]);
  }
  /**
   * A dense layer with W stored [in, out]: x[M,K]·W[K,N] + b[N], then relu when asked. One op
   * with the values of matmul, add and relu in turn, and less memory traffic (kernels-affine.ts).
   */
  affine(x: Var, W: Var, b: Var, options: { readonly relu?: boolean } = {}): Var {
    return this.apply('affine', [x, W, b], options.relu ? { relu: true } : {});
  }
  /** PyTorch's Linear: x[B,in] · W[out,in]ᵀ + b[out] (bias optional). */
  linear(x: Var, W: Var, b?: Var): Var {
    return this.apply('linear', b ? [x, W, b] : [x, W]);
  }
  /** Elementwise; the smaller operand broadcasts if it matches the trailing dims ([n] onto [B,n]). */
  add(a: Var, b: Var): Var {
    return this.apply('add', [a, b]);
  }
  sub(a: Var, b: Var): Var {
    return this.apply('sub', [a, b]);
  }
  mul(a: Var, b: Var): Var {
    return this.apply('mul', [a, b]);
  }
  div(a: Var, b: Var): Var {
    return this.apply('div', [a, b]);
  }
  /** a times a constant number. */
  scale(a: Var, factor: number): Var {
    return this.apply('scale', [a], { factor });
  }
  neg(a: Var): Var {
    return this.apply('neg', [a]);
  }
  sigmoid(a: Var): Var {
    return this.apply('sigmoid', [a]);
  }
  tanh(a: Var): Var {
    return this.apply('tanh', [a]);
  }
  relu(a: Var): Var {
    return this.apply('relu', [a]);
  }
  exp(a: Var): Var {
    return this.apply('exp', [a]);
  }
  /** log(1 + e^x), overflow-free. */
  softplus(a: Var): Var {
    return this.apply('softplus', [a]);
  }
  square(a: Var): Var {
    return this.apply('square', [a]);
  }
  /** Joined along `axis` (default: the last, i.e. features of [B, n]). */
  concat(parts: readonly Var[], axis = -1): Var {
    return this.apply('concat', parts, { axis });
  }
  /** `length` entries from `start` along `axis` (default the last). */
  slice(a: Var, start: number, length: number, axis = -1): Var {
    return this.apply('slice', [a], { axis, start, length });
  }
  /** Consecutive pieces of the given sizes along `axis` (default the last). */
  split(a: Var, sizes: readonly number[], axis = -1): Var[] {
    let start = 0;
    return sizes.map((length) => {
      const piece = this.slice(a, start, length, axis);
      start += length;
      return piece;
    });
  }
  /**
   * 2-D convolution of x [B, H, W, C] by w [kh, kw, C, F] → [B, Ho, Wo, F], Ho = ⌊(H + 2·padding − kh) / stride⌋ + 1;
   * then + bias [F] and relu when given (one op: the same values as add and relu after it).
   */
  conv2d(x: Var, w: Var, options: ConvOptions = {}): Var {
    return this.apply('conv2d', options.bias ? [x, w, options.bias] : [x, w], convAttrs(options));
  }
  /** conv2d's transpose: x [B, H, W, C] by w [C, kh, kw, F] → [B, (H − 1)·stride − 2·padding + kh, …, F]; bias and relu as conv2d. */
  convTranspose2d(x: Var, w: Var, options: ConvOptions = {}): Var {
    return this.apply('convTranspose2d', options.bias ? [x, w, options.bias] : [x, w], convAttrs(options));
  }
  /** The same values under another shape of the same size (no copy). */
  reshape(a: Var, shape: readonly number[]): Var {
    return this.apply('reshape', [a], { shape });
  }
  /** Sum of every entry (a scalar), or along `axis`. */
  sum(a: Var, axis?: number): Var {
    return this.apply('sum', [a], axis === undefined ? {} : { axis });
  }
  mean(a: Var, axis?: number): Var {
    return this.apply('mean', [a], axis === undefined ? {} : { axis });
  }
  /** Σ(pred − target)², reduced: 'mean' over all entries (default), 'sum', or 'batchmean' (sum / rows). */
  mse(pred: Var, target: Var, reduction: Reduction = 'mean'): Var {
    return this.apply('mse', [pred, target], { reduction });
  }
  /** Binary cross-entropy on logits (targets in [0, 1]); same reductions as mse. */
  bceWithLogits(logits: Var, target: Var, reduction: Reduction = 'mean'): Var {
    return this.apply('bceWithLogits', [logits, target], { reduction });
  }
  /**
   * Softmax cross-entropy, fused and stable for any logits: −Σ_c target_c log softmax(logits)_c
   * per row of [N, C] (targets one-hot or distributions; an all-zero row adds nothing), averaged
   * over the N rows ('mean', as PyTorch's cross_entropy; 'batchmean' is the same) or summed.
   */
  softmaxCrossEntropy(logits: Var, target: Var, reduction: Reduction = 'mean'): Var {
    return this.apply('softmaxCrossEntropy', [logits, target], { reduction });
  }
  /** KL(N(mu, diag e^logvar) ‖ N(0, I)) = −½ Σ(1 + logvar − mu² − e^logvar); same reductions. */
  gaussianKl(mu: Var, logvar: Var, reduction: Reduction = 'mean'): Var {
    return this.apply('gaussianKl', [mu, logvar], { reduction });
  }

  /**
   * Reverse mode from `output`: seeds its gradient with `seed` (default 1; required unless the
   * output is a scalar), fills `grad` on every Var that needs one, and adds the parameters'
   * gradients into `param.grad`. Gradients from an earlier backward on this tape are cleared.
   */
  backward(output: Var, seed?: Tensor | Data): void {
    if (!this.record) throw new InputError('backward() on a tape created with record: false');
    if (!output.requiresGrad) throw new InputError(`'${output.name}' does not depend on any parameter or variable`);
    const n = output.value.data.length;
    const dtype: DType = dtypeOf(output.value.data);
    for (const e of this.entries) e.out.grad = null;
    for (const v of this.leaves) v.grad = null;
    const g = this.allocate(n, dtype);
    if (seed) {
      const s = ArrayBuffer.isView(seed) ? seed : seed.data;
      if (s.length !== n) throw new InputError(`backward seed has ${s.length} entries, expected ${n} like '${output.name}'`);
      g.set(s);
    } else if (n === 1) g[0] = 1;
    else throw new InputError(`backward from '${output.name}' of shape [${output.value.shape.join(', ')}] needs a seed gradient`);
    output.grad = g;

    // Parameters whose gradient is all zeros: their Vars' gradients are summed in place there.
    const direct = new Map<Var, Data>();
    for (const [p, v] of this.bound) if (clearedGrads.has(p.grad.data) && dtypeOf(p.grad.data) === dtype) direct.set(v, p.grad.data);
    for (let k = this.entries.length - 1; k >= 0; k--) {
      const e = this.entries[k]!;
      if (!e.out.grad) continue;
      const fresh: Data[] = [];
      const grads = e.inputs.map((v) => {
        if (!v.requiresGrad) return null;
        if (!v.grad) {
          const into = direct.get(v);
          if (into) clearedGrads.delete(into);
          v.grad = into ?? this.allocate(sizeOf(v.value.shape), dtype);
          // Zero until this op writes it; an input listed twice is written twice, so it is not marked.
          if (e.inputs.indexOf(v) === e.inputs.lastIndexOf(v)) fresh.push(v.grad);
        }
        return v.grad;
      });
      markZeros(fresh, true);
      try {
        KERNELS[e.op].backward(e.inputs.map((v) => v.value), e.out.value, e.out.grad, grads, e.attrs);
      } finally {
        markZeros(fresh, false);
      }
    }
    for (const [p, v] of this.bound) if (v.grad && v.grad !== p.grad.data) addInto(p.grad.data, v.grad);
  }
}

/** into += from, entry by entry. */
function addInto(into: Data, from: Data): void {
  for (let i = 0; i < into.length; i++) into[i] += from[i]!;
}
