// gradientFlow: ‖∂h_T/∂h_t‖ through time; the identity at t = T, both regimes, determinism, the text forms.
import { describe, expect, it } from 'vitest';
import { loadCell } from '../../src/index.js';
import { gradientFlow, gradientFlowCsv, gradientFlowTable, spectralNorm } from '../../src/engine/gradflow.js';
import { expectClose } from '../expect.js';

describe('spectralNorm', () => {
  it('spectralNorm(diag(3, -1)) is 3 and of 2·rotation is 2', () => {
    expectClose([spectralNorm(Float64Array.from([3, 0, 0, -1]), 2)], [3], { rtol: 1e-10 });
    const c = Math.cos(0.3), s = Math.sin(0.3);
    expectClose([spectralNorm(Float64Array.from([2 * c, -2 * s, 2 * s, 2 * c]), 2)], [2], { rtol: 1e-10 });
  });
  it('spectralNorm of [[1, 2], [3, 4]] is its largest singular value 5.4649857…', () => {
    expectClose([spectralNorm(Float64Array.from([1, 2, 3, 4]), 2)], [5.464985704219043], { rtol: 1e-9 });
  });
});

describe('gradientFlow', () => {
  const small = { steps: 12, hidden: 6, samples: 3, seed: 2 };

  it('∂h_T/∂h_T is the identity: spectral 1, Frobenius √H', () => {
    const f = gradientFlow(loadCell('gru'), small);
    expect(f.spectral.length).toBe(13);
    expectClose([f.spectral[12]!, f.frobenius[12]!], [1, Math.sqrt(6)], { rtol: 1e-9 });
  });

  it('rnn with recurrent init 0.5 vanishes and with init 4 explodes', () => {
    const low = gradientFlow(loadCell('rnn'), { ...small, init: 0.5 });
    const high = gradientFlow(loadCell('rnn'), { ...small, init: 4 });
    expect(low.spectral[0]!).toBeLessThan(1e-3);
    expect(high.spectral[0]!).toBeGreaterThan(1e2);
  });

  it('lstm differentiates h (its last state) and the same seed gives the same CSV bytes', () => {
    const a = gradientFlow(loadCell('lstm'), small);
    const b = gradientFlow(loadCell('lstm'), small);
    expect(a.state).toBe('h');
    expect(gradientFlowCsv([a])).toBe(gradientFlowCsv([b]));
  });

  it('CSV has t, steps back and both norms per cell; the table shows the chosen norm', () => {
    const flows = ['rnn', 'gru'].map((c) => gradientFlow(loadCell(c), { steps: 2, hidden: 2, samples: 1, seed: 1 }));
    const csv = gradientFlowCsv(flows).split('\n');
    expect(csv[0]).toBe('t,steps_back,rnn_spectral,gru_spectral,rnn_frobenius,gru_frobenius');
    expect(csv[3]).toBe('2,0,1.0000e+0,1.0000e+0,1.4142e+0,1.4142e+0');
    const table = gradientFlowTable(flows).split('\n');
    expect(table[0]).toBe('t  T−t        rnn        gru');
    expect(table[3]).toBe('2    0  1.0000e+0  1.0000e+0');
  });

  it('a label names the columns (several inits in one CSV)', () => {
    const flows = [0.5, 4].map((init) => gradientFlow(loadCell('rnn'), { steps: 1, hidden: 2, samples: 1, init, label: `rnn, init ${init}` }));
    expect(gradientFlowCsv(flows).split('\n')[0]).toBe('t,steps_back,rnn_init_0.5_spectral,rnn_init_4_spectral,rnn_init_0.5_frobenius,rnn_init_4_frobenius');
    expect(gradientFlowTable(flows).split('\n')[0]).toBe('t  T−t  rnn, init 0.5  rnn, init 4');
  });

  it('errors name the option or the state', () => {
    expect(() => gradientFlow(loadCell('rnn'), { steps: 0 })).toThrow('steps must be a positive integer, found 0');
    expect(() => gradientFlow(loadCell('rnn'), { init: Number.NaN })).toThrow('init must be a non-negative number, found NaN');
    expect(() => gradientFlow(loadCell('lstm'), { state: 'q' })).toThrow("cell 'lstm' has no state 'q' (its states: c, h)");
    expect(() => gradientFlow(loadCell('vae-reparam'))).toThrow("cell 'vae-reparam' has no state, so no gradient flows through time");
  });
});
