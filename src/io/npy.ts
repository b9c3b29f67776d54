/**
 * NumPy's .npy format (versions 1 to 3): the magic '\x93NUMPY', a version, a header length,
 * a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (T, N, H)}, then the
 * raw data. Only little-endian float32/float64 in C order are read; the shape is checked
 * against the bytes present before anything is allocated.
 */
import { InputError } from '../errors.js';
import type { NamedTensor } from './tensors.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
const MAX_HEADER_BYTES = 1 << 20;

export function isNpy(bytes: Uint8Array): boolean {
  return MAGIC.every((b, i) => bytes[i] === b);
}

export function decodeNpy(bytes: Uint8Array, file: string): NamedTensor {
  const fail = (problem: string): never => {
    throw new InputError(`${file}: not a valid .npy file: ${problem}`);
  };
  if (bytes.length < 10 || !isNpy(bytes)) fail('it does not start with \\x93NUMPY');
  const major = bytes[6];
  if (major < 1 || major > 3) fail(`unknown format version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) fail('the header length is cut off');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lengthBytes;
  if (headerLength > MAX_HEADER_BYTES || start + headerLength > bytes.length) fail(`the header claims ${headerLength} bytes but only ${bytes.length - start} follow`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) fail(`the header is not a dict with 'descr', 'fortran_order' and 'shape' (found ${JSON.stringify(header.trim().slice(0, 60))})`);
  const itemSize = ({ '<f4': 4, '<f8': 8 } as Record<string, number>)[descr!];
  if (itemSize === undefined) throw new InputError(`${file}: dtype '${descr}' is not supported; gateflow reads little-endian float32 ('<f4') or float64 ('<f8') outputs`);
  if (fortran === 'True') throw new InputError(`${file}: the array is in Fortran order; save it in C order (np.ascontiguousarray)`);
  const parts = shapeText!.split(',').map((s) => s.trim()).filter(Boolean);
  if (!parts.every((p) => /^\d{1,15}$/.test(p))) fail(`the shape (${shapeText}) is not a tuple of sizes`);
  const shape = parts.map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const dataBytes = bytes.length - start - headerLength;
  if (count * itemSize !== dataBytes) fail(`shape (${shape.join(', ')}) of ${descr} needs ${count * itemSize} bytes, the file holds ${dataBytes}`);
  const data = new Float64Array(count);
  const at = start + headerLength;
  for (let i = 0; i < count; i++) data[i] = itemSize === 4 ? view.getFloat32(at + 4 * i, true) : view.getFloat64(at + 8 * i, true);
  return { shape, data, dtype: descr! };
}

/** An array as .npy version 1.0 bytes (little-endian float32 or float64, C order). */
export function encodeNpy(shape: readonly number[], data: ArrayLike<number>, dtype: '<f4' | '<f8' = '<f8'): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': (${dims}), }`;
  // The data starts at a multiple of 64 bytes; the header ends with a newline.
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const itemSize = dtype === '<f4' ? 4 : 8;
  const out = new Uint8Array(10 + header.length + data.length * itemSize);
  out.set(MAGIC, 0);
  out[6] = 1;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  for (let i = 0; i < data.length; i++) {
    if (itemSize === 4) view.setFloat32(10 + header.length + 4 * i, data[i], true);
    else view.setFloat64(10 + header.length + 8 * i, data[i], true);
  }
  return out;
}
