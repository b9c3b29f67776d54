/**
 * VAE stage: datasets as plain typed arrays (rows of values, optional labels), the fixed
 * seeded MNIST split, row selection and minibatch order. Everything here is pure; the rows
 * themselves come from io (the CLI reads them and passes them in).
 */
import { InputError } from '../../errors.js';
import type { Random } from '../../random.js';

/** Rows of values in one row-major array; labels are optional (digit classes, factor ids). */
export interface Dataset {
  readonly count: number;
  readonly dim: number;
  readonly values: Float32Array;
  readonly labels?: Int32Array;
}

/** A train/test pair. */
export interface Split {
  readonly train: Dataset;
  readonly test: Dataset;
}

/** The rows at `indices`, in that order. */
export function selectRows(data: Dataset, indices: readonly number[] | Int32Array): Dataset {
  const { dim } = data;
  const values = new Float32Array(indices.length * dim);
  const labels = data.labels ? new Int32Array(indices.length) : undefined;
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i]!;
    values.set(data.values.subarray(row * dim, (row + 1) * dim), i * dim);
    if (labels) labels[i] = data.labels![row]!;
  }
  return labels ? { count: indices.length, dim, values, labels } : { count: indices.length, dim, values };
}

/** A seeded permutation of 0..n-1. */
export function permutation(n: number, random: Random): number[] {
  return random.shuffle(Array.from({ length: n }, (_, i) => i));
}

/**
 * Shuffles the rows once with `random` and cuts off `testCount` for testing. With the MNIST
 * digits and seed 0 this is the fixed 8,000 / 2,000 split the quality bar refers to.
 */
export function splitDataset(data: Dataset, testCount: number, random: Random): Split {
  if (!(testCount > 0 && testCount < data.count)) {
    throw new InputError(`cannot hold out ${testCount} test rows from ${data.count} rows`);
  }
  const order = permutation(data.count, random);
  return { train: selectRows(data, order.slice(testCount)), test: selectRows(data, order.slice(0, testCount)) };
}

/** The seed of the fixed MNIST split (8,000 train, 2,000 test), independent of the training seed. */
export const MNIST_SPLIT_SEED = 20180101;
export const MNIST_TEST_COUNT = 2000;

/** Numbers of rows per label, for labels 0..max. */
export function labelCounts(labels: Int32Array): number[] {
  let max = -1;
  for (const label of labels) if (label > max) max = label;
  const counts = new Array<number>(max + 1).fill(0);
  for (const label of labels) if (label >= 0) counts[label]!++;
  return counts;
}

/** Shannon entropy (nats) of a distribution given by non-negative counts. */
export function entropy(counts: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / total) * Math.log(c / total);
  return h;
}
