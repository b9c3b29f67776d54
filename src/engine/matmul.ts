/**
 * Engine stage: the matrix product, the one hot loop, on its own so it can be benchmarked.
 * All matrices are row-major. gemm computes C[M,N] (+)= op(A)[M,K] · op(B)[K,N], where
 * op(A) = A ([M,K]) or Aᵀ (A stored [K,M]); likewise B ([K,N], or [N,K] when transposed).
 */
import { dtypeOf, type Data } from './tensor.js';
import { BLOCK_COLUMNS, DEPTH_BLOCK, paddedColumns, sharedArena } from './wasm.js';

export interface GemmOptions {
  readonly transA?: boolean;
  readonly transB?: boolean;
  /** Add into C instead of overwriting it (gradients accumulate). */
  readonly accumulate?: boolean;
}

/** Column and depth block sizes for the i-k-j loop: a KB×NB panel of B stays in L2. */
const NB = 512;
const KB = 128;

/** Below this many multiply-adds (or with fewer than 4 rows) packing for WebAssembly does not pay. */
const WASM_MIN_WORK = 32768;

let wasmOn = true;

/** Turns the WebAssembly SIMD kernel on or off (benchmarks and tests compare both); returns the previous setting. */
export function useWasm(enabled: boolean): boolean {
  const previous = wasmOn;
  wasmOn = enabled;
  return previous;
}

/** Whether products may use the WebAssembly kernel (it must also validate on this runtime). */
export function wasmEnabled(): boolean {
  return wasmOn;
}

/** Whether gemm() sends a product of this size to the WebAssembly kernel (when it validates on this runtime). */
export function wasmRuns(M: number, N: number, K: number): boolean {
  return wasmOn && M >= 4 && M * N * K >= WASM_MIN_WORK;
}

export function gemm(M: number, N: number, K: number, A: Data, B: Data, C: Data, options: GemmOptions = {}): void {
  if (wasmRuns(M, N, K) && gemmWasm(M, N, K, A, B, C, options)) return;
  if (!options.accumulate) C.fill(0, 0, M * N);
  if (options.transA) {
    if (options.transB) gemmTT(M, N, K, A, B, C);
    else gemmTN(M, N, K, A, B, C);
  } else if (options.transB) gemmNT(M, N, K, A, B, C);
  else gemmNN(M, N, K, A, B, C);
}

/**
 * The product on the WebAssembly SIMD kernel: A and B are copied into the shared arena as they
 * are stored, B is packed into the kernel's panels there (transposing it on the way if it is
 * stored so), the kernel reads A at its strides either way, and C is copied back.
 */
function gemmWasm(M: number, N: number, K: number, A: Data, B: Data, C: Data, options: GemmOptions): boolean {
  const arena = sharedArena();
  if (!arena) return false;
  const dtype = dtypeOf(C);
  const bc = BLOCK_COLUMNS[dtype];
  const Np = paddedColumns(N, dtype);
  arena.reset();
  const pa = arena.alloc(M * K, dtype);
  const raw = arena.alloc(K * N, dtype);
  const pb = arena.alloc(K * Np, dtype);
  const pc = arena.alloc(M * Np, dtype);
  const a = arena.view(pa, M * K, dtype);
  const c = arena.view(pc, M * Np, dtype);
  // A stored transposed ([K, M]) goes in as it is: the kernel reads it with row stride 1 and k stride M.
  a.set(A.subarray(0, M * K));
  arena.view(raw, K * N, dtype).set(B.subarray(0, K * N));
  arena.pack(dtype, K, N, raw, pb, options.transB ?? false);
  // The kernel adds each depth block's sums into C, so C's rows can go in and come back out
  // (padding columns unread). Over several depth blocks that would round C + s₁ + s₂ rather than
  // C + (s₁ + s₂), so there C is added afterwards, as it always was (the same bits as before).
  // Otherwise the kernel stores its first depth block's sums over c (no zeroing: the same bits).
  const inPlace = options.accumulate && K <= DEPTH_BLOCK;
  if (inPlace && Np === N) c.set(C.subarray(0, M * N));
  else if (inPlace) for (let i = 0; i < M; i++) c.set(C.subarray(i * N, (i + 1) * N), i * Np);
  if (options.transA) arena.gemm(dtype, M, Np / bc, K, pa, pb, pc, 1, Np, M, !inPlace);
  else arena.gemm(dtype, M, Np / bc, K, pa, pb, pc, K, Np, 1, !inPlace);
  if (options.accumulate && !inPlace) {
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) C[i * N + j] += c[i * Np + j]!;
  } else if (Np === N) C.set(c);
  else for (let i = 0; i < M; i++) C.set(c.subarray(i * Np, i * Np + N), i * N);
  return true;
}

/**
 * C += A·B, i-k-j order: the inner loop runs along a row of B and a row of C, both
 * contiguous. Four rows of C share each load of B; k and j are blocked so the B panel
 * is reused from cache across all rows.
 */
export function gemmNN(M: number, N: number, K: number, A: Data, B: Data, C: Data): void {
  for (let j0 = 0; j0 < N; j0 += NB) {
    const j1 = Math.min(N, j0 + NB);
    for (let k0 = 0; k0 < K; k0 += KB) {
      const k1 = Math.min(K, k0 + KB);
      let i = 0;
      for (; i + 3 < M; i += 4) {
        const c0 = i * N, c1 = c0 + N, c2 = c1 + N, c3 = c2 + N;
        const a0 = i * K, a1 = a0 + K, a2 = a1 + K, a3 = a2 + K;
        for (let k = k0; k < k1; k++) {
          const x0 = A[a0 + k]!, x1 = A[a1 + k]!, x2 = A[a2 + k]!, x3 = A[a3 + k]!;
          const b = k * N;
          for (let j = j0; j < j1; j++) {
            const y = B[b + j]!;
            C[c0 + j] += x0 * y;
            C[c1 + j] += x1 * y;
            C[c2 + j] += x2 * y;
            C[c3 + j] += x3 * y;
          }
        }
      }
      for (; i < M; i++) {
        const c0 = i * N;
        const a0 = i * K;
        for (let k = k0; k < k1; k++) {
          const x0 = A[a0 + k]!;
          if (x0 === 0) continue;
          const b = k * N;
          for (let j = j0; j < j1; j++) C[c0 + j] += x0 * B[b + j]!;
        }
      }
    }
  }
}

/** C += A·Bᵀ (B stored [N,K]): each entry is a dot product of two contiguous rows. */
function gemmNT(M: number, N: number, K: number, A: Data, B: Data, C: Data): void {
  for (let i = 0; i < M; i++) {
    const a = i * K;
    const c = i * N;
    for (let j = 0; j < N; j++) {
      const b = j * K;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let k = 0;
      for (; k + 3 < K; k += 4) {
        s0 += A[a + k]! * B[b + k]!;
        s1 += A[a + k + 1]! * B[b + k + 1]!;
        s2 += A[a + k + 2]! * B[b + k + 2]!;
        s3 += A[a + k + 3]! * B[b + k + 3]!;
      }
      for (; k < K; k++) s0 += A[a + k]! * B[b + k]!;
      C[c + j] += s0 + s1 + s2 + s3;
    }
  }
}

/** C += Aᵀ·B (A stored [K,M]): k-i-j order keeps the inner loop on rows of B and C. */
function gemmTN(M: number, N: number, K: number, A: Data, B: Data, C: Data): void {
  for (let k = 0; k < K; k++) {
    const a = k * M;
    const b = k * N;
    for (let i = 0; i < M; i++) {
      const x = A[a + i]!;
      if (x === 0) continue;
      const c = i * N;
      for (let j = 0; j < N; j++) C[c + j] += x * B[b + j]!;
    }
  }
}

/** C += Aᵀ·Bᵀ: rare (no caller in the engine's hot paths), kept simple. */
function gemmTT(M: number, N: number, K: number, A: Data, B: Data, C: Data): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += A[k * M + i]! * B[j * K + k]!;
      C[i * N + j] += s;
    }
  }
}

/** The textbook i-j-k triple loop, the benchmark's baseline (strided reads of B). */
export function matmulNaive(M: number, N: number, K: number, A: Data, B: Data, C: Data): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += A[i * K + k]! * B[k * N + j]!;
      C[i * N + j] = s;
    }
  }
}
