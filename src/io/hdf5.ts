/**
 * HDF5 files (Keras weights) ↔ float datasets by path, through h5wasm (the HDF5 C library
 * compiled to WebAssembly; nothing is downloaded at run time). The bytes are placed in
 * h5wasm's in-memory file system, never read from disk here, so the capped reader in fs.ts
 * stays the only way in. Every dataset's size is checked against the file before it is read.
 */
import { InputError } from '../errors.js';
import type { NamedTensor } from './tensors.js';

type H5 = typeof import('h5wasm');
let loaded: Promise<{ h5: H5; fs: { writeFile(path: string, data: Uint8Array): void; readFile(path: string): Uint8Array; unlink(path: string): void } }> | undefined;

/** h5wasm loads (and compiles its WebAssembly) the first time an HDF5 file is read or written. */
function h5wasm() {
  loaded ??= import('h5wasm').then(async (h5) => {
    const module = await h5.ready;
    // Errors become exceptions instead of diagnostics printed to standard error.
    module.activate_throwing_error_handler();
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

export async function decodeHdf5(bytes: Uint8Array, file: string): Promise<DecodedHdf5> {
  if (!isHdf5(bytes)) throw new InputError(`${file}: not an HDF5 file (no HDF5 signature)`);
  const { h5, fs } = await h5wasm();
  const name = `/gateflow-read-${counter++}.h5`;
  fs.writeFile(name, bytes);
  let handle: InstanceType<H5['File']> | undefined;
  try {
    handle = new h5.File(name, 'r');
    if (!(handle.file_id > 0n || Number(handle.file_id) > 0)) throw new InputError(`${file}: not a readable HDF5 file`);
    const datasets = new Map<string, NamedTensor>();
    walk(h5, handle, '', datasets, bytes.length, file, { objects: 0 });
    const attributes: Record<string, string> = {};
    for (const [key, attribute] of Object.entries(handle.attrs)) {
      const value = attribute.value;
      if (typeof value === 'string') attributes[key] = value;
    }
    return { file, datasets, attributes };
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${file}: not a readable HDF5 file (${hdf5Reason(error)})`);
  } finally {
    try {
      handle?.close();
    } catch {
      // A file that failed to open has nothing to close.
    }
    fs.unlink(name);
  }
}

/** The most specific line of an HDF5 error stack ('minor: ...'), or the message's first line. */
function hdf5Reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const minors = [...text.matchAll(/minor: ([^\n]+)/g)].map((m) => m[1].trim());
  return (minors[minors.length - 1] ?? text.split('\n')[0]).toLowerCase();
}

type Group = { keys(): string[]; get(name: string): unknown };

function walk(h5: H5, group: Group, prefix: string, out: Map<string, NamedTensor>, fileBytes: number, file: string, seen: { objects: number }): void {
  for (const key of group.keys()) {
    if (++seen.objects > MAX_OBJECTS) throw new InputError(`${file}: more than ${MAX_OBJECTS} HDF5 objects; not a weights file`);
    const path = prefix ? `${prefix}/${key}` : key;
    const child = group.get(key);
    if (child instanceof h5.Group) walk(h5, child as unknown as Group, path, out, fileBytes, file, seen);
    else if (child instanceof h5.Dataset) {
      const tensor = readDataset(child, path, fileBytes, file);
      if (tensor) out.set(path, tensor);
    }
  }
}

/** A float dataset as float64; other types (optimizer counters, strings) are skipped. */
function readDataset(dataset: InstanceType<H5['Dataset']>, path: string, fileBytes: number, file: string): NamedTensor | undefined {
  const meta = dataset.metadata;
  if (meta.type !== 1 || (meta.size !== 4 && meta.size !== 8)) return undefined;
  const shape = (meta.shape ?? []).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  // The shape is only a claim until checked against the bytes present (compression is refused here too).
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0) || count * meta.size > fileBytes) {
    throw new InputError(`${file}: dataset '${path}' claims shape [${shape.join(', ')}] of ${meta.size * 8}-bit floats, more than the file's ${fileBytes} bytes hold`);
  }
  const value = dataset.value as unknown;
  if (!(value instanceof Float32Array || value instanceof Float64Array) || value.length !== count) {
    throw new InputError(`${file}: dataset '${path}' could not be read as [${shape.join(', ')}] floats`);
  }
  return { shape, data: Float64Array.from(value), dtype: meta.size === 4 ? 'float32' : 'float64' };
}

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
