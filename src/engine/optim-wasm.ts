/**
 * Engine stage: Adam's update of float32 parameters on WebAssembly SIMD, two weights at a time
 * in float64 lanes (f64x2). The scalar loop in optim.ts is bound by its three divisions and one
 * square root per weight, which the CPU's divider takes one at a time; f64x2 does two per
 * instruction. The operations and their order are adamUpdate's, in float64, and WebAssembly's
 * division, square root and float32 rounding are IEEE's, as JavaScript's are: the same bits.
 * The moments m and v live in this module's memory, and so can the weights and gradients
 * (adam's `resident`); otherwise each update copies w and g in and w out.
 * With float32 moments (adam's `moments: 'float32'`, as PyTorch keeps them for float32 weights)
 * adam32_f32 updates four weights at a time in float32: half the state to read and write, and a
 * quarter of the division and square-root instructions.
 */
import { get, i32, name, op, section, set, simdOp, uleb, vec } from './wasm-bytes.js';

const F64 = 0x7c;
const F32 = 0x7d;
const I32 = 0x7f;
const V128 = 0x7b;

// params: 0 n (weights, even), 1 w, 2 g (float32), 3 m, 4 v (float64), 5 c1, 6 c2, 7 lr, 8 beta1, 9 beta2, 10 eps, 11 a1, 12 a2
const [N, W, G, M, V, C1, C2, LR, B1, B2, EPS, A1, A2] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
// locals: 13 i (byte offset into w and g), then v128: 14 gi, 15 mi, 16 vi, and the splat parameters 17..24
const I = 13;
const [GI, MI, VI] = [14, 15, 16];
const SPLAT: Record<number, number> = { [C1]: 17, [C2]: 18, [LR]: 19, [B1]: 20, [B2]: 21, [EPS]: 22, [A1]: 23, [A2]: 24 };

const s = {
  load: simdOp(0x00), store: simdOp(0x0b), load64Zero: simdOp(0x5d), store64Lane: simdOp(0x5b),
  demote: simdOp(0x5e), promote: simdOp(0x5f), splat: simdOp(0x14),
  sqrt: simdOp(0xef), add: simdOp(0xf0), sub: simdOp(0xf1), mul: simdOp(0xf2), div: simdOp(0xf3),
};

function adamBody(): number[] {
  const k = (param: number) => get(SPLAT[param]!);
  /** Byte address base + i (float32 arrays) or base + 2i (float64 arrays). */
  const at32 = (base: number) => [...get(base), ...get(I), op.i32Add];
  const at64 = (base: number) => [...get(base), ...get(I), ...get(I), op.i32Add, op.i32Add];
  const loadPair32 = (base: number) => [...at32(base), ...s.load64Zero, 3, 0, ...s.promote];
  const step = [
    ...loadPair32(G), ...set(GI),
    // mi = beta1·m + a1·g; vi = beta2·v + a2·g·g
    ...k(B1), ...at64(M), ...s.load, 4, 0, ...s.mul, ...k(A1), ...get(GI), ...s.mul, ...s.add, ...set(MI),
    ...k(B2), ...at64(V), ...s.load, 4, 0, ...s.mul, ...k(A2), ...get(GI), ...s.mul, ...get(GI), ...s.mul, ...s.add, ...set(VI),
    ...at64(M), ...get(MI), ...s.store, 4, 0,
    ...at64(V), ...get(VI), ...s.store, 4, 0,
    // w = w − (lr·(mi / c1)) / (√(vi / c2) + eps), rounded to float32
    ...at32(W),
    ...loadPair32(W),
    ...k(LR), ...get(MI), ...k(C1), ...s.div, ...s.mul,
    ...get(VI), ...k(C2), ...s.div, ...s.sqrt, ...k(EPS), ...s.add,
    ...s.div, ...s.sub, ...s.demote,
    ...s.store64Lane, 3, 0, 0,
    ...get(I), ...i32(8), op.i32Add, ...set(I),
  ];
  const body = [
    ...Object.entries(SPLAT).flatMap(([param, local]) => [...get(Number(param)), ...s.splat, ...set(local)]),
    op.block, 0x40, op.loop, 0x40,
    ...get(I), ...get(N), ...i32(2), 0x74 /* i32.shl */, op.i32GeU, op.brIf, 1,
    ...step,
    op.br, 0,
    op.end, op.end,
  ];
  const locals = vec([[1, I32], [...uleb(3 + Object.keys(SPLAT).length), V128]]);
  const code = [...locals, ...body, op.end];
  return [...uleb(code.length), ...code];
}

// adam32_f32: params 0 n (weights, a multiple of 4), 1 w, 2 g, 3 m, 4 v (float32 arrays), 5 step (lr / c1),
// 6 √c2, 7 beta1, 8 beta2, 9 eps, 10 a1, 11 a2 (float32); locals: 12 i, then v128: 13 gi, 14 mi, 15 vi, splats 16..22
const F32_SPLAT: Record<number, number> = { 5: 16, 6: 17, 7: 18, 8: 19, 9: 20, 10: 21, 11: 22 };

/**
 * Adam with float32 moments, four weights at a time (f32x4), PyTorch's arithmetic: m = β₁m + a₁g,
 * v = β₂v + a₂g·g, w = w − step·(m / (√v / √c₂ + eps)), each operation rounded to float32.
 */
function adam32Body(): number[] {
  const [n, w, g, m, v, step, sqrtC2, b1, b2, eps, a1, a2] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const [i, gi, mi, vi] = [12, 13, 14, 15];
  const k = (param: number) => get(F32_SPLAT[param]!);
  const f = { add: simdOp(0xe4), sub: simdOp(0xe5), mul: simdOp(0xe6), div: simdOp(0xe7), sqrt: simdOp(0xe3), splat: simdOp(0x13) };
  const at = (base: number) => [...get(base), ...get(i), op.i32Add];
  const load = (base: number) => [...at(base), ...s.load, 4, 0];
  const store = (base: number, value: number) => [...at(base), ...get(value), ...s.store, 4, 0];
  const body = [
    ...Object.entries(F32_SPLAT).flatMap(([param, local]) => [...get(Number(param)), ...f.splat, ...set(local)]),
    op.block, 0x40, op.loop, 0x40,
    ...get(i), ...get(n), ...i32(2), 0x74 /* i32.shl */, op.i32GeU, op.brIf, 1,
    ...load(g), ...set(gi),
    ...k(b1), ...load(m), ...f.mul, ...k(a1), ...get(gi), ...f.mul, ...f.add, ...set(mi),
    ...k(b2), ...load(v), ...f.mul, ...k(a2), ...get(gi), ...f.mul, ...get(gi), ...f.mul, ...f.add, ...set(vi),
    ...store(m, mi), ...store(v, vi),
    ...at(w),
    ...load(w), ...k(step), ...get(mi), ...get(vi), ...f.sqrt, ...k(sqrtC2), ...f.div, ...k(eps), ...f.add, ...f.div, ...f.mul, ...f.sub,
    ...s.store, 4, 0,
    ...get(i), ...i32(16), op.i32Add, ...set(i),
    op.br, 0,
    op.end, op.end,
  ];
  const locals = vec([[1, I32], [...uleb(3 + Object.keys(F32_SPLAT).length), V128]]);
  const code = [...locals, ...body, op.end];
  return [...uleb(code.length), ...code];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const params = [I32, I32, I32, I32, I32, F64, F64, F64, F64, F64, F64, F64, F64];
  const params32 = [I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32, F32];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec(params.map((p) => [p])), 0], [0x60, ...vec(params32.map((p) => [p])), 0]])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([[0], [1]])),
    ...section(7, vec([[...name('adam_f32'), 0x00, 0], [...name('adam32_f32'), 0x00, 1]])),
    ...section(10, vec([adamBody(), adam32Body()])),
  ]);
}

type AdamKernel = (n: number, w: number, g: number, m: number, v: number, c1: number, c2: number, lr: number, beta1: number, beta2: number, eps: number, a1: number, a2: number) => void;
type Adam32Kernel = (n: number, w: number, g: number, m: number, v: number, step: number, sqrtC2: number, beta1: number, beta2: number, eps: number, a1: number, a2: number) => void;

let compiled: WebAssembly.Module | null | undefined;

function adamModule(): WebAssembly.Module | null {
  // Without WebAssembly (Node leaves it out while a startup snapshot is made) the answer is not
  // remembered: the process restored from that snapshot has it.
  if (typeof WebAssembly === 'undefined') return null;
  if (compiled === undefined) {
    try {
      const bytes = moduleBytes();
      compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** One update of parameter k (its weights and gradient as float32). */
export type AdamUpdate = (k: number, w: Float32Array, g: Float32Array, c1: number, c2: number, lr: number, beta1: number, beta2: number, eps: number) => void;

/** Adam's update on WebAssembly, with each parameter's home in its memory. */
export interface WasmAdam {
  readonly update: AdamUpdate;
  /**
   * Parameter k's weights and gradient slots in the module's memory (zero at first; the memory
   * never grows, so the views stay valid). An update whose w and g are these views copies
   * nothing; any other arrays are copied in and w copied back out.
   */
  readonly weights: readonly Float32Array[];
  readonly grads: readonly Float32Array[];
}

/**
 * Adam's moments for parameters of these sizes (zero, as the scalar path starts), float64 or
 * float32 (adam's `moments`), and the update on them; null where WebAssembly SIMD is unavailable.
 */
export function wasmAdam(lengths: readonly number[], moments: 'float64' | 'float32' = 'float64'): WasmAdam | null {
  const mod = adamModule();
  if (!mod) return null;
  const f32 = moments === 'float32';
  // Whole vectors: two float64 lanes, or four float32 ones.
  const lanes = f32 ? 4 : 2;
  const padded = (n: number) => Math.ceil(n / lanes) * lanes;
  const stateBytes = f32 ? 4 : 8;
  // Layout: each parameter's w and g (float32), then its m and v; every slot 16-byte aligned.
  let top = 0;
  const slots = lengths.map((n) => {
    const w = top;
    const g = w + padded(n) * 4;
    const m = g + padded(n) * 4;
    const v = m + padded(n) * stateBytes;
    top = v + padded(n) * stateBytes;
    return { w, g, m, v };
  });
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(top / 65536)) });
  const exports = new WebAssembly.Instance(mod, { env: { memory } }).exports;
  const weights = lengths.map((n, k) => new Float32Array(memory.buffer, slots[k]!.w, n));
  const grads = lengths.map((n, k) => new Float32Array(memory.buffer, slots[k]!.g, n));
  const kernel = exports.adam_f32 as AdamKernel;
  const kernel32 = exports.adam32_f32 as Adam32Kernel;
  const update: AdamUpdate = (k, w, g, c1, c2, lr, beta1, beta2, eps) => {
    const n = w.length;
    const home = weights[k]!;
    const { w: wPtr, g: gPtr, m, v } = slots[k]!;
    if (w !== home) home.set(w);
    if (g !== grads[k]) grads[k]!.set(g);
    if (f32) kernel32(padded(n), wPtr, gPtr, m, v, lr / c1, Math.sqrt(c2), beta1, beta2, eps, 1 - beta1, 1 - beta2);
    else kernel(padded(n), wPtr, gPtr, m, v, c1, c2, lr, beta1, beta2, eps, 1 - beta1, 1 - beta2);
    if (w !== home) w.set(home);
  };
  return { update, weights, grads };
}
