import { describe, expect, it } from 'vitest';
import { errorOf, expectClose, maxAbsDiff } from './expect.js';

describe('test helpers', () => {
  it('expectClose passes within atol + rtol·|expected| and names the worst entry otherwise', () => {
    expectClose([1, 2.0000005], [1, 2], 1e-6);
    expectClose([100.0005], [100], { rtol: 1e-5 });
    expect(() => expectClose([1, 2.1, 3.5], [1, 2, 3], 0.05)).toThrow('value[2] = 3.5, expected 3 (|diff| 5.00e-1 > atol 0.05 + rtol 0·|expected|)');
    expect(() => expectClose([NaN], [0], 1)).toThrow('value[0] = NaN');
    expect(() => expectClose([1], [1, 2], 1)).toThrow('value: length');
  });

  it('maxAbsDiff and errorOf', () => {
    expect(maxAbsDiff([1, 5], [2, 2])).toBe(3);
    expect(errorOf(() => { throw new RangeError('bad'); }).message).toBe('bad');
    expect(() => errorOf(() => 1)).toThrow('expected an error');
  });
});
