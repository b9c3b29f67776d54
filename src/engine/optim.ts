/**
 * Engine stage: optimizers over Parameters (their `grad` is what backward accumulated).
 * Updates are in place on `param.value.data`, so compiled cells and tapes see them at once.
 */
import { wasmEnabled } from './matmul.js';
import { wasmAdam } from './optim-wasm.js';
import { gradCleared, moveParameter, type Parameter } from './tape.js';
import type { Data } from './tensor.js';

export interface Optimizer {
  readonly params: readonly Parameter[];
  /** One update from the current gradients. */
  step(): void;
  /** Clears every parameter's gradient (call before each backward that should not accumulate). */
  zeroGrad(): void;
}

const zeroGrad = (params: readonly Parameter[]) => (): void => {
  for (const p of params) {
    p.grad.data.fill(0);
    gradCleared(p);
  }
};

export interface SgdOptions {
  readonly lr: number;
  readonly momentum?: number;
  /** L2 penalty added to the gradient (PyTorch's weight_decay). */
  readonly weightDecay?: number;
}

/** Stochastic gradient descent with optional (heavy-ball) momentum, as torch.optim.SGD. */
export function sgd(params: readonly Parameter[], options: SgdOptions): Optimizer {
  const { lr, momentum = 0, weightDecay = 0 } = options;
  const velocity = params.map((p) => new Float64Array(p.value.data.length));
  return {
    params,
    zeroGrad: zeroGrad(params),
    step() {
      params.forEach((p, k) => {
        const w = p.value.data, g = p.grad.data, v = velocity[k]!;
        for (let i = 0; i < w.length; i++) {
          let d = g[i]! + weightDecay * w[i]!;
          if (momentum) d = v[i] = momentum * v[i]! + d;
          w[i] -= lr * d;
        }
      });
    },
  };
}

export interface AdamOptions {
  readonly lr?: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** Decoupled weight decay (AdamW) when > 0. */
  readonly weightDecay?: number;
  /**
   * The moments' precision: float64 (the default) or float32, as PyTorch keeps them for float32
   * weights, each operation of the update then rounded to float32 (on a WebAssembly f32x4 kernel,
   * about four times the float64 kernel's speed; the JS path computes the same bits).
   */
  readonly moments?: 'float64' | 'float32';
  /**
   * Move each parameter's value and gradient into the WebAssembly kernel's memory, beside its
   * moments (float32 parameters, where the kernel runs): `p.value` and `p.grad` get new arrays
   * there holding the same numbers, so a step reads and writes them in place instead of copying
   * three arrays in and out (3% of a VAE training step). Create the optimizer before anything
   * keeps the old arrays (a tape, a compiled cell); the bits of every update are the same.
   */
  readonly resident?: boolean;
}

/** Adam (Kingma and Ba 2015) with bias correction, defaults as torch.optim.Adam (lr 1e-3). */
export function adam(params: readonly Parameter[], options: AdamOptions = {}): Optimizer {
  const { lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0, moments = 'float64' } = options;
  // float32 weights update on the WebAssembly kernel (the JS loop's bits, more divisions at once).
  const kernel = wasmEnabled() && params.every((p) => p.value.data instanceof Float32Array) ? wasmAdam(params.map((p) => p.value.data.length), moments) : null;
  if (kernel && options.resident) params.forEach((p, k) => moveParameter(p, kernel.weights[k]!, kernel.grads[k]!));
  const simd = kernel?.update;
  const state = (): Data[] => (simd ? [] : params.map((p) => (moments === 'float32' ? new Float32Array(p.value.data.length) : new Float64Array(p.value.data.length))));
  const [m, v] = [state(), state()];
  let t = 0;
  return {
    params,
    zeroGrad: zeroGrad(params),
    step() {
      t++;
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      for (let k = 0; k < params.length; k++) {
        const w = params[k]!.value.data;
        if (weightDecay) decay(w, lr * weightDecay);
        if (simd) simd(k, w as Float32Array, params[k]!.grad.data as Float32Array, c1, c2, lr, beta1, beta2, eps);
        else if (moments === 'float32') adamUpdate32(w, params[k]!.grad.data, m[k] as Float32Array, v[k] as Float32Array, lr / c1, Math.sqrt(c2), beta1, beta2, eps);
        else adamUpdate(w, params[k]!.grad.data, m[k] as Float64Array, v[k] as Float64Array, c1, c2, lr, beta1, beta2, eps);
      }
    },
  };
}

/**
 * One Adam update with float32 moments, every operation rounded to float32 as optim-wasm.ts's
 * adam32_f32 does (a float32 sum, product, quotient or square root computed in float64 and
 * rounded once is the correctly rounded float32 result): w = w − step·(m / (√v / √c₂ + eps)).
 */
function adamUpdate32(w: Data, g: Data, mk: Float32Array, vk: Float32Array, step: number, sqrtC2: number, beta1: number, beta2: number, eps: number): void {
  const f = Math.fround;
  const [b1, b2, a1, a2, s, r, e] = [f(beta1), f(beta2), f(1 - beta1), f(1 - beta2), f(step), f(sqrtC2), f(eps)];
  for (let i = 0, n = w.length; i < n; i++) {
    const gi = f(g[i]!);
    const mi = f(f(b1 * mk[i]!) + f(a1 * gi));
    const vi = f(f(b2 * vk[i]!) + f(f(a2 * gi) * gi));
    mk[i] = mi;
    vk[i] = vi;
    const denom = f(f(f(Math.sqrt(vi)) / r) + e);
    w[i] = w[i]! - f(s * f(mi / denom));
  }
}

/**
 * One Adam update of one parameter, in place. A plain function over its arrays (not a closure
 * in forEach) keeps V8's loop monomorphic: twice as fast on the VAE's 650k weights, and the
 * same operations in the same order, so the same bits.
 */
function adamUpdate(w: Data, g: Data, mk: Float64Array, vk: Float64Array, c1: number, c2: number, lr: number, beta1: number, beta2: number, eps: number): void {
  const a1 = 1 - beta1, a2 = 1 - beta2;
  for (let i = 0, n = w.length; i < n; i++) {
    const gi = g[i]!;
    const mi = beta1 * mk[i]! + a1 * gi;
    const vi = beta2 * vk[i]! + a2 * gi * gi;
    mk[i] = mi;
    vk[i] = vi;
    w[i] = w[i]! - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
  }
}

/** AdamW's decoupled decay, w ← w − lr·λ·w, before the Adam step (stored, so rounded to w's type, as before). */
function decay(w: Data, rate: number): void {
  for (let i = 0; i < w.length; i++) w[i] -= rate * w[i]!;
}

/** The L2 norm of all gradients together. */
export function gradNorm(params: readonly Parameter[]): number {
  let s = 0;
  for (const p of params) for (const g of p.grad.data) s += g * g;
  return Math.sqrt(s);
}

/**
 * Scales all gradients so their joint L2 norm is at most maxNorm (torch.nn.utils.clip_grad_norm_);
 * returns the norm before clipping, which is worth logging.
 */
export function clipGradNorm(params: readonly Parameter[], maxNorm: number): number {
  const norm = gradNorm(params);
  if (norm > maxNorm && norm > 0) {
    const k = maxNorm / (norm + 1e-6);
    for (const p of params) {
      const g = p.grad.data;
      for (let i = 0; i < g.length; i++) g[i] *= k;
    }
  }
  return norm;
}
