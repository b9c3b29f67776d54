/**
 * Engine stage: the dense tensor every kernel reads and writes. A tensor is a shape and a
 * flat typed array in row-major order ([batch, features] rows are contiguous); nothing is
 * copied behind the caller's back, so a kernel may write straight into `data`.
 */
import { ShapeError } from '../errors.js';
import type { Random } from '../random.js';

export type DType = 'float64' | 'float32';
export type Data = Float64Array | Float32Array;

/** A dense row-major tensor. `data.length` is the product of `shape` (1 for a scalar `[]`). */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Data;
}

/** Whether two shapes are the same, dimension by dimension. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function dtypeOf(data: Data): DType {
  return data instanceof Float32Array ? 'float32' : 'float64';
}

export function allocate(length: number, dtype: DType): Data {
  return dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

/** Nested arrays → their shape, or a ShapeError when rows are ragged. */
function shapeOfNested(value: unknown): number[] {
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  return shape;
}

function flatten(value: unknown, shape: readonly number[], depth: number, out: number[]): void {
  if (depth === shape.length) {
    out.push(value as number);
    return;
  }
  const row = value as unknown[];
  if (!Array.isArray(row) || row.length !== shape[depth]) {
    throw new ShapeError('tensor', shape, [...shape.slice(0, depth), Array.isArray(row) ? row.length : 0], 'ragged nested array');
  }
  for (const item of row) flatten(item, shape, depth + 1, out);
}

/**
 * A tensor from nested arrays (`tensor([[1, 2], [3, 4]])`), a number (a scalar), or a flat
 * array with an explicit shape (`tensor([1, 2, 3, 4], [2, 2])`). Copies the values.
 */
export function tensor(values: number | readonly unknown[] | Data, shape?: readonly number[], dtype: DType = 'float64'): Tensor {
  if (typeof values === 'number') return { shape: [], data: allocate(1, dtype).fill(values) };
  let flat: ArrayLike<number>;
  let resolved: readonly number[];
  if (shape) {
    flat = ArrayBuffer.isView(values) ? (values as Data) : (values as number[]).flat(Infinity as 1) as number[];
    resolved = shape;
  } else {
    resolved = shapeOfNested(values);
    const out: number[] = [];
    flatten(values, resolved, 0, out);
    flat = out;
  }
  if (flat.length !== sizeOf(resolved)) throw new ShapeError('tensor', resolved, [flat.length], 'values do not fill the shape');
  const data = allocate(flat.length, dtype);
  data.set(flat);
  return { shape: [...resolved], data };
}

export function zeros(shape: readonly number[], dtype: DType = 'float64'): Tensor {
  return { shape: [...shape], data: allocate(sizeOf(shape), dtype) };
}

export function ones(shape: readonly number[], dtype: DType = 'float64'): Tensor {
  return full(shape, 1, dtype);
}

export function full(shape: readonly number[], value: number, dtype: DType = 'float64'): Tensor {
  return { shape: [...shape], data: allocate(sizeOf(shape), dtype).fill(value) };
}

/** N(mean, std²) samples from the given seeded stream. */
export function randn(shape: readonly number[], random: Random, options: { mean?: number; std?: number; dtype?: DType } = {}): Tensor {
  const t = zeros(shape, options.dtype);
  random.fillNormal(t.data, options.mean ?? 0, options.std ?? 1);
  return t;
}

/** U(low, high) samples from the given seeded stream. */
export function uniform(shape: readonly number[], random: Random, low: number, high: number, dtype: DType = 'float64'): Tensor {
  const t = zeros(shape, dtype);
  random.fillUniform(t.data, low, high);
  return t;
}

/** The same values under another shape (no copy); the sizes must agree. */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  if (sizeOf(shape) !== t.data.length) throw new ShapeError('tensor', shape, t.shape, 'reshape changes the size');
  return { shape: [...shape], data: t.data };
}

/** A copy, optionally converted to another dtype. */
export function cast(t: Tensor, dtype: DType = dtypeOf(t.data)): Tensor {
  const data = allocate(t.data.length, dtype);
  data.set(t.data);
  return { shape: [...t.shape], data };
}

/** Row `index` of the leading axis, as a view ([T, B, I] → [B, I]). */
export function slice0(t: Tensor, index: number): Tensor {
  const inner = t.shape.slice(1);
  const n = sizeOf(inner);
  return { shape: inner, data: t.data.subarray(index * n, (index + 1) * n) };
}

/** Nested arrays, for printing and JSON. */
export function toArray(t: Tensor): unknown {
  const build = (depth: number, offset: number): unknown => {
    if (depth === t.shape.length) return t.data[offset];
    const stride = sizeOf(t.shape.slice(depth + 1));
    return Array.from({ length: t.shape[depth]! }, (_, i) => build(depth + 1, offset + i * stride));
  };
  return build(0, 0);
}
