/**
 * What `check` and `convert` read: any weights file as a RecurrentModel (PyTorch
 * safetensors, ONNX, Keras HDF5, gateflow JSON), or a file of saved outputs (.npy, JSON).
 * The format is told by the extension, else by the first bytes; the importers are the trace
 * stage's, so a model here is exactly what `trace --weights` would run.
 */
import { InputError } from '../errors.js';
import { cellParseOptions, readBytes, readCell } from '../io/index.js';
import type { CellGraph } from '../cell/index.js';
import type { CellResolver, OutputsLike, RecurrentModel } from '../trace/index.js';

export type Loaded =
  | { readonly kind: 'model'; readonly model: RecurrentModel; readonly bytes?: Uint8Array }
  | { readonly kind: 'outputs'; readonly outputs: OutputsLike; readonly file: string };

export interface LoadOptions {
  /** The cell of a gateflow JSON weights file (its parameter names cannot tell gru from gru-cho). */
  readonly cell?: string;
}

/** The shipped cells, parsed once each, with the gates' sigmoid replaced on request. */
export async function cellResolver(): Promise<CellResolver> {
  const { parseCell } = await import('../cell/index.js');
  const { withRecurrentActivation } = await import('../trace/index.js');
  const cache = new Map<string, CellGraph>();
  return (name, activation) => {
    const key = `${name} ${activation}`;
    if (!cache.has(key)) {
      const source = readCell(name);
      cache.set(key, parseCell(withRecurrentActivation(source.text, activation), cellParseOptions(source)));
    }
    return cache.get(key)!;
  };
}

export async function loadFile(path: string, options: LoadOptions = {}): Promise<Loaded> {
  return decodeLoaded(readBytes(path, 'model or outputs file'), path, options);
}

type Format = 'npy' | 'json' | 'keras' | 'keras-archive' | 'onnx' | 'safetensors';

async function formatOf(bytes: Uint8Array, file: string): Promise<Format> {
  const { isHdf5 } = await import('../io/hdf5.js');
  const { isNpy } = await import('../io/npy.js');
  if (/\.npy$/i.test(file) || isNpy(bytes)) return 'npy';
  if (/\.keras$/i.test(file)) return 'keras-archive';
  if (/\.(h5|hdf5)$/i.test(file) || isHdf5(bytes)) return 'keras';
  const { weightsFormat } = await import('../io/weights-file.js');
  return weightsFormat(bytes, file);
}

/** Bytes of any supported file → a model or outputs (also used to read a converted file back). */
export async function decodeLoaded(bytes: Uint8Array, file: string, options: LoadOptions = {}): Promise<Loaded> {
  const tr = await import('../trace/index.js');
  const format = await formatOf(bytes, file);
  if (format === 'npy' || (format === 'json' && looksLikeOutputs(bytes))) {
    const { decodeOutputs } = await import('../io/outputs.js');
    return { kind: 'outputs', outputs: decodeOutputs(bytes, file), file };
  }
  if (format === 'keras' || format === 'keras-archive') return { kind: 'model', model: tr.fromKeras(await decodeKeras(bytes, file, format)) };
  const { decodeWeightsFile } = await import('../io/weights-file.js');
  const decoded = decodeWeightsFile(bytes, file);
  const cells = await cellResolver();
  if (decoded.format === 'onnx') {
    const info = tr.inspectOnnx(decoded.model);
    const imported = tr.fromOnnx(decoded.model, cells(info.cell, info.recurrentActivation));
    return { kind: 'model', model: { cell: info.cell, weights: imported.weights, framework: 'onnx', recurrentActivation: info.recurrentActivation, initial: imported.initial, source: file }, bytes };
  }
  const pytorch = tr.isPyTorchStateDict(decoded.tensors);
  // --cell names the cell of gateflow JSON weights; a PyTorch state_dict is always PyTorch's own cell.
  const cell = (!pytorch && options.cell) || tr.cellOfTensorNames([...decoded.tensors.keys()], (n) => decoded.tensors.get(n)?.shape, file);
  if (!Object.hasOwn(tr.FAMILY_OF_CELL, cell)) throw new InputError(`--cell ${cell}: check and convert work on the framework cells (${Object.keys(tr.FAMILY_OF_CELL).join(', ')})`);
  const weights = tr.fromNamedTensors(cells(cell, 'sigmoid'), decoded.tensors, { source: file });
  return { kind: 'model', model: { cell, weights, framework: pytorch ? 'pytorch' : 'json', recurrentActivation: 'sigmoid', source: file } };
}

/** A Keras weights file (.weights.h5, legacy .h5) or a Keras 3 .keras archive (a zip around model.weights.h5) as HDF5 datasets and attributes. */
export async function decodeKeras(bytes: Uint8Array, file: string, format: 'keras' | 'keras-archive'): Promise<import('../io/hdf5.js').DecodedHdf5> {
  if (format === 'keras-archive') {
    const { decodeKerasArchive } = await import('../io/keras-archive.js');
    return decodeKerasArchive(bytes, file);
  }
  const { decodeHdf5 } = await import('../io/hdf5.js');
  return decodeHdf5(bytes, file);
}

/** A JSON file of outputs rather than weights: an array, a trace (with "steps"), or only h and c. */
function looksLikeOutputs(bytes: Uint8Array): boolean {
  const head = new TextDecoder().decode(bytes.subarray(0, 4096)).trimStart();
  if (head.startsWith('[')) return true;
  const keys = [...head.matchAll(/"([^"\\]*)"\s*:/g)].map((m) => m[1]);
  return keys.includes('steps') || (keys.length > 0 && keys.slice(0, 2).every((k) => k === 'h' || k === 'c'));
}

/** Seeded random inputs [T][N][I] from N(0, 1), for checking a conversion. */
export async function randomInputs(seed: number, steps: number, batch: number, features: number): Promise<number[][][]> {
  const { createRandom } = await import('../random.js');
  const random = createRandom(seed);
  return Array.from({ length: steps }, () => Array.from({ length: batch }, () => Array.from({ length: features }, () => random.normal())));
}

/** The target's bytes: safetensors in float32 (as PyTorch saves), ONNX float32 initializers, Keras HDF5, or JSON text. */
export async function encodeConverted(converted: import('../trace/index.js').Converted): Promise<string | Uint8Array> {
  if (converted.target === 'json') {
    const { weightsToJson } = await import('../trace/index.js');
    return weightsToJson(converted.tensors);
  }
  if (converted.target === 'pytorch') {
    const { encodeSafetensors } = await import('../io/safetensors.js');
    return encodeSafetensors([...converted.tensors], { dtype: 'F32', metadata: { producer: 'gateflow convert' } });
  }
  if (converted.target === 'onnx') {
    const { encodeOnnxModel } = await import('../io/onnx.js');
    return encodeOnnxModel({ ...converted.onnx, producer: 'gateflow convert' });
  }
  const { encodeHdf5 } = await import('../io/hdf5.js');
  const keras = (converted as Extract<typeof converted, { target: 'keras' }>).keras;
  return encodeHdf5(keras.datasets, keras.attributes);
}
