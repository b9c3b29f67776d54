// Memory maps (‖∂h_t/∂x_s‖) from one reverse pass, checked against central differences of the
// engine's forward path (no tape), and against what a memoryless cell must give.
import { describe, expect, it } from 'vitest';
import { loadCell } from '../../src/index.js';
import { memoryByLag, memoryMap, normalInputs } from '../../src/experiments/index.js';
import { anomaly } from '../../src/train/index.js';
import { createRandom } from '../../src/random.js';
import { errorOf, expectClose } from '../expect.js';

/** ‖∂h_t/∂x_s‖_F for one sequence by central differences (h = 1e-6) through compiled.forward. */
function finiteDifferenceMap(cellName: string, hidden: number, xs: Float64Array, T: number, I: number): Float64Array {
  const predictor = anomaly.createPredictor(loadCell(cellName), I, hidden, createRandom(1).fork());
  const params = predictor.params.filter((p) => predictor.compiled.params.some((q) => q.name === p.name));
  const run = (x: Float64Array) => predictor.compiled.forward(params, { inputs: { x: { shape: [T, 1, I], data: x } } }).states.h!.data;
  const squares = new Float64Array(T * T);
  const step = 1e-6;
  for (let s = 0; s < T; s++) {
    for (let i = 0; i < I; i++) {
      const up = xs.slice();
      const down = xs.slice();
      up[s * I + i]! += step;
      down[s * I + i]! -= step;
      const [a, b] = [run(up), run(down)];
      for (let t = 0; t < T; t++) for (let u = 0; u < hidden; u++) squares[t * T + s] += ((a[t * hidden + u]! - b[t * hidden + u]!) / (2 * step)) ** 2;
    }
  }
  return squares.map(Math.sqrt);
}

describe('memoryMap', () => {
  it.each(['rnn', 'gru', 'lstm'])('memoryMap(%s) matches central differences of the forward path (T 6, hidden 3, input 2; atol 1e-7)', (name) => {
    const inputs = normalInputs(6, 1, 2, 5);
    const map = memoryMap(loadCell(name), { hidden: 3, inputs, seed: 1 });
    expectClose(map.norms, finiteDifferenceMap(name, 3, inputs.data as Float64Array, 6, 2), { atol: 1e-7 });
    expect(map.state).toBe('h');
  });

  it('averages the norms over the input sequences (two sequences = mean of each alone, atol 1e-12)', () => {
    const both = normalInputs(5, 2, 1, 8);
    const one = (k: number) => ({ shape: [5, 1, 1], data: Float64Array.from({ length: 5 }, (_, t) => both.data[t * 2 + k]!) });
    const mean = memoryMap(loadCell('gru'), { hidden: 3, inputs: both }).norms;
    const [a, b] = [0, 1].map((k) => memoryMap(loadCell('gru'), { hidden: 3, inputs: one(k) }).norms);
    expectClose(mean, a!.map((v, i) => (v + b![i]!) / 2), { atol: 1e-12 });
  });

  it('a memoryless cell depends only on the current input: every s < t is exactly 0, the diagonal is not', () => {
    const map = memoryMap(loadCell('tests/experiments/cells/memoryless.cell'), { hidden: 4, inputs: normalInputs(7, 2, 1, 3) });
    const lag = memoryByLag(map);
    expect(lag[0]!).toBeGreaterThan(0.01);
    expect(Array.from(lag.subarray(1))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('refuses a map too large for memory before building it (T 30, 4 samples, hidden 100: 30 · 12,000 rows · 100)', () => {
    expect(errorOf(() => memoryMap(loadCell('rnn'), { hidden: 100, inputs: normalInputs(30, 4, 1, 1) })).message).toBe(
      "the memory map of cell 'rnn' at T = 30, 4 samples and state size 100 would hold 36.0 million values per node on the tape (at most 16 million); lower --samples or --steps",
    );
  });

  it('refuses saved weights of the wrong shape with the parameter named', () => {
    const weights = { W_ih: { shape: [2, 1], data: [0, 0] } };
    expect(errorOf(() => memoryMap(loadCell('rnn'), { hidden: 3, inputs: normalInputs(3, 1, 1, 1), weights })).message).toBe(
      "the saved parameter 'W_ih' of cell 'rnn' has shape [2, 1], expected [3, 1]",
    );
  });
});
