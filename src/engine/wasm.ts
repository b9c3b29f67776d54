/**
 * Engine stage: running the WebAssembly kernels of wasm-module.ts: an arena (one memory, a
 * bump allocator, the kernels instantiated on it) and an optional helper thread that takes
 * half of the column blocks of each product over shared memory.
 */
import { createRequire } from 'node:module';
import type { Data, DType } from './tensor.js';
import { BINARY_OPS, EXACT_OPS, fmaEnabled, gemmModule, UNARY_OPS, type BinaryOp, type ExactOp, type ElementwiseKernel, type GemmKernel, type PackKernel, type UnaryKernel, type UnaryOp } from './wasm-module.js';
import { PANEL_BYTES } from './wasm-gemm.js';
import { gemvName, strips, stripWidths } from './wasm-gemv.js';
import { programModuleBytes, type ProgramArg, type ProgramCall } from './wasm-program.js';

export { fmaEnabled, gemmModule, useFma } from './wasm-module.js';
export { paddedColumns, PANEL_COLUMNS } from './panels.js';
export type { UnaryOp, ExactOp, ElementwiseKernel, UnaryKernel } from './wasm-module.js';
export type { ProgramArg, ProgramCall } from './wasm-program.js';

const nodeRequire = createRequire(import.meta.url);

/** Bytes per element. */
const BYTES: Record<DType, number> = { float32: 4, float64: 8 };
/** Columns in one 32-byte block of the kernel. */
export const BLOCK_COLUMNS: Record<DType, number> = { float32: 8, float64: 4 };
const PAGE = 65536;

/** The first bytes of every arena: the control words the helper thread waits on. */
const CONTROL_BYTES = 64;
/** Depth of one pass of the kernel: a 128-byte-wide panel of K_BLOCK rows of B stays in L1. */
const K_BLOCK = 256;
/** The depth within which a product's sums reach C in one addition per element. */
export const DEPTH_BLOCK = K_BLOCK;
/** Rows of A per panel (see gemm). */
const M_BLOCK = 64;

/** A program argument moved by `by` bytes (its per-step stride kept). */
const shift = (p: ProgramArg, by: number): ProgramArg => (typeof p === 'number' ? p + by : { base: p.base + by, perStep: p.perStep });

/**
 * A region of WebAssembly memory with the kernel instantiated on it, and a bump allocator.
 * Views (typed arrays) into it are invalidated when it grows, so callers allocate first and
 * take views after.
 */
export class WasmArena {
  private top = CONTROL_BYTES;
  private readonly f32: GemmKernel;
  private readonly f64: GemmKernel;
  private readonly f32Set: GemmKernel;
  private readonly f64Set: GemmKernel;
  private readonly packKernels: Record<DType, PackKernel>;
  private readonly exports: WebAssembly.Exports;
  /** A worker thread running the same kernel on the same (shared) memory, when asked for. */
  private helper: GemmHelper | undefined;

  private constructor(
    readonly memory: WebAssembly.Memory,
    private readonly module: WebAssembly.Module,
    readonly shared: boolean,
    /** Whether the kernels are the fused multiply-add ones (useFma). */
    readonly fma: boolean,
  ) {
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    this.exports = instance.exports;
    this.f32 = instance.exports.gemm_f32 as GemmKernel;
    this.f64 = instance.exports.gemm_f64 as GemmKernel;
    this.f32Set = instance.exports.gemm_set_f32 as GemmKernel;
    this.f64Set = instance.exports.gemm_set_f64 as GemmKernel;
    this.packKernels = { float32: instance.exports.pack_f32 as PackKernel, float64: instance.exports.pack_f64 as PackKernel };
  }

  /**
   * An arena, or null where WebAssembly SIMD is unavailable. A shared arena has a fixed
   * size (`bytes`) and can hand half of each product to a worker thread (startHelper). `fma`:
   * products on the fused multiply-add kernels (default fmaEnabled(); unfused where the runtime
   * has no relaxed SIMD).
   */
  static create(options: { readonly shared?: boolean; readonly bytes?: number; readonly fma?: boolean } = {}): WasmArena | null {
    const shared = options.shared ?? false;
    const fma = options.fma ?? fmaEnabled();
    const mod = gemmModule(shared, fma);
    if (!mod) return null;
    const pages = Math.max(1, Math.ceil(((options.bytes ?? 0) + CONTROL_BYTES + 1024) / PAGE));
    const memory = shared ? new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }) : new WebAssembly.Memory({ initial: pages });
    // gemmModule falls back to the unfused kernels when the fused ones do not compile.
    return new WasmArena(memory, mod, shared, fma && mod !== gemmModule(shared, false));
  }

  /**
   * The elementwise kernels for a dtype (exp, sigmoid and tanh are polynomial: float32 to 1e-6
   * relative, float64 to 1e-15; float64 adds the exact_* ops, JavaScript's bits).
   */
  elementwise(dtype: DType): { binary: Partial<Record<BinaryOp, ElementwiseKernel>>; unary: Partial<Record<UnaryOp | ExactOp, UnaryKernel>> } {
    const suffix = dtype === 'float32' ? 'f32' : 'f64';
    const binary: Partial<Record<BinaryOp, ElementwiseKernel>> = {};
    const unary: Partial<Record<UnaryOp | ExactOp, UnaryKernel>> = {};
    for (const op of BINARY_OPS) binary[op] = this.exports[`ew_${op}_${suffix}`] as ElementwiseKernel | undefined;
    for (const op of UNARY_OPS) unary[op] = this.exports[`ew_${op}_${suffix}`] as UnaryKernel | undefined;
    if (dtype === 'float64') for (const op of EXACT_OPS) unary[op] = this.exports[`ew_${op}_f64`] as UnaryKernel | undefined;
    return { binary, unary };
  }

  /** Starts the helper thread (shared arenas only); false when threads are unavailable. */
  startHelper(): boolean {
    if (!this.shared) return false;
    this.helper ??= GemmHelper.start(this.module, this.memory) ?? undefined;
    return this.helper !== undefined;
  }

  /** Stops the helper thread, if any. */
  dispose(): void {
    this.helper?.stop();
    this.helper = undefined;
  }

  /**
   * Like gemm, with the column blocks split between this thread and the helper (when one
   * runs): both write disjoint columns of C, so no locking beyond the start and join.
   */
  gemmParallel(dtype: DType, M: number, nb: number, K: number, A: number, B: number, C: number, lda: number, ldc: number): void {
    const helper = this.helper;
    if (!helper || nb < 8) return this.gemm(dtype, M, nb, K, A, B, C, lda, ldc);
    const e = BYTES[dtype];
    // Whole panels (4 blocks) each.
    const mine = (nb >> 3) << 2;
    const theirs = nb - mine;
    helper.post(dtype, M, theirs, K, A, B + (mine / 4) * K * PANEL_BYTES, C + mine * 32, lda * e, ldc * e, e);
    this.gemm(dtype, M, mine, K, A, B, C, lda, ldc);
    helper.join();
  }

  /**
   * `calls` for t = t0 … t1 − 1 as one WebAssembly function on this arena's memory and
   * kernels (see wasm-program.ts), or null if the module does not validate.
   */
  program(calls: readonly ProgramCall[]): ((t0: number, t1: number) => void) | null {
    const pages = this.memory.buffer.byteLength / PAGE;
    const bytes = programModuleBytes(calls, this.shared, pages, this.fma);
    if (!WebAssembly.validate(bytes)) return null;
    const kernels: Record<string, WebAssembly.ExportValue> = {};
    for (const c of calls) if ('fn' in c) kernels[c.fn] = this.exports[c.fn]!;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: this.memory }, k: kernels });
    return instance.exports.run as (t0: number, t1: number) => void;
  }

  /** The kernel calls gemm() makes (A row-major), as program calls (A, B, C may move with t). */
  gemmCalls(dtype: DType, M: number, nb: number, K: number, A: ProgramArg, B: number, C: ProgramArg, lda: number, ldc: number, overwrite = false): ProgramCall[] {
    const e = BYTES[dtype];
    const calls: ProgramCall[] = [];
    for (let i0 = 0; i0 < M; i0 += M_BLOCK) {
      const mb = Math.min(M_BLOCK, M - i0);
      for (let k0 = 0; k0 < K; k0 += K_BLOCK) {
        const kb = Math.min(K_BLOCK, K - k0);
        const fn = `gemm_${overwrite && k0 === 0 ? 'set_' : ''}${dtype === 'float32' ? 'f32' : 'f64'}`;
        calls.push({ fn, args: [mb, nb, kb, shift(A, (i0 * lda + k0) * e), B + k0 * PANEL_BYTES, shift(C, i0 * ldc * e), lda * e, K * PANEL_BYTES, ldc * e, e] });
      }
    }
    return calls;
  }

  /**
   * C[M, columns] = A[M, K]·B[K, columns] for a few rows (in the schedule one: a recurrent step
   * at batch 1) on the gemv kernels, B packed in strips (wasm-gemv.ts; `columns` whole 16-byte
   * vectors). The same bits as gemm(), depth blocks included; as calls, A and C may move with t.
   * `overwrite`: the first depth block's sums stored over C (else C += A·B).
   */
  gemvCalls(dtype: DType, M: number, columns: number, K: number, A: ProgramArg, B: number, C: ProgramArg, lda: number, ldc: number, overwrite = false): ProgramCall[] {
    const e = BYTES[dtype];
    const { wide, narrow, width } = stripWidths((columns * e) / 16);
    const calls: ProgramCall[] = [];
    for (let k0 = 0; k0 < K; k0 += K_BLOCK) {
      const kb = Math.min(K_BLOCK, K - k0);
      let b = B;
      let c = 0;
      for (const [count, w] of [[wide, width + 1], [narrow, width]] as const) {
        if (count === 0) continue;
        calls.push({ fn: gemvName(w, dtype === 'float64', overwrite && k0 === 0), args: [M, count, kb, shift(A, k0 * e), b + k0 * w * 16, shift(C, c), lda * e, K * w * 16, ldc * e, e] });
        b += count * K * w * 16;
        c += count * w * 16;
      }
    }
    return calls;
  }

  /** gemvCalls, run now. */
  gemv(dtype: DType, M: number, columns: number, K: number, A: number, B: number, C: number, lda: number, ldc: number, overwrite = false): void {
    for (const call of this.gemvCalls(dtype, M, columns, K, A, B, C, lda, ldc, overwrite)) {
      const { fn, args } = call as Extract<ProgramCall, { fn: string }>; // gemvCalls makes only kernel calls
      (this.exports[fn] as (...args: number[]) => void)(...(args as number[]));
    }
  }

  /**
   * Rows of W ([rows, K] at byte `src`, row-major) as columns col … col + rows − 1 of the
   * [K, columns] right operand of gemv, packed in strips at byte `dst` (wasm-gemv.ts): strip s
   * holds its K rows of width·(16 / e) elements one after another. Other columns are left as
   * they are (the padding: zero in a new arena).
   */
  packStripColumns(dtype: DType, K: number, columns: number, col: number, rows: number, src: number, dst: number): void {
    const e = BYTES[dtype];
    const lanes = 16 / e;
    const copy = this.exports[dtype === 'float32' ? 'copy_cols_f32' : 'copy_cols_f64'] as (...args: number[]) => void;
    for (const s of strips(columns / lanes)) {
      const c0 = s.start * lanes;
      const lo = Math.max(c0, col);
      const hi = Math.min(c0 + s.width * lanes, col + rows);
      if (lo < hi) copy(hi - lo, K, src + (lo - col) * K * e, e, K * e, dst + (K * c0 + (lo - c0)) * e, s.width * lanes * e);
    }
  }

  /**
   * The [K, N] matrix at `src`, row-major or stored transposed ([N, K]), into the kernel's
   * panels at `dst` (K · paddedColumns(N) elements, the padding zero).
   */
  pack(dtype: DType, K: number, N: number, src: number, dst: number, transposed = false): void {
    const e = BYTES[dtype];
    this.packKernels[dtype](N, K, src, transposed ? e : N * e, transposed ? K * e : e, dst);
  }

  /** Frees everything (the memory is kept for reuse). */
  reset(): void {
    this.top = CONTROL_BYTES;
  }

  /** Byte offset of `length` elements, 32-byte aligned; grows the memory when needed. */
  alloc(length: number, dtype: DType): number {
    const ptr = (this.top + 31) & ~31;
    this.top = ptr + length * BYTES[dtype];
    const missing = this.top - this.memory.buffer.byteLength;
    if (missing > 0) {
      if (this.shared) throw new RangeError(`shared wasm arena of ${this.memory.buffer.byteLength} bytes is full`);
      this.memory.grow(Math.ceil(missing / PAGE));
    }
    return ptr;
  }

  /** Bytes that alloc() calls for these lengths need, alignment included. */
  static bytesFor(lengths: readonly number[], dtype: DType): number {
    return lengths.reduce((sum, n) => sum + n * BYTES[dtype] + 32, 0);
  }

  view(ptr: number, length: number, dtype: DType): Data {
    return dtype === 'float32' ? new Float32Array(this.memory.buffer, ptr, length) : new Float64Array(this.memory.buffer, ptr, length);
  }

  /**
   * C[M, nb·blockColumns] += A[M, K]·B[K, nb·blockColumns] on byte offsets with element
   * strides, B packed in panels K deep (packPanels; nb a multiple of 4), in depth blocks so
   * a panel's strip stays in the L1 cache. A's element (i, k) is at i·lda + k·kStride: kStride
   * 1 for a row-major A, or lda 1 and kStride M for an A stored transposed ([K, M]).
   * `overwrite`: C = A·B, the first depth block's sums stored over C (which need not be zeroed;
   * the same bits as adding them to zeros).
   */
  gemm(dtype: DType, M: number, nb: number, K: number, A: number, B: number, C: number, lda: number, ldc: number, kStride = 1, overwrite = false): void {
    const e = BYTES[dtype];
    const kernel = dtype === 'float32' ? this.f32 : this.f64;
    const first = overwrite ? (dtype === 'float32' ? this.f32Set : this.f64Set) : kernel;
    // Row panels of M_BLOCK rows: the panel of A for one depth block stays in L2 while the
    // kernel sweeps every column block.
    for (let i0 = 0; i0 < M; i0 += M_BLOCK) {
      const mb = Math.min(M_BLOCK, M - i0);
      for (let k0 = 0; k0 < K; k0 += K_BLOCK) {
        const kb = Math.min(K_BLOCK, K - k0);
        (k0 === 0 ? first : kernel)(mb, nb, kb, A + (i0 * lda + k0 * kStride) * e, B + k0 * PANEL_BYTES, C + i0 * ldc * e, lda * e, K * PANEL_BYTES, ldc * e, kStride * e);
      }
    }
  }
}

/**
 * The helper thread: instantiates the kernel on the shared memory and waits on control word 0
 * (0 idle, 1 work, 2 stop); arguments sit in words 2 to 11. Word 1 says it is ready.
 */
const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, kBlock, mBlock, panelBytes } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const k32 = instance.exports.gemm_f32, k64 = instance.exports.gemm_f64;
const ctrl = new Int32Array(memory.buffer, 0, 16);
Atomics.store(ctrl, 1, 1);
Atomics.notify(ctrl, 1);
for (;;) {
  // Spin briefly first: the next product usually follows within microseconds, and a futex
  // wake-up costs more than that.
  for (let spin = 0; spin < 20000 && Atomics.load(ctrl, 0) === 0; spin++);
  if (Atomics.load(ctrl, 0) === 0) Atomics.wait(ctrl, 0, 0, 1000);
  const cmd = Atomics.load(ctrl, 0);
  if (cmd === 2) break;
  if (cmd !== 1) continue;
  const M = ctrl[2], nb = ctrl[3], K = ctrl[4], A = ctrl[5], B = ctrl[6], C = ctrl[7], lda = ctrl[8], ldc = ctrl[9], f64 = ctrl[10], ks = ctrl[11];
  const e = f64 ? 8 : 4, kernel = f64 ? k64 : k32;
  for (let i0 = 0; i0 < M; i0 += mBlock) {
    const mb = Math.min(mBlock, M - i0);
    for (let k0 = 0; k0 < K; k0 += kBlock) kernel(mb, nb, Math.min(kBlock, K - k0), A + i0 * lda + k0 * ks, B + k0 * panelBytes, C + i0 * ldc, lda, K * panelBytes, ldc, ks);
  }
  Atomics.store(ctrl, 0, 0);
  Atomics.notify(ctrl, 0);
}
`;

interface WorkerLike {
  unref(): void;
  terminate(): unknown;
}

class GemmHelper {
  private constructor(
    private readonly worker: WorkerLike,
    private readonly ctrl: Int32Array,
  ) {}

  /** A started helper, or null when worker threads are unavailable (or it did not start within 5 s). */
  static start(module: WebAssembly.Module, memory: WebAssembly.Memory): GemmHelper | null {
    const threads = workerThreads();
    if (!threads) return null;
    const ctrl = new Int32Array(memory.buffer, 0, 16);
    const worker = new threads.Worker(HELPER_SOURCE, { eval: true, workerData: { module, memory, kBlock: K_BLOCK, mBlock: M_BLOCK, panelBytes: PANEL_BYTES } });
    // The helper must never keep a finished program alive.
    worker.unref();
    if (Atomics.wait(ctrl, 1, 0, 5000) === 'timed-out' && Atomics.load(ctrl, 1) !== 1) {
      void worker.terminate();
      return null;
    }
    return new GemmHelper(worker, ctrl);
  }

  post(dtype: DType, M: number, nb: number, K: number, A: number, B: number, C: number, lda: number, ldc: number, kStep: number): void {
    const c = this.ctrl;
    c[2] = M; c[3] = nb; c[4] = K; c[5] = A; c[6] = B; c[7] = C; c[8] = lda; c[9] = ldc; c[11] = kStep;
    c[10] = dtype === 'float64' ? 1 : 0;
    Atomics.store(c, 0, 1);
    Atomics.notify(c, 0);
  }

  join(): void {
    for (let spin = 0; spin < 20000 && Atomics.load(this.ctrl, 0) === 1; spin++);
    while (Atomics.load(this.ctrl, 0) === 1) Atomics.wait(this.ctrl, 0, 1);
  }

  stop(): void {
    Atomics.store(this.ctrl, 0, 2);
    Atomics.notify(this.ctrl, 0);
    void this.worker.terminate();
  }
}

type WorkerThreads = { Worker: new (source: string, options: object) => WorkerLike };
let threadsModule: WorkerThreads | null | undefined;

/** node:worker_threads, loaded on first use through process.getBuiltinModule-free createRequire. */
function workerThreads(): WorkerThreads | null {
  if (threadsModule === undefined) {
    try {
      threadsModule = nodeRequire('node:worker_threads') as WorkerThreads;
    } catch {
      threadsModule = null;
    }
  }
  return threadsModule;
}

const sharedArenas = new Map<boolean, WasmArena | null>();

/** The process-wide arena for one-off products (packed in, computed, copied out), one for each kernel kind (useFma). */
export function sharedArena(): WasmArena | null {
  const fma = fmaEnabled();
  if (sharedArenas.has(fma)) return sharedArenas.get(fma)!;
  const arena = WasmArena.create();
  // No arena while WebAssembly is missing (a startup snapshot being made) is not remembered.
  if (arena || typeof WebAssembly !== 'undefined') sharedArenas.set(fma, arena);
  return arena;
}
