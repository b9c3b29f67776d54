// Misspelt states: an undeclared name is a parameter, so `h_prv` parses and silently drops the
// recurrence. lintCell names the likely meant state; a shape error caused by one says so too.
import { describe, expect, it } from 'vitest';
import { lintCell, parseCell } from '../../src/cell/index.js';
import { editDistance } from '../../src/cell/lint.js';
import { generateCell } from '../diagram/random-cells.js';
import { cellNamed, fixtureCell, FIXTURE_CELLS, SHIPPED } from '../diagram/helpers.js';

const gru = (update: string, gate = 'z = σ(W x + U h_prev)') => `cell: g\ninput: x\nstate: h\n${gate}\nh = ${update}\n`;

describe('lintCell', () => {
  it('editDistance counts insertions, deletions, substitutions and swaps of neighbours', () => {
    expect([editDistance('kitten', 'sitting'), editDistance('h_prev', 'h_prv'), editDistance('c_prev', 'c_perv'), editDistance('', 'abc'), editDistance('W', 'W')]).toEqual([3, 1, 1, 3, 0]);
  });

  it('names the state a misspelt name was probably meant to be, at its first use', () => {
    const cases: [string, string][] = [
      ['z ⊙ h_prv + (1 - z) ⊙ tanh(V x)', "g.cell:5:9: 'h_prv' is not a state or input, so it is read as a learned parameter; did you mean 'h_prev'?"],
      ['z ⊙ hPrev + (1 - z) ⊙ tanh(V x)', "g.cell:5:9: 'hPrev' is not a state or input, so it is read as a learned parameter; did you mean 'h_prev'?"],
      ['z ⊙ h_perv + (1 - z) ⊙ tanh(V x)', "g.cell:5:9: 'h_perv' is not a state or input, so it is read as a learned parameter; did you mean 'h_prev'?"],
    ];
    for (const [update, warning] of cases) expect(lintCell(parseCell(gru(update), { file: 'g.cell' }))).toEqual([warning]);
  });

  it('says nothing about short names one letter apart (W, V, U), nor about any shipped, test or generated cell', () => {
    expect(lintCell(parseCell(gru('z ⊙ h_prev + (1 - z) ⊙ tanh(V x + b)'), { file: 'g.cell' }))).toEqual([]);
    for (const name of SHIPPED) expect(lintCell(cellNamed(name)), name).toEqual([]);
    for (const file of FIXTURE_CELLS) expect(lintCell(fixtureCell(file)), file).toEqual([]);
    for (let seed = 1; seed <= 100; seed++) expect(lintCell(parseCell(generateCell(seed).text, { file: `seed ${seed}` })), `seed ${seed}`).toEqual([]);
  }, 60_000);

  it('a shape that cannot be inferred because of a misspelt state names the misspelling', () => {
    expect(() => parseCell(gru('z ⊙ h_prev + (1 - z) ⊙ tanh(V x)', 'z = σ(W x + U hprev)'), { file: 'g.cell' })).toThrow(
      "g.cell:4:13: cannot infer the shape of parameter 'U' (known: [hidden, ?]); declare it with 'param U: [rows, cols]' or use it beside a value of known shape (is 'hprev' a misspelling of 'h_prev'? an undeclared name is read as a parameter)",
    );
  });
});
