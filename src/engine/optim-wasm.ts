/**
 * Engine stage: Adam's update of float32 parameters on WebAssembly SIMD, two weights at a time
 * in float64 lanes (f64x2). The scalar loop in optim.ts is bound by its three divisions and one
 * square root per weight, which the CPU's divider takes one at a time; f64x2 does two per
 * instruction. The operations and their order are adamUpdate's, in float64, and WebAssembly's
 * division, square root and float32 rounding are IEEE's, as JavaScript's are: the same bits.
 * The moments m and v live in this module's memory; each update copies w and g in and w out.
 */
import { get, i32, name, op, section, set, simdOp, uleb, vec } from './wasm-bytes.js';

const F64 = 0x7c;
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

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const params = [I32, I32, I32, I32, I32, F64, F64, F64, F64, F64, F64, F64, F64];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec(params.map((p) => [p])), 0]])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('adam_f32'), 0x00, 0]])),
    ...section(10, vec([adamBody()])),
  ]);
}

type AdamKernel = (n: number, w: number, g: number, m: number, v: number, c1: number, c2: number, lr: number, beta1: number, beta2: number, eps: number, a1: number, a2: number) => void;

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

/**
 * Adam's moments for parameters of these sizes (zero, as the scalar path starts), and the
 * update on them; null where WebAssembly SIMD is unavailable.
 */
export function wasmAdam(lengths: readonly number[]): AdamUpdate | null {
  const mod = adamModule();
  if (!mod) return null;
  const even = (n: number) => n + (n & 1);
  const largest = Math.max(0, ...lengths.map(even));
  // Layout: w and g scratch (float32, the largest parameter), then m and v of each parameter (float64).
  const wPtr = 0;
  const gPtr = largest * 4;
  let top = 2 * largest * 4;
  const moments = lengths.map((n) => {
    const m = top;
    const v = m + even(n) * 8;
    top = v + even(n) * 8;
    return { m, v };
  });
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(top / 65536)) });
  const kernel = new WebAssembly.Instance(mod, { env: { memory } }).exports.adam_f32 as AdamKernel;
  const wView = new Float32Array(memory.buffer, wPtr, largest);
  const gView = new Float32Array(memory.buffer, gPtr, largest);
  return (k, w, g, c1, c2, lr, beta1, beta2, eps) => {
    const n = w.length;
    wView.set(w);
    gView.set(g);
    kernel(even(n), wPtr, gPtr, moments[k]!.m, moments[k]!.v, c1, c2, lr, beta1, beta2, eps, 1 - beta1, 1 - beta2);
    w.set(wView.subarray(0, n));
  };
}
