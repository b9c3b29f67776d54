// The evaluator against hand-computed steps and against independent references on random
// weights, with negative controls: a wrong gate order or the wrong GRU reset form must be
// far outside the tolerance, so these tests would catch it (the ONNX backend cases cannot).
import { describe, expect, it } from 'vitest';
import { loadCell } from '../../src/index.js';
import { decodeOnnx, encodeOnnxModel } from '../../src/io/onnx.js';
import { fromOnnx, inspectOnnx, trace } from '../../src/trace/index.js';
import { expectClose, maxAbsDiff } from '../expect.js';
import { block, blockV, filler, onnxGru, onnxLstm, type Mat, type Vec } from './reference.js';

const ATOL = 1e-12;

describe('hand-computed single steps (H = 1, I = 1)', () => {
  const gruWeights = {
    W_ir: [[0.5]], b_ir: [0], W_hr: [[-1]], b_hr: [0.1],
    W_iz: [[1]], b_iz: [0.2], W_hz: [[0.5]], b_hz: [0],
    W_in: [[2]], b_in: [-0.1], W_hn: [[1.5]], b_hn: [0.3],
  };
  // x = 1, h_prev = 0.4:
  //   r = σ(0.5 − 0.4 + 0.1) = σ(0.2) = 0.549833997312478
  //   z = σ(1 + 0.2 + 0.2) = σ(1.4) = 0.8021838885585817
  //   gru:     n = tanh(1.9 + r·(1.5·0.4 + 0.3)) = 0.9835072531153881, h = (1 − z)·n + z·0.4 = 0.5154271358091496
  //   gru-cho: n = tanh(1.9 + 1.5·(r·0.4) + 0.3) = 0.9873864088497103, h = 0.5161944953121889
  it('gru applies the reset after the recurrent matmul (PyTorch)', () => {
    const result = trace(loadCell('gru'), gruWeights, [[1]], { initial: { h: [0.4] } });
    const v = result.steps[0].values;
    expectClose([v.r[0][0], v.z[0][0], v.n[0][0], v.h[0][0]], [0.549833997312478, 0.8021838885585817, 0.9835072531153881, 0.5154271358091496], ATOL, 'gru r,z,n,h');
  });

  it('gru-cho applies the reset before it (Cho et al.), and the two forms differ', () => {
    const result = trace(loadCell('gru-cho'), gruWeights, [[1]], { initial: { h: [0.4] } });
    const v = result.steps[0].values;
    expectClose([v.n[0][0], v.h[0][0]], [0.9873864088497103, 0.5161944953121889], ATOL, 'gru-cho n,h');
    expect(Math.abs(v.n[0][0] - 0.9835072531153881)).toBeGreaterThan(1e-3);
  });

  // lstm-peephole, x = 1, h_prev = 0, c_prev = 0.5:
  //   i = σ(0.5 + 0.2·0.5) = 0.6456563062257954;  f = σ(−0.3 + 1 − 0.4·0.5) = 0.6224593312018546
  //   g = tanh(1 − 0.2) = 0.6640367702678491;      c = f·0.5 + i·g = 0.7399691938901738
  //   o = σ(0.7 + 0.6·c) (the NEW c) = 0.7584099000148263;  h = o·tanh(c) = 0.47713580291885405
  //   (an output gate peeking at c_prev would give h = 0.45992836049282126)
  it('lstm-peephole: i and f peek at c_prev, o at the new c', () => {
    const z = [[0]];
    const weights = {
      W_ii: [[0.5]], b_ii: [0], W_hi: z, b_hi: [0], p_i: [0.2],
      W_if: [[-0.3]], b_if: [1], W_hf: z, b_hf: [0], p_f: [-0.4],
      W_ig: [[1]], b_ig: [-0.2], W_hg: z, b_hg: [0],
      W_io: [[0.7]], b_io: [0], W_ho: z, b_ho: [0], p_o: [0.6],
    };
    const result = trace(loadCell('lstm-peephole'), weights, [[1]], { initial: { c: [0.5] } });
    const v = result.steps[0].values;
    expectClose(
      [v.i[0][0], v.f[0][0], v.g[0][0], v.c[0][0], v.o[0][0], v.h[0][0]],
      [0.6456563062257954, 0.6224593312018546, 0.6640367702678491, 0.7399691938901738, 0.7584099000148263, 0.47713580291885405],
      ATOL,
      'lstm-peephole i,f,g,c,o,h',
    );
    expect(Math.abs(v.h[0][0] - 0.45992836049282126)).toBeGreaterThan(1e-2);
  });
});

/** An ONNX model with random W, R, B (and P), through the importer and the evaluator. */
function onnxCase(op: 'GRU' | 'LSTM', options: { lbr?: 0 | 1; peepholes?: boolean; seed: number }) {
  const H = 3;
  const I = 2;
  const T = 6;
  const G = op === 'GRU' ? 3 : 4;
  const fill = filler(options.seed);
  const W = fill.mat(G * H, I);
  const R = fill.mat(G * H, H);
  const B = fill.vec(2 * G * H, 0.5);
  const P = options.peepholes ? fill.vec(3 * H) : undefined;
  const X = [fill.mat(T, I, 2), fill.mat(T, I, 2)]; // two batch elements, [N][T][I]
  const initializers: Record<string, { dims: number[]; data: number[] }> = {
    W: { dims: [1, G * H, I], data: W.flat() },
    R: { dims: [1, G * H, H], data: R.flat() },
    B: { dims: [1, 2 * G * H], data: B },
  };
  if (P) initializers.P = { dims: [1, 3 * H], data: P };
  const inputs = ['X', 'W', 'R', 'B', '', '', '', ...(P ? ['P'] : [])];
  const attributes: Record<string, number> = { hidden_size: H };
  if (options.lbr !== undefined) attributes.linear_before_reset = options.lbr;
  const model = decodeOnnx(encodeOnnxModel({ node: { opType: op, inputs, outputs: ['Y', 'Y_h'], attributes }, initializers, graphInputs: ['X'] }), 'random.onnx');
  const info = inspectOnnx(model);
  const cell = loadCell(info.cell);
  const { weights } = fromOnnx(model, cell);
  const sequence = Array.from({ length: T }, (_, t) => X.map((xs) => xs[t]));
  return { info, result: trace(cell, weights, sequence), W, R, B, P, X, H };
}

/** Swap gate blocks of stacked weights (for negative controls). */
function permute(m: Mat, order: number[], H: number): Mat {
  return order.flatMap((k) => block(m, k, H));
}
function permuteV(v: Vec, order: number[], H: number): Vec {
  return order.flatMap((k) => blockV(v, k, H));
}

describe('random ONNX weights against the reference equations (T = 6, batch 2, H = 3)', () => {
  for (const lbr of [0, 1] as const) {
    it(`GRU linear_before_reset=${lbr} → ${lbr ? 'gru' : 'gru-cho'}, every step, every batch element`, () => {
      const { info, result, W, R, B, X, H } = onnxCase('GRU', { lbr, seed: 11 + lbr });
      expect(info.cell).toBe(lbr ? 'gru' : 'gru-cho');
      X.forEach((xs, n) => {
        const expected = onnxGru(xs, W, R, B, H, lbr === 1);
        expectClose(result.steps.flatMap((s) => s.values.h[n]), expected.flat(), ATOL, `h (batch ${n})`);
        // Negative controls: the other reset form, and z/r read in PyTorch's r,z order.
        expect(maxAbsDiff(result.steps.flatMap((s) => s.values.h[n]), onnxGru(xs, W, R, B, H, lbr === 0).flat())).toBeGreaterThan(1e-3);
        const swapped = onnxGru(xs, permute(W, [1, 0, 2], H), permute(R, [1, 0, 2], H), permuteV(B, [1, 0, 2, 4, 3, 5], H), H, lbr === 1);
        expect(maxAbsDiff(result.steps.flatMap((s) => s.values.h[n]), swapped.flat())).toBeGreaterThan(1e-2);
      });
    });
  }

  for (const peepholes of [false, true]) {
    it(`LSTM${peepholes ? ' with P → lstm-peephole' : ' → lstm'}: h and c at every step`, () => {
      const { info, result, W, R, B, P, X, H } = onnxCase('LSTM', { peepholes, seed: 21 + Number(peepholes) });
      expect(info.cell).toBe(peepholes ? 'lstm-peephole' : 'lstm');
      X.forEach((xs, n) => {
        const expected = onnxLstm(xs, W, R, B, P, H);
        expectClose(result.steps.flatMap((s) => s.values.h[n]), expected.flatMap((e) => e.h), ATOL, `h (batch ${n})`);
        expectClose(result.steps.flatMap((s) => s.values.c[n]), expected.flatMap((e) => e.c), ATOL, `c (batch ${n})`);
        expectClose(result.final.c[n], expected[expected.length - 1].c, ATOL, `final c (batch ${n})`);
        // Negative control: the blocks read in PyTorch's i,f,g,o order instead of ONNX's i,o,f,c.
        const misread = onnxLstm(xs, permute(W, [0, 2, 3, 1], H), permute(R, [0, 2, 3, 1], H), permuteV(B, [0, 2, 3, 1, 4, 6, 7, 5], H), P, H);
        expect(maxAbsDiff(result.steps.flatMap((s) => s.values.h[n]), misread.flatMap((e) => e.h))).toBeGreaterThan(1e-2);
        if (P) {
          const wrongP = onnxLstm(xs, W, R, B, permuteV(P, [0, 2, 1], H), H);
          expect(maxAbsDiff(result.steps.flatMap((s) => s.values.h[n]), wrongP.flatMap((e) => e.h))).toBeGreaterThan(1e-3);
        }
      });
    });
  }
});
