/** Float comparison whose failure names the index, both values and the tolerance. */
import { expect } from 'vitest';

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, what = 'value'): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = -1;
  let worstDiff = 0;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    if (!(diff <= worstDiff) || Number.isNaN(diff)) {
      worstDiff = Number.isNaN(diff) ? Infinity : diff;
      worst = i;
    }
  }
  if (worstDiff > atol) {
    expect.fail(`${what}[${worst}] = ${actual[worst]}, expected ${expected[worst]} (|diff| ${worstDiff.toExponential(2)} > atol ${atol})`);
  }
}

/** The largest absolute difference, for negative controls ("a wrong order is off by at least ..."). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}
