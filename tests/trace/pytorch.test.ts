// PyTorch state_dicts end to end: written as safetensors (F32, as torch saves them),
// decoded, mapped onto the cell by the chunk-order table, traced, and compared with
// PyTorch's own equations. A wrong chunk order must fail (negative controls).
import { describe, expect, it } from 'vitest';
import { loadCell } from '../../src/index.js';
import { decodeWeightsJson } from '../../src/io/inputs.js';
import { decodeOnnx, encodeOnnxModel } from '../../src/io/onnx.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { fromNamedTensors, fromOnnx, fromPyTorch, toPyTorch, trace } from '../../src/trace/index.js';
import { expectClose, maxAbsDiff } from '../expect.js';
import { block, blockV, filler, torchGru, torchLstm, torchRnn, type Mat } from './reference.js';

const ATOL = 1e-12;
const H = 3;
const I = 2;

function stateDict(G: number, seed: number, prefix = '') {
  const fill = filler(seed);
  const k = 1 / Math.sqrt(H);
  const sd = {
    wih: fill.mat(G * H, I, k),
    whh: fill.mat(G * H, H, k),
    bih: fill.vec(G * H, k),
    bhh: fill.vec(G * H, k),
  };
  const tensors: [string, { shape: number[]; data: number[] }][] = [
    [`${prefix}weight_ih_l0`, { shape: [G * H, I], data: sd.wih.flat() }],
    [`${prefix}weight_hh_l0`, { shape: [G * H, H], data: sd.whh.flat() }],
    [`${prefix}bias_ih_l0`, { shape: [G * H], data: sd.bih }],
    [`${prefix}bias_hh_l0`, { shape: [G * H], data: sd.bhh }],
  ];
  return { sd, bytes: encodeSafetensors(tensors, { dtype: 'F32' }) };
}

const X: Mat = filler(99).mat(7, I, 2);

describe('PyTorch state_dict as safetensors → cell parameters → trace', () => {
  it('nn.GRU (chunks r, z, n) onto gru matches PyTorch at every step', () => {
    const { sd, bytes } = stateDict(3, 1);
    const { tensors } = decodeSafetensors(bytes, 'gru.safetensors');
    const cell = loadCell('gru');
    const result = trace(cell, fromNamedTensors(cell, tensors), X);
    const expected = torchGru(X, sd.wih, sd.whh, sd.bih, sd.bhh, H);
    const actual = result.steps.flatMap((s) => s.values.h[0]);
    expectClose(actual, expected.flat(), ATOL, 'h');
    // Negative control: r and z chunks swapped.
    const order = [1, 0, 2];
    const swapped = torchGru(X, order.flatMap((k) => block(sd.wih, k, H)), order.flatMap((k) => block(sd.whh, k, H)), order.flatMap((k) => blockV(sd.bih, k, H)), order.flatMap((k) => blockV(sd.bhh, k, H)), H);
    expect(maxAbsDiff(actual, swapped.flat())).toBeGreaterThan(1e-2);
  });

  it('nn.LSTM (chunks i, f, g, o) onto lstm matches PyTorch, h and c', () => {
    const { sd, bytes } = stateDict(4, 2, 'encoder.rnn.');
    const cell = loadCell('lstm');
    const result = trace(cell, fromNamedTensors(cell, decodeSafetensors(bytes, 'lstm.safetensors').tensors), X);
    const expected = torchLstm(X, sd.wih, sd.whh, sd.bih, sd.bhh, H);
    expectClose(result.steps.flatMap((s) => s.values.h[0]), expected.flatMap((e) => e.h), ATOL, 'h');
    expectClose(result.final.c[0], expected[expected.length - 1].c, ATOL, 'final c');
    // Negative control: ONNX's i, o, f, c order applied to PyTorch chunks.
    const order = [0, 2, 3, 1];
    const misread = torchLstm(X, order.flatMap((k) => block(sd.wih, k, H)), order.flatMap((k) => block(sd.whh, k, H)), order.flatMap((k) => blockV(sd.bih, k, H)), order.flatMap((k) => blockV(sd.bhh, k, H)), H);
    expect(maxAbsDiff(result.steps.flatMap((s) => s.values.h[0]), misread.flatMap((e) => e.h))).toBeGreaterThan(1e-2);
  });

  it('nn.RNN onto rnn matches PyTorch', () => {
    const { sd, bytes } = stateDict(1, 3);
    const cell = loadCell('rnn');
    const result = trace(cell, fromNamedTensors(cell, decodeSafetensors(bytes, 'rnn.safetensors').tensors), X);
    expectClose(result.steps.flatMap((s) => s.values.h[0]), torchRnn(X, sd.wih, sd.whh, sd.bih, sd.bhh).flat(), ATOL, 'h');
  });

  it('a PyTorch GRU exported to ONNX (blocks [1,0,2], linear_before_reset=1) traces the same as its state_dict', () => {
    const { sd, bytes } = stateDict(3, 4);
    const cell = loadCell('gru');
    const viaTorch = trace(cell, fromNamedTensors(cell, decodeSafetensors(bytes, 'g.safetensors').tensors), X);
    const order = [1, 0, 2];
    const reorder = (m: Mat) => order.flatMap((k) => block(m, k, H));
    const B = [...order.flatMap((k) => blockV(sd.bih, k, H)), ...order.flatMap((k) => blockV(sd.bhh, k, H))];
    const model = decodeOnnx(
      encodeOnnxModel({
        node: { opType: 'GRU', inputs: ['X', 'W', 'R', 'B'], outputs: ['Y'], attributes: { hidden_size: H, linear_before_reset: 1 } },
        initializers: { W: { dims: [1, 3 * H, I], data: reorder(sd.wih).flat() }, R: { dims: [1, 3 * H, H], data: reorder(sd.whh).flat() }, B: { dims: [1, 6 * H], data: B } },
        graphInputs: ['X'],
      }),
      'gru.onnx',
    );
    const viaOnnx = trace(cell, fromOnnx(model, cell).weights, X);
    expectClose(viaOnnx.steps.flatMap((s) => s.values.h[0]), viaTorch.steps.flatMap((s) => s.values.h[0]), ATOL, 'h');
  });

  it('a state_dict saved as JSON ({name: tensor.tolist()}) maps the same way', () => {
    const { sd } = stateDict(1, 7);
    const json = JSON.stringify({ weight_ih_l0: sd.wih, weight_hh_l0: sd.whh, bias_ih_l0: sd.bih, bias_hh_l0: sd.bhh });
    const cell = loadCell('rnn');
    const result = trace(cell, fromNamedTensors(cell, decodeWeightsJson(json, 'rnn.json')), X);
    expectClose(result.steps.flatMap((s) => s.values.h[0]), torchRnn(X, sd.wih, sd.whh, sd.bih, sd.bhh).flat(), ATOL, 'h');
  });

  it('a module saved with bias=False has zero biases', () => {
    const { sd } = stateDict(1, 5);
    const tensors = new Map([
      ['weight_ih_l0', { shape: [H, I], data: Float64Array.from(sd.wih.flat()) }],
      ['weight_hh_l0', { shape: [H, H], data: Float64Array.from(sd.whh.flat()) }],
    ]);
    const weights = fromPyTorch(loadCell('rnn'), tensors);
    expect(Array.from(weights.get('b_ih')!.data)).toEqual([0, 0, 0]);
    expect(Array.from(weights.get('b_hh')!.data)).toEqual([0, 0, 0]);
  });

  it('peepholes given by their cell names pass through beside a state_dict', () => {
    const { bytes } = stateDict(4, 6);
    const tensors = new Map(decodeSafetensors(bytes, 'x.safetensors').tensors);
    for (const g of ['i', 'f', 'o']) tensors.set(`p_${g}`, { shape: [H], data: Float64Array.from([0.1, 0.2, 0.3]), dtype: 'F32' });
    const weights = fromPyTorch(loadCell('lstm-peephole'), tensors);
    expect(Array.from(weights.get('p_f')!.data)).toEqual([0.1, 0.2, 0.3]);
  });
});

describe('toPyTorch', () => {
  it('is the inverse of fromPyTorch for nn.GRU, nn.LSTM and nn.RNN', () => {
    for (const [name, G] of [['gru', 3], ['lstm', 4], ['rnn', 1]] as const) {
      const tensors = decodeSafetensors(stateDict(G, 30 + G).bytes, 'x.safetensors').tensors;
      const back = toPyTorch(loadCell(name), fromPyTorch(loadCell(name), tensors));
      expect([...back.keys()]).toEqual(['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']);
      for (const [key, tensor] of back) {
        expect(tensor.shape, key).toEqual(tensors.get(key)!.shape);
        expect(Array.from(tensor.data), key).toEqual(Array.from(tensors.get(key)!.data));
      }
    }
  });

  it('refuses cells PyTorch cannot express', () => {
    const peephole = loadCell('lstm-peephole');
    const weights = fromPyTorch(peephole, new Map([...decodeSafetensors(stateDict(4, 40).bytes, 'x').tensors, ...['p_i', 'p_f', 'p_o'].map((n) => [n, { shape: [H], data: new Float64Array(H), dtype: 'F64' }] as const)]));
    expect(() => toPyTorch(peephole, weights)).toThrow("cell 'lstm-peephole' has parameters nn.LSTM lacks: p_i, p_f, p_o");
    expect(() => toPyTorch(loadCell('mgu'), new Map())).toThrow(
      "cell 'mgu' has no PyTorch counterpart: its parameters are not nn.RNN's, nn.GRU's or nn.LSTM's (W_i<g>, W_h<g>, b_i<g>, b_h<g>)",
    );
  });
});

describe('PyTorch state_dict errors', () => {
  const tensors = (entries: [string, number[]][]) => new Map(entries.map(([name, shape]) => [name, { shape, data: new Float64Array(shape.reduce((a, b) => a * b, 1)) }]));
  const gru = tensors([['weight_ih_l0', [9, 2]], ['weight_hh_l0', [9, 3]], ['bias_ih_l0', [9]], ['bias_hh_l0', [9]]]);

  it('a GRU state_dict onto a cell without its parameters names them', () => {
    expect(() => fromPyTorch(loadCell('mgu'), gru, { source: 'm.safetensors' })).toThrow(
      "m.safetensors: a PyTorch GRU state_dict (gates r, z, n) does not fit cell 'mgu': it has no parameters 'W_ir', 'W_hr', 'b_ir', 'b_hr', 'W_iz', 'W_hz', 'b_iz', 'b_hz', 'W_in', 'W_hn', 'b_in', 'b_hn'",
    );
  });

  it('a second layer or a reverse direction is refused by name', () => {
    const stacked = new Map([...gru, ...tensors([['weight_ih_l1', [9, 3]]])]);
    expect(() => fromPyTorch(loadCell('gru'), stacked, { source: 's.safetensors' })).toThrow(
      "s.safetensors: tensor 'weight_ih_l1' belongs to layer 1 of a stacked module; gateflow traces one layer in the forward direction (layer 0)",
    );
    const reverse = new Map([...gru, ...tensors([['weight_ih_l0_reverse', [9, 2]]])]);
    expect(() => fromPyTorch(loadCell('gru'), reverse)).toThrow("tensor 'weight_ih_l0_reverse' belongs to the reverse direction of a bidirectional module");
  });

  it('an unknown extra tensor is named', () => {
    const extra = new Map([...gru, ...tensors([['fc.weight', [1, 3]]])]);
    expect(() => fromPyTorch(loadCell('gru'), extra, { source: 'x.safetensors' })).toThrow(
      "x.safetensors: unknown tensor 'fc.weight' (expected PyTorch's weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 or a parameter of cell 'gru')",
    );
  });

  it('a stack of 2 chunks is no recurrent module', () => {
    expect(() => fromPyTorch(loadCell('gru'), tensors([['weight_ih_l0', [6, 2]], ['weight_hh_l0', [6, 3]]]))).toThrow(
      "state_dict: 'weight_hh_l0' stacks 2 gate chunks; nn.RNN has 1, nn.GRU 3, nn.LSTM 4",
    );
  });

  it('a bias of the wrong length names the expected shape', () => {
    const bad = tensors([['weight_ih_l0', [9, 2]], ['weight_hh_l0', [9, 3]], ['bias_ih_l0', [8]]]);
    expect(() => fromPyTorch(loadCell('gru'), bad)).toThrow("state_dict: 'bias_ih_l0' has shape [8], expected [9] (3 chunks of hidden 3)");
  });

  it('mapping nn.GRU onto gru-cho warns that the reset form differs', () => {
    const warnings: string[] = [];
    fromPyTorch(loadCell('gru-cho'), gru, { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([
      "PyTorch's nn.GRU applies the reset gate after the recurrent matmul (cell 'gru'); cell 'gru-cho' applies it before, so this trace will differ from PyTorch's",
    ]);
    fromPyTorch(loadCell('gru'), gru, { warn: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(1);
  });
});
