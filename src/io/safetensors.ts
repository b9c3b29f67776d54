/**
 * The safetensors format, read and written directly: an 8-byte little-endian header
 * length N, N bytes of JSON ({name: {dtype, shape, data_offsets}, "__metadata__"?}),
 * then the raw little-endian data. A malformed file is an InputError naming the file
 * and the problem; decoding never reads outside the buffer.
 */
import { InputError } from '../errors.js';
import type { NamedTensor, NamedTensors } from './tensors.js';

/** Bytes per element of the floating-point types gateflow reads. */
const ITEM_SIZE: Readonly<Record<string, number>> = { F64: 8, F32: 4, F16: 2, BF16: 2 };
/** Other dtypes the format defines: recognised, so the message can say "unsupported" rather than "corrupt". */
const OTHER_DTYPES = ['BOOL', 'U8', 'I8', 'I16', 'U16', 'I32', 'U32', 'I64', 'U64', 'F8_E4M3', 'F8_E5M2'];
/** The reference implementation refuses headers above 100 MB; a bigger length means a corrupt file. */
const MAX_HEADER_BYTES = 100_000_000;

export interface DecodedSafetensors {
  readonly tensors: NamedTensors;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Throws the error for a malformed file: `FILE: not a valid safetensors file: PROBLEM`. */
type Fail = (problem: string) => never;

/** A tensor's entry in the header, checked: its dtype, shape and where its bytes lie in the data. */
interface TensorEntry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: number[];
  /** Elements: the product of the shape. */
  readonly count: number;
  readonly begin: number;
  readonly end: number;
}

export function decodeSafetensors(bytes: Uint8Array, file: string): DecodedSafetensors {
  const fail: Fail = (problem) => {
    throw new InputError(`${file}: not a valid safetensors file: ${problem}`);
  };
  if (bytes.length < 8) fail(`it has ${bytes.length} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { header, dataStart } = readHeader(bytes, view, fail);
  const dataLength = bytes.length - dataStart;
  const tensors = new Map<string, NamedTensor>();
  const extents: TensorEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry) || Object.values(entry).some((v) => typeof v !== 'string')) {
        fail("'__metadata__' must map strings to strings");
      }
      metadata = entry as Record<string, string>;
      continue;
    }
    const tensor = checkEntry(name, entry, dataLength, file, fail);
    extents.push(tensor);
    tensors.set(name, { shape: tensor.shape, data: readFloats(view, dataStart + tensor.begin, tensor.count, tensor.dtype), dtype: tensor.dtype });
  }
  checkCoverage(extents, dataLength, fail);
  return { tensors, metadata };
}

/** The 8-byte length and the JSON header object it measures; the data starts after it. */
function readHeader(bytes: Uint8Array, view: DataView, fail: Fail): { header: Record<string, unknown>; dataStart: number } {
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) fail(`the header length ${headerLength} is implausibly large (the file is corrupt or not safetensors)`);
  const headerBytes = Number(headerLength);
  if (8 + headerBytes > bytes.length) fail(`the header claims ${headerBytes} bytes but only ${bytes.length - 8} follow (truncated file?)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerBytes)));
  } catch (error) {
    fail(`the header is not valid UTF-8 JSON (${(error as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('the header is not a JSON object');
  return { header: header as Record<string, unknown>, dataStart: 8 + headerBytes };
}

/** One tensor's header entry: a float dtype, a shape, and offsets inside the data that hold exactly its bytes. */
function checkEntry(name: string, entry: unknown, dataLength: number, file: string, fail: Fail): TensorEntry {
  const where = `tensor '${name}'`;
  if (entry === null || typeof entry !== 'object') fail(`${where}: entry is not an object`);
  const { dtype, shape, data_offsets: offsets } = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof dtype !== 'string') fail(`${where}: missing 'dtype'`);
  const itemSize = ITEM_SIZE[dtype as string];
  if (itemSize === undefined) {
    if (OTHER_DTYPES.includes(dtype as string)) throw new InputError(`${file}: ${where} has dtype ${dtype}; gateflow reads floating-point weights (F64, F32, F16, BF16)`);
    fail(`${where}: unknown dtype ${JSON.stringify(dtype)}`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`${where}: 'shape' must be a list of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    fail(`${where}: 'data_offsets' must be [begin, end]`);
  }
  const [begin, end] = offsets as number[];
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  if (end < begin) fail(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLength) fail(`${where}: data_offsets [${begin}, ${end}] run past the end of the data (${dataLength} bytes; truncated file?)`);
  if (end - begin !== count * itemSize) {
    fail(`${where}: shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${count * itemSize} bytes, data_offsets give ${end - begin}`);
  }
  return { name, dtype: dtype as string, shape: shape as number[], count, begin, end };
}

/** The format requires the data to be covered exactly, without holes or overlaps. */
function checkCoverage(extents: TensorEntry[], dataLength: number, fail: Fail): void {
  extents.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const e of extents) {
    if (e.begin < covered) fail(`tensor '${e.name}' overlaps another tensor's data`);
    if (e.begin > covered) fail(`the data has a hole of ${e.begin - covered} bytes before tensor '${e.name}'`);
    covered = e.end;
  }
  if (covered !== dataLength) {
    const extra = dataLength - covered;
    fail(`${extra} byte${extra === 1 ? '' : 's'} after the last tensor ${extra === 1 ? 'is' : 'are'} not described by the header`);
  }
}

function readFloats(view: DataView, offset: number, count: number, dtype: string): Float64Array {
  const out = new Float64Array(count);
  switch (dtype) {
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, true);
      break;
    case 'F32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, true);
      break;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(offset + 2 * i, true));
      break;
    case 'BF16':
      for (let i = 0; i < count; i++) out[i] = bfloatToFloat(view.getUint16(offset + 2 * i, true));
      break;
  }
  return out;
}

const bfloatScratch = new DataView(new ArrayBuffer(4));

/** bfloat16 → number: bfloat16 is the top half of a float32. */
export function bfloatToFloat(bits: number): number {
  bfloatScratch.setUint32(0, (bits & 0xffff) << 16);
  return bfloatScratch.getFloat32(0);
}

/** IEEE 754 binary16 → number. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

export interface TensorToWrite {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/**
 * Tensors → safetensors bytes, in the given order (F64 keeps float64 weights exact; F32
 * is what PyTorch writes). The header is padded with spaces to a multiple of 8 bytes,
 * as the reference writer does.
 */
export function encodeSafetensors(
  tensors: Iterable<readonly [string, TensorToWrite]>,
  options: { dtype?: 'F64' | 'F32'; metadata?: Record<string, string> } = {},
): Uint8Array {
  const dtype = options.dtype ?? 'F64';
  const itemSize = ITEM_SIZE[dtype];
  const header: Record<string, unknown> = {};
  if (options.metadata) header.__metadata__ = options.metadata;
  const entries = [...tensors];
  let offset = 0;
  for (const [name, t] of entries) {
    const bytes = t.data.length * itemSize;
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (new TextEncoder().encode(json).length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const [, t] of entries) {
    for (let i = 0; i < t.data.length; i++, at += itemSize) {
      if (dtype === 'F64') view.setFloat64(at, t.data[i], true);
      else view.setFloat32(at, t.data[i], true);
    }
  }
  return out;
}
