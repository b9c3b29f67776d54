/**
 * Engine stage: buffers reused from one tape to the next. Training records a tape per batch
 * with the same ops on the same shapes every time; allocating each op's value and gradient
 * afresh (a typed array of a few KB lives outside V8's heap) cost a third of a small gated
 * cell's step, in allocation and garbage collection. A pool hands out the same buffers again,
 * zeroed, in the same order, after reset(): results are bit for bit those of fresh buffers.
 */
import { allocate, type Data, type DType } from './tensor.js';

export class BufferPool {
  private readonly lists = { float64: new Map<number, Data[]>(), float32: new Map<number, Data[]>() };
  private readonly next = { float64: new Map<number, number>(), float32: new Map<number, number>() };
  private count = 0;

  /** Buffers created so far (a reused one is not counted again). */
  get allocated(): number {
    return this.count;
  }

  /** A zeroed buffer of `length` entries, valid until reset(). */
  take(length: number, dtype: DType): Data {
    const lists = this.lists[dtype];
    const next = this.next[dtype];
    let list = lists.get(length);
    if (!list) lists.set(length, (list = []));
    const index = next.get(length) ?? 0;
    next.set(length, index + 1);
    if (index < list.length) return list[index]!.fill(0);
    const fresh = allocate(length, dtype);
    list.push(fresh);
    this.count++;
    return fresh;
  }

  /** Every buffer handed out so far may be handed out again: the tapes that held them must be done. */
  reset(): void {
    this.next.float64.clear();
    this.next.float32.clear();
  }
}

/** The pool of the tape whose op is running (kernels allocate their outputs from it), if any. */
let active: BufferPool | undefined;

/** Runs f with kernels' outputs taken from `pool` (when given). */
export function withPool<T>(pool: BufferPool | undefined, f: () => T): T {
  if (!pool) return f();
  const previous = active;
  active = pool;
  try {
    return f();
  } finally {
    active = previous;
  }
}

/** A zeroed buffer for a kernel's output: from the running tape's pool, else fresh. */
export function allocateOutput(length: number, dtype: DType): Data {
  return active ? active.take(length, dtype) : allocate(length, dtype);
}

/**
 * Gradient buffers that hold only +0 while one op's backward runs (the tape marks each buffer it
 * hands out fresh, and unmarks it when that backward returns): the op may write its gradient
 * over such a buffer instead of adding into it, the same bits as 0 + g (a sum started from +0 is
 * never −0), and the products skip reading it in.
 */
const zeroGradients = new WeakSet<Data>();

/** Whether `data` is a gradient buffer that holds only +0 (see zeroGradients). */
export function holdsZeros(data: Data): boolean {
  return zeroGradients.has(data);
}

/** Marks (zero: true) or unmarks gradient buffers as holding only +0; for the tape. */
export function markZeros(buffers: readonly (Data | null)[], zero: boolean): void {
  for (const b of buffers) if (b) zero ? zeroGradients.add(b) : zeroGradients.delete(b);
}
