// Keras import: .h5 files written here with h5wasm in Keras's own layouts (Keras 3
// .weights.h5: layers/<name>/cell/vars/0, 1, 2; tf.keras 2 .h5: model_weights/<layer>/<layer>/
// kernel:0 with a model_config attribute), traced and compared with shared/numerics.md's
// equations written out in tests/trace/reference.ts (kernels transposed and reordered by hand).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { cellResolver } from '../../src/cli/models.js';
import { decodeHdf5, encodeHdf5 } from '../../src/io/hdf5.js';
import { decodeKerasArchive } from '../../src/io/keras-archive.js';
import { runInProcess } from '../cli-in-process.js';
import { fromKeras, runModel } from '../../src/trace/index.js';
import { errorOf, expectClose } from '../expect.js';
import { block, blockV, filler, gruReference, hardSigmoidKeras2, onnxLstm, torchRnn, transpose, type Mat, type Vec } from './reference.js';

const H = 3;
const I = 2;
const X = [[0.5, -1], [1, 0.25], [-0.5, 0.75], [0.2, 0.1], [-1, -0.3]];
const f = filler(41);
const t = (m: Mat) => ({ shape: [m.length, m[0].length], data: m.flat() });
const v = (x: Vec, shape = [x.length]) => ({ shape, data: x });
const cols = (m: Mat, order: number[]): Mat => transpose(order.flatMap((k) => block(transpose(m), k, H)));

async function keras3(layer: string, kernel: Mat, recurrent: Mat, bias: { shape: number[]; data: Vec }) {
  const path = `layers/${layer}/cell/vars`;
  return fromKeras(await decodeHdf5(await encodeHdf5([[`${path}/0`, t(kernel)], [`${path}/1`, t(recurrent)], [`${path}/2`, bias]]), `${layer}.weights.h5`));
}

async function hOf(model: Awaited<ReturnType<typeof keras3>>): Promise<number[]> {
  const run = runModel(model, await cellResolver(), X);
  return run.steps.flatMap((s) => s.h[0]);
}

describe('Keras weights → the shipped cells', { timeout: 60_000 }, () => {
  it('GRU reset_after=True: bias (2, 3H) is [input; recurrent], the reset after the matmul (cell gru)', async () => {
    const kernel = f.mat(I, 3 * H);
    const recurrent = f.mat(H, 3 * H);
    const bias = f.vec(6 * H);
    const model = await keras3('gru', kernel, recurrent, v(bias, [2, 3 * H]));
    expect(model.cell).toBe('gru');
    // numerics.md §4.1: ONNX W = kernel^T, R = recurrent_kernel^T, B = [bias[0], bias[1]], linear_before_reset=1.
    const expected = gruReference(X, transpose(kernel), transpose(recurrent), bias, H, { lbr: true });
    expectClose(await hOf(model), expected.flat(), 1e-12, 'h');
  });

  it('GRU reset_after=False: one (3H) bias, the reset before the matmul (cell gru-cho)', async () => {
    const kernel = f.mat(I, 3 * H);
    const recurrent = f.mat(H, 3 * H);
    const bias = f.vec(3 * H);
    const model = await keras3('gru', kernel, recurrent, v(bias));
    expect(model.cell).toBe('gru-cho');
    const expected = gruReference(X, transpose(kernel), transpose(recurrent), [...bias, ...new Array(3 * H).fill(0)], H, { lbr: false });
    expectClose(await hOf(model), expected.flat(), 1e-12, 'h');
  });

  it('LSTM: columns i, f, c, o and one bias (ONNX W = blocks(kernel^T, [0, 3, 1, 2]))', async () => {
    const kernel = f.mat(I, 4 * H);
    const recurrent = f.mat(H, 4 * H);
    const bias = f.vec(4 * H);
    const model = await keras3('lstm', kernel, recurrent, v(bias));
    expect(model.cell).toBe('lstm');
    const order = [0, 3, 1, 2];
    const W = transpose(cols(kernel, order));
    const R = transpose(cols(recurrent, order));
    const B = [...order.flatMap((k) => blockV(bias, k, H)), ...new Array(4 * H).fill(0)];
    expectClose(await hOf(model), onnxLstm(X, W, R, B, undefined, H).flatMap((s) => s.h), 1e-12, 'h');
  });

  it('SimpleRNN: kernel [I, H], recurrent_kernel [H, H], one bias', async () => {
    const kernel = f.mat(I, H);
    const recurrent = f.mat(H, H);
    const bias = f.vec(H);
    const model = await keras3('simple_rnn', kernel, recurrent, v(bias));
    expect(model.cell).toBe('rnn');
    expectClose(await hOf(model), torchRnn(X, transpose(kernel), transpose(recurrent), bias, new Array(H).fill(0)).flat(), 1e-12, 'h');
  });

  it("a tf.keras 2 .h5 (model.save) with recurrent_activation='hard_sigmoid' runs clip(0.2x + 0.5, 0, 1)", async () => {
    const kernel = f.mat(I, 3 * H);
    const recurrent = f.mat(H, 3 * H);
    const bias = f.vec(3 * H);
    const config = { class_name: 'Sequential', config: { name: 'seq', layers: [{ class_name: 'GRU', config: { name: 'gru_1', units: H, activation: 'tanh', recurrent_activation: 'hard_sigmoid', reset_after: false } }] } };
    const bytes = await encodeHdf5(
      [['model_weights/gru_1/gru_1/kernel:0', t(kernel)], ['model_weights/gru_1/gru_1/recurrent_kernel:0', t(recurrent)], ['model_weights/gru_1/gru_1/bias:0', v(bias)]],
      { model_config: JSON.stringify(config), keras_version: '2.4.0', backend: 'tensorflow' },
    );
    const model = fromKeras(await decodeHdf5(bytes, 'old.h5'));
    expect([model.cell, model.recurrentActivation]).toEqual(['gru-cho', 'hardsigmoid_keras2']);
    const expected = gruReference(X, transpose(kernel), transpose(recurrent), [...bias, ...new Array(3 * H).fill(0)], H, { lbr: false, gate: hardSigmoidKeras2 });
    expectClose(await hOf(model), expected.flat(), 1e-12, 'h');
  });

  it('refuses what it cannot read, naming the file, the layer and the expected shape', async () => {
    const k = f.mat(I, 3 * H);
    const r = f.mat(H, 3 * H);
    expect(errorOf(() => fromKeras({ file: 'x.h5', datasets: new Map(), attributes: {} })).message).toBe('x.h5: no Keras recurrent layer (a kernel with a recurrent_kernel beside it); the file holds no float datasets');
    const badBias = await encodeHdf5([['layers/gru/cell/vars/0', t(k)], ['layers/gru/cell/vars/1', t(r)], ['layers/gru/cell/vars/2', v(f.vec(5))]]);
    const decodedBadBias = await decodeHdf5(badBias, 'g.weights.h5');
    expect(errorOf(() => fromKeras(decodedBadBias)).message).toBe("g.weights.h5: layer 'layers/gru/cell/vars': bias has shape [5], expected [9]");
    const config = JSON.stringify({ class_name: 'GRU', config: { name: 'gru', reset_after: false } });
    const contradicted = await decodeHdf5(await encodeHdf5([['gru/gru/kernel:0', t(k)], ['gru/gru/recurrent_kernel:0', t(r)], ['gru/gru/bias:0', v(f.vec(18), [2, 9])]], { model_config: config }), 'c.h5');
    expect(errorOf(() => fromKeras(contradicted)).message).toBe("c.h5: layer 'gru/gru': the config says reset_after=False but the bias has shape [2, 9], expected [9]");
    await expect(decodeHdf5(new Uint8Array([1, 2, 3]), 'junk.h5')).rejects.toThrow(/^junk\.h5: not an HDF5 file \(no HDF5 signature\)$/);
    const whole = await encodeHdf5([['layers/gru/cell/vars/0', t(k)]]);
    await expect(decodeHdf5(whole.slice(0, 900), 'cut.h5')).rejects.toThrow(/^cut\.h5: not a readable HDF5 file \(.+\)$/);
  });
});

/** A Keras 3 .keras archive as model.save writes it: a zip of config.json, metadata.json and model.weights.h5. */
async function kerasArchive(entries: Record<string, string | Uint8Array>): Promise<Uint8Array> {
  const zip = new JSZip();
  for (const [name, data] of Object.entries(entries)) zip.file(name, data);
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
}

describe('Keras 3 .keras archives (a zip around model.weights.h5)', { timeout: 60_000 }, () => {
  const kernel = f.mat(I, 4 * H);
  const recurrent = f.mat(H, 4 * H);
  const bias = f.vec(4 * H);
  const weightsH5 = () => encodeHdf5([['layers/lstm/cell/vars/0', t(kernel)], ['layers/lstm/cell/vars/1', t(recurrent)], ['layers/lstm/cell/vars/2', v(bias)]]);
  const config = JSON.stringify({ module: 'keras', class_name: 'Sequential', config: { name: 'sequential', layers: [{ module: 'keras.layers', class_name: 'LSTM', config: { name: 'lstm', units: H, activation: 'tanh', recurrent_activation: 'hard_sigmoid' } }] } });

  it("an LSTM saved with recurrent_activation='hard_sigmoid' runs Keras 3's relu6(x + 3)/6 (the version from metadata.json)", async () => {
    const bytes = await kerasArchive({ 'metadata.json': '{"keras_version": "3.3.3", "date_saved": "2024-05-01@12:00:00"}', 'config.json': config, 'model.weights.h5': await weightsH5() });
    const model = fromKeras(await decodeKerasArchive(bytes, 'lstm.keras'));
    expect([model.cell, model.recurrentActivation, model.source]).toEqual(['lstm', 'hardsigmoid', 'lstm.keras']);
    // numerics.md §4: Keras 3 hard_sigmoid(x) = relu6(x + 3) / 6 on the gates i, f, o; the LSTM by hand with blocks i, f, c, o.
    const hard = (x: number) => Math.min(Math.max(x + 3, 0), 6) / 6;
    const W = transpose(kernel);
    const R = transpose(recurrent);
    let h = new Array(H).fill(0);
    let c = new Array(H).fill(0);
    const expected: number[] = [];
    for (const x of X) {
      const pre = (k: number) => Array.from({ length: H }, (_, u) => W[k * H + u].reduce((s, w, j) => s + w * x[j], 0) + R[k * H + u].reduce((s, r, j) => s + r * h[j], 0) + bias[k * H + u]);
      const [i, fg, g, o] = [pre(0).map(hard), pre(1).map(hard), pre(2).map(Math.tanh), pre(3).map(hard)];
      c = c.map((cv, u) => fg[u] * cv + i[u] * g[u]);
      h = c.map((cv, u) => o[u] * Math.tanh(cv));
      expected.push(...h);
    }
    expectClose(await hOf(model), expected, 1e-12, 'h');
  });

  it('refuses a zip without model.weights.h5, a corrupt zip, bad JSON and weights beyond the read limit, naming the file', async () => {
    await expect(decodeKerasArchive(await kerasArchive({ 'config.json': config, 'assets/readme.txt': 'x' }), 'm.keras')).rejects.toThrow(/^m\.keras: a \.keras archive holds model\.weights\.h5, this one does not \(it holds config\.json, assets\/readme\.txt\)$/);
    await expect(decodeKerasArchive(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), 'cut.keras')).rejects.toThrow(/^cut\.keras: not a readable \.keras archive \(corrupt zip: .+\)$/);
    await expect(decodeKerasArchive(new Uint8Array([1, 2, 3, 4]), 'x.keras')).rejects.toThrow(/^x\.keras: not a \.keras archive \(a \.keras file is a zip; this one does not start with a zip header\)$/);
    await expect(decodeKerasArchive(await kerasArchive({ 'config.json': '{', 'model.weights.h5': await weightsH5() }), 'j.keras')).rejects.toThrow(/^j\.keras: config\.json in the \.keras archive is not valid JSON$/);
    const saved = process.env.GATEFLOW_MAX_READ_MB;
    process.env.GATEFLOW_MAX_READ_MB = '0.001';
    try {
      await expect(decodeKerasArchive(await kerasArchive({ 'model.weights.h5': await weightsH5() }), 'big.keras')).rejects.toThrow(/^big\.keras: model\.weights\.h5 inflates to more than 1048 bytes, the read limit for weights \(--max-read-mb raises it\)$/);
    } finally {
      if (saved === undefined) delete process.env.GATEFLOW_MAX_READ_MB;
      else process.env.GATEFLOW_MAX_READ_MB = saved;
    }
  });

  it('gateflow convert reads a .keras file (and says it does not write one)', async () => {
    const work = mkdtempSync(join(tmpdir(), 'gateflow-keras-archive-'));
    writeFileSync(join(work, 'plain.keras'), await kerasArchive({ 'metadata.json': '{"keras_version": "3.3.3"}', 'config.json': config.replace('hard_sigmoid', 'sigmoid'), 'model.weights.h5': await weightsH5() }));
    const run = await runInProcess(['convert', 'plain.keras', 'lstm.safetensors'], work);
    expect([run.status, run.stdout.split('\n')[0]]).toEqual([0, 'plain.keras: Keras LSTM (cell lstm)']);
    const refused = await runInProcess(['convert', 'lstm.safetensors', 'back.keras'], work);
    expect([refused.status, refused.stderr]).toEqual([2, "gateflow: convert: gateflow reads .keras archives but does not write them (Keras's load_model needs the whole model's config); write 'back.weights.h5' and load it with model.load_weights\n"]);
  });
});
