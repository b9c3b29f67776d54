// `check`'s diagnoses: each test builds a known conversion mistake by hand, as tensors laid
// out from shared/numerics.md's tables (never through gateflow's converter), writes the file a
// framework would, and checks the exact sentence `diagnose` reports.
import { describe, expect, it } from 'vitest';
import { cellResolver, decodeLoaded, type Loaded } from '../../src/cli/models.js';
import { encodeHdf5 } from '../../src/io/hdf5.js';
import { encodeNpy } from '../../src/io/npy.js';
import { encodeOnnxModel } from '../../src/io/onnx.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { compareRuns, diagnose, runFromOutputs, runModel, type Side } from '../../src/trace/index.js';
import { block, blockV, filler, gruReference, hardSigmoidKeras2, type Mat, type Vec } from './reference.js';

const H = 3;
const I = 2;
const X = [[0.5, -1], [1, 0.25], [-0.5, 0.75], [0.2, 0.1]];
const TOLERANCE = 1e-5;
const f = filler(16);
const gru = { wih: f.mat(3 * H, I), whh: f.mat(3 * H, H), bih: f.vec(3 * H), bhh: f.vec(3 * H) };
const lstm = { wih: f.mat(4 * H, I), whh: f.mat(4 * H, H), bih: f.vec(4 * H), bhh: f.vec(4 * H), p: f.vec(3 * H) };

const rows = (m: Mat, order: number[]): Mat => order.flatMap((k) => block(m, k, H));
const parts = (v: Vec, order: number[]): Vec => order.flatMap((k) => blockV(v, k, H));

function pytorchFile(m: { wih: Mat; whh: Mat; bih: Vec; bhh: Vec }): [Uint8Array, string] {
  const t = (a: Mat | Vec) => ({ shape: Array.isArray(a[0]) ? [a.length, (a[0] as Vec).length] : [a.length], data: (a as Vec[]).flat() as number[] });
  return [encodeSafetensors([['weight_ih_l0', t(m.wih)], ['weight_hh_l0', t(m.whh)], ['bias_ih_l0', t(m.bih)], ['bias_hh_l0', t(m.bhh)]], { dtype: 'F32' }), 'a.safetensors'];
}

function onnxFile(op: 'GRU' | 'LSTM', W: Mat, R: Mat, B: Vec, attributes: Record<string, number> = {}, P?: Vec): [Uint8Array, string] {
  const G = W.length / H;
  return [
    encodeOnnxModel({
      node: { opType: op, inputs: ['X', 'W', 'R', 'B', ...(P ? ['', '', '', 'P'] : [])], outputs: ['Y', 'Y_h'], attributes: { hidden_size: H, ...attributes } },
      initializers: { W: { dims: [1, G * H, I], data: W.flat() }, R: { dims: [1, G * H, H], data: R.flat() }, B: { dims: [1, 2 * G * H], data: B }, ...(P ? { P: { dims: [1, 3 * H], data: P } } : {}) },
      graphInputs: ['X'],
    }),
    'b.onnx',
  ];
}

async function outcome(a: [Uint8Array, string], b: [Uint8Array, string]) {
  const cells = await cellResolver();
  const side = (loaded: Loaded, label: string): Side =>
    loaded.kind === 'model' ? { label, run: runModel(loaded.model, cells, X), model: loaded.model } : { label, run: runFromOutputs(loaded.outputs, loaded.file) };
  const [sa, sb] = [side(await decodeLoaded(...a), 'A'), side(await decodeLoaded(...b), 'B')];
  const comparison = compareRuns(sa.run, sb.run, TOLERANCE);
  return { comparison, diagnosis: comparison.agree ? undefined : diagnose(sa, sb, cells, X, TOLERANCE) };
}

const GRU_ONNX = { W: rows(gru.wih, [1, 0, 2]), R: rows(gru.whh, [1, 0, 2]), B: [...parts(gru.bih, [1, 0, 2]), ...parts(gru.bhh, [1, 0, 2])] };
const npyFile = (h: Vec[]): [Uint8Array, string] => [encodeNpy([h.length, H], h.flat()), 'y.npy'];

describe('check: each known conversion mistake, made by hand, is named', { timeout: 60_000 }, () => {
  it('a correct PyTorch → ONNX GRU export agrees (float32 in both files: identical)', async () => {
    const { comparison } = await outcome(pytorchFile(gru), onnxFile('GRU', GRU_ONNX.W, GRU_ONNX.R, GRU_ONNX.B, { linear_before_reset: 1 }));
    expect(comparison.agree).toBe(true);
    expect(comparison.max.diff).toBeLessThanOrEqual(1e-12);
  });

  it('a PyTorch GRU exported with linear_before_reset=0', async () => {
    const { comparison, diagnosis } = await outcome(pytorchFile(gru), onnxFile('GRU', GRU_ONNX.W, GRU_ONNX.R, GRU_ONNX.B));
    expect(comparison.max.diff).toBeGreaterThan(1e-3);
    expect(diagnosis?.message).toBe("these agree if B's GRU applies the reset after the matmul (linear_before_reset=1, as PyTorch and Keras reset_after=True do)");
    expect(diagnosis!.comparison.max.diff).toBeLessThanOrEqual(1e-12);
  });

  it("PyTorch's r, z, n chunks written into ONNX's W, R, B without reordering", async () => {
    const B = [...gru.bih, ...gru.bhh];
    const { diagnosis } = await outcome(pytorchFile(gru), onnxFile('GRU', gru.wih, gru.whh, B, { linear_before_reset: 1 }));
    expect(diagnosis?.message).toBe("these agree if gate chunks 1 and 2 of B are swapped: its chunks hold r, z, h (PyTorch's order), not ONNX's z, r, h");
  });

  it("an ONNX LSTM whose [i, o, f, c] blocks hold PyTorch's [i, f, g, o]", async () => {
    const { diagnosis } = await outcome(pytorchFile(lstm), onnxFile('LSTM', lstm.wih, lstm.whh, [...lstm.bih, ...lstm.bhh]));
    expect(diagnosis?.message).toBe("these agree if B's gate chunks hold i, f, c, o (PyTorch's and Keras's order), not ONNX's i, o, f, c");
  });

  it("a PyTorch GRU whose two biases were summed into ONNX's Wb (Rb zero)", async () => {
    const merged = parts(gru.bih.map((v, i) => v + gru.bhh[i]), [1, 0, 2]);
    const { diagnosis } = await outcome(pytorchFile(gru), onnxFile('GRU', GRU_ONNX.W, GRU_ONNX.R, [...merged, ...new Array(3 * H).fill(0)], { linear_before_reset: 1 }));
    expect(diagnosis?.message).toBe("biases were merged: these agree if A's input and recurrent biases are summed into one per gate, as B holds them; this GRU's reset multiplies b_hn, so the sum is a different model");
  });

  it('an ONNX peephole LSTM whose P holds i, f, o instead of i, o, f', async () => {
    const W = rows(lstm.wih, [0, 3, 1, 2]);
    const R = rows(lstm.whh, [0, 3, 1, 2]);
    const B = [...parts(lstm.bih, [0, 3, 1, 2]), ...parts(lstm.bhh, [0, 3, 1, 2])];
    const [pi, po, pf] = [0, 1, 2].map((k) => blockV(lstm.p, k, H));
    const right = onnxFile('LSTM', W, R, B, {}, [...pi, ...po, ...pf]);
    const wrong = onnxFile('LSTM', W, R, B, {}, [...pi, ...pf, ...po]);
    const { diagnosis } = await outcome([right[0], 'a.onnx'], wrong);
    expect(diagnosis?.message).toBe("these agree if B's peephole blocks (P) hold i, f, o, not i, o, f");
  });

  it("outputs saved from a GRU that keeps h_prev with 1 − z (Chung et al.'s convention)", async () => {
    const h = gruReference(X, GRU_ONNX.W, GRU_ONNX.R, GRU_ONNX.B, H, { lbr: true, chung: true });
    const { diagnosis } = await outcome(pytorchFile(gru), npyFile(h));
    expect(diagnosis?.message).toBe("these agree if A's update gate is flipped (h = z ⊙ n + (1 − z) ⊙ h_prev, as Chung et al. 2014 write it): negate its z weights and biases");
  });

  it("outputs of a Keras 2 GRU with hard_sigmoid gates against its weights read without the config", async () => {
    const kernel = GRU_ONNX.W[0].map((_, j) => GRU_ONNX.W.map((r) => r[j]));
    const recurrent = GRU_ONNX.R[0].map((_, j) => GRU_ONNX.R.map((r) => r[j]));
    const bias = { shape: [2, 3 * H], data: GRU_ONNX.B };
    const weights = await encodeHdf5([['layers/gru/cell/vars/0', { shape: [I, 3 * H], data: kernel.flat() }], ['layers/gru/cell/vars/1', { shape: [H, 3 * H], data: recurrent.flat() }], ['layers/gru/cell/vars/2', bias]]);
    const h = gruReference(X, GRU_ONNX.W, GRU_ONNX.R, GRU_ONNX.B, H, { lbr: true, gate: hardSigmoidKeras2 });
    const { diagnosis } = await outcome([weights, 'k.weights.h5'], npyFile(h));
    expect(diagnosis?.message).toBe("these agree if A's gates use Keras 2's hard_sigmoid, clip(0.2x + 0.5, 0, 1) as recurrent activation");
  });

  it('a difference no known mistake explains says so', async () => {
    const other = { ...gru, whh: filler(99).mat(3 * H, H) };
    const { comparison, diagnosis } = await outcome(pytorchFile(gru), pytorchFile(other));
    expect(comparison.agree).toBe(false);
    expect(diagnosis).toBeUndefined();
  });
});
