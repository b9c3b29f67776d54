import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { createRandom } from '../src/random.js';

describe('createRandom', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    const a = createRandom(7);
    const b = createRandom(7);
    const c = createRandom(8);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
  });

  it('has the moments of U(0,1) and N(0,1) (10^5 draws, tolerance 0.01)', () => {
    const r = createRandom(1);
    const n = 100_000;
    let su = 0, suu = 0, sn = 0, snn = 0;
    // Every draw is checked; one expect for all of them (an expect per draw cost seconds of CPU).
    const outside: number[] = [];
    for (let i = 0; i < n; i++) {
      const u = r.next();
      if (!(u >= 0 && u < 1)) outside.push(u);
      su += u; suu += u * u;
      const z = r.normal();
      sn += z; snn += z * z;
    }
    expect(outside, 'draws outside [0, 1)').toEqual([]);
    expect(Math.abs(su / n - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(suu / n - 1 / 3)).toBeLessThan(0.01);
    expect(Math.abs(sn / n)).toBeLessThan(0.01);
    expect(Math.abs(snn / n - 1)).toBeLessThan(0.01);
  });

  it('rejects a non-integer seed as the user\'s input error', () => {
    expect(() => createRandom(1.5)).toThrow(InputError);
    expect(() => createRandom(1.5)).toThrow('seed must be an integer, got 1.5');
  });

  it('shuffles into a permutation, reproducibly', () => {
    const p = createRandom(3).shuffle([0, 1, 2, 3, 4, 5, 6, 7]);
    expect([...p].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(createRandom(3).shuffle([0, 1, 2, 3, 4, 5, 6, 7])).toEqual(p);
  });
});
