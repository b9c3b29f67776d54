// The safetensors reader: round trips, every float type, and malformed files, each
// rejected with an InputError that names the file and the problem. Fuzz: every prefix
// of a valid file and seeded random bytes give an InputError, never anything else.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { createRandom } from '../../src/random.js';
import { decodeSafetensors, encodeSafetensors, halfToFloat } from '../../src/io/safetensors.js';
import { errorOf } from '../expect.js';

/** A file from a header object and raw data bytes. */
function file(header: unknown, data: number[] | Uint8Array = []): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}


describe('decodeSafetensors', () => {
  it('round-trips F64 exactly and F32 to float32 precision, in file order, with metadata', () => {
    const tensors: [string, { shape: number[]; data: number[] }][] = [
      ['weight_ih_l0', { shape: [2, 3], data: [0.1, -2, 3.5, 1 / 3, 0, -0] }],
      ['bias', { shape: [2], data: [1e-30, -7] }],
    ];
    const f64 = decodeSafetensors(encodeSafetensors(tensors, { metadata: { format: 'pt' } }), 'a.safetensors');
    expect([...f64.tensors.keys()]).toEqual(['weight_ih_l0', 'bias']);
    expect(f64.tensors.get('weight_ih_l0')!.shape).toEqual([2, 3]);
    expect(Array.from(f64.tensors.get('weight_ih_l0')!.data)).toEqual([0.1, -2, 3.5, 1 / 3, 0, -0]);
    expect(f64.metadata).toEqual({ format: 'pt' });
    const f32 = decodeSafetensors(encodeSafetensors(tensors, { dtype: 'F32' }), 'a.safetensors');
    expect(Array.from(f32.tensors.get('weight_ih_l0')!.data)).toEqual([0.1, -2, 3.5, 1 / 3, 0, -0].map(Math.fround));
    expect(f32.tensors.get('bias')!.dtype).toBe('F32');
  });

  it('the header is padded to a multiple of 8 bytes', () => {
    const bytes = encodeSafetensors([['x', { shape: [1], data: [1] }]]);
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
  });

  it('reads F16 and BF16', () => {
    // F16: 1.0 = 0x3c00, -2.5 = 0xc100, 65504 = 0x7bff, smallest subnormal 0x0001
    const f16 = file({ h: { dtype: 'F16', shape: [4], data_offsets: [0, 8] } }, [0x00, 0x3c, 0x00, 0xc1, 0xff, 0x7b, 0x01, 0x00]);
    expect(Array.from(decodeSafetensors(f16, 'h.safetensors').tensors.get('h')!.data)).toEqual([1, -2.5, 65504, 2 ** -24]);
    // BF16: the top half of float32: 1.0 = 0x3f80, -0.15625 = 0xbe20
    const bf16 = file({ b: { dtype: 'BF16', shape: [2], data_offsets: [0, 4] } }, [0x80, 0x3f, 0x20, 0xbe]);
    expect(Array.from(decodeSafetensors(bf16, 'b.safetensors').tensors.get('b')!.data)).toEqual([1, -0.15625]);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
  });

  const cases: [string, Uint8Array, string][] = [
    ['a file shorter than 8 bytes', Uint8Array.of(1, 2, 3), 'x.safetensors: not a valid safetensors file: it has 3 bytes, fewer than the 8-byte header length'],
    ['a header longer than the file', file({}).slice(0, 9), 'x.safetensors: not a valid safetensors file: the header claims 2 bytes but only 1 follow (truncated file?)'],
    ['an implausible header length', Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x7b), 'x.safetensors: not a valid safetensors file: the header length 9223372036854775807 is implausibly large (the file is corrupt or not safetensors)'],
    ['a header that is not an object', file([1, 2]), 'x.safetensors: not a valid safetensors file: the header is not a JSON object'],
    ['a missing dtype', file({ w: { shape: [1], data_offsets: [0, 4] } }, [0, 0, 0, 0]), "x.safetensors: not a valid safetensors file: tensor 'w': missing 'dtype'"],
    ['an unknown dtype', file({ w: { dtype: 'F31', shape: [1], data_offsets: [0, 4] } }, [0, 0, 0, 0]), 'x.safetensors: not a valid safetensors file: tensor \'w\': unknown dtype "F31"'],
    ['a bad shape', file({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, [0, 0, 0, 0]), "x.safetensors: not a valid safetensors file: tensor 'w': 'shape' must be a list of non-negative integers"],
    ['offsets past the data', file({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, [0, 0, 0, 0]), "x.safetensors: not a valid safetensors file: tensor 'w': data_offsets [0, 8] run past the end of the data (4 bytes; truncated file?)"],
    ['a byte count that does not fit the shape', file({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, [0, 0, 0, 0]), "x.safetensors: not a valid safetensors file: tensor 'w': shape [2] of F32 needs 8 bytes, data_offsets give 4"],
    ['overlapping tensors', file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, [0, 0, 0, 0]), "x.safetensors: not a valid safetensors file: tensor 'b' overlaps another tensor's data"],
    ['a hole in the data', file({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, [0, 0, 0, 0, 0, 0, 0, 0]), "x.safetensors: not a valid safetensors file: the data has a hole of 4 bytes before tensor 'a'"],
    ['bytes after the last tensor', file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, [0, 0, 0, 0, 9]), 'x.safetensors: not a valid safetensors file: 1 byte after the last tensor is not described by the header'],
  ];
  it.each(cases)('rejects %s', (_what, bytes, message) => {
    const e = errorOf(() => decodeSafetensors(bytes, 'x.safetensors'));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toBe(message);
  });

  it('rejects a header that is not JSON', () => {
    const bytes = file({});
    bytes[8] = 0x5b; // '[' → "[}"
    const e = errorOf(() => decodeSafetensors(bytes, 'x.safetensors'));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(/^x\.safetensors: not a valid safetensors file: the header is not valid UTF-8 JSON \(/);
  });

  it('names an integer dtype as unsupported rather than corrupt', () => {
    const bytes = file({ steps: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8));
    expect(() => decodeSafetensors(bytes, 'x.safetensors')).toThrow("x.safetensors: tensor 'steps' has dtype I64; gateflow reads floating-point weights (F64, F32, F16, BF16)");
  });

  it('fuzz: every truncation of a valid file is an InputError', () => {
    const valid = encodeSafetensors([['weight_ih_l0', { shape: [3, 2], data: [1, 2, 3, 4, 5, 6] }], ['bias_ih_l0', { shape: [3], data: [7, 8, 9] }]], { dtype: 'F32' });
    for (let n = 0; n < valid.length; n++) {
      const e = errorOf(() => decodeSafetensors(valid.slice(0, n), 'cut.safetensors'));
      expect(e, `prefix of ${n} bytes`).toBeInstanceOf(InputError);
      expect(e.message.startsWith('cut.safetensors: ')).toBe(true);
    }
  });

  it('fuzz: random bytes and random corruptions are InputErrors (seeded)', () => {
    const random = createRandom(2024);
    const valid = encodeSafetensors([['w', { shape: [4, 4], data: Array.from({ length: 16 }, (_, i) => i) }]], { dtype: 'F32' });
    for (let trial = 0; trial < 300; trial++) {
      let bytes: Uint8Array;
      if (trial % 2 === 0) {
        bytes = Uint8Array.from({ length: random.int(64) }, () => random.int(256));
      } else {
        bytes = valid.slice();
        for (let k = 0; k < 1 + random.int(4); k++) bytes[random.int(bytes.length)] = random.int(256);
      }
      try {
        decodeSafetensors(bytes, 'fuzz.safetensors');
      } catch (e) {
        expect(e, `trial ${trial}`).toBeInstanceOf(InputError);
      }
    }
  });
});
