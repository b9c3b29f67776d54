// `equations --weights-map`: the tables written out by hand from shared/numerics.md §2-§4
// (PyTorch chunks r, z, n and i, f, g, o; ONNX z, r, h and i, o, f, c with B = [Wb, Rb] and
// P i, o, f; Keras kernels [input, G·H] with columns z, r, h and i, f, c, o).
import { describe, expect, it } from 'vitest';
import { formatWeightsMap, weightsMap } from '../../src/trace/index.js';
import { errorOf } from '../expect.js';

const text = (cell: string, framework: 'pytorch' | 'onnx' | 'keras') => formatWeightsMap(weightsMap(cell, framework), 'text').split('\n');

describe('weightsMap: where each parameter lives in a framework file', () => {
  it('ONNX GRU: z, r, h blocks; the recurrent biases in the second half of B', () => {
    const lines = text('gru-cho', 'onnx');
    expect(lines[0]).toBe('ONNX GRU: gate order z, r, h; linear_before_reset=0 (reset before the matmul); h = (1 − z) ⊙ n + z ⊙ h_prev');
    expect(lines.slice(1, 13)).toEqual([
      'W_ir = W[0, H:2H, :] (W_r)', 'W_hr = R[0, H:2H, :] (R_r)', 'b_ir = B[0, H:2H] (Wb_r)', 'b_hr = B[0, 4H:5H] (Rb_r)',
      'W_iz = W[0, 0:H, :] (W_z)', 'W_hz = R[0, 0:H, :] (R_z)', 'b_iz = B[0, 0:H] (Wb_z)', 'b_hz = B[0, 3H:4H] (Rb_z)',
      'W_in = W[0, 2H:3H, :] (W_h)', 'W_hn = R[0, 2H:3H, :] (R_h)', 'b_in = B[0, 2H:3H] (Wb_h)', 'b_hn = B[0, 5H:6H] (Rb_h)',
    ]);
  });

  it('PyTorch LSTM: chunks i, f, g, o in order', () => {
    const lines = text('lstm', 'pytorch');
    expect(lines[0]).toBe('PyTorch LSTM: gate order i, f, g, o');
    expect(lines.filter((l) => l.startsWith('W_i'))).toEqual(['W_ii = weight_ih_l0[0:H]', 'W_if = weight_ih_l0[H:2H]', 'W_ig = weight_ih_l0[2H:3H]', 'W_io = weight_ih_l0[3H:4H]']);
  });

  it('Keras GRU reset_after=True: transposed column blocks, bias rows [input; recurrent]', () => {
    const lines = text('gru', 'keras');
    expect(lines[0]).toBe('Keras GRU: gate order z, r, h; reset_after=True (reset after the matmul); h = (1 − z) ⊙ n + z ⊙ h_prev; kernels transposed ([input, G·H])');
    expect(lines.filter((l) => /^(W_iz|W_hn|b_hn|b_iz) /.test(l))).toEqual(['W_iz = kernel[:, 0:H]ᵀ', 'b_iz = bias[0, 0:H]', 'W_hn = recurrent_kernel[:, 2H:3H]ᵀ', 'b_hn = bias[1, 2H:3H]']);
  });

  it('ONNX peephole LSTM: P blocks i, o, f', () => {
    expect(text('lstm-peephole', 'onnx').filter((l) => l.startsWith('p_'))).toEqual(['p_i  = P[0, 0:H] (P_i)', 'p_f  = P[0, 2H:3H] (P_f)', 'p_o  = P[0, H:2H] (P_o)']);
  });

  it('refuses a cell the framework cannot hold', () => {
    expect(errorOf(() => weightsMap('gru-cho', 'pytorch')).message).toBe("--weights-map pytorch: PyTorch has no counterpart of cell 'gru-cho' (nn.GRU applies the reset after the matmul)");
    expect(errorOf(() => weightsMap('mgu', 'onnx')).message).toBe("--weights-map: cell 'mgu' has no framework layout (framework cells: rnn, gru, gru-cho, lstm, lstm-peephole)");
  });
});
