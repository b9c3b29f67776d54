/**
 * Formats and files. Decoders are pure (bytes or text in, plain data out, errors naming the
 * file and position); the read* functions add the file access, which only fs.ts performs.
 */
export { readCell, cellParseOptions, listCells, listFiles, listSeriesFolder, SERIES_FOLDER_DEPTH, type SeriesFolder, readText, readBytes, readStdinText, readLimit, raiseReadLimits, READ_LIMITS, READ_LIMIT_OPTION, writeFileAtomic, checkOutputLocation, TEMPLATES_DIR, CELLS_DIR, THEMES_DIR, type SourceFile, type ReadKind } from './fs.js';
export { readTheme, listThemes } from './theme.js';
export { svgToPng, type PngOptions } from './raster.js';
export { svgToPdf, type PdfOptions } from './pdf.js';
export { decodeSafetensors, encodeSafetensors, type DecodedSafetensors, type TensorToWrite } from './safetensors.js';
export { decodeOnnx, encodeOnnxModel, type OnnxModel, type OnnxNode, type OnnxModelToWrite, type OnnxTensorToWrite } from './onnx.js';
export { decodeSequence, decodeStateJson, decodeWeightsJson, type DecodedSequence } from './inputs.js';
export { decodeWeightsFile, weightsFormat, type DecodedWeights } from './weights-file.js';
export { parseJsonText } from './json-text.js';
export type { NamedTensor, NamedTensors } from './tensors.js';
export { decodeSeriesCsv, readSeries, type SeriesTable, type SeriesColumns } from './series.js';
export { decodeNabWindows, labelFromWindows, type NabWindow, type NabWindows } from './nab-windows.js';
export { readSeriesFolder, type FolderEntry, type FolderSeries } from './series-folder.js';
export { timeStepOf, timeColumnOf, type TimeColumn } from './time-column.js';
export { decodeCsvRows, decodeJsonRows, readDataset, readMnist, type DataRows } from './dataset.js';
export { MNIST_FULL_PACKAGE, mnistDataFolder, readMnistFullFiles, type IdxFiles } from './mnist-full.js';

import { readBytes } from './fs.js';
import { decodeWeightsFile, type DecodedWeights } from './weights-file.js';

/** A weights file (JSON, safetensors or ONNX, told apart by its bytes), decoded. */
export function readWeights(path: string): DecodedWeights {
  return decodeWeightsFile(readBytes(path, 'weights file'), path);
}
