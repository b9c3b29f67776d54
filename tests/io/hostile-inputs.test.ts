// Inputs built to hurt the decoders (issue 12): deep nesting, long runs of digits, sizes
// claimed by a few bytes, wrong-typed attributes. Each ends in one typed, located message.
// Inputs are sized so that the old quadratic or recursive code would take minutes or overflow.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { decodeSequence, decodeStateJson, decodeWeightsJson } from '../../src/io/inputs.js';
import { parseJsonText } from '../../src/io/json-text.js';
import { decodeOnnx, encodeOnnxModel } from '../../src/io/onnx.js';
import { decodeSeriesCsv, timeAxisOf } from '../../src/io/series.js';
import { inspectOnnx } from '../../src/trace/index.js';
import { errorOf } from '../expect.js';

const nested = (depth: number) => '['.repeat(depth) + '1' + ']'.repeat(depth);

describe('JSON inputs', () => {
  it('parseJsonText refuses 3,000 and 300,000 nested arrays with a located message, not a stack overflow', () => {
    expect(errorOf(() => parseJsonText(nested(3000), 'd.json')).message).toBe('d.json:1:65: arrays and objects nest more than 64 deep');
    expect(errorOf(() => decodeSequence(nested(300_000), 'd.json')).message).toBe('d.json:1:65: arrays and objects nest more than 64 deep');
    // The object is the first level: the 64th array, at column 70, is one too many.
    expect(errorOf(() => decodeWeightsJson(`{"W": ${nested(5000)}}`, 'w.json')).message).toBe('w.json:1:70: arrays and objects nest more than 64 deep');
  });

  it('reads 64 levels of nesting (the limit itself) and names the rank it found', () => {
    expect(errorOf(() => decodeStateJson(nested(64), 'h.json')).message).toBe('h.json:1:1: expected a vector [H] or a matrix [B][H], found a 64-dimensional array');
  });

  it('keeps a "__proto__" key as data, as JSON.parse does, without changing the prototype', () => {
    const value = parseJsonText('{"__proto__": [1], "a": 2}', 'p.json').value as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(errorOf(() => decodeWeightsJson('{"__proto__": "x"}', 'w.json')).message).toBe('w.json:1:15: weight \'__proto__\' must be an array of numbers, found the string "x"');
  });

  it('quotes at most 60 characters of a long string it complains about', () => {
    expect(errorOf(() => decodeSequence(`[["${'y'.repeat(100_000)}"]]`, 's.json')).message).toBe(`s.json:1:3: element [0][0]: expected a number, found the string "${'y'.repeat(60)}…"`);
  });
});

describe('CSV inputs', () => {
  it('decodeSequence rejects a 200 KB cell of digits followed by x in linear time, quoting 60 characters of it', () => {
    const error = errorOf(() => decodeSequence(`a,b\n1,${'1'.repeat(200_000)}x\n`, 's.csv'));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(`s.csv:2:3: '${'1'.repeat(60)}…' is not a number`);
  }, 10_000);

  it('decodeSeriesCsv rejects such a value and timeAxisOf classifies such a timestamp as text, in linear time', () => {
    expect(errorOf(() => decodeSeriesCsv(`t,value\n1,${'1'.repeat(200_000)}x\n`, 's.csv')).message).toBe(`s.csv:2:3: '${'1'.repeat(60)}…' is not a number in column 'value'`);
    expect(timeAxisOf(['1', `${'1'.repeat(200_000)}x`])).toEqual({ kind: 'text' });
    expect(timeAxisOf(['1', '2.5e3'])).toEqual({ kind: 'quantitative', values: [1, 2500] });
  }, 10_000);
});

describe('ONNX models', () => {
  const rnn = (W: { dims: number[]; data: number[] }, attributes: Record<string, number | string | readonly number[] | readonly string[]> = {}) =>
    encodeOnnxModel({
      node: { opType: 'RNN', name: 'rnn0', inputs: ['X', 'W', 'R'], outputs: ['Y', 'Y_h'], attributes: { hidden_size: 1, ...attributes } },
      initializers: { W, R: { dims: [1, 1, 1], data: [0.5] } },
      graphInputs: ['X'],
    });

  it('checks a tensor\'s dims against the bytes present before allocating: W [1, 100000, 100000] in a small file', () => {
    const bytes = rnn({ dims: [1, 100_000, 100_000], data: [1, 2, 3] });
    expect(bytes.length).toBeLessThan(200);
    expect(errorOf(() => decodeOnnx(bytes, 'm.onnx')).message).toBe("m.onnx: initializer 'W': raw data has 12 bytes, dims [1, 100000, 100000] of float32 need 40000000000");
  });

  it('names a wrongly typed attribute: activations as INTS, or as a TENSOR', () => {
    const ints = decodeOnnx(rnn({ dims: [1, 1, 1], data: [1] }, { activations: [1, 2] }), 'm.onnx');
    expect(errorOf(() => inspectOnnx(ints)).message).toBe("m.onnx: RNN node 'rnn0': attribute activations must be of type STRINGS, found INTS or FLOATS");
    const tensor = { ...ints, nodes: ints.nodes.map((n) => ({ ...n, attributes: { ...n.attributes, activations: { unsupported: 'TENSOR' } } })) };
    expect(errorOf(() => inspectOnnx(tensor)).message).toBe("m.onnx: RNN node 'rnn0': attribute activations must be of type STRINGS, found TENSOR");
    const layout = decodeOnnx(rnn({ dims: [1, 1, 1], data: [1] }, { layout: 'batch' }), 'm.onnx');
    expect(errorOf(() => inspectOnnx(layout)).message).toBe("m.onnx: RNN node 'rnn0': attribute layout must be of type INT, found STRING");
  });
});
