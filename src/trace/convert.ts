/**
 * A model in another framework's layout: gate chunks reordered, biases split or merged where
 * that is exact, and a refusal with the reason where the target cannot express the model
 * (PyTorch has no reset-before GRU, no peepholes and no hard sigmoid; ONNX takes a hard sigmoid as HardSigmoid). The result is plain
 * data for io to encode; the CLI reads the encoded file back and compares it with the original.
 */
import { InputError } from '../errors.js';
import { ONNX_GATES, ONNX_PEEPHOLES, paramNames, PYTORCH_GATES } from './conventions.js';
import { toKeras, type KerasFile } from './keras.js';
import { familyOf, type RecurrentModel } from './model.js';
import { HARD_SIGMOID_ALPHA } from './onnx.js';
import type { Tensor } from './types.js';

export type Target = 'pytorch' | 'onnx' | 'keras' | 'json';

export interface ConvertOptions {
  /** A GRU's reset placement in the target: before or after the recurrent matmul (default: as it is). */
  readonly gruReset?: 'before' | 'after';
}

/** The converted model, ready for io: named tensors (PyTorch state_dict, JSON), an ONNX node, or a Keras file. */
export type Converted =
  | { readonly target: 'pytorch' | 'json'; readonly cell: string; readonly tensors: ReadonlyMap<string, Tensor> }
  | { readonly target: 'onnx'; readonly cell: string; readonly onnx: OnnxNodeSpec }
  | { readonly target: 'keras'; readonly cell: string; readonly keras: KerasFile };

/** One recurrent node with its initializers, in the shape io's encodeOnnxModel takes. */
export interface OnnxNodeSpec {
  readonly node: { readonly opType: string; readonly name: string; readonly inputs: readonly string[]; readonly outputs: readonly string[]; readonly attributes: Readonly<Record<string, number | readonly number[] | readonly string[]>> };
  readonly initializers: Readonly<Record<string, { readonly dims: readonly number[]; readonly data: Float64Array }>>;
  readonly graphInputs: readonly string[];
}

export function convertModel(model: RecurrentModel, target: Target, options: ConvertOptions = {}): Converted {
  const ready = withoutZeroPeepholes(withGruReset(model, options.gruReset));
  checkTarget(ready, target);
  if (target === 'keras') return { target, cell: ready.cell, keras: toKeras(ready) };
  if (target === 'onnx') return { target, cell: ready.cell, onnx: toOnnx(ready) };
  if (target === 'json') return { target, cell: ready.cell, tensors: ready.weights };
  return { target, cell: ready.cell, tensors: toStateDict(ready) };
}

/** The reset placement asked for, where that is exact: only when W_hn and b_hn are zero are the two forms one function. */
function withGruReset(model: RecurrentModel, reset: ConvertOptions['gruReset']): RecurrentModel {
  if (!reset || familyOf(model) !== 'GRU') return model;
  const wanted = reset === 'after' ? 'gru' : 'gru-cho';
  if (wanted === model.cell) return model;
  const zero = (name: string) => model.weights.get(name)!.data.every((v) => v === 0);
  if (zero('W_hn') && zero('b_hn')) return { ...model, cell: wanted };
  const from = model.cell === 'gru' ? 'r ⊙ (W_hn h + b_hn), after the matmul' : 'W_hn (r ⊙ h) + b_hn, before the matmul';
  throw new InputError(
    `${model.source}: a GRU that applies the reset ${model.cell === 'gru' ? 'after' : 'before'} the matmul cannot become one that applies it ${reset} (${from}, equals the other form for no weights but W_hn = 0 and b_hn = 0)`,
  );
}

/** An LSTM whose peepholes are all zero is a plain LSTM: every target can take it. */
function withoutZeroPeepholes(model: RecurrentModel): RecurrentModel {
  if (model.cell !== 'lstm-peephole') return model;
  const peepholes = [...model.weights].filter(([name]) => name.startsWith('p_'));
  if (peepholes.some(([, t]) => t.data.some((v) => v !== 0))) return model;
  return { ...model, cell: 'lstm', weights: new Map([...model.weights].filter(([name]) => !name.startsWith('p_'))) };
}

function checkTarget(model: RecurrentModel, target: Target): void {
  const refuse = (reason: string): never => {
    throw new InputError(`${model.source}: cannot convert to ${target === 'pytorch' ? 'PyTorch' : target === 'onnx' ? 'ONNX' : target}: ${reason}`);
  };
  if (target === 'pytorch') {
    if (model.cell === 'gru-cho') refuse("nn.GRU applies the reset after the matmul, r ⊙ (W_hn h + b_hn); this GRU applies it before (linear_before_reset=0, Keras reset_after=False), a different function for any weights");
    if (model.cell === 'lstm-peephole') refuse('nn.LSTM has no peepholes, and these are nonzero');
    if (model.recurrentActivation !== 'sigmoid') refuse(`nn.${familyOf(model)}'s gates use the logistic sigmoid, this model ${model.recurrentActivation}`);
  }
}

/** Blocks stacked along the rows, in `gates` order: [G·rows, cols]. */
function stackRows(model: RecurrentModel, gates: readonly string[], name: (gate: string) => string): Float64Array {
  const blocks = gates.map((g) => model.weights.get(name(g))!.data);
  const out = new Float64Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

function toStateDict(model: RecurrentModel): Map<string, Tensor> {
  const gates = PYTORCH_GATES[familyOf(model)];
  const [H, I] = model.weights.get(paramNames.inputWeight(gates[0]))!.shape;
  const G = gates.length;
  return new Map<string, Tensor>([
    ['weight_ih_l0', { shape: [G * H, I], data: stackRows(model, gates, paramNames.inputWeight) }],
    ['weight_hh_l0', { shape: [G * H, H], data: stackRows(model, gates, paramNames.recurrentWeight) }],
    ['bias_ih_l0', { shape: [G * H], data: stackRows(model, gates, paramNames.inputBias) }],
    ['bias_hh_l0', { shape: [G * H], data: stackRows(model, gates, paramNames.recurrentBias) }],
  ]);
}

/**
 * A hard sigmoid on the gates is ONNX's HardSigmoid(alpha x + beta) in the gates' place f
 * (Keras 2: alpha 0.2; Keras 3: 1/6; beta 0.5), the candidate and output keeping Tanh.
 */
function hardSigmoidAttributes(model: RecurrentModel): Record<string, readonly number[] | readonly string[]> {
  if (model.recurrentActivation === 'sigmoid') return {};
  const family = familyOf(model);
  return {
    activations: ['HardSigmoid', ...(family === 'LSTM' ? ['Tanh', 'Tanh'] : ['Tanh'])],
    activation_alpha: [HARD_SIGMOID_ALPHA[model.recurrentActivation]],
    activation_beta: [0.5],
  };
}

/** ONNX W, R, B = [Wb, Rb] (and P in i, o, f) in ONNX's gate order; linear_before_reset written for every GRU. */
function toOnnx(model: RecurrentModel): OnnxNodeSpec {
  const family = familyOf(model);
  const gates = ONNX_GATES[family];
  const [H, I] = model.weights.get(paramNames.inputWeight(gates[0]))!.shape;
  const G = gates.length;
  const B = new Float64Array(2 * G * H);
  B.set(stackRows(model, gates, paramNames.inputBias), 0);
  B.set(stackRows(model, gates, paramNames.recurrentBias), G * H);
  const initializers: Record<string, { dims: number[]; data: Float64Array }> = {
    W: { dims: [1, G * H, I], data: stackRows(model, gates, paramNames.inputWeight) },
    R: { dims: [1, G * H, H], data: stackRows(model, gates, paramNames.recurrentWeight) },
    B: { dims: [1, 2 * G * H], data: B },
  };
  const inputs = ['X', 'W', 'R', 'B', '', '', '', ''];
  for (const [slot, state, at] of [['initial_h', 'h', 5], ['initial_c', 'c', 6]] as const) {
    const rows = model.initial?.[state];
    if (!rows || (state === 'c' && family !== 'LSTM')) continue;
    initializers[slot] = { dims: [1, rows.length, H], data: Float64Array.from(rows.flat()) };
    inputs[at] = slot;
  }
  if (model.cell === 'lstm-peephole') {
    initializers.P = { dims: [1, 3 * H], data: stackRows(model, ONNX_PEEPHOLES, paramNames.peephole) };
    inputs[7] = 'P';
  }
  while (inputs[inputs.length - 1] === '') inputs.pop();
  return {
    node: {
      opType: family,
      name: family.toLowerCase(),
      inputs,
      outputs: ['Y', 'Y_h', ...(family === 'LSTM' ? ['Y_c'] : [])],
      attributes: { hidden_size: H, ...(family === 'GRU' ? { linear_before_reset: model.cell === 'gru' ? 1 : 0 } : {}), ...hardSigmoidAttributes(model) },
    },
    initializers,
    graphInputs: ['X'],
  };
}
