// The ONNX reader and the importer's refusals: a round trip through protobufjs and the
// ONNX schema, truncated and random bytes (only InputErrors), and models the evaluator
// cannot honour, each refused with a message naming what is wrong.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { loadCell } from '../../src/index.js';
import { decodeOnnx, encodeOnnxModel, type OnnxModelToWrite } from '../../src/io/onnx.js';
import { createRandom } from '../../src/random.js';
import { fromOnnx, inspectOnnx } from '../../src/trace/index.js';
import { errorOf } from '../expect.js';

const H = 2;
const I = 3;
const weights = (G: number) => ({
  W: { dims: [1, G * H, I], data: Array.from({ length: G * H * I }, (_, i) => i / 10) },
  R: { dims: [1, G * H, H], data: Array.from({ length: G * H * H }, (_, i) => -i / 10) },
  B: { dims: [1, 2 * G * H], data: Array.from({ length: 2 * G * H }, (_, i) => i / 100) },
});
function model(op: string, attributes: OnnxModelToWrite['node']['attributes'] = {}, extra: Partial<OnnxModelToWrite> = {}) {
  const G = op === 'GRU' ? 3 : op === 'LSTM' ? 4 : 1;
  return encodeOnnxModel({
    node: { opType: op, name: `${op.toLowerCase()}0`, inputs: ['X', 'W', 'R', 'B'], outputs: ['Y', 'Y_h'], attributes: { hidden_size: H, ...attributes } },
    initializers: weights(G),
    graphInputs: ['X'],
    ...extra,
  });
}
const decode = (bytes: Uint8Array) => decodeOnnx(bytes, 'm.onnx');

describe('decodeOnnx', () => {
  it('reads the node, its attributes and the initializers as float64', () => {
    const m = decode(model('GRU', { linear_before_reset: 1 }));
    expect(m.irVersion).toBe(8);
    expect(m.opset).toBe(14);
    expect(m.nodes).toHaveLength(1);
    expect(m.nodes[0]).toMatchObject({ opType: 'GRU', name: 'gru0', inputs: ['X', 'W', 'R', 'B'], attributes: { hidden_size: 2, linear_before_reset: 1 } });
    expect(m.graphInputs).toEqual(['X']);
    expect(m.initializers.get('W')!.shape).toEqual([1, 6, 3]);
    expect(Array.from(m.initializers.get('W')!.data)).toEqual(Array.from({ length: 18 }, (_, i) => Math.fround(i / 10)));
    expect(m.initializers.get('W')!.dtype).toBe('float32');
  });

  it('reads float64 and int32 initializers and string attributes', () => {
    const bytes = encodeOnnxModel({
      node: { opType: 'LSTM', inputs: ['X', 'W', 'R', '', 'lens'], outputs: ['Y'], attributes: { direction: 'forward', activations: ['Sigmoid', 'Tanh', 'Tanh'] } },
      initializers: { W: { dims: [1, 1], data: [0.1], type: 'float64' }, lens: { dims: [2], data: [5, 5], type: 'int32' } },
    });
    const m = decode(bytes);
    expect(Array.from(m.initializers.get('W')!.data)).toEqual([0.1]);
    expect(Array.from(m.initializers.get('lens')!.data)).toEqual([5, 5]);
    expect(m.nodes[0].attributes).toEqual({ direction: 'forward', activations: ['Sigmoid', 'Tanh', 'Tanh'] });
  });

  it('rejects bytes that are not a model', () => {
    expect(() => decode(new TextEncoder().encode('{"W": [1, 2]}'))).toThrow(InputError);
    expect(() => decode(new Uint8Array(0))).toThrow('m.onnx: not a valid ONNX model (no graph; is this an ONNX file?)');
  });

  it('fuzz: every truncation of a valid model is an InputError, or decodes to a model the importer refuses', () => {
    const valid = model('LSTM');
    for (let n = 0; n < valid.length; n++) {
      const e = errorOf(() => {
        const m = decode(valid.slice(0, n));
        inspectOnnx(m);
        fromOnnx(m, loadCell('lstm'));
      });
      expect(e, `prefix of ${n} bytes: ${e.message}`).toBeInstanceOf(InputError);
      expect(e.message.startsWith('m.onnx')).toBe(true);
    }
  });

  it('fuzz: random bytes and corrupted models give InputErrors, never a crash (seeded)', () => {
    const random = createRandom(77);
    const valid = model('GRU');
    for (let trial = 0; trial < 400; trial++) {
      let bytes: Uint8Array;
      if (trial % 2 === 0) bytes = Uint8Array.from({ length: random.int(200) }, () => random.int(256));
      else {
        bytes = valid.slice();
        for (let k = 0; k < 1 + random.int(6); k++) bytes[random.int(bytes.length)] = random.int(256);
      }
      try {
        const m = decode(bytes);
        const info = inspectOnnx(m);
        fromOnnx(m, loadCell(info.cell));
      } catch (e) {
        expect(e, `trial ${trial}: ${(e as Error).message}`).toBeInstanceOf(InputError);
      }
    }
  });
});

describe('inspectOnnx / fromOnnx refusals', () => {
  it('a model with no recurrent node names what it has', () => {
    const bytes = encodeOnnxModel({ node: { opType: 'Gemm', inputs: ['X', 'W'], outputs: ['Y'] }, initializers: { W: { dims: [2, 2], data: [1, 0, 0, 1] } } });
    expect(() => inspectOnnx(decode(bytes))).toThrow('m.onnx: the model has no RNN, GRU or LSTM node (it has Gemm)');
  });

  it('unsupported attributes are named, together', () => {
    expect(() => inspectOnnx(decode(model('GRU', { direction: 'bidirectional', clip: 3 })))).toThrow(
      "m.onnx: GRU node 'gru0': unsupported attributes direction=bidirectional, clip=3",
    );
    expect(() => inspectOnnx(decode(model('RNN', { activations: ['Relu'] })))).toThrow(
      "m.onnx: RNN node 'rnn0': unsupported attribute activations=[Relu] (the cell uses Tanh)",
    );
    expect(() => inspectOnnx(decode(model('LSTM', { input_forget: 1 })))).toThrow("m.onnx: LSTM node 'lstm0': unsupported attribute input_forget=1");
    // Default activations spelled out and layout 1 are fine.
    expect(inspectOnnx(decode(model('GRU', { activations: ['Sigmoid', 'Tanh'], layout: 1 }))).layout).toBe(1);
  });

  it('weights fed at run time instead of stored', () => {
    const bytes = encodeOnnxModel({ node: { opType: 'RNN', name: 'r', inputs: ['X', 'W', 'R'], outputs: ['Y'], attributes: { hidden_size: H } }, initializers: { R: weights(1).R }, graphInputs: ['X', 'W'] });
    expect(() => inspectOnnx(decode(bytes))).toThrow(
      "m.onnx: RNN node 'r': W ('W') is fed at run time, not stored in the model; export the model with its weights as initializers",
    );
  });

  it('weights stored as Constant nodes are read like initializers', () => {
    const { W, R, B } = weights(1);
    const bytes = encodeOnnxModel({ node: { opType: 'RNN', inputs: ['X', 'W', 'R', 'B'], outputs: ['Y'], attributes: { hidden_size: H } }, initializers: { W }, constants: { R, B }, graphInputs: ['X'] });
    const m = decode(bytes);
    expect(m.nodes.map((n) => n.opType)).toEqual(['Constant', 'Constant', 'RNN']);
    const { weights: imported } = fromOnnx(m, loadCell('rnn'));
    expect(Array.from(imported.get('W_hh')!.data)).toEqual(R.data.map(Math.fround));
    expect(Array.from(imported.get('b_hh')!.data)).toEqual(B.data.slice(H).map(Math.fround));
  });

  it('weights computed by another node are refused by name', () => {
    const bytes = encodeOnnxModel({
      node: { opType: 'RNN', name: 'r', inputs: ['X', 'W', 'Rt'], outputs: ['Y'], attributes: { hidden_size: H } },
      initializers: { W: weights(1).W, R0: weights(1).R },
      otherNodes: [{ opType: 'Transpose', name: 'tr', inputs: ['R0'], outputs: ['Rt'] }],
      graphInputs: ['X'],
    });
    expect(() => inspectOnnx(decode(bytes))).toThrow(
      "m.onnx: RNN node 'r': R ('Rt') is computed by Transpose node 'tr', not stored; export the model with constant folding so the weights are initializers",
    );
  });

  it('hidden_size that disagrees with W', () => {
    expect(() => inspectOnnx(decode(model('RNN', { hidden_size: 5 })))).toThrow("m.onnx: RNN node 'rnn0': hidden_size=5 but W has 2 rows (1 gates × 2)");
  });

  it('a named cell that is a different model from the node', () => {
    const lbr0 = decode(model('GRU'));
    expect(() => fromOnnx(lbr0, loadCell('gru'))).toThrow("m.onnx: GRU node 'gru0' is cell 'gru-cho' (linear_before_reset=0), not 'gru'");
    expect(fromOnnx(lbr0, loadCell('gru-cho')).weights.get('W_hz')!.shape).toEqual([2, 2]);
    expect(() => fromOnnx(decode(model('LSTM')), loadCell('gru'))).toThrow("m.onnx: LSTM node 'lstm0' is cell 'lstm', not 'gru'");
  });

  it('an LSTM without P onto lstm-peephole gets zero peepholes', () => {
    const { weights } = fromOnnx(decode(model('LSTM')), loadCell('lstm-peephole'));
    expect(Array.from(weights.get('p_o')!.data)).toEqual([0, 0]);
    // Blocks i, o, f, c: W_io is block 1.
    expect(Array.from(weights.get('W_io')!.data)).toEqual(Array.from({ length: 6 }, (_, i) => Math.fround((6 + i) / 10)));
  });

  it('unequal sequence lengths are refused', () => {
    const bytes = encodeOnnxModel({
      node: { opType: 'RNN', name: 'r', inputs: ['X', 'W', 'R', '', 'lens'], outputs: ['Y'], attributes: { hidden_size: H } },
      initializers: { ...weights(1), lens: { dims: [2], data: [3, 2], type: 'int32' } },
    });
    expect(() => fromOnnx(decode(bytes), loadCell('rnn'))).toThrow("m.onnx: RNN node 'r': unsupported sequence_lens [3, 2] (unequal lengths per batch element)");
    const equal = encodeOnnxModel({
      node: { opType: 'RNN', name: 'r', inputs: ['X', 'W', 'R', '', 'lens'], outputs: ['Y'], attributes: { hidden_size: H } },
      initializers: { ...weights(1), lens: { dims: [2], data: [4, 4], type: 'int32' } },
    });
    expect(inspectOnnx(decode(equal)).sequenceLength).toBe(4);
  });

  it('initial states stored in the model are returned by state name', () => {
    const bytes = encodeOnnxModel({
      node: { opType: 'RNN', inputs: ['X', 'W', 'R', '', '', 'h0'], outputs: ['Y'], attributes: { hidden_size: H } },
      initializers: { ...weights(1), h0: { dims: [1, 2, H], data: [1, 2, 3, 4] } },
    });
    expect(fromOnnx(decode(bytes), loadCell('rnn')).initial).toEqual({ h: [[1, 2], [3, 4]] });
  });
});
