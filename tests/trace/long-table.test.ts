// A valid input that overflowed the call stack (issue 12): the table of a 10,000-step trace
// was sized with Math.max(...every cell), 170,000 arguments here.
import { describe, expect, it } from 'vitest';
import { loadCell } from '../../src/index.js';
import { formatTable, trace } from '../../src/trace/index.js';

describe('formatTable on a long trace', () => {
  it('formats 10,000 steps of a 16-unit rnn; the last h is the fixed-point iteration computed here', () => {
    const H = 16;
    // h_t = tanh(0.5 x + 0.25 h_{t-1}) in every unit (W_hh diagonal), with x = 1 at every step.
    const W_hh = Array.from({ length: H }, (_, i) => Array.from({ length: H }, (_, j) => (i === j ? 0.25 : 0)));
    const weights = { W_ih: Array.from({ length: H }, () => [0.5]), b_ih: new Array(H).fill(0), W_hh, b_hh: new Array(H).fill(0) };
    const table = formatTable(trace(loadCell('rnn'), weights, Array.from({ length: 10_000 }, () => [1])));
    let h = 0;
    for (let t = 0; t < 10_000; t++) h = Math.tanh(0.5 + 0.25 * h);
    const lines = table.split('\n');
    // Two header lines, x and h per step, a blank line between steps, and the final newline.
    expect(lines.length).toBe(2 + 2 * 10_000 + 9_999 + 1);
    // toFixed(4) rounds both sides the same way: the tolerance is the table's 4 digits.
    expect(lines[lines.length - 2]!.trim().split(/\s+/)).toEqual(['h', ...new Array(H).fill(h.toFixed(4))]);
  }, 60_000);
});
