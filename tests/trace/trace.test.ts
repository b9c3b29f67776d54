// trace(): sizes, weights (seeded init and checks), inputs, initial states, noise, and the
// errors a user meets, each asserted with its full message.
import { describe, expect, it } from 'vitest';
import { loadCell, parseCell } from '../../src/index.js';
import { checkWeights, initWeights, toAnnotation, trace, weightsToJson } from '../../src/trace/index.js';
import { ShapeError, InputError } from '../../src/errors.js';
import { decodeWeightsJson } from '../../src/io/inputs.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { expectClose } from '../expect.js';

const gru = loadCell('gru');
const rnn = loadCell('rnn');

describe('initWeights', () => {
  it('draws every parameter in U(-1/√hidden, 1/√hidden), the same for the same seed', () => {
    const a = initWeights(gru, { input: 2, hidden: 4 }, 7);
    const b = initWeights(gru, { input: 2, hidden: 4 }, 7);
    expect([...a.keys()]).toEqual(['W_ir', 'b_ir', 'W_hr', 'b_hr', 'W_iz', 'b_iz', 'W_hz', 'b_hz', 'W_in', 'b_in', 'W_hn', 'b_hn']);
    expect(a.get('W_ir')!.shape).toEqual([4, 2]);
    expect(a.get('W_hn')!.shape).toEqual([4, 4]);
    const all = [...a.values()].flatMap((t) => Array.from(t.data));
    expect(all).toHaveLength(3 * (4 * 2 + 4 * 4 + 4 + 4));
    expect(Math.max(...all.map(Math.abs))).toBeLessThanOrEqual(0.5);
    expect(Math.max(...all.map(Math.abs))).toBeGreaterThan(0.45); // 120 draws reach close to the bound
    expect([...b.values()].flatMap((t) => Array.from(t.data))).toEqual(all);
    expect(Array.from(initWeights(gru, { input: 2, hidden: 4 }, 8).get('W_ir')!.data)).not.toEqual(Array.from(a.get('W_ir')!.data));
  });

  it('trace without weights uses the seeded draw and returns it', () => {
    const result = trace(gru, undefined, [[1, 0]], { sizes: { hidden: 4 }, seed: 7 });
    expect(Array.from(result.weights.get('W_hr')!.data)).toEqual(Array.from(initWeights(gru, { input: 2, hidden: 4 }, 7).get('W_hr')!.data));
    // Tracing again with the saved weights gives the same numbers.
    expect(trace(gru, result.weights, [[1, 0]]).steps).toEqual(result.steps);
  });

  it('saved weights read back (JSON and safetensors F64) give the same trace', () => {
    const result = trace(gru, undefined, [[1, 0], [0.5, 2]], { sizes: { hidden: 3 }, seed: 9 });
    const fromJson = decodeWeightsJson(weightsToJson(result.weights), 'w.json');
    expect(trace(gru, fromJson, [[1, 0], [0.5, 2]]).steps).toEqual(result.steps);
    const fromSafetensors = decodeSafetensors(encodeSafetensors([...result.weights]), 'w.safetensors').tensors;
    expect(trace(gru, fromSafetensors, [[1, 0], [0.5, 2]]).steps).toEqual(result.steps);
  });

  it('weightsToJson writes a matrix row per line at full precision', () => {
    const json = weightsToJson(new Map([['W', { shape: [2, 2], data: Float64Array.of(0.1, -2, 3, 1 / 3) }], ['b', { shape: [2], data: Float64Array.of(0, 1) }]]));
    expect(json).toBe('{\n  "W": [\n    [0.1, -2],\n    [3, 0.3333333333333333]\n  ],\n  "b": [0, 1]\n}\n');
  });
});

describe('checkWeights: names and shapes', () => {
  const sizes = { input: 2, hidden: 3 };
  const good = () => new Map(initWeights(rnn, sizes, 1));

  it('a weight with the wrong shape names it, both shapes and the symbolic shape', () => {
    const w = good();
    w.set('W_ih', { shape: [2, 3], data: new Float64Array(6) });
    const error = (() => {
      try {
        checkWeights(rnn, sizes, w, 'w.json');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(ShapeError);
    expect(error!.message).toBe("w.json: tensor 'W_ih' has shape [2, 3], expected [3, 2] ([hidden, input])");
  });

  it('a missing parameter is named with its shape', () => {
    const w = good();
    w.delete('b_hh');
    expect(() => checkWeights(rnn, sizes, w, 'w.json')).toThrow("w.json: missing parameter 'b_hh' [3] of cell 'rnn'");
  });

  it('an unknown extra tensor is named, with the parameters the cell has', () => {
    const w = good();
    w.set('W_xx', { shape: [1], data: new Float64Array(1) });
    expect(() => checkWeights(rnn, sizes, w, 'w.json')).toThrow("w.json: unknown tensor 'W_xx'; cell 'rnn' has parameters W_ih, b_ih, W_hh, b_hh");
  });

  it('a non-finite weight is located', () => {
    const w = good();
    w.set('W_hh', { shape: [3, 3], data: Float64Array.of(0, 0, 0, 0, 0, NaN, 0, 0, 0) });
    expect(() => checkWeights(rnn, sizes, w, 'w.json')).toThrow("w.json: weight 'W_hh' has a non-finite value (NaN) at [1, 2]");
  });

  it('trace takes the sizes from the weights, and --hidden that disagrees is a shape error', () => {
    const w = good();
    expect(trace(rnn, w, [[1, 2]]).sizes).toEqual({ input: 2, hidden: 3, batch: 1 });
    expect(() => trace(rnn, w, [[1, 2]], { sizes: { hidden: 4 } })).toThrow("weights: tensor 'W_ih' has shape [3, 2], expected [4, 2] ([hidden, input])");
  });
});

describe('trace: inputs and states', () => {
  const w = initWeights(rnn, { input: 2, hidden: 3 }, 1);

  it('wrong number of features for the input size fixed by the weights', () => {
    expect(() => trace(rnn, w, [[1, 2, 3]], { inputName: 'seq.json' })).toThrow(
      "seq.json: each step has 3 features, but cell 'rnn' takes 2 (x: input = 2 (weight 'W_ih' is [3, 2]))",
    );
  });

  it('NaN or infinity in the input', () => {
    expect(() => trace(rnn, w, [[1, 2], [NaN, 0]], { inputName: 'seq.json' })).toThrow('seq.json: step 1, feature 0 is NaN; inputs must be finite numbers');
    expect(() => trace(rnn, w, [[[1, 2]], [[0, Infinity]]])).toThrow('input: step 1, batch element 0, feature 1 is Infinity; inputs must be finite numbers');
  });

  it('a ragged sequence', () => {
    expect(() => trace(rnn, w, [[1, 2], [3]], { inputName: 'seq.json' })).toThrow('seq.json: step 1 has 1 features, expected 2 (as step 0)');
  });

  it('a sequence longer than the limit, which the user can raise', () => {
    const long = Array.from({ length: 12 }, () => [0, 1]);
    expect(() => trace(rnn, w, long, { maxSteps: 10, inputName: 'seq.csv' })).toThrow(
      'seq.csv: the sequence has 12 steps, more than the limit of 10 (raise it with --max-steps)',
    );
    expect(trace(rnn, w, long, { maxSteps: 12 }).steps).toHaveLength(12);
  });

  it('an empty sequence', () => {
    expect(() => trace(rnn, w, [])).toThrow('input: the sequence has no steps');
  });

  it('initial states: a vector for every batch element, or one row each', () => {
    const shared = trace(rnn, w, [[[1, 0], [1, 0]]], { initial: { h: [0.5, -0.5, 0.25] } });
    expect(shared.steps[0].nodes.h_prev).toEqual([[0.5, -0.5, 0.25], [0.5, -0.5, 0.25]]);
    expect(shared.steps[0].values.h[0]).toEqual(shared.steps[0].values.h[1]);
    const rows = trace(rnn, w, [[[1, 0], [1, 0]]], { initial: { h: [[0, 0, 0], [1, 1, 1]] } });
    expect(rows.steps[0].values.h[0]).not.toEqual(rows.steps[0].values.h[1]);
    expect(() => trace(rnn, w, [[1, 0]], { initial: { h: [1, 2] } })).toThrow("initial state: tensor 'h0' has shape [2], expected [3]");
    expect(() => trace(rnn, w, [[1, 0]], { initial: { c: [1, 2, 3] } })).toThrow("initial value for 'c', which is not a state of cell 'rnn' (states: h)");
  });

  it('a missing size says what to give', () => {
    expect(() => trace(gru, undefined, [[1, 0]])).toThrow("cell 'gru' needs a size for 'hidden' (give --hidden N / options.sizes, or weights)");
    const readout = parseCell('input: x\nstate: h\nparam W_y: [out, hidden]\nh = tanh(W_ih x + W_hh h_prev)\ny = W_y h', { file: 'readout.cell' });
    expect(() => trace(readout, undefined, [[1, 0]], { sizes: { hidden: 2 } })).toThrow("cell 'readout' needs a size for 'out' (give --size out=N / options.sizes, or weights)");
    expect(trace(readout, undefined, [[1, 0]], { sizes: { hidden: 2, out: 3 } }).steps[0].values.y[0]).toHaveLength(3);
  });

  it('each step feeds the next: h at t is h_prev at t+1, and final is the last h', () => {
    const result = trace(rnn, w, [[1, 0], [0, 1], [1, 1]]);
    expect(result.steps[1].nodes.h_prev).toEqual(result.steps[0].values.h);
    expect(result.steps[2].nodes.h_prev).toEqual(result.steps[1].values.h);
    expect(result.final.h).toEqual(result.steps[2].values.h);
    expect(Object.keys(result.steps[0].nodes)).toEqual(['x', 'h_prev', 'h.matmul.0', 'h.add.0', 'h.matmul.1', 'h.add.1', 'h.add.2', 'h']);
  });
});

describe('noise inputs (vae-reparam)', () => {
  const vae = loadCell('vae-reparam');
  const inputs = [[0.5, -1, 0, 0.2], [1, 1, -0.4, 0]]; // mu (2) then logvar (2) per step

  it('eps comes from the seed: z = mu + exp(logvar / 2) ⊙ eps, the same for the same seed', () => {
    const a = trace(vae, undefined, inputs, { seed: 3 });
    expect(a.sizes).toEqual({ latent: 2, batch: 1 });
    expect(Object.keys(a.steps[0].nodes)).toEqual(['mu', 'logvar', 'eps', 'std.div.0', 'std', 'z.mul.0', 'z']);
    expect(a.steps[0].nodes.mu).toEqual([[0.5, -1]]);
    expect(a.steps[0].nodes.logvar).toEqual([[0, 0.2]]);
    for (const step of a.steps) {
      const { mu, logvar, eps, z } = step.nodes;
      const expected = mu[0].map((m, i) => m + Math.exp(logvar[0][i] / 2) * eps[0][i]);
      expectClose(z[0], expected, 1e-15, 'z');
    }
    expect(a.steps[0].nodes.eps).not.toEqual(a.steps[1].nodes.eps);
    expect(trace(vae, undefined, inputs, { seed: 3 }).steps).toEqual(a.steps);
    expect(trace(vae, undefined, inputs, { seed: 4 }).steps[0].nodes.eps).not.toEqual(a.steps[0].nodes.eps);
  });

  it('an odd feature count cannot be split over mu and logvar', () => {
    expect(() => trace(vae, undefined, [[1, 2, 3]])).toThrow("input: each step has 3 features, which cannot be split over cell 'vae-reparam''s inputs mu, logvar");
  });
});

describe('toAnnotation', () => {
  const result = trace(rnn, initWeights(rnn, { input: 2, hidden: 3 }, 1), [[[1, 0], [0, 2]], [[0, 1], [3, 0]], [[-1, 0], [0, 0]]]);

  it('gives step t and t-1 of batch element 0 by node id, and the largest magnitude', () => {
    const a = toAnnotation(result, 2);
    expect(a.steps.map((s) => s.t)).toEqual([1, 2]);
    expect(a.steps[1].values.get('h')).toEqual(result.steps[2].values.h[0]);
    expect(a.steps[0].values.get('h.matmul.0')).toEqual(result.steps[1].nodes['h.matmul.0'][0]);
    expect(a.maxAbs).toBe(Math.max(...a.steps.flatMap((s) => [...s.values.values()].flat().map(Math.abs))));
    expect(a.maxAbs).toBe(1); // x = [0, 1] and [-1, 0] of batch element 0
    expect(toAnnotation(result, 0).steps.map((s) => s.t)).toEqual([0]);
    expect(toAnnotation(result, 1, 1).steps[1].values.get('x')).toEqual([3, 0]);
  });

  it('a step outside the trace', () => {
    expect(() => toAnnotation(result, 3)).toThrow(InputError);
    expect(() => toAnnotation(result, 3)).toThrow('--step 3 is outside the trace (steps 0 to 2)');
    expect(() => toAnnotation(result, 1, 2)).toThrow('--batch-element 2 is outside the batch (elements 0 to 1)');
  });
});
