/**
 * Engine stage: the losses as fused ops (binary cross-entropy on logits, Gaussian KL, softmax
 * cross-entropy). Softmax cross-entropy takes log-softmax and the negative log-likelihood
 * together, which lets the forward subtract each row's maximum before exponentiating
 * (log Σ e^x = m + log Σ e^(x − m)), so logits of ±1e4 give finite losses, and the gradient
 * is the closed form softmax(x)·Σy − y instead of a chain through exp and log.
 */
import { ShapeError } from '../errors.js';
import type { Kernel, Reduction } from './kernels.js';
import { allocateOutput } from './pool.js';
import { allocate, dtypeOf, sameShape, type Data, type Tensor } from './tensor.js';
import { bceKernel } from './bce-wasm.js';
import { wasmEnabled } from './matmul.js';
import { sharedArena } from './wasm.js';

/** The factor a reduction applies to a sum of n terms ('batchmean': per row of the first axis). */
export function reductionScale(shape: readonly number[], n: number, reduction: Reduction): number {
  if (reduction === 'sum') return 1;
  if (reduction === 'mean') return 1 / n;
  return 1 / (shape.length > 1 ? shape[0]! : 1);
}

/** What each forward kept for its backward, by its output: e^−|x| (float64 path) or σ(x) − y (float32 on the kernel). */
const keptForBackward = new WeakMap<Tensor, { readonly x: Data; readonly e?: Float64Array; readonly d?: Float32Array }>();

/** Below this many logits the float32 loss stays in JS (copying into the arena would not pay). */
const BCE_ARENA_MIN = 4096;

/**
 * Binary cross-entropy on logits, softplus(x) − x·y per entry, reduced. Float32 logits of a
 * large enough batch go to the WebAssembly kernel (bce-wasm.ts: float32 arithmetic, the sum in
 * float64), which leaves σ(x) − y for the backward. Otherwise its own loops in float64 (the
 * shared pointwise-loss helper calls a closure per entry), the forward keeping e^−|x|, which
 * both softplus (max(x, 0) + log1p(e^−|x|)) and the backward's logistic (1 / (1 + e^−x) for
 * x ≥ 0, e^x / (1 + e^x) below) are made of: the backward takes no exp of its own.
 */
export const bceWithLogits: Kernel = {
  forward([logits, target], attrs) {
    if (!sameShape(logits!.shape, target!.shape)) throw new ShapeError('target', logits!.shape, target!.shape, 'bceWithLogits');
    const x = logits!.data, y = target!.data, n = x.length;
    const r: Tensor = { shape: [], data: allocateOutput(1, dtypeOf(x)) };
    const onKernel = x instanceof Float32Array && y instanceof Float32Array ? bceOnKernel(x, y) : null;
    let s: number;
    if (onKernel) {
      s = onKernel.sum;
      keptForBackward.set(r, { x, d: onKernel.d });
    } else {
      const e = allocateOutput(n, 'float64') as Float64Array;
      s = 0;
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        const ei = Math.exp(-Math.abs(v));
        e[i] = ei;
        s += Math.max(v, 0) + Math.log1p(ei) - v * y[i]!;
      }
      keptForBackward.set(r, { x, e });
    }
    r.data[0] = s * reductionScale(logits!.shape, n, attrs.reduction ?? 'mean');
    return r;
  },
  backward([logits, target], out, g, [gx, gy], attrs) {
    const x = logits!.data, y = target!.data, n = x.length;
    const k = g[0]! * reductionScale(logits!.shape, n, attrs.reduction ?? 'mean');
    if (gx) {
      const kept = keptForBackward.get(out);
      const d = kept?.x === x ? kept.d : undefined;
      if (d) for (let i = 0; i < n; i++) gx[i] += k * d[i]!;
      else {
        const e = kept?.x === x && kept.e ? kept.e : Float64Array.from(x, (v) => Math.exp(-Math.abs(v)));
        for (let i = 0; i < n; i++) {
          const ei = e[i]!;
          const sig = x[i]! >= 0 ? 1 / (1 + ei) : ei / (1 + ei);
          gx[i] += k * (sig - y[i]!);
        }
      }
    }
    if (gy) for (let i = 0; i < n; i++) gy[i] += k * -x[i]!;
  },
};

/**
 * The loss terms' sum and σ(x) − y on the kernel: whole 16-byte vectors there, the last few
 * entries in float32 here; null when the kernel is off or unavailable, or the batch is small.
 */
function bceOnKernel(x: Float32Array, y: Float32Array): { sum: number; d: Float32Array } | null {
  const n = x.length;
  const arena = wasmEnabled() && n >= BCE_ARENA_MIN ? sharedArena() : null;
  const kernel = arena ? bceKernel(arena) : null;
  if (!arena || !kernel) return null;
  const whole = n - (n % 4);
  arena.reset();
  const [xAt, yAt, dAt] = [arena.alloc(whole, 'float32'), arena.alloc(whole, 'float32'), arena.alloc(whole, 'float32')];
  arena.view(xAt, whole, 'float32').set(x.subarray(0, whole));
  arena.view(yAt, whole, 'float32').set(y.subarray(0, whole));
  let sum = kernel(whole * 4, xAt, yAt, dAt);
  const d = allocateOutput(n, 'float32') as Float32Array;
  d.set(arena.view(dAt, whole, 'float32'));
  for (let i = whole; i < n; i++) {
    const v = x[i]!;
    const e = Math.fround(Math.exp(-Math.abs(v)));
    sum += Math.fround(Math.fround(Math.max(v, 0) + Math.fround(Math.log1p(e))) - Math.fround(v * y[i]!));
    d[i] = Math.fround((v >= 0 ? 1 : e) / Math.fround(1 + e)) - y[i]!;
  }
  return { sum, d };
}

/**
 * KL(N(mu, e^logvar) ‖ N(0, 1)) per entry, −½(1 + logvar − mu² − e^logvar), reduced. Its own
 * loops for the reason bceWithLogits has them (the shared helper called three closures per
 * entry); the same operations in the same order, so the same bits.
 */
export const gaussianKl: Kernel = {
  forward([mu, logvar], attrs) {
    if (!sameShape(mu!.shape, logvar!.shape)) throw new ShapeError('target', mu!.shape, logvar!.shape, 'gaussianKl');
    const m = mu!.data, lv = logvar!.data, n = m.length;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const mi = m[i]!, li = lv[i]!;
      s += -0.5 * (1 + li - mi * mi - Math.exp(li));
    }
    const r: Tensor = { shape: [], data: allocateOutput(1, dtypeOf(m)) };
    r.data[0] = s * reductionScale(mu!.shape, n, attrs.reduction ?? 'mean');
    return r;
  },
  backward([mu, logvar], _out, g, [gm, glv], attrs) {
    const m = mu!.data, lv = logvar!.data, n = m.length;
    const k = g[0]! * reductionScale(mu!.shape, n, attrs.reduction ?? 'mean');
    if (gm) for (let i = 0; i < n; i++) gm[i] += k * m[i]!;
    if (glv) for (let i = 0; i < n; i++) glv[i] += k * (0.5 * (Math.exp(lv[i]!) - 1));
  },
};

/** log Σ_c e^(x[base + c]) over one row of C logits, overflow-free. */
export function logSumExp(x: Data, base: number, C: number): number {
  let max = -Infinity;
  for (let c = 0; c < C; c++) max = Math.max(max, x[base + c]!);
  if (max === -Infinity || max === Infinity) return max;
  let sum = 0;
  for (let c = 0; c < C; c++) sum += Math.exp(x[base + c]! - max);
  return max + Math.log(sum);
}

/**
 * −Σ_c y_c log softmax(x)_c per row of logits [N, C] against target distributions [N, C]
 * (one-hot rows, soft labels, or all-zero rows, which add nothing), summed over the rows
 * ('sum') or divided by N ('mean', PyTorch's cross_entropy; 'batchmean' is the same here).
 */
export const softmaxCrossEntropy: Kernel = {
  forward([logits, target], attrs) {
    const [N, C] = rowsOf(logits!.shape);
    if (!sameShape(logits!.shape, target!.shape)) throw new ShapeError('target', logits!.shape, target!.shape, 'softmaxCrossEntropy');
    const x = logits!.data, y = target!.data;
    let loss = 0;
    for (let n = 0; n < N; n++) {
      const base = n * C;
      const lse = logSumExp(x, base, C);
      // y_c · (lse − x_c), skipping zero targets so a −∞ logit on an unused class stays finite.
      for (let c = 0; c < C; c++) if (y[base + c] !== 0) loss += y[base + c]! * (lse - x[base + c]!);
    }
    const r = { shape: [], data: allocate(1, dtypeOf(x)) };
    r.data[0] = attrs.reduction === 'sum' ? loss : loss / N;
    return r;
  },
  backward([logits, target], _out, g, [gx, gy], attrs) {
    const [N, C] = rowsOf(logits!.shape);
    const x = logits!.data, y = target!.data;
    const k = attrs.reduction === 'sum' ? g[0]! : g[0]! / N;
    for (let n = 0; n < N; n++) {
      const base = n * C;
      const lse = logSumExp(x, base, C);
      let mass = 0;
      for (let c = 0; c < C; c++) mass += y[base + c]!;
      for (let c = 0; c < C; c++) {
        const logP = x[base + c]! - lse;
        // ∂/∂x_c = softmax_c · Σy − y_c; ∂/∂y_c = −log softmax_c.
        if (gx) gx[base + c] += k * (Math.exp(logP) * mass - y[base + c]!);
        if (gy) gy[base + c] += -k * logP;
      }
    }
  },
};

/** [N, C] of a matrix of logits; a vector [C] is one row. */
function rowsOf(shape: readonly number[]): [number, number] {
  if (shape.length === 1) return [1, shape[0]!];
  if (shape.length !== 2 || shape[1]! < 1) throw new ShapeError('logits', ['N', 'C'], shape, 'softmaxCrossEntropy');
  return [shape[0]!, shape[1]!];
}
