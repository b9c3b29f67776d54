// expectClose: every entry within atol + rtol·|expected|; the failure names the index, both values and the tolerance.
import { expect } from 'vitest';

export interface Tolerance {
  readonly atol?: number;
  readonly rtol?: number;
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, { atol = 0, rtol = 0 }: Tolerance, what = 'value'): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    const limit = atol + rtol * Math.abs(e);
    if (!(Math.abs(a - e) <= limit)) {
      throw new Error(`${what}[${i}]: ${a} vs expected ${e} (|diff| ${Math.abs(a - e)} > atol ${atol} + rtol ${rtol}·|expected|)`);
    }
  }
}
