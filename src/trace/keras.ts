/**
 * Keras recurrent layers ↔ the shipped cells. A Keras weights file (Keras 3 .weights.h5:
 * layers/<name>/cell/vars/0,1,2; legacy tf.keras .h5: <layer>/.../kernel:0, recurrent_kernel:0,
 * bias:0) holds kernel [I, G·H] and recurrent_kernel [H, G·H], transposed against PyTorch and
 * ONNX, with column blocks GRU z, r, h and LSTM i, f, c, o. A GRU with reset_after=True has a
 * (2, 3H) bias [input; recurrent] (cell gru); reset_after=False one (3H) bias, before the
 * matmul (cell gru-cho). LSTM and SimpleRNN have one bias. See shared/numerics.md §4.
 */
import { InputError } from '../errors.js';
import { paramNames, type Family } from './conventions.js';
import { familyOf, KERAS_GATES, type RecurrentActivation, type RecurrentModel } from './model.js';
import type { Tensor } from './types.js';

/** An HDF5 file as io decodes it: float datasets by path, and the root's string attributes. */
export interface Hdf5Like {
  readonly file: string;
  readonly datasets: ReadonlyMap<string, Tensor>;
  readonly attributes: Readonly<Record<string, string>>;
}

interface KerasLayer {
  /** The path that names the layer in messages ('layers/gru/cell/vars', 'gru/gru/gru_cell'). */
  readonly path: string;
  readonly kernel: Tensor;
  readonly recurrentKernel: Tensor;
  readonly bias?: Tensor;
  readonly peepholes?: Readonly<Record<'i' | 'f' | 'o', Tensor>>;
}

const LEGACY = /^(.*)\/(kernel|recurrent_kernel|bias|input_gate_peephole_weights|forget_gate_peephole_weights|output_gate_peephole_weights):0$/;
const KERAS3 = /^(.*\/vars)\/([0-2])$/;

/** The one recurrent layer of a Keras weights file, mapped onto its shipped cell. */
export function fromKeras(h5: Hdf5Like): RecurrentModel {
  const layer = findLayer(h5);
  const where = `${h5.file}: layer '${layer.path}'`;
  const { kernel, recurrentKernel: recurrent } = layer;
  if (recurrent.shape.length !== 2 || recurrent.shape[0] < 1 || recurrent.shape[1] % recurrent.shape[0] !== 0) {
    throw new InputError(`${where}: recurrent_kernel has shape [${recurrent.shape.join(', ')}], expected [H, G·H] with G gate blocks`);
  }
  const H = recurrent.shape[0];
  const G = recurrent.shape[1] / H;
  const family = ({ 1: 'RNN', 3: 'GRU', 4: 'LSTM' } as Record<number, Family>)[G];
  if (!family) throw new InputError(`${where}: recurrent_kernel stacks ${G} gate blocks; SimpleRNN has 1, GRU 3, LSTM 4`);
  if (kernel.shape.length !== 2 || kernel.shape[1] !== G * H) throw new InputError(`${where}: kernel has shape [${kernel.shape.join(', ')}], expected [input, ${G * H}] (${G} blocks of hidden ${H})`);
  const config = layerConfig(h5, layer.path);
  const resetAfter = family === 'GRU' ? gruResetAfter(layer.bias, config, H, where) : false;
  const cell = family === 'RNN' ? 'rnn' : family === 'GRU' ? (resetAfter ? 'gru' : 'gru-cho') : layer.peepholes ? 'lstm-peephole' : 'lstm';
  const gates = family === 'RNN' ? ['h'] : KERAS_GATES[family];
  const weights = new Map<string, Tensor>();
  gates.forEach((gate, k) => {
    weights.set(paramNames.inputWeight(gate), transposedBlock(kernel, k, H));
    weights.set(paramNames.recurrentWeight(gate), transposedBlock(recurrent, k, H));
    const [input, rec] = biasBlocks(layer.bias, resetAfter, k, G, H, where);
    weights.set(paramNames.inputBias(gate), input);
    weights.set(paramNames.recurrentBias(gate), rec);
  });
  for (const [gate, tensor] of Object.entries(layer.peepholes ?? {})) {
    if (tensor.shape.length !== 1 || tensor.shape[0] !== H) throw new InputError(`${where}: peephole weights of gate ${gate} have shape [${tensor.shape.join(', ')}], expected [${H}]`);
    weights.set(paramNames.peephole(gate), tensor);
  }
  return { cell, weights, framework: 'keras', recurrentActivation: recurrentActivation(config, h5, where), source: h5.file };
}

function findLayer(h5: Hdf5Like): KerasLayer {
  const groups = new Map<string, Map<string, Tensor>>();
  for (const [path, tensor] of h5.datasets) {
    const match = LEGACY.exec(path) ?? KERAS3.exec(path);
    if (!match) continue;
    const [, group, key] = match;
    if (!groups.has(group)) groups.set(group, new Map());
    groups.get(group)!.set({ 0: 'kernel', 1: 'recurrent_kernel', 2: 'bias' }[key] ?? key, tensor);
  }
  const layers = [...groups].filter(([, vars]) => vars.has('recurrent_kernel'));
  if (layers.length === 0) {
    const found = [...h5.datasets.keys()].slice(0, 6);
    throw new InputError(`${h5.file}: no Keras recurrent layer (a kernel with a recurrent_kernel beside it)${found.length ? `; datasets: ${found.join(', ')}` : '; the file holds no float datasets'}`);
  }
  if (layers.length > 1) throw new InputError(`${h5.file}: ${layers.length} recurrent layers (${layers.map(([p]) => `'${p}'`).join(', ')}); gateflow reads one`);
  const [path, vars] = layers[0];
  const kernel = vars.get('kernel');
  if (!kernel) throw new InputError(`${h5.file}: layer '${path}' has a recurrent_kernel but no kernel`);
  const peep = ['i', 'f', 'o'].map((g) => vars.get(`${{ i: 'input', f: 'forget', o: 'output' }[g]}_gate_peephole_weights`));
  const peepholes = peep.every(Boolean) ? { i: peep[0]!, f: peep[1]!, o: peep[2]! } : undefined;
  return { path, kernel, recurrentKernel: vars.get('recurrent_kernel')!, ...(vars.has('bias') ? { bias: vars.get('bias')! } : {}), ...(peepholes ? { peepholes } : {}) };
}

/** Columns k·H … (k+1)·H − 1 of a [rows, G·H] kernel, transposed to [H, rows] (ONNX W = kernel^T). */
function transposedBlock(kernel: Tensor, k: number, H: number): Tensor {
  const [rows, cols] = kernel.shape;
  const data = new Float64Array(H * rows);
  for (let i = 0; i < H; i++) for (let j = 0; j < rows; j++) data[i * rows + j] = kernel.data[j * cols + k * H + i];
  return { shape: [H, rows], data };
}

function biasBlocks(bias: Tensor | undefined, resetAfter: boolean, k: number, G: number, H: number, where: string): [Tensor, Tensor] {
  const zero = (): Tensor => ({ shape: [H], data: new Float64Array(H) });
  if (!bias) return [zero(), zero()];
  const expected = resetAfter ? [2, G * H] : [G * H];
  if (bias.shape.length !== expected.length || bias.shape.some((d, i) => d !== expected[i])) {
    throw new InputError(`${where}: bias has shape [${bias.shape.join(', ')}], expected [${expected.join(', ')}]${resetAfter ? ' (reset_after=True: input and recurrent bias)' : ''}`);
  }
  const block = (row: number): Tensor => ({ shape: [H], data: bias.data.slice(row * G * H + k * H, row * G * H + (k + 1) * H) });
  return resetAfter ? [block(0), block(1)] : [block(0), zero()];
}

/** reset_after from the stored config when there is one, else from the bias: (2, 3H) means True. */
function gruResetAfter(bias: Tensor | undefined, config: Record<string, unknown> | undefined, H: number, where: string): boolean {
  const fromBias = bias ? bias.shape.length === 2 : undefined;
  const stated = config?.reset_after;
  if (typeof stated === 'boolean') {
    if (fromBias !== undefined && fromBias !== stated) throw new InputError(`${where}: the config says reset_after=${stated ? 'True' : 'False'} but the bias has shape [${bias!.shape.join(', ')}]${stated ? `, expected [2, ${3 * H}]` : `, expected [${3 * H}]`}`);
    return stated;
  }
  return fromBias ?? true;
}

/** The layer's entry in a legacy model_config (JSON), found by the layer's name, the first part of its path. */
function layerConfig(h5: Hdf5Like, path: string): Record<string, unknown> | undefined {
  const text = h5.attributes.model_config;
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputError(`${h5.file}: the model_config attribute is not valid JSON`);
  }
  const name = path.replace(/^(model_weights|layers)\//, '').split('/')[0];
  const found: Record<string, unknown>[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const entry = value as { class_name?: unknown; config?: Record<string, unknown> };
      if (typeof entry.class_name === 'string' && /^(GRU|LSTM|SimpleRNN|RNN)$/.test(entry.class_name) && entry.config) found.push(entry.config);
      Object.values(value).forEach(visit);
    }
  };
  visit(parsed);
  return found.find((c) => c.name === name) ?? (found.length === 1 ? found[0] : undefined);
}

/** Keras's recurrent_activation: 'hard_sigmoid' is clip(0.2x + 0.5) before Keras 3 and relu6(x + 3)/6 from Keras 3. */
function recurrentActivation(config: Record<string, unknown> | undefined, h5: Hdf5Like, where: string): RecurrentActivation {
  const activation = config?.activation;
  if (activation !== undefined && activation !== 'tanh') throw new InputError(`${where}: activation '${String(activation)}' is not supported (the cells use tanh)`);
  const name = config?.recurrent_activation ?? 'sigmoid';
  if (name === 'sigmoid') return 'sigmoid';
  if (name === 'hard_sigmoid') return /^[0-2]\./.test(h5.attributes.keras_version ?? '2.') ? 'hardsigmoid_keras2' : 'hardsigmoid';
  throw new InputError(`${where}: recurrent_activation '${String(name)}' is not supported (sigmoid or hard_sigmoid)`);
}

/** What toKeras writes: datasets in Keras 3's .weights.h5 layout, and root attributes. */
export interface KerasFile {
  readonly datasets: readonly (readonly [string, Tensor])[];
  readonly attributes: Readonly<Record<string, string>>;
}

const KERAS_LAYER_NAMES: Readonly<Record<Family, [string, string]>> = { RNN: ['simple_rnn', 'SimpleRNN'], GRU: ['gru', 'GRU'], LSTM: ['lstm', 'LSTM'] };

/**
 * A model in Keras 3's layout (layers/<name>/cell/vars/0, 1, 2). Biases are merged where
 * that is exact (LSTM, SimpleRNN, the reset-before GRU); a layer config in a model_config
 * attribute records reset_after and the recurrent activation, which the weights cannot show.
 */
export function toKeras(model: RecurrentModel): KerasFile {
  const family = familyOf(model);
  if (model.cell === 'lstm-peephole' && [...model.weights].some(([name, t]) => name.startsWith('p_') && t.data.some((v) => v !== 0))) {
    throw new InputError(`${model.source}: Keras 3 has no peephole LSTM (tf.keras.experimental.PeepholeLSTMCell is gone), and these peepholes are nonzero`);
  }
  const gates = family === 'RNN' ? ['h'] : KERAS_GATES[family];
  const H = model.weights.get(paramNames.recurrentWeight(gates[0]))!.shape[0];
  const I = model.weights.get(paramNames.inputWeight(gates[0]))!.shape[1];
  const G = gates.length;
  const get = (name: string): Tensor => model.weights.get(name)!;
  const kernel = stackTransposed(gates.map((g) => get(paramNames.inputWeight(g))), I, H);
  const recurrent = stackTransposed(gates.map((g) => get(paramNames.recurrentWeight(g))), H, H);
  const resetAfter = model.cell === 'gru';
  const bias = new Float64Array((resetAfter ? 2 : 1) * G * H);
  gates.forEach((g, k) => {
    const input = get(paramNames.inputBias(g)).data;
    const rec = get(paramNames.recurrentBias(g)).data;
    for (let i = 0; i < H; i++) {
      if (resetAfter) {
        bias[k * H + i] = input[i];
        bias[G * H + k * H + i] = rec[i];
      } else bias[k * H + i] = input[i] + rec[i];
    }
  });
  const [name, className] = KERAS_LAYER_NAMES[family];
  const path = `layers/${name}/cell/vars`;
  const activation = model.recurrentActivation === 'sigmoid' ? 'sigmoid' : 'hard_sigmoid';
  const config = { name, units: H, activation: 'tanh', recurrent_activation: activation, ...(family === 'GRU' ? { reset_after: resetAfter } : {}) };
  return {
    datasets: [
      [`${path}/0`, kernel],
      [`${path}/1`, recurrent],
      [`${path}/2`, { shape: resetAfter ? [2, G * H] : [G * H], data: bias }],
    ],
    attributes: {
      model_config: JSON.stringify({ class_name: 'Sequential', config: { layers: [{ class_name: className, config }] } }),
      keras_version: model.recurrentActivation === 'hardsigmoid_keras2' ? '2.15.0' : '3.0.0',
    },
  };
}

/** Gate blocks [H, cols] → the kernel [cols, G·H] that holds their transposes side by side. */
function stackTransposed(blocks: readonly Tensor[], cols: number, H: number): Tensor {
  const G = blocks.length;
  const data = new Float64Array(cols * G * H);
  blocks.forEach((b, k) => {
    for (let i = 0; i < H; i++) for (let j = 0; j < cols; j++) data[j * G * H + k * H + i] = b.data[i * cols + j];
  });
  return { shape: [cols, G * H], data };
}

