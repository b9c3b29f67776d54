// Input sequences, initial states and JSON weights as text: every bad value is reported
// at file:line:column with a one-line reason.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { decodeSequence, decodeStateJson, decodeWeightsJson } from '../../src/io/inputs.js';
import { decodeWeightsFile, weightsFormat } from '../../src/io/weights-file.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { createRandom } from '../../src/random.js';
import { errorOf } from '../expect.js';

describe('decodeSequence (JSON)', () => {
  it('[T][I] becomes batch 1; [T][B][I] is kept', () => {
    expect(decodeSequence('[[1, 0], [0, 1]]', 's.json')).toEqual({ steps: [[[1, 0]], [[0, 1]]], layout: '[T][I]' });
    expect(decodeSequence('[[[1], [2]], [[3], [4]]]', 's.json').steps).toEqual([[[1], [2]], [[3], [4]]]);
  });

  it.each([
    ['[[1, 0],\n [0, 1, 2]]', 's.json:2:2: element [1] has 3 features, expected 2 (as element [0])'],
    ['[[1, 0],\n [0, "a"]]', 's.json:2:6: element [1][1]: expected a number, found the string "a"'],
    ['[[1, 0],\n [0, NaN]]', 's.json:2:6: NaN is not a finite number (JSON has no NaN or Infinity; numbers must be finite)'],
    ['[[1, -Infinity]]', 's.json:1:6: -Infinity is not a finite number (JSON has no NaN or Infinity; numbers must be finite)'],
    ['[[1e999, 0]]', 's.json:1:3: 1e999 is not a finite number in float64'],
    ['[[1, 0], [0, 1]', 's.json:1:16: expected \',\' or \']\' in an array, found the end of the file'],
    ['[]', 's.json:1:1: the sequence has no steps'],
    ['{"x": 1}', 's.json:1:1: expected an array of steps ([T][I] or [T][B][I]), found an object'],
    ['[1, 2]', 's.json:1:1: expected a [T][I] or [T][B][I] array of numbers, found a 1-dimensional array [2]'],
    ['[[[[1]]]]', 's.json:1:1: expected a [T][I] or [T][B][I] array of numbers, found a 4-dimensional array [1, 1, 1, 1]'],
    ['[[1, 0]] x', "s.json:1:10: unexpected 'x' after the JSON value"],
  ])('%j → %s', (text, message) => {
    let error: unknown;
    try {
      decodeSequence(text, 's.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(message);
  });
});

describe('decodeSequence (CSV)', () => {
  it('a row a step, a column a feature; a header row and blank lines are skipped', () => {
    expect(decodeSequence('a,b\n1,0\n\n0.5, -2e-1\n', 's.csv').steps).toEqual([[[1, 0]], [[0.5, -0.2]]]);
    expect(decodeSequence('1\n2\n3', 'data.txt').steps).toEqual([[[1]], [[2]], [[3]]]);
  });

  it.each([
    ['1,0\n0,x\n', "s.csv:2:3: 'x' is not a number"],
    ['1,0\n0,nan\n', "s.csv:2:3: 'nan' is not a finite number"],
    ['1,0\n0,-inf\n', "s.csv:2:3: '-inf' is not a finite number"],
    ['1,0\n0\n', 's.csv:2:1: row has 1 column, expected 2 (as on line 1)'],
    ['a,b\n1,2,3\n', 's.csv:2:1: row has 3 columns, expected 2 (as on line 1)'],
    ['1,,2\n', 's.csv:1:3: empty value'],
    ['x,y\n', 's.csv: the sequence has no steps'],
  ])('%j → %s', (text, message) => {
    expect(() => decodeSequence(text, 's.csv')).toThrow(message);
  });

  it('fuzz: random text is parsed or refused with an InputError by every text decoder (seeded)', () => {
    const random = createRandom(5);
    const alphabet = '0123456789.,-e\n naNi[]"{}:';
    for (let trial = 0; trial < 300; trial++) {
      const text = Array.from({ length: random.int(30) }, () => alphabet[random.int(alphabet.length)]).join('');
      for (const file of ['f.csv', 'f.json']) {
        try {
          decodeSequence(text, file);
        } catch (e) {
          expect(e, JSON.stringify(text)).toBeInstanceOf(InputError);
        }
      }
      for (const decode of [() => decodeWeightsJson(text, 'w.json'), () => decodeStateJson(text, '--h0'), () => decodeWeightsFile(new TextEncoder().encode(text), 'w')]) {
        try {
          decode();
        } catch (e) {
          expect(e, JSON.stringify(text)).toBeInstanceOf(InputError);
        }
      }
    }
  });
});

describe('decodeStateJson', () => {
  it('a vector is shared by the batch, a matrix is per batch element', () => {
    expect(decodeStateJson('[0.5, -1]', '--h0')).toEqual({ rows: [[0.5, -1]], perBatch: false });
    expect(decodeStateJson('[[0.5], [1]]', '--h0')).toEqual({ rows: [[0.5], [1]], perBatch: true });
    expect(() => decodeStateJson('[[1, 2], [3]]', '--h0')).toThrow('--h0:1:10: element [1] has 1 unit, expected 2 (as element [0])');
  });
});

describe('decodeWeightsJson', () => {
  it('reads matrices and vectors keyed by name, in file order', () => {
    const w = decodeWeightsJson('{"W_ih": [[1, 2], [3, 4], [5, 6]], "b_ih": [0.5, 0, 1]}', 'w.json');
    expect([...w.keys()]).toEqual(['W_ih', 'b_ih']);
    expect(w.get('W_ih')!.shape).toEqual([3, 2]);
    expect(Array.from(w.get('W_ih')!.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it.each([
    ['{"W": [[1, 2],\n  [3]]}', "w.json:2:3: weight 'W' [1] has 1 column, expected 2 (as weight 'W' [0])"],
    ['{"W": "abc"}', "w.json:1:7: weight 'W' must be an array of numbers, found the string \"abc\""],
    ['{"W": [1, 2], "W": [3]}', 'w.json:1:15: duplicate key "W"'],
    ['[[1]]', 'w.json:1:1: expected an object keyed by parameter name ({"W_ir": [[...]], ...}), found an array'],
  ])('%j → %s', (text, message) => {
    expect(() => decodeWeightsJson(text, 'w.json')).toThrow(message);
  });
});

describe('decodeWeightsFile', () => {
  it('tells the formats apart by name, else by the first bytes', () => {
    const json = new TextEncoder().encode(' {"b": [1]}');
    const st = encodeSafetensors([['b', { shape: [1], data: [1] }]]);
    expect(weightsFormat(json, 'weights')).toBe('json');
    expect(weightsFormat(st, 'weights.bin')).toBe('safetensors');
    expect(weightsFormat(Uint8Array.of(8, 8), 'model')).toBe('onnx');
    expect(weightsFormat(st, 'x.onnx')).toBe('onnx');
    const decoded = decodeWeightsFile(st, 'w.safetensors');
    expect(decoded.format === 'safetensors' && Array.from(decoded.tensors.get('b')!.data)).toEqual([1]);
    expect(() => decodeWeightsFile(Uint8Array.of(0xff, 0xfe), 'w.json')).toThrow('w.json: not UTF-8 text (a JSON weights file was expected from the .json name)');
  });
});

// A well-formed sequence is read by JSON.parse (src/io/inputs.ts, plainSequence); the values,
// the layout and (for anything else) the reader's messages must be what the reader gives.
describe('decodeSequence: the JSON.parse path', () => {
  const sequence = fc.oneof(
    fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 })).chain(([T, I]) => fc.array(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: I, maxLength: I }), { minLength: T, maxLength: T })),
    fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })).chain(([T, B, I]) =>
      fc.array(fc.array(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: I, maxLength: I }), { minLength: B, maxLength: B }), { minLength: T, maxLength: T }),
    ),
  );

  it('gives every generated value bit for bit (-0 included), as [T][B][F], with the layout', () => {
    fc.assert(
      fc.property(sequence, fc.constantFrom('', ' ', '\n  '), (value, space) => {
        const decoded = decodeSequence(JSON.stringify(value, null, space), 's.json');
        const threeD = Array.isArray((value as unknown[][])[0]![0]);
        expect(decoded.layout).toBe(threeD ? '[T][B][I]' : '[T][I]');
        const expected = threeD ? value : (value as number[][]).map((row) => [row]);
        // JSON.stringify writes -0 as 0, so the reference is what its text says.
        expect(decoded.steps).toEqual(JSON.parse(JSON.stringify(expected)));
      }),
      { seed: 19, numRuns: 300 },
    );
  });

  it('leaves anything else to the reader, whose messages name the place', () => {
    expect(errorOf(() => decodeSequence('[[1, 2], [3]]', 'r.json')).message).toBe('r.json:1:10: element [1] has 1 feature, expected 2 (as element [0])');
    expect(errorOf(() => decodeSequence('[[1, 1e999]]', 'i.json')).message).toBe('i.json:1:6: 1e999 is not a finite number in float64');
    expect(errorOf(() => decodeSequence('[[[1], [2]], [[3]]]', 'b.json')).message).toBe('b.json:1:14: element [1] has 1 batch element, expected 2 (as element [0])');
    expect(errorOf(() => decodeSequence('[[1, "2"]]', 's.json')).message).toBe('s.json:1:6: element [0][1]: expected a number, found the string "2"');
    expect(decodeSequence('\ufeff[[1, -0]]', 'bom.json').steps).toEqual([[[1, -0]]]);
    expect(Object.is(decodeSequence('[[-0]]', 'z.json').steps[0]![0]![0], -0)).toBe(true);
  });
});
