/**
 * Where each of a framework cell's parameters lives in a framework's file: `W_ir =
 * weight_ih_l0[0:H]` in PyTorch, `W_z = W[0, 0:H, :]` in ONNX, a transposed column block of
 * `kernel` in Keras, with a badge naming the convention (gate order, GRU reset placement,
 * update rule). The same table the importers use (conventions.ts, keras.ts), in words.
 */
import { InputError } from '../errors.js';
import { ONNX_PEEPHOLES, paramNames } from './conventions.js';
import { FAMILY_OF_CELL, FRAMEWORK_NAMES, nativeGate, sourceGateOrder, type Framework } from './model.js';

export interface WeightsMap {
  /** One line: the framework, its gate order, the GRU form and update rule. */
  readonly badge: string;
  /** [parameter, where it comes from]. */
  readonly rows: readonly (readonly [string, string])[];
}

/** "0:H", "H:2H", "2H:3H". */
function span(k: number): string {
  const at = (n: number) => (n === 0 ? '0' : n === 1 ? 'H' : `${n}H`);
  return `${at(k)}:${at(k + 1)}`;
}

export function weightsMap(cell: string, framework: Exclude<Framework, 'json'>): WeightsMap {
  const family = Object.hasOwn(FAMILY_OF_CELL, cell) ? FAMILY_OF_CELL[cell] : undefined;
  if (!family) throw new InputError(`--weights-map: cell '${cell}' has no framework layout (framework cells: ${Object.keys(FAMILY_OF_CELL).join(', ')})`);
  const name = FRAMEWORK_NAMES[framework];
  if (framework === 'pytorch' && (cell === 'gru-cho' || cell === 'lstm-peephole')) {
    throw new InputError(`--weights-map pytorch: PyTorch has no counterpart of cell '${cell}' (${cell === 'gru-cho' ? 'nn.GRU applies the reset after the matmul' : 'nn.LSTM has no peepholes'})`);
  }
  if (framework === 'keras' && cell === 'lstm-peephole') throw new InputError("--weights-map keras: Keras 3 has no peephole LSTM (cell 'lstm-peephole')");
  const order = sourceGateOrder(framework, family);
  const G = order.length;
  const rows: [string, string][] = [];
  const resetAfter = cell === 'gru';
  for (const [k, gate] of order.entries()) {
    const native = nativeGate(framework, family, gate);
    const s = span(k);
    if (framework === 'pytorch') {
      rows.push([paramNames.inputWeight(gate), `weight_ih_l0[${s}]`], [paramNames.recurrentWeight(gate), `weight_hh_l0[${s}]`]);
      rows.push([paramNames.inputBias(gate), `bias_ih_l0[${s}]`], [paramNames.recurrentBias(gate), `bias_hh_l0[${s}]`]);
    } else if (framework === 'onnx') {
      rows.push([paramNames.inputWeight(gate), `W[0, ${s}, :] (W_${native})`], [paramNames.recurrentWeight(gate), `R[0, ${s}, :] (R_${native})`]);
      rows.push([paramNames.inputBias(gate), `B[0, ${s}] (Wb_${native})`], [paramNames.recurrentBias(gate), `B[0, ${span(G + k)}] (Rb_${native})`]);
    } else {
      rows.push([paramNames.inputWeight(gate), `kernel[:, ${s}]ᵀ`], [paramNames.recurrentWeight(gate), `recurrent_kernel[:, ${s}]ᵀ`]);
      if (resetAfter) rows.push([paramNames.inputBias(gate), `bias[0, ${s}]`], [paramNames.recurrentBias(gate), `bias[1, ${s}]`]);
      else rows.push([paramNames.inputBias(gate), `bias[${s}] (holds ${paramNames.inputBias(gate)} + ${paramNames.recurrentBias(gate)})`], [paramNames.recurrentBias(gate), '— (Keras keeps one bias)']);
    }
  }
  if (cell === 'lstm-peephole') ONNX_PEEPHOLES.forEach((gate, k) => rows.push([paramNames.peephole(gate), `P[0, ${span(k)}] (P_${gate})`]));
  // Sorted as the cell declares its parameters: by gate in the cell's order, weights before biases.
  const cellOrder = family === 'RNN' ? ['h'] : family === 'GRU' ? ['r', 'z', 'n'] : ['i', 'f', 'g', 'o'];
  const rank = (param: string) => {
    const gate = param.startsWith('p_') ? param.slice(2) : param.slice(3);
    const kind = ['W_i', 'W_h', 'b_i', 'b_h', 'p_'].findIndex((p) => param.startsWith(p));
    return cellOrder.indexOf(gate) * 10 + kind;
  };
  rows.sort((a, b) => rank(a[0]) - rank(b[0]));
  const gates = order.map((g) => nativeGate(framework, family, g)).join(', ');
  const form =
    family !== 'GRU' ? ''
    : framework === 'pytorch' ? '; reset after the matmul (= ONNX linear_before_reset=1)'
    : framework === 'onnx' ? `; linear_before_reset=${resetAfter ? 1 : 0} (reset ${resetAfter ? 'after' : 'before'} the matmul)`
    : `; reset_after=${resetAfter ? 'True' : 'False'} (reset ${resetAfter ? 'after' : 'before'} the matmul)`;
  const update = family === 'GRU' ? '; h = (1 − z) ⊙ n + z ⊙ h_prev' : '';
  const layout = framework === 'keras' ? '; kernels transposed ([input, G·H])' : '';
  return { badge: `${name} ${family}: gate order ${gates}${form}${update}${layout}`, rows };
}

/** The map as text (aligned columns) or a Markdown table, after the badge. */
export function formatWeightsMap(map: WeightsMap, format: 'text' | 'markdown'): string {
  if (format === 'markdown') return `${map.badge}\n\n| parameter | source |\n|---|---|\n${map.rows.map(([p, s]) => `| \`${p}\` | \`${s}\` |`).join('\n')}\n`;
  const width = Math.max(...map.rows.map(([p]) => p.length));
  return `${map.badge}\n${map.rows.map(([p, s]) => `${p.padEnd(width)} = ${s}`).join('\n')}\n`;
}
