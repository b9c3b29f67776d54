// Shared test helpers: float comparison with a stated tolerance, and catching an error to
// assert its class and whole message.
import { expect } from 'vitest';

export interface Tolerance {
  readonly atol?: number;
  readonly rtol?: number;
}

/**
 * Every entry within atol + rtol·|expected| (a number is an absolute tolerance). The failure
 * names the worst index, both values and the tolerance.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number | Tolerance, what = 'value'): void {
  const { atol = 0, rtol = 0 } = typeof tolerance === 'number' ? { atol: tolerance } : tolerance;
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i]! - expected[i]!);
    const excess = Number.isNaN(diff) ? Infinity : diff - (atol + rtol * Math.abs(expected[i]!));
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  if (worst >= 0) {
    const diff = Math.abs(actual[worst]! - expected[worst]!);
    expect.fail(`${what}[${worst}] = ${actual[worst]}, expected ${expected[worst]} (|diff| ${diff.toExponential(2)} > atol ${atol} + rtol ${rtol}·|expected|)`);
  }
}

/** The largest absolute difference, for negative controls ("a wrong order is off by at least ..."). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** The error `fn` throws (the test fails if it throws nothing). */
export function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}
