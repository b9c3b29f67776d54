/**
 * A recurrent model as check and convert see it, whatever file it came from: the shipped
 * cell it is (rnn, gru, gru-cho, lstm, lstm-peephole), its weights keyed by that cell's
 * parameters, the framework whose layout the file used (for messages that speak of gate
 * chunks in the file's own order) and the recurrent activation (Keras's hard sigmoids).
 */
import type { CellGraph } from '../cell/index.js';
import { InputError } from '../errors.js';
import { ONNX_GATES, PYTORCH_GATES, type Family } from './conventions.js';
import type { Trace, Weights } from './types.js';

export type Framework = 'pytorch' | 'onnx' | 'keras' | 'json';

/** The gates' squashing function: sigmoid, Keras 2's clip(0.2x + 0.5, 0, 1), or Keras 3's relu6(x + 3) / 6. */
export type RecurrentActivation = 'sigmoid' | 'hardsigmoid_keras2' | 'hardsigmoid';

export interface RecurrentModel {
  /** A shipped cell: rnn, gru, gru-cho, lstm or lstm-peephole. */
  readonly cell: string;
  readonly weights: Weights;
  readonly framework: Framework;
  readonly recurrentActivation: RecurrentActivation;
  /** Initial states stored in the file (ONNX initial_h, initial_c), [batch][hidden]. */
  readonly initial?: Readonly<Record<string, number[][]>>;
  /** The file, for messages. */
  readonly source: string;
}

/** The cell a model runs on: the shipped cell, with its gates' sigmoid replaced when the activation says so. */
export type CellResolver = (cell: string, recurrentActivation: RecurrentActivation) => CellGraph;

/** The shipped cells check and convert know, by family. */
export const FAMILY_OF_CELL: Readonly<Record<string, Family>> = { rnn: 'RNN', gru: 'GRU', 'gru-cho': 'GRU', lstm: 'LSTM', 'lstm-peephole': 'LSTM' };

export function familyOf(model: Pick<RecurrentModel, 'cell' | 'source'>): Family {
  const family = Object.hasOwn(FAMILY_OF_CELL, model.cell) ? FAMILY_OF_CELL[model.cell] : undefined;
  if (!family) throw new InputError(`${model.source}: cell '${model.cell}' is not one of the framework cells (${Object.keys(FAMILY_OF_CELL).join(', ')})`);
  return family;
}

/** Keras's stacked order: GRU z, r, h (h is the candidate n), LSTM i, f, c, o (c is g). */
export const KERAS_GATES: Readonly<Record<Family, readonly string[]>> = { RNN: ['h'], GRU: ['z', 'r', 'n'], LSTM: ['i', 'f', 'g', 'o'] };

/** The order in which a framework stacks the gate chunks, in the cells' gate letters. */
export function sourceGateOrder(framework: Framework, family: Family): readonly string[] {
  if (framework === 'onnx') return ONNX_GATES[family];
  if (framework === 'keras') return KERAS_GATES[family];
  return PYTORCH_GATES[family];
}

/** A framework's own letter for a gate: ONNX and Keras call the GRU candidate h and the LSTM cell gate c. */
export function nativeGate(framework: Framework, family: Family, gate: string): string {
  if (framework === 'onnx' || framework === 'keras') {
    if (family === 'GRU' && gate === 'n') return 'h';
    if (family === 'LSTM' && gate === 'g') return 'c';
  }
  return gate;
}

export const FRAMEWORK_NAMES: Readonly<Record<Framework, string>> = { pytorch: 'PyTorch', onnx: 'ONNX', keras: 'Keras', json: 'gateflow JSON' };

/** "PyTorch nn.GRU (cell gru)", "ONNX GRU linear_before_reset=0 (cell gru-cho)". */
export function describeModel(model: RecurrentModel): string {
  const family = familyOf(model);
  const gru = family === 'GRU' ? (model.cell === 'gru' ? 'reset after the matmul' : 'reset before the matmul') : '';
  const form =
    model.framework === 'pytorch' ? `nn.${family}`
    : model.framework === 'onnx' ? `${family}${family === 'GRU' ? ` linear_before_reset=${model.cell === 'gru' ? 1 : 0}` : model.cell === 'lstm-peephole' ? ' with P' : ''}`
    : model.framework === 'keras' ? `${family === 'RNN' ? 'SimpleRNN' : family}${family === 'GRU' ? ` reset_after=${model.cell === 'gru' ? 'True' : 'False'}` : ''}`
    : `weights, ${family}${gru ? `, ${gru}` : ''}`;
  const activation = model.recurrentActivation === 'sigmoid' ? '' : `, recurrent activation ${model.recurrentActivation}`;
  return `${FRAMEWORK_NAMES[model.framework]} ${form} (cell ${model.cell}${activation})`;
}

/**
 * The text of a shipped cell with its gates' sigmoid replaced by a hard sigmoid (Keras's
 * recurrent_activation='hard_sigmoid'); the cell keeps its parameters, so weights map the same.
 */
export function withRecurrentActivation(text: string, activation: RecurrentActivation): string {
  if (activation === 'sigmoid') return text;
  return text
    .replace(/^cell:\s*(\S+)/m, (_m, name: string) => `cell: ${name}-${activation.replace('_', '-')}`)
    .replace(/σ\(/g, `${activation}(`)
    .replace(/\bsigmoid\(/g, `${activation}(`);
}

/**
 * The shipped cell a file's tensor names point to: a PyTorch state_dict by its gate count
 * (weight_hh_l0 rows per hidden unit; a GRU is PyTorch's, reset after the matmul), cell
 * parameters by their names (a GRU's names are the same for gru and gru-cho: gru is assumed).
 */
export function cellOfTensorNames(names: readonly string[], tensorsShape: (name: string) => readonly number[] | undefined, source: string): string {
  const hh = names.find((n) => /(^|\.)weight_hh_l0$/.test(n));
  if (hh) {
    const [rows, cols] = tensorsShape(hh) ?? [];
    const cell = rows && cols ? ({ 1: 'rnn', 3: 'gru', 4: 'lstm' } as Record<number, string>)[rows / cols] : undefined;
    if (cell) return cell;
  }
  const has = (n: string) => names.includes(n);
  if (has('W_ii')) return has('p_i') ? 'lstm-peephole' : 'lstm';
  if (has('W_ir')) return 'gru';
  if (has('W_ih')) return 'rnn';
  throw new InputError(`${source}: its tensors (${names.slice(0, 6).join(', ')}) are not a PyTorch RNN/GRU/LSTM state_dict nor a framework cell's parameters; name the cell with --cell`);
}
