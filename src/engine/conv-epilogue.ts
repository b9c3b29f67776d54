/**
 * Engine stage: what a convolution layer does around its product: + bias per channel and relu
 * (forward), and back through them (the relu mask, the bias gradient). Fused into conv2d and
 * convTranspose2d so a conv VAE's feature maps are not walked by three more JS loops each way
 * (at 3 ns a value on a busy core, the bias add and relu cost a fifth of its step): on the
 * WebAssembly arena with the elementwise kernels when the maps are large. The arithmetic is
 * the separate ops': (x + b) rounded once, relu as max(x, 0), the bias gradient summed row by row
 * in order. One difference at the edges: on the kernel relu keeps −0 and NaN where the JS loop
 * gives 0; a sum with a nonzero bias is never −0, and a NaN has already spoilt the step.
 */
import { allocate, dtypeOf, type Data, type DType } from './tensor.js';
import { sharedArena } from './wasm.js';
import { reluGradKernel } from './relu-grad-wasm.js';
import { wasmEnabled } from './matmul.js';

/** Below this many values a map stays in JS (copying into the arena and back would not pay). */
const ARENA_MIN = 4096;

/** The arena and its kernels for rows of `channels` values, when the map is large enough. */
function kernelsFor(length: number, channels: number, dtype: DType) {
  const bytes = dtype === 'float32' ? 4 : 8;
  if (!wasmEnabled() || length < ARENA_MIN || (channels * bytes) % 16 !== 0) return null;
  const arena = sharedArena();
  if (!arena) return null;
  const { binary, unary } = arena.elementwise(dtype);
  return binary.add && unary.relu ? { arena, add: binary.add, relu: unary.relu, bytes } : null;
}

/** out = act(out + bias) in place, out [rows, channels] with channels = bias.length. */
export function biasAndRelu(out: Data, bias: Data | undefined, relu: boolean): void {
  if (!bias && !relu) return;
  const C = bias ? bias.length : out.length;
  const k = kernelsFor(out.length, C, dtypeOf(out));
  if (!k) {
    if (bias) for (let r0 = 0; r0 < out.length; r0 += C) for (let j = 0; j < C; j++) out[r0 + j] = out[r0 + j]! + bias[j]!;
    if (relu) for (let i = 0; i < out.length; i++) out[i] = out[i]! > 0 ? out[i]! : 0;
    return;
  }
  const { arena, bytes } = k;
  const dtype = dtypeOf(out);
  arena.reset();
  const at = arena.alloc(out.length, dtype);
  const bAt = arena.alloc(C, dtype);
  arena.view(at, out.length, dtype).set(out);
  const rows = out.length / C;
  if (bias) {
    arena.view(bAt, C, dtype).set(bias);
    k.add(rows, C * bytes, at, C * bytes, at, C * bytes, bAt, 0);
  }
  if (relu) k.relu(rows, C * bytes, at, C * bytes, at, C * bytes);
  out.set(arena.view(at, out.length, dtype));
}

/** A conv's bias and relu, to be applied where its output is (see arenaEpilogue). */
export interface Epilogue {
  readonly bias: Data | undefined;
  readonly relu: boolean;
}

/**
 * The epilogue applied in the arena, on rows of a map that is there: `apply(rows, at, ld)` adds
 * the bias and takes relu of `rows` rows of `channels` values, ld apart (elements). Null when
 * biasAndRelu on the whole map (`length` values) would not use the kernels, so that the caller
 * runs it instead: the same per-value arithmetic either way (x + b rounded once, then relu).
 */
export function arenaEpilogue(e: Epilogue, length: number, channels: number, dtype: DType): { apply(rows: number, at: number, ld: number): void; placeBias(): void } | null {
  if (!e.bias && !e.relu) return null;
  const k = kernelsFor(length, e.bias ? e.bias.length : channels, dtype);
  if (!k || (e.bias && e.bias.length !== channels)) return null;
  const { arena, bytes } = k;
  const width = channels * bytes;
  let biasAt = 0;
  return {
    /** Copies the bias into the arena (before the caller takes its views: this may grow the memory). */
    placeBias() {
      if (!e.bias) return;
      biasAt = arena.alloc(channels, dtype);
      arena.view(biasAt, channels, dtype).set(e.bias);
    },
    apply(rows, at, ld) {
      if (e.bias) k.add(rows, width, at, ld * bytes, at, ld * bytes, biasAt, 0);
      if (e.relu) k.relu(rows, width, at, ld * bytes, at, ld * bytes);
    },
  };
}

let maskBuffer: Data = new Float32Array(0);

/**
 * The gradient of the product's output: with relu, grad where the output y is positive, else 0,
 * written as 0 + grad as the separate ops' backward add into zeroed buffers (so a −0 becomes 0,
 * bit for bit); a scratch buffer, valid until the next call. Without relu, grad itself: its −0s
 * reach only sums that start from +0 (the products, the bias gradient), where a −0 term changes
 * no bit, so the copy that made them 0 is left out.
 */
export function gradientBeforeEpilogue(y: Data, grad: Data, relu: boolean): Data {
  if (!relu) return grad;
  const dtype = dtypeOf(grad);
  if (maskBuffer.length < grad.length || dtypeOf(maskBuffer) !== dtype) maskBuffer = allocate(grad.length, dtype);
  const g = maskBuffer.subarray(0, grad.length);
  const arena = wasmEnabled() && grad.length >= ARENA_MIN ? sharedArena() : null;
  const kernel = arena ? reluGradKernel(arena, dtype) : null;
  if (arena && kernel) {
    // Whole 16-byte vectors on the kernel, the few values after them below.
    const bytes = dtype === 'float32' ? 4 : 8;
    const n = grad.length - (grad.length % (16 / bytes));
    arena.reset();
    const [yAt, gAt, outAt] = [arena.alloc(n, dtype), arena.alloc(n, dtype), arena.alloc(n, dtype)];
    arena.view(yAt, n, dtype).set(y.subarray(0, n));
    arena.view(gAt, n, dtype).set(grad.subarray(0, n));
    kernel(n * bytes, yAt, gAt, outAt);
    g.set(arena.view(outAt, n, dtype));
    for (let i = n; i < g.length; i++) g[i] = y[i]! > 0 ? 0 + grad[i]! : 0;
    return g;
  }
  for (let i = 0; i < g.length; i++) g[i] = y[i]! > 0 ? 0 + grad[i]! : 0;
  return g;
}

/** gb[c] += Σ_rows grad[r, c], the rows in order (as the broadcast add's backward sums them). */
export function biasGradient(grad: Data, gb: Data): void {
  const C = gb.length;
  const k = kernelsFor(grad.length, C, dtypeOf(grad));
  if (!k) {
    for (let r0 = 0; r0 < grad.length; r0 += C) for (let j = 0; j < C; j++) gb[j] += grad[r0 + j]!;
    return;
  }
  const { arena, bytes } = k;
  const dtype = dtypeOf(grad);
  arena.reset();
  const at = arena.alloc(grad.length, dtype);
  const sumAt = arena.alloc(C, dtype);
  arena.view(at, grad.length, dtype).set(grad);
  arena.view(sumAt, C, dtype).set(gb);
  // Row r: sum = sum + grad[r], one row after the other (the kernel's rows run in order).
  k.add(grad.length / C, C * bytes, sumAt, 0, sumAt, 0, at, C * bytes);
  gb.set(arena.view(sumAt, C, dtype));
}
