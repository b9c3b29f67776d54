/**
 * HDF5 files (Keras weights) ↔ float datasets by path, through h5wasm (the HDF5 C library
 * compiled to WebAssembly; nothing is downloaded at run time). The bytes are placed in
 * h5wasm's in-memory file system, never read from disk here, so the capped reader in fs.ts
 * stays the only way in. Every dataset's size is checked against the file before it is read.
 * Writing (trusted data) runs here; reading runs on a thread with a time limit.
 */
import { InputError } from '../errors.js';
import { decodeOnThread } from './hdf5-thread.js';
import type { NamedTensor } from './tensors.js';

type H5 = typeof import('h5wasm');
let loaded: Promise<{ h5: H5; fs: { writeFile(path: string, data: Uint8Array): void; readFile(path: string): Uint8Array; unlink(path: string): void } }> | undefined;

/** h5wasm loads (and compiles its WebAssembly) the first time an HDF5 file is written. */
function h5wasm() {
  loaded ??= import('h5wasm').then(async (h5) => {
    const module = await h5.ready;
    return { h5, fs: module.FS as never };
  });
  return loaded;
}

export interface DecodedHdf5 {
  readonly file: string;
  /** Float datasets by path without the leading '/', e.g. 'layers/gru/cell/vars/0'. */
  readonly datasets: ReadonlyMap<string, NamedTensor>;
  /** The root group's string attributes (model_config, keras_version). */
  readonly attributes: Readonly<Record<string, string>>;
}

/** The HDF5 signature, at offset 0 (or 512, 1024, ... after a user block). */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** A file with more objects than this is not a weights file (and walking it would take long). */
const MAX_OBJECTS = 10_000;
let counter = 0;

export function isHdf5(bytes: Uint8Array): boolean {
  for (let at = 0; at + 8 <= bytes.length && at <= 1 << 20; at = at === 0 ? 512 : at * 2) {
    if (SIGNATURE.every((b, i) => bytes[at + i] === b)) return true;
  }
  return false;
}

/**
 * Decoding runs on a worker thread (hdf5-thread.ts): the HDF5 library can loop for ever on a
 * corrupt file (a mutated string attribute does), and only a thread can be stopped.
 */
export async function decodeHdf5(bytes: Uint8Array, file: string): Promise<DecodedHdf5> {
  if (!isHdf5(bytes)) throw new InputError(`${file}: not an HDF5 file (no HDF5 signature)`);
  const answer = await decodeOnThread(bytes, TIME_LIMIT_MS + (TIME_PER_MB_MS * bytes.length) / (1 << 20), MAX_OBJECTS);
  if (answer === 'timeout') throw new InputError(`${file}: reading the HDF5 file did not finish in time; it is corrupt or not a weights file`);
  if ('error' in answer) throw new InputError(`${file}: ${answer.error}`);
  const datasets = new Map<string, NamedTensor>(answer.datasets.map(([path, shape, data, dtype]) => [path, { shape, data, dtype }]));
  return { file, datasets, attributes: answer.attributes };
}

/** A small weights file decodes in milliseconds; the limit allows for a loaded machine and large files. */
const TIME_LIMIT_MS = 3000;
const TIME_PER_MB_MS = 100;

/** Datasets (written as 32-bit floats, as Keras stores them) and root string attributes → HDF5 bytes. */
export async function encodeHdf5(datasets: readonly (readonly [string, { readonly shape: readonly number[]; readonly data: ArrayLike<number> }])[], attributes: Readonly<Record<string, string>> = {}): Promise<Uint8Array> {
  const { h5, fs } = await h5wasm();
  const name = `/gateflow-write-${counter++}.h5`;
  const handle = new h5.File(name, 'w');
  try {
    for (const [path, tensor] of datasets) {
      const parts = path.split('/');
      let group = handle as unknown as InstanceType<H5['Group']>;
      for (const part of parts.slice(0, -1)) group = (group.get(part) as InstanceType<H5['Group']> | null) ?? group.create_group(part);
      group.create_dataset({ name: parts[parts.length - 1], data: Float32Array.from(tensor.data), shape: [...tensor.shape], dtype: '<f' });
    }
    for (const [key, value] of Object.entries(attributes)) handle.create_attribute(key, value);
  } finally {
    handle.close();
  }
  const bytes = fs.readFile(name);
  fs.unlink(name);
  return bytes;
}
