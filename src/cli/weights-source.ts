/**
 * A cell and the weights a file gives it, as `trace --weights` reads them and `memory --weights`
 * reuses: gateflow JSON or a PyTorch state_dict (.json, .safetensors), an ONNX model with one
 * RNN/GRU/LSTM node, or a Keras file (.keras, .weights.h5, .h5). ONNX and Keras files name
 * their cell (and a hard sigmoid on the gates, which replaces the cell's σ); other files need
 * the cell named. The importers are the trace stage's; nothing here checks shapes.
 */
import type { CellGraph } from '../cell/index.js';
import { InputError } from '../errors.js';
import { cellParseOptions, decodeWeightsFile, readBytes, readCell, type DecodedWeights } from '../io/index.js';
import type { RecurrentModel, Weights } from '../trace/index.js';

export interface CellWithWeights {
  /** The cell, with σ replaced when the file's gates use a hard sigmoid. */
  readonly cell: CellGraph;
  /** The file's weights keyed by the cell's parameter names; undefined without a file. */
  readonly weights?: Weights;
  /** Initial states the file stores (ONNX initial_h, initial_c). */
  readonly initial: Record<string, number[] | number[][]>;
  /** An ONNX model's sequence_lens, when it stores one. */
  readonly onnxLength?: number;
}

/**
 * `cellName` (a shipped name or .cell path; optional when the file is ONNX or Keras) with the
 * weights of `weightsFile`; `command` names the command in the message asking for a cell.
 */
export async function cellWithWeights(cellName: string | undefined, weightsFile: string | undefined, warn: (message: string) => void, command = 'trace'): Promise<CellWithWeights> {
  const { lintCell, parseCell } = await import('../cell/index.js');
  const tr = await import('../trace/index.js');
  let decoded: DecodedWeights | undefined;
  const bytes = weightsFile ? readBytes(weightsFile, 'weights file') : undefined;
  const keras = weightsFile && bytes ? await kerasModel(bytes, weightsFile) : undefined;
  if (weightsFile && bytes && !keras) decoded = decodeWeightsFile(bytes, weightsFile);
  let name = cellName;
  if (!name) {
    if (keras) name = keras.cell;
    else if (decoded?.format !== 'onnx') throw new InputError(`name a cell (e.g. \`gateflow ${command} gru ...\`; see \`gateflow cells\`), or give an ONNX or Keras model with --weights`);
    else name = tr.inspectOnnx(decoded.model).cell;
  }
  if (keras && name !== keras.cell && Object.hasOwn(tr.FAMILY_OF_CELL, name)) {
    throw new InputError(`${weightsFile}: a ${tr.describeModel(keras)}, not cell '${name}'`);
  }
  const source = readCell(name);
  // Keras's hard_sigmoid, or ONNX's HardSigmoid on the gates, replaces the cell's σ.
  const activation = keras?.recurrentActivation ?? (decoded?.format === 'onnx' ? tr.inspectOnnx(decoded.model).recurrentActivation : 'sigmoid');
  const cell = parseCell(tr.withRecurrentActivation(source.text, activation), cellParseOptions(source));
  lintCell(cell).forEach(warn);
  if (keras) return { cell, weights: keras.weights, initial: {} };
  if (decoded?.format === 'onnx') {
    const imported = tr.fromOnnx(decoded.model, cell);
    return { cell, weights: imported.weights, initial: { ...imported.initial }, onnxLength: imported.info.sequenceLength };
  }
  if (decoded) return { cell, weights: tr.fromNamedTensors(cell, decoded.tensors, { source: weightsFile, warn }), initial: {} };
  return { cell, initial: {} };
}

/** A Keras model when the file is HDF5 or a .keras archive; undefined for any other format. */
async function kerasModel(bytes: Uint8Array, path: string): Promise<RecurrentModel | undefined> {
  const { isHdf5 } = await import('../io/hdf5.js');
  const archive = /\.keras$/i.test(path);
  if (!archive && !/\.(h5|hdf5)$/i.test(path) && !isHdf5(bytes)) return undefined;
  const { fromKeras } = await import('../trace/index.js');
  const { decodeKeras } = await import('./models.js');
  return fromKeras(await decodeKeras(bytes, path, archive ? 'keras-archive' : 'keras'));
}
