/**
 * A PyTorch nn.RNN / nn.GRU / nn.LSTM state_dict (weight_ih_l0, weight_hh_l0, bias_ih_l0,
 * bias_hh_l0; stacked gate chunks r,z,n or i,f,g,o) → the cell's parameters. The family
 * comes from the number of chunks; the names from the convention table, not from the cell.
 */
import type { CellGraph } from '../cell/index.js';
import { InputError } from '../errors.js';
import { FAMILY_BY_GATE_COUNT, PYTORCH_GATES, PYTORCH_MISMATCH, paramNames } from './conventions.js';
import type { Tensor, Weights } from './types.js';

const PYTORCH_NAME = /^(.*?)(weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)_l(\d+)(_reverse)?$/;

/** True when the tensor names look like a PyTorch recurrent module's state_dict. */
export function isPyTorchStateDict(tensors: ReadonlyMap<string, Tensor>): boolean {
  return [...tensors.keys()].some((name) => PYTORCH_NAME.test(name));
}

export interface PyTorchOptions {
  /** Prefixes messages (a file name). */
  readonly source?: string;
  /** Told when the mapping is legal but the cell is not the model PyTorch ran. */
  readonly warn?: (message: string) => void;
}

/** The state_dict's tensors sorted: PyTorch's by kind (weight_ih, ...) under their one module prefix, and the cell's own names passed through. */
function pytorchTensors(cell: CellGraph, cellParams: ReadonlySet<string>, tensors: ReadonlyMap<string, Tensor>, source: string): { found: Map<string, Tensor>; prefix: string; passThrough: Map<string, Tensor> } {
  const found = new Map<string, Tensor>();
  const prefixes = new Set<string>();
  const passThrough = new Map<string, Tensor>();
  for (const [name, tensor] of tensors) {
    const match = PYTORCH_NAME.exec(name);
    if (!match) {
      if (cellParams.has(name)) passThrough.set(name, tensor);
      else throw new InputError(`${source}: unknown tensor '${name}' (expected PyTorch's weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0${cell.params.length ? ` or a parameter of cell '${cell.name}'` : ''})`);
      continue;
    }
    const [, prefix, kind, layer, reverse] = match;
    if (layer !== '0' || reverse || kind === 'weight_hr') {
      const why = kind === 'weight_hr' ? 'an LSTM with proj_size > 0, which no cell models' : layer !== '0' ? `layer ${layer} of a stacked module` : 'the reverse direction of a bidirectional module';
      throw new InputError(`${source}: tensor '${name}' belongs to ${why}; gateflow traces one layer in the forward direction (layer 0)`);
    }
    prefixes.add(prefix);
    found.set(kind, tensor);
  }
  if (prefixes.size > 1) throw new InputError(`${source}: tensors of ${prefixes.size} recurrent modules (${[...prefixes].map((p) => `'${p}'`).join(', ')}); keep one`);
  return { found, prefix: [...prefixes][0] ?? '', passThrough };
}

/** The two weight matrices, checked as [G·H, I] and [G·H, H]; G names the module (RNN, GRU, LSTM). */
function pytorchStack(found: ReadonlyMap<string, Tensor>, prefix: string, source: string) {
  const input = found.get('weight_ih');
  const hidden = found.get('weight_hh');
  if (!input || !hidden) throw new InputError(`${source}: missing tensor '${prefix}${input ? 'weight_hh' : 'weight_ih'}_l0'`);
  if (hidden.shape.length !== 2 || hidden.shape[1] < 1 || hidden.shape[0] % hidden.shape[1] !== 0) {
    throw new InputError(`${source}: '${prefix}weight_hh_l0' has shape [${hidden.shape.join(', ')}], expected [G·H, H] with G gate chunks`);
  }
  const H = hidden.shape[1];
  const G = hidden.shape[0] / H;
  const family = FAMILY_BY_GATE_COUNT[G];
  if (!family) throw new InputError(`${source}: '${prefix}weight_hh_l0' stacks ${G} gate chunks; nn.RNN has 1, nn.GRU 3, nn.LSTM 4`);
  if (input.shape.length !== 2 || input.shape[0] !== G * H) {
    throw new InputError(`${source}: '${prefix}weight_ih_l0' has shape [${input.shape.join(', ')}], expected [${G * H}, input] (${G} chunks of hidden ${H})`);
  }
  return { input, hidden, family, G, H, I: input.shape[1] };
}

/**
 * Maps a state_dict onto `cell`'s parameters. Tensors already named like the cell's
 * parameters pass through (e.g. peepholes added by hand); anything else is an error.
 * A module saved with bias=False has no bias tensors: its biases are zero.
 */
export function fromPyTorch(cell: CellGraph, tensors: ReadonlyMap<string, Tensor>, options: PyTorchOptions = {}): Weights {
  const source = options.source ?? 'state_dict';
  const cellParams = new Set(cell.params.map((p) => p.name));
  const { found, prefix, passThrough } = pytorchTensors(cell, cellParams, tensors, source);
  const { input, hidden, family, G, H, I } = pytorchStack(found, prefix, source);
  const gates = PYTORCH_GATES[family];

  const wanted = gates.flatMap((g) => [paramNames.inputWeight(g), paramNames.recurrentWeight(g), paramNames.inputBias(g), paramNames.recurrentBias(g)]);
  const absent = wanted.filter((name) => !cellParams.has(name));
  if (absent.length) {
    throw new InputError(
      `${source}: a PyTorch ${family} state_dict (gates ${gates.join(', ')}) does not fit cell '${cell.name}': it has no parameter${absent.length > 1 ? 's' : ''} ${absent.map((n) => `'${n}'`).join(', ')}`,
    );
  }
  const note = PYTORCH_MISMATCH[cell.name];
  if (note && family === 'GRU') options.warn?.(note);

  const out = new Map<string, Tensor>();
  const bias = (kind: 'bias_ih' | 'bias_hh'): Tensor => {
    const tensor = found.get(kind);
    if (!tensor) return { shape: [G * H], data: new Float64Array(G * H) };
    if (tensor.shape.length !== 1 || tensor.shape[0] !== G * H) {
      throw new InputError(`${source}: '${prefix}${kind}_l0' has shape [${tensor.shape.join(', ')}], expected [${G * H}] (${G} chunks of hidden ${H})`);
    }
    return tensor;
  };
  const biasIh = bias('bias_ih');
  const biasHh = bias('bias_hh');
  gates.forEach((gate, k) => {
    out.set(paramNames.inputWeight(gate), rowBlock(input, k, H, I));
    out.set(paramNames.recurrentWeight(gate), rowBlock(hidden, k, H, H));
    out.set(paramNames.inputBias(gate), { shape: [H], data: biasIh.data.slice(k * H, (k + 1) * H) });
    out.set(paramNames.recurrentBias(gate), { shape: [H], data: biasHh.data.slice(k * H, (k + 1) * H) });
  });
  for (const [name, tensor] of passThrough) out.set(name, tensor);
  return out;
}

/** Rows k·H … (k+1)·H − 1 of a [G·H, cols] matrix. */
export function rowBlock(tensor: Tensor, k: number, H: number, cols: number): Tensor {
  return { shape: [H, cols], data: tensor.data.slice(k * H * cols, (k + 1) * H * cols) };
}

/**
 * The inverse of fromPyTorch: the cell's weights as nn.RNN / nn.GRU / nn.LSTM state_dict
 * tensors, so weights drawn or imported here can be loaded into PyTorch
 * (module.load_state_dict). The cell must have exactly one family's parameters.
 */
export function toPyTorch(cell: CellGraph, weights: Weights, options: Pick<PyTorchOptions, 'warn'> = {}): Map<string, Tensor> {
  const cellParams = cell.params.map((p) => p.name);
  const names = (gates: readonly string[]) => gates.flatMap((g) => [paramNames.inputWeight(g), paramNames.recurrentWeight(g), paramNames.inputBias(g), paramNames.recurrentBias(g)]);
  const family = (Object.keys(PYTORCH_GATES) as (keyof typeof PYTORCH_GATES)[]).find((f) => names(PYTORCH_GATES[f]).every((n) => cellParams.includes(n)));
  if (!family) throw new InputError(`cell '${cell.name}' has no PyTorch counterpart: its parameters are not nn.RNN's, nn.GRU's or nn.LSTM's (W_i<g>, W_h<g>, b_i<g>, b_h<g>)`);
  const wanted = names(PYTORCH_GATES[family]);
  const extra = cellParams.filter((n) => !wanted.includes(n));
  if (extra.length) throw new InputError(`cell '${cell.name}' has parameters nn.${family} lacks: ${extra.join(', ')}`);
  const note = PYTORCH_MISMATCH[cell.name];
  if (note && family === 'GRU') options.warn?.(note);
  const stack = (kind: (g: string) => string): Tensor => {
    const blocks = PYTORCH_GATES[family].map((g) => weights.get(kind(g))!);
    const data = new Float64Array(blocks.reduce((n, b) => n + b.data.length, 0));
    let at = 0;
    for (const b of blocks) {
      data.set(b.data, at);
      at += b.data.length;
    }
    const [rows, ...rest] = blocks[0].shape;
    return { shape: [rows * blocks.length, ...rest], data };
  };
  return new Map([
    ['weight_ih_l0', stack(paramNames.inputWeight)],
    ['weight_hh_l0', stack(paramNames.recurrentWeight)],
    ['bias_ih_l0', stack(paramNames.inputBias)],
    ['bias_hh_l0', stack(paramNames.recurrentBias)],
  ]);
}
