/**
 * An ONNX model's RNN, GRU or LSTM node → a shipped cell's name and its weights.
 * W [1, G·H, I], R [1, G·H, H], B [1, 2·G·H] = [Wb, Rb], P [1, 3·H] are cut into gate
 * blocks in ONNX's order (z,r,h; i,o,f,c; P i,o,f) and renamed by the convention table.
 * Attributes the evaluator cannot honour are refused by name.
 */
import type { CellGraph } from '../cell/index.js';
import { InputError } from '../errors.js';
import { ONNX_GATES, ONNX_PEEPHOLES, onnxShippedCell, paramNames, type Family } from './conventions.js';
import { rowBlock } from './pytorch.js';
import type { RecurrentActivation } from './model.js';
import type { Tensor, Weights } from './types.js';

/** The decoded model as io's decodeOnnx returns it (only what the importer reads). */
export interface OnnxModelLike {
  readonly file: string;
  readonly nodes: readonly {
    readonly opType: string;
    readonly name: string;
    readonly domain: string;
    readonly inputs: readonly string[];
    readonly outputs?: readonly string[];
    readonly attributes: Readonly<Record<string, unknown>>;
  }[];
  readonly initializers: ReadonlyMap<string, Tensor>;
  readonly graphInputs: readonly string[];
}

export interface OnnxImport {
  /** The shipped cell the node is (gru, gru-cho, rnn, lstm, lstm-peephole). */
  readonly cell: string;
  readonly op: Family;
  readonly nodeName: string;
  readonly hidden: number;
  readonly input: number;
  /** 0: X is [T, N, I]; 1: X is [N, T, I] (batch first). Weights do not depend on it. */
  readonly layout: 0 | 1;
  readonly linearBeforeReset: boolean;
  readonly hasPeepholes: boolean;
  /** The gates' activation: Sigmoid, or HardSigmoid with Keras 2's (alpha 0.2) or Keras 3's (alpha 1/6) slope. */
  readonly recurrentActivation: RecurrentActivation;
  /** The stored sequence_lens (equal for every batch element), when the model stores one. */
  readonly sequenceLength?: number;
}

const SLOTS = ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h', 'initial_c', 'P'] as const;
const DEFAULT_ACTIVATIONS: Readonly<Record<Family, readonly string[]>> = { RNN: ['Tanh'], GRU: ['Sigmoid', 'Tanh'], LSTM: ['Sigmoid', 'Tanh', 'Tanh'] };

/** Finds the one recurrent node and reads what kind of cell it is, refusing what cannot be traced. */
export function inspectOnnx(model: OnnxModelLike): OnnxImport {
  return readNode(model).info;
}

type OnnxNodeLike = OnnxModelLike['nodes'][number];

/** The recurrent node, checked: what it is, where it is (for messages), and its W and R. */
function readNode(model: OnnxModelLike): { info: OnnxImport; node: OnnxNodeLike; where: string; W: Tensor; R: Tensor } {
  const node = recurrentNode(model);
  const family = node.opType as Family;
  const attrs = node.attributes;
  const where = `${model.file}: ${family} node${node.name ? ` '${node.name}'` : ''}`;
  checkAttributeTypes(attrs, where);
  const unsupported: string[] = [];
  const direction = attrs.direction ?? 'forward';
  if (direction !== 'forward') unsupported.push(`direction=${String(direction)}`);
  if (attrs.clip !== undefined) unsupported.push(`clip=${String(attrs.clip)}`);
  if (attrs.input_forget !== undefined && attrs.input_forget !== 0) unsupported.push(`input_forget=${String(attrs.input_forget)}`);
  const activation = recurrentActivationOf(family, attrs);
  if (typeof activation === 'object') unsupported.push(activation.unsupported);
  const layout = attrs.layout ?? 0;
  if (layout !== 0 && layout !== 1) unsupported.push(`layout=${String(layout)}`);
  const lbr = attrs.linear_before_reset ?? 0;
  if (typeof lbr !== 'number') unsupported.push(`linear_before_reset=${String(lbr)}`);
  const known = new Set(['hidden_size', 'direction', 'clip', 'input_forget', 'activations', 'activation_alpha', 'activation_beta', 'layout', 'linear_before_reset']);
  for (const name of Object.keys(attrs)) if (!known.has(name)) unsupported.push(name);
  if (unsupported.length) throw new InputError(`${where}: unsupported attribute${unsupported.length > 1 ? 's' : ''} ${unsupported.join(', ')}`);

  const G = ONNX_GATES[family].length;
  const W = stored(model, node, 'W', where, true)!;
  const R = stored(model, node, 'R', where, true)!;
  if (W.shape.length !== 3 || W.shape[0] !== 1 || W.shape[1] % G !== 0) throw new InputError(`${where}: W has shape [${W.shape.join(', ')}], expected [1, ${G}·hidden, input]`);
  const H = W.shape[1] / G;
  if (attrs.hidden_size !== undefined && attrs.hidden_size !== H) throw new InputError(`${where}: hidden_size=${String(attrs.hidden_size)} but W has ${W.shape[1]} rows (${G} gates × ${H})`);
  if (R.shape.length !== 3 || R.shape[0] !== 1 || R.shape[1] !== G * H || R.shape[2] !== H) throw new InputError(`${where}: R has shape [${R.shape.join(', ')}], expected [1, ${G * H}, ${H}]`);
  const P = family === 'LSTM' ? stored(model, node, 'P', where, false) : undefined;
  const lengths = stored(model, node, 'sequence_lens', where, false);
  checkSequenceLengths(lengths, where);
  const info: OnnxImport = {
    cell: onnxShippedCell(family, lbr !== 0, P !== undefined),
    op: family,
    nodeName: node.name,
    hidden: H,
    input: W.shape[2],
    layout: layout as 0 | 1,
    linearBeforeReset: lbr !== 0,
    hasPeepholes: P !== undefined,
    recurrentActivation: activation as RecurrentActivation,
    ...(lengths && lengths.data.length ? { sequenceLength: lengths.data[0] } : {}),
  };
  return { info, node, where, W, R };
}

/** HardSigmoid's slope for Keras 2's clip(0.2x + 0.5, 0, 1) and Keras 3's relu6(x + 3)/6 = clip(x/6 + 0.5, 0, 1); beta is 0.5 in both. */
export const HARD_SIGMOID_ALPHA: Readonly<Record<Exclude<RecurrentActivation, 'sigmoid'>, number>> = { hardsigmoid_keras2: 0.2, hardsigmoid: 1 / 6 };

/**
 * The gates' activation from the node's activations (the defaults, or HardSigmoid in the
 * gates' place, f, with the others at their defaults); alpha and beta are the first of their
 * lists (f's), else HardSigmoid's defaults 0.2 and 0.5. Stored as float32, so compared to 1e-6.
 */
function recurrentActivationOf(family: Family, attrs: Readonly<Record<string, unknown>>): RecurrentActivation | { unsupported: string } {
  const defaults = DEFAULT_ACTIVATIONS[family];
  const given = (attrs.activations as readonly string[] | undefined) ?? defaults;
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const rest = given.length === defaults.length && given.slice(1).every((a, i) => same(a, defaults[i + 1]));
  if (rest && same(given[0], defaults[0])) return 'sigmoid';
  const alpha = (attrs.activation_alpha as readonly number[] | undefined)?.[0] ?? 0.2;
  const beta = (attrs.activation_beta as readonly number[] | undefined)?.[0] ?? 0.5;
  if (rest && family !== 'RNN' && same(given[0], 'HardSigmoid') && Math.abs(beta - 0.5) < 1e-6) {
    for (const [name, slope] of Object.entries(HARD_SIGMOID_ALPHA)) if (Math.abs(alpha - slope) < 1e-6) return name as RecurrentActivation;
  }
  const hard = given.some((a) => same(a, 'HardSigmoid')) ? ` with alpha ${alpha}, beta ${beta}` : '';
  const or = family === 'RNN' ? '' : ', or HardSigmoid with alpha 0.2 or 1/6 and beta 0.5 in place of Sigmoid';
  return { unsupported: `activations=[${given.join(', ')}]${hard} (the cell uses ${defaults.join(', ')}${or})` };
}

/** The type each attribute must have (as ONNX defines it), so that a corrupt or hand-made file gets a message, not a crash. */
const ATTRIBUTE_TYPES: Readonly<Record<string, 'INT' | 'FLOAT' | 'STRING' | 'FLOATS' | 'STRINGS'>> = {
  hidden_size: 'INT', direction: 'STRING', clip: 'FLOAT', input_forget: 'INT', activations: 'STRINGS',
  activation_alpha: 'FLOATS', activation_beta: 'FLOATS', layout: 'INT', linear_before_reset: 'INT',
};

function checkAttributeTypes(attrs: Readonly<Record<string, unknown>>, where: string): void {
  for (const [name, value] of Object.entries(attrs)) {
    const type = Object.hasOwn(ATTRIBUTE_TYPES, name) ? ATTRIBUTE_TYPES[name] : undefined;
    if (type === undefined) continue;
    const fits =
      type === 'INT' ? Number.isSafeInteger(value)
      : type === 'FLOAT' ? typeof value === 'number'
      : type === 'STRING' ? typeof value === 'string'
      : Array.isArray(value) && value.every((v) => typeof v === (type === 'FLOATS' ? 'number' : 'string'));
    if (!fits) throw new InputError(`${where}: attribute ${name} must be of type ${type}, found ${attributeType(value)}`);
  }
}

/** How io decoded an attribute: a number, a string, a list, or { unsupported: 'TENSOR' }. */
function attributeType(value: unknown): string {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return String((value as { unsupported?: unknown }).unsupported ?? 'object');
  if (Array.isArray(value)) return value.length === 0 || typeof value[0] === 'number' ? 'INTS or FLOATS' : 'STRINGS';
  return typeof value === 'string' ? 'STRING' : Number.isInteger(value) ? 'INT' : 'FLOAT';
}

/**
 * The node's weights as `cell`'s parameters, plus initial states stored in the model.
 * A cell that is a different model from the node (gru for a linear_before_reset=0 GRU,
 * lstm for an LSTM with peepholes) is refused; a tensor with no matching parameter
 * must be all zeros.
 */
export function fromOnnx(model: OnnxModelLike, cell: CellGraph): { weights: Weights; initial: Record<string, number[][]>; info: OnnxImport } {
  const { info, node, where, W, R } = readNode(model);
  const shipped = ['rnn', 'gru', 'gru-cho', 'lstm', 'lstm-peephole'];
  if (shipped.includes(cell.name) && cell.name !== info.cell && !(cell.name === 'lstm-peephole' && info.cell === 'lstm')) {
    const why =
      info.op === 'GRU' ? ` (linear_before_reset=${info.linearBeforeReset ? 1 : 0})`
      : info.op === 'LSTM' && info.hasPeepholes ? ' (it has peepholes P)'
      : '';
    throw new InputError(`${where} is cell '${info.cell}'${why}, not '${cell.name}'`);
  }
  const { hidden: H, input: I } = info;
  const gates = ONNX_GATES[info.op];
  const G = gates.length;
  const B = stored(model, node, 'B', where, false);
  if (B && (B.shape.length !== 2 || B.shape[0] !== 1 || B.shape[1] !== 2 * G * H)) throw new InputError(`${where}: B has shape [${B.shape.join(', ')}], expected [1, ${2 * G * H}]`);
  const P = stored(model, node, 'P', where, false);
  if (P && (P.shape.length !== 2 || P.shape[0] !== 1 || P.shape[1] !== 3 * H)) throw new InputError(`${where}: P has shape [${P.shape.join(', ')}], expected [1, ${3 * H}]`);

  const produced = new Map<string, Tensor>();
  const slice = (t: Tensor | undefined, from: number): Tensor => ({ shape: [H], data: t ? t.data.slice(from, from + H) : new Float64Array(H) });
  const flatW = { shape: [G * H, I], data: W.data };
  const flatR = { shape: [G * H, H], data: R.data };
  gates.forEach((gate, k) => {
    produced.set(paramNames.inputWeight(gate), rowBlock(flatW, k, H, I));
    produced.set(paramNames.recurrentWeight(gate), rowBlock(flatR, k, H, H));
    produced.set(paramNames.inputBias(gate), slice(B, k * H));
    produced.set(paramNames.recurrentBias(gate), slice(B, (G + k) * H));
  });
  if (info.op === 'LSTM') ONNX_PEEPHOLES.forEach((gate, k) => produced.set(paramNames.peephole(gate), slice(P, k * H)));

  const params = new Set(cell.params.map((p) => p.name));
  const weights = new Map<string, Tensor>();
  for (const [name, tensor] of produced) {
    if (params.has(name)) weights.set(name, tensor);
    else if (tensor.data.some((v) => v !== 0)) throw new InputError(`${where}: cell '${cell.name}' has no parameter '${name}' for the model's nonzero ${name.startsWith('p_') ? 'peephole' : 'weights'}`);
  }

  const initial: Record<string, number[][]> = {};
  const states = new Map([['initial_h', 'h'], ['initial_c', 'c']]);
  for (const [slot, state] of states) {
    const t = stored(model, node, slot as (typeof SLOTS)[number], where, false);
    if (!t) continue;
    if (t.shape.length !== 3 || t.data.length % H !== 0) throw new InputError(`${where}: ${slot} has shape [${t.shape.join(', ')}], expected [1, batch, ${H}]`);
    const rows = t.data.length / H;
    initial[state] = Array.from({ length: rows }, (_, b) => Array.from(t.data.slice(b * H, (b + 1) * H)));
  }
  return { weights, initial, info };
}

function recurrentNode(model: OnnxModelLike): OnnxNodeLike {
  const recurrent = model.nodes.filter((n) => ['RNN', 'GRU', 'LSTM'].includes(n.opType) && (n.domain === '' || n.domain === 'ai.onnx'));
  if (recurrent.length === 0) {
    const ops = [...new Set(model.nodes.map((n) => n.opType))];
    throw new InputError(`${model.file}: the model has no RNN, GRU or LSTM node${ops.length ? ` (it has ${ops.join(', ')})` : ' (its graph is empty)'}`);
  }
  if (recurrent.length > 1) {
    throw new InputError(`${model.file}: the model has ${recurrent.length} recurrent nodes (${recurrent.map((n) => `${n.opType} '${n.name}'`).join(', ')}); gateflow traces one`);
  }
  return recurrent[0];
}

/** The stored value of a node input slot; a required slot fed at run time is an error. */
function stored(model: OnnxModelLike, node: OnnxNodeLike, slot: (typeof SLOTS)[number], where: string, required: boolean): Tensor | undefined {
  const name = node.inputs[SLOTS.indexOf(slot)] ?? '';
  if (name === '') {
    if (required) throw new InputError(`${where} has no ${slot} input`);
    return undefined;
  }
  const tensor = model.initializers.get(name);
  if (tensor) return tensor;
  if (!required) return undefined;
  const producer = model.nodes.find((n) => n.outputs?.includes(name));
  if (producer) {
    throw new InputError(`${where}: ${slot} ('${name}') is computed by ${producer.opType} node '${producer.name}', not stored; export the model with constant folding so the weights are initializers`);
  }
  throw new InputError(`${where}: ${slot} ('${name}') is fed at run time, not stored in the model; export the model with its weights as initializers`);
}

function checkSequenceLengths(lengths: Tensor | undefined, where: string): void {
  if (lengths && lengths.data.some((v) => v !== lengths.data[0])) {
    throw new InputError(`${where}: unsupported sequence_lens [${Array.from(lengths.data).join(', ')}] (unequal lengths per batch element)`);
  }
}
