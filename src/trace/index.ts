/**
 * The trace stage: evaluate a cell's IR on an input sequence in float64 (mathjs) and keep
 * every node's value at every step; import weights from PyTorch state_dicts and ONNX
 * models; format the result as a table, CSV or JSON, or as values for an annotated diagram.
 */

/**
 * Runs a cell over `inputs` ([T][I] or [T][B][I]) with `weights` (or seeded random ones
 * when undefined) and returns every node's value at every step, each [batch][size].
 */
export { trace, normalizeSequence } from './trace.js';
/**
 * Weights: `initWeights(cell, sizes, seed)` draws U(-1/√hidden, 1/√hidden) as PyTorch does;
 * `checkWeights(cell, sizes, weights, source)` throws a ShapeError naming the tensor and
 * both shapes, or an InputError for a missing or unknown tensor; `toWeights` accepts
 * nested arrays; `tensorToNested` turns a tensor back into arrays (for --save-weights).
 */
export { initWeights, checkWeights, checkWeightNames, toWeights, tensorToNested, tensorFromNested, weightsToJson } from './weights.js';
/** The sizes of a cell's dimensions that given sizes and then the weights fix (W_ir [3, 2] → hidden 3, input 2), each with its origin. */
export { resolveSizes, type ResolvedSizes } from './sizes.js';
/**
 * A PyTorch nn.RNN/GRU/LSTM state_dict (chunks r,z,n / i,f,g,o) → the cell's parameters,
 * and back (`toPyTorch`, for module.load_state_dict).
 */
export { fromPyTorch, toPyTorch, isPyTorchStateDict, type PyTorchOptions } from './pytorch.js';
/** JSON or safetensors tensors → weights: a PyTorch state_dict is mapped, anything else passes as named. */
export { fromNamedTensors } from './import.js';
/**
 * ONNX: `inspectOnnx(model)` finds the RNN/GRU/LSTM node and names the shipped cell it is
 * (GRU linear_before_reset=1 → gru, 0 → gru-cho; LSTM with P → lstm-peephole);
 * `fromOnnx(model, cell)` maps W, R, B, P (orders z,r,h and i,o,f,c) onto the cell.
 */
export { inspectOnnx, fromOnnx, type OnnxImport, type OnnxModelLike } from './onnx.js';
/** Text forms: an aligned terminal table (also as UTF-8 bytes, for a large one), CSV, and JSON in the documented shape. */
export { toCsv, toJson, type FormatOptions, type JsonOptions } from './format.js';
export { formatTable, formatTableBytes, type TableOptions } from './table.js';
/** One self-contained HTML page: a heat map per step with a step slider and a batch selector. */
/** The values of step t (and t-1) for the diagram stage's annotated figure. */
export { toAnnotation, type Annotation, type StepAnnotation } from './annotate.js';
/** The framework convention table the importers use. */
export { PYTORCH_GATES, ONNX_GATES, ONNX_PEEPHOLES } from './conventions.js';
export { DEFAULT_MAX_STEPS } from './types.js';
export type { Trace, TraceStep, TraceOptions, Tensor, Weights, WeightsLike, Sequence, NestedNumbers } from './types.js';
/**
 * Check and convert: a RecurrentModel is a shipped cell with weights from any framework;
 * `runModel`/`runFromOutputs` give each side's values per step, `compareRuns` the largest
 * difference per step and gate, `diagnose` the known conversion mistake that explains a
 * difference; `fromKeras`/`toKeras` map Keras layers; `convertModel` lays a model out for
 * another framework, refusing what the target cannot express.
 */
export { FAMILY_OF_CELL, cellOfTensorNames, describeModel, familyOf, withRecurrentActivation, type CellResolver, type Framework, type RecurrentActivation, type RecurrentModel } from './model.js';
export { compareRuns, formatComparison, formatDifference, runFromOutputs, runModel, type Comparison, type OutputsLike, type Run } from './compare.js';
export { diagnose, type Diagnosis, type Side } from './diagnose.js';
export { fromKeras, toKeras, type Hdf5Like, type KerasFile } from './keras.js';
export { convertModel, type Converted, type ConvertOptions, type OnnxNodeSpec, type Target } from './convert.js';
/** Where each parameter of a framework cell lives in a PyTorch, ONNX or Keras file, with the convention's badge. */
export { weightsMap, formatWeightsMap, type WeightsMap } from './weights-map.js';
