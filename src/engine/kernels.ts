/**
 * Engine stage: every differentiable op as a forward and a backward side by side (micrograd
 * style, tinygrad's table of local derivatives). Forward allocates its output; backward
 * ADDS the input gradients into the buffers it is given (null: that input needs none).
 */
import { ShapeError } from '../errors.js';
import { gemm } from './matmul.js';
import { extraKernels } from './kernels-extra.js';
import { convKernels } from './conv.js';
import { bceWithLogits, gaussianKl, reductionScale, softmaxCrossEntropy } from './kernels-loss.js';
import { affine } from './kernels-affine.js';
import { allocateOutput } from './pool.js';
import { allocate, dtypeOf, sameShape, sizeOf, type Data, type Tensor } from './tensor.js';

export type Reduction = 'mean' | 'sum' | 'batchmean';

/** Attributes an op may take; each op reads only its own. */
export interface OpAttrs {
  readonly axis?: number;
  readonly start?: number;
  readonly length?: number;
  readonly factor?: number;
  readonly reduction?: Reduction;
  /** clip's bounds. */
  readonly low?: number;
  readonly high?: number;
  /** conv2d / convTranspose2d: step and zero border (default 1 and 0). */
  readonly stride?: number;
  readonly padding?: number;
  /** reshape's target shape. */
  readonly shape?: readonly number[];
  /** conv2d / convTranspose2d: relu after the bias (default false). */
  readonly relu?: boolean;
}

export type EngineOp =
  | 'matmul' | 'linear' | 'affine'
  | 'add' | 'sub' | 'mul' | 'div' | 'scale' | 'neg'
  | 'sigmoid' | 'tanh' | 'relu' | 'exp' | 'softplus' | 'square'
  | 'abs' | 'sqrt' | 'hardsigmoid' | 'hardsigmoidKeras2' | 'powConst' | 'clip'
  | 'minimum' | 'maximum' | 'transpose' | 'rowMin' | 'rowMax' | 'expandCols'
  | 'concat' | 'slice' | 'sum' | 'mean'
  | 'mse' | 'bceWithLogits' | 'gaussianKl' | 'softmaxCrossEntropy'
  | 'conv2d' | 'convTranspose2d' | 'reshape';

export interface Kernel {
  forward(inputs: readonly Tensor[], attrs: OpAttrs): Tensor;
  backward(inputs: readonly Tensor[], out: Tensor, gradOut: Data, grads: readonly (Data | null)[], attrs: OpAttrs): void;
}

export const out = (shape: readonly number[], like: Data): Tensor => ({ shape: [...shape], data: allocateOutput(sizeOf(shape), dtypeOf(like)) });

// ---------------------------------------------------------------- broadcasting

/** Leading 1s do not change how a tensor broadcasts: [1, n] behaves as [n]. */
function trimOnes(shape: readonly number[]): readonly number[] {
  let i = 0;
  while (i < shape.length && shape[i] === 1) i++;
  return shape.slice(i);
}

/**
 * The result shape of an elementwise op. The smaller operand must match a trailing part of
 * the larger one (a bias row [n] onto [batch, n], a scalar onto anything), so its element
 * for output index i is i mod its size.
 */
export function broadcastShape(a: readonly number[], b: readonly number[], op = 'elementwise op'): readonly number[] {
  const [big, small] = sizeOf(a) >= sizeOf(b) ? [a, b] : [b, a];
  const s = trimOnes(small);
  const tail = big.slice(big.length - s.length);
  if (s.length > big.length || s.some((d, i) => d !== tail[i])) {
    throw new ShapeError('operand', big, small, `${op} cannot broadcast [${small.join(', ')}] onto [${big.join(', ')}]`);
  }
  return big;
}

type BinaryKind = 'add' | 'sub' | 'mul' | 'div';

/**
 * out = a ∘ b with the smaller operand repeating (i mod its size). One loop per op and
 * layout, so each stays monomorphic: this is where a tape spends its time on small cells.
 */
function binaryForward(kind: BinaryKind) {
  return (inputs: readonly Tensor[]): Tensor => {
    const [a, b] = inputs as [Tensor, Tensor];
    const r = out(broadcastShape(a.shape, b.shape, kind), a.data);
    const o = r.data, x = a.data, y = b.data;
    const n = o.length, na = x.length, nb = y.length;
    if (na === 1 || nb === 1) {
      // A scalar against a tensor (1 − z, x / 2): one flat loop.
      const s = na === 1 ? x[0]! : y[0]!;
      const t = na === 1 ? y : x;
      if (kind === 'add') for (let i = 0; i < n; i++) o[i] = t[i]! + s;
      else if (kind === 'mul') for (let i = 0; i < n; i++) o[i] = t[i]! * s;
      else if (kind === 'sub' && na === 1) for (let i = 0; i < n; i++) o[i] = s - t[i]!;
      else if (kind === 'sub') for (let i = 0; i < n; i++) o[i] = t[i]! - s;
      else if (na === 1) for (let i = 0; i < n; i++) o[i] = s / t[i]!;
      else for (let i = 0; i < n; i++) o[i] = t[i]! / s;
      return r;
    }
    for (let r0 = 0; r0 < n; r0 += Math.min(na, nb)) {
      // r0 walks blocks of the smaller operand; ao/bo are the block starts in each operand.
      const m = Math.min(na, nb);
      const ao = na === n ? r0 : 0, bo = nb === n ? r0 : 0;
      if (kind === 'add') for (let j = 0; j < m; j++) o[r0 + j] = x[ao + j]! + y[bo + j]!;
      else if (kind === 'sub') for (let j = 0; j < m; j++) o[r0 + j] = x[ao + j]! - y[bo + j]!;
      else if (kind === 'mul') for (let j = 0; j < m; j++) o[r0 + j] = x[ao + j]! * y[bo + j]!;
      else for (let j = 0; j < m; j++) o[r0 + j] = x[ao + j]! / y[bo + j]!;
    }
    return r;
  };
}

/**
 * Adds ∂out/∂a (which = 0) or ∂out/∂b (which = 1) times g into grad, summing over the
 * repeats of a broadcast operand.
 */
function binaryBackward(kind: BinaryKind, which: 0 | 1, x: Data, y: Data, g: Data, grad: Data): void {
  const n = g.length, na = x.length, nb = y.length;
  const m = Math.min(na, nb);
  for (let r0 = 0; r0 < n; r0 += m) {
    const ao = na === n ? r0 : 0, bo = nb === n ? r0 : 0;
    const go = grad.length === n ? r0 : 0;
    if (kind === 'add' || (kind === 'sub' && which === 0)) for (let j = 0; j < m; j++) grad[go + j] += g[r0 + j]!;
    else if (kind === 'sub') for (let j = 0; j < m; j++) grad[go + j] -= g[r0 + j]!;
    else if (kind === 'mul' && which === 0) for (let j = 0; j < m; j++) grad[go + j] += g[r0 + j]! * y[bo + j]!;
    else if (kind === 'mul') for (let j = 0; j < m; j++) grad[go + j] += g[r0 + j]! * x[ao + j]!;
    else if (which === 0) for (let j = 0; j < m; j++) grad[go + j] += g[r0 + j]! / y[bo + j]!;
    else for (let j = 0; j < m; j++) grad[go + j] -= (g[r0 + j]! * x[ao + j]!) / (y[bo + j]! * y[bo + j]!);
  }
}

function binaryKernel(kind: BinaryKind): Kernel {
  return {
    forward: binaryForward(kind),
    backward([a, b], _r, g, [ga, gb]) {
      if (ga) binaryBackward(kind, 0, a!.data, b!.data, g, ga);
      if (gb) binaryBackward(kind, 1, a!.data, b!.data, g, gb);
    },
  };
}

// ---------------------------------------------------------------- unary helpers

export function unary(f: (x: number) => number, dfFromOut: (y: number, x: number) => number): Kernel {
  return {
    forward([a]) {
      const r = out(a!.shape, a!.data);
      const x = a!.data, o = r.data;
      for (let i = 0; i < o.length; i++) o[i] = f(x[i]!);
      return r;
    },
    backward([a], r, g, [ga]) {
      if (!ga) return;
      const x = a!.data, y = r.data;
      for (let i = 0; i < g.length; i++) ga[i] += g[i]! * dfFromOut(y[i]!, x[i]!);
    },
  };
}

/** Overflow-free logistic: never evaluates exp of a large positive number. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** softplus(x) = log(1 + e^x), as max(x, 0) + log1p(e^-|x|) so it neither overflows nor loses x. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

// ---------------------------------------------------------------- shape helpers for axis ops

/** [outer, dim, inner] around `axis` (negative counts from the end). */
function around(shape: readonly number[], axis: number): [number, number, number, number] {
  const ax = axis < 0 ? shape.length + axis : axis;
  if (ax < 0 || ax >= shape.length) throw new ShapeError('operand', [`axis ${axis}`], shape, 'axis out of range');
  return [sizeOf(shape.slice(0, ax)), shape[ax]!, sizeOf(shape.slice(ax + 1)), ax];
}

function checkSameShape(a: Tensor, b: Tensor, op: string): void {
  if (!sameShape(a.shape, b.shape)) {
    throw new ShapeError('target', a.shape, b.shape, op);
  }
}

/** A loss that is a reduction of an elementwise term of two tensors of one shape. */
function pointwiseLoss(
  op: string,
  term: (x: number, y: number) => number,
  dx: (x: number, y: number) => number,
  dy: (x: number, y: number) => number,
): Kernel {
  return {
    forward([a, b], attrs) {
      checkSameShape(a!, b!, op);
      const x = a!.data, y = b!.data;
      let s = 0;
      for (let i = 0; i < x.length; i++) s += term(x[i]!, y[i]!);
      const r = out([], x);
      r.data[0] = s * reductionScale(a!.shape, x.length, attrs.reduction ?? 'mean');
      return r;
    },
    backward([a, b], _r, g, [ga, gb], attrs) {
      const x = a!.data, y = b!.data;
      const k = g[0]! * reductionScale(a!.shape, x.length, attrs.reduction ?? 'mean');
      if (ga) for (let i = 0; i < x.length; i++) ga[i] += k * dx(x[i]!, y[i]!);
      if (gb) for (let i = 0; i < x.length; i++) gb[i] += k * dy(x[i]!, y[i]!);
    },
  };
}

// ---------------------------------------------------------------- the table

export const KERNELS: Record<EngineOp, Kernel> = {
  /** a[M,K] · b[K,N]. */
  matmul: {
    forward([a, b]) {
      const [M, K] = a!.shape as [number, number];
      const [K2, N] = b!.shape as [number, number];
      if (a!.shape.length !== 2 || b!.shape.length !== 2 || K !== K2) throw new ShapeError('b', [K, 'n'], b!.shape, 'matmul');
      const r = out([M, N], a!.data);
      gemm(M, N, K, a!.data, b!.data, r.data);
      return r;
    },
    backward([a, b], _r, g, [ga, gb]) {
      const [M, K] = a!.shape as [number, number];
      const N = b!.shape[1]!;
      if (ga) gemm(M, K, N, g, b!.data, ga, { transB: true, accumulate: true }); // dA = dC·Bᵀ
      if (gb) gemm(K, N, M, a!.data, g, gb, { transA: true, accumulate: true }); // dB = Aᵀ·dC
    },
  },

  /** PyTorch's Linear: x[B,in] · W[out,in]ᵀ (+ bias[out]). */
  linear: {
    forward([x, W, bias]) {
      const rows = x!.shape.length === 1 ? 1 : x!.shape[0]!;
      const inF = x!.shape[x!.shape.length - 1]!;
      const [outF, inW] = W!.shape as [number, number];
      if (W!.shape.length !== 2 || inW !== inF) throw new ShapeError('W', [outF ?? 'out', inF], W!.shape, 'linear');
      if (bias && (bias.shape.length !== 1 || bias.shape[0] !== outF)) throw new ShapeError('bias', [outF], bias.shape, 'linear');
      const r = out(x!.shape.length === 1 ? [outF] : [rows, outF], x!.data);
      gemm(rows, outF, inF, x!.data, W!.data, r.data, { transB: true });
      if (bias) {
        const o = r.data, b = bias.data;
        for (let i = 0; i < rows; i++) for (let j = 0; j < outF; j++) o[i * outF + j] += b[j]!;
      }
      return r;
    },
    backward([x, W], _r, g, [gx, gW, gb]) {
      const rows = x!.shape.length === 1 ? 1 : x!.shape[0]!;
      const [outF, inF] = W!.shape as [number, number];
      if (gx) gemm(rows, inF, outF, g, W!.data, gx, { accumulate: true }); // dx = dy·W
      if (gW) gemm(outF, inF, rows, g, x!.data, gW, { transA: true, accumulate: true }); // dW = dyᵀ·x
      if (gb) for (let i = 0; i < rows; i++) for (let j = 0; j < outF; j++) gb[j] += g[i * outF + j]!;
    },
  },

  /** x[M,K]·W[K,N] + b[N], relu after when asked: one op, matmul's, add's and relu's values (kernels-affine.ts). */
  affine,

  add: binaryKernel('add'),
  sub: binaryKernel('sub'),
  mul: binaryKernel('mul'),
  div: binaryKernel('div'),
  /** a · factor (a constant, not differentiated). */
  scale: {
    forward([a], attrs) {
      const f = attrs.factor ?? 1;
      const r = out(a!.shape, a!.data);
      for (let i = 0; i < r.data.length; i++) r.data[i] = a!.data[i]! * f;
      return r;
    },
    backward(_in, _r, g, [ga], attrs) {
      const f = attrs.factor ?? 1;
      if (ga) for (let i = 0; i < g.length; i++) ga[i] += g[i]! * f;
    },
  },
  neg: unary((x) => -x, () => -1),

  sigmoid: {
    forward([a]) {
      const r = out(a!.shape, a!.data);
      const x = a!.data, o = r.data;
      for (let i = 0; i < o.length; i++) o[i] = sigmoid(x[i]!);
      return r;
    },
    backward(_in, r, g, [ga]) {
      const y = r.data;
      if (ga) for (let i = 0; i < g.length; i++) ga[i] += g[i]! * y[i]! * (1 - y[i]!);
    },
  },
  tanh: {
    forward([a]) {
      const r = out(a!.shape, a!.data);
      const x = a!.data, o = r.data;
      for (let i = 0; i < o.length; i++) o[i] = Math.tanh(x[i]!);
      return r;
    },
    backward(_in, r, g, [ga]) {
      const y = r.data;
      if (ga) for (let i = 0; i < g.length; i++) ga[i] += g[i]! * (1 - y[i]! * y[i]!);
    },
  },
  // Its own loops, not unary(): the shared helper's call per element is polymorphic across ops,
  // and relu runs on every feature map of a conv VAE (about a tenth of its step through unary).
  relu: {
    forward([a]) {
      const r = out(a!.shape, a!.data);
      const x = a!.data, o = r.data;
      for (let i = 0; i < o.length; i++) o[i] = x[i]! > 0 ? x[i]! : 0;
      return r;
    },
    backward([a], _r, g, [ga]) {
      if (!ga) return;
      const x = a!.data;
      for (let i = 0; i < g.length; i++) if (x[i]! > 0) ga[i] += g[i]!;
    },
  },
  exp: unary(Math.exp, (y) => y),
  softplus: unary(softplus, (_y, x) => sigmoid(x)),
  square: unary((x) => x * x, (_y, x) => 2 * x),

  ...extraKernels({ out, unary, broadcastShape }),
  ...convKernels,

  /** Inputs joined along `axis` (default: the last). */
  concat: {
    forward(inputs, attrs) {
      const axis = attrs.axis ?? -1;
      const first = inputs[0]!;
      const [outer, , inner, ax] = around(first.shape, axis);
      let total = 0;
      for (const t of inputs) {
        const [o, d, i] = around(t.shape, axis);
        if (o !== outer || i !== inner || t.shape.length !== first.shape.length) {
          throw new ShapeError('operand', first.shape.map((s, k) => (k === ax ? '*' : s)), t.shape, 'concat');
        }
        total += d;
      }
      const shape = first.shape.map((s, k) => (k === ax ? total : s));
      const r = out(shape, first.data);
      let offset = 0;
      for (const t of inputs) {
        const d = t.shape[ax]! * inner;
        for (let o = 0; o < outer; o++) r.data.set(t.data.subarray(o * d, (o + 1) * d), o * total * inner + offset);
        offset += d;
      }
      return r;
    },
    backward(inputs, r, g, grads, attrs) {
      const [outer, total, inner] = around(r.shape, attrs.axis ?? -1);
      let offset = 0;
      inputs.forEach((t, k) => {
        const d = (t.data.length / outer) | 0;
        const gk = grads[k];
        if (gk) for (let o = 0; o < outer; o++) for (let j = 0; j < d; j++) gk[o * d + j] += g[o * total * inner + offset + j]!;
        offset += d;
      });
    },
  },

  /** `length` entries from `start` along `axis` (split is several slices). */
  slice: {
    forward([a], attrs) {
      const [outer, dim, inner, ax] = around(a!.shape, attrs.axis ?? -1);
      const start = attrs.start ?? 0;
      const length = attrs.length ?? dim - start;
      if (start < 0 || length < 0 || start + length > dim) throw new ShapeError('operand', [`>= ${start + length} along axis ${ax}`], a!.shape, 'slice');
      const r = out(a!.shape.map((s, k) => (k === ax ? length : s)), a!.data);
      const d = length * inner;
      for (let o = 0; o < outer; o++) r.data.set(a!.data.subarray(o * dim * inner + start * inner, o * dim * inner + start * inner + d), o * d);
      return r;
    },
    backward([a], _r, g, [ga], attrs) {
      if (!ga) return;
      const [outer, dim, inner] = around(a!.shape, attrs.axis ?? -1);
      const start = attrs.start ?? 0;
      const d = (attrs.length ?? dim - start) * inner;
      for (let o = 0; o < outer; o++) for (let j = 0; j < d; j++) ga[o * dim * inner + start * inner + j] += g[o * d + j]!;
    },
  },

  /** Sum of all entries (no axis: a scalar) or along `axis` (that axis removed). */
  sum: reduce(false),
  mean: reduce(true),

  /** Squared error (x - y)². */
  mse: pointwiseLoss('mse', (x, y) => (x - y) * (x - y), (x, y) => 2 * (x - y), (x, y) => 2 * (y - x)),
  /** −[y log σ(x) + (1−y) log(1−σ(x))] = softplus(x) − x·y, stable for any logit x (kernels-loss.ts). */
  bceWithLogits,
  /** KL(N(mu, e^logvar) ‖ N(0, 1)) per entry: −½(1 + logvar − mu² − e^logvar) (kernels-loss.ts). */
  gaussianKl,
  softmaxCrossEntropy,
};

function reduce(isMean: boolean): Kernel {
  return {
    forward([a], attrs) {
      const x = a!.data;
      if (attrs.axis === undefined) {
        let s = 0;
        for (let i = 0; i < x.length; i++) s += x[i]!;
        const r = out([], x);
        r.data[0] = isMean ? s / x.length : s;
        return r;
      }
      const [outer, dim, inner, ax] = around(a!.shape, attrs.axis);
      const r = out(a!.shape.filter((_, k) => k !== ax), x);
      const o = r.data;
      for (let p = 0; p < outer; p++) {
        for (let d = 0; d < dim; d++) {
          const base = (p * dim + d) * inner;
          for (let q = 0; q < inner; q++) o[p * inner + q] += x[base + q]!;
        }
      }
      if (isMean) for (let i = 0; i < o.length; i++) o[i] /= dim;
      return r;
    },
    backward([a], _r, g, [ga], attrs) {
      if (!ga) return;
      if (attrs.axis === undefined) {
        const k = isMean ? g[0]! / ga.length : g[0]!;
        for (let i = 0; i < ga.length; i++) ga[i] += k;
        return;
      }
      const [outer, dim, inner] = around(a!.shape, attrs.axis);
      const k = isMean ? 1 / dim : 1;
      for (let p = 0; p < outer; p++) {
        for (let d = 0; d < dim; d++) {
          const base = (p * dim + d) * inner;
          for (let q = 0; q < inner; q++) ga[base + q] += g[p * inner + q]! * k;
        }
      }
    },
  };
}
