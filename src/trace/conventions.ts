/**
 * The one table of framework conventions the importers use (see shared/numerics.md).
 * Stacked framework tensors are cut into gate blocks and renamed onto the cell's
 * parameters by the shipped cells' naming scheme, W_i<g> x + b_i<g> + W_h<g> h_prev + b_h<g>
 * (+ p_<g> ⊙ c for peepholes), so any .cell file that follows it imports the same way.
 */

export type Family = 'RNN' | 'GRU' | 'LSTM';

/** PyTorch's chunk order in weight_ih_l0 / weight_hh_l0 / bias_*_l0, by family, as gate letters. */
export const PYTORCH_GATES: Readonly<Record<Family, readonly string[]>> = { RNN: ['h'], GRU: ['r', 'z', 'n'], LSTM: ['i', 'f', 'g', 'o'] };

/** ONNX's block order in W, R and both halves of B (GRU z,r,h: its h block is the candidate n; LSTM i,o,f,c: c is g). */
export const ONNX_GATES: Readonly<Record<Family, readonly string[]>> = { RNN: ['h'], GRU: ['z', 'r', 'n'], LSTM: ['i', 'o', 'f', 'g'] };

/** ONNX P blocks (diagonal peepholes; none for the cell gate). */
export const ONNX_PEEPHOLES: readonly string[] = ['i', 'o', 'f'];

/** The family a stack of G gate blocks belongs to. */
export const FAMILY_BY_GATE_COUNT: Readonly<Record<number, Family>> = { 1: 'RNN', 3: 'GRU', 4: 'LSTM' };

export const paramNames = {
  inputWeight: (gate: string): string => `W_i${gate}`,
  recurrentWeight: (gate: string): string => `W_h${gate}`,
  inputBias: (gate: string): string => `b_i${gate}`,
  recurrentBias: (gate: string): string => `b_h${gate}`,
  peephole: (gate: string): string => `p_${gate}`,
};

/**
 * Which shipped cell an ONNX node is. GRU: linear_before_reset=1 applies the reset after
 * the recurrent matmul (PyTorch, cuDNN) = gru; 0 (the ONNX default) before it = gru-cho
 * (Cho et al. 2014). LSTM with P = lstm-peephole.
 */
export function onnxShippedCell(family: Family, linearBeforeReset: boolean, peepholes: boolean): string {
  if (family === 'GRU') return linearBeforeReset ? 'gru' : 'gru-cho';
  if (family === 'LSTM') return peepholes ? 'lstm-peephole' : 'lstm';
  return 'rnn';
}

/** Shipped cells that are a different model from a framework's own module with the same weights. */
export const PYTORCH_MISMATCH: Readonly<Record<string, string>> = {
  'gru-cho': "PyTorch's nn.GRU applies the reset gate after the recurrent matmul (cell 'gru'); cell 'gru-cho' applies it before, so this trace will differ from PyTorch's",
};
