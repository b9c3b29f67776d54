// onnxruntime-node is optional. The rule: when package-lock.json lists it, it must be installed
// and these tests run (they fail, never skip, if it is missing); without it in the lock file,
// `check` says it did not run the model. The models are one-node ONNX files built here from
// random weights; gateflow's trace of each must reproduce the runtime's Y within 2e-6 (float32
// runtime against a float64 trace, numerics.md §6).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellResolver, decodeLoaded } from '../../src/cli/models.js';
import { loadRuntime, runOnnxRuntime } from '../../src/io/onnx-runtime.js';
import { decodeOnnx, encodeOnnxModel } from '../../src/io/onnx.js';
import { convertModel, inspectOnnx, runModel, type RecurrentActivation } from '../../src/trace/index.js';
import { errorOf } from '../expect.js';
import { block, filler, gruReference, hardSigmoidKeras2, sigmoid, type Mat } from '../trace/reference.js';

const lock = JSON.parse(readFileSync(resolve(__dirname, '..', '..', 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
const IN_LOCK = 'node_modules/onnxruntime-node' in lock.packages;

const H = 3;
const I = 2;
const N = 2;
const X = Array.from({ length: 5 }, (_, t) => Array.from({ length: N }, (_, b) => Array.from({ length: I }, (_, i) => Math.sin(1 + t * 1.7 + b * 0.9 + i * 2.3))));

function model(op: 'RNN' | 'GRU' | 'LSTM', seed: number, attributes: Record<string, number>, peepholes = false): Uint8Array {
  const f = filler(seed);
  const G = { RNN: 1, GRU: 3, LSTM: 4 }[op];
  const slots = ['X', 'W', 'R', 'B', '', 'initial_h', ...(op === 'LSTM' ? ['initial_c', ...(peepholes ? ['P'] : [])] : [])];
  return encodeOnnxModel({
    node: { opType: op, inputs: slots, outputs: ['Y', 'Y_h'], attributes: { hidden_size: H, ...attributes } },
    initializers: {
      W: { dims: [1, G * H, I], data: f.vec(G * H * I) },
      R: { dims: [1, G * H, H], data: f.vec(G * H * H) },
      B: { dims: [1, 2 * G * H], data: f.vec(2 * G * H) },
      initial_h: { dims: [1, N, H], data: f.vec(N * H, 0.5) },
      ...(op === 'LSTM' ? { initial_c: { dims: [1, N, H], data: f.vec(N * H, 0.5) } } : {}),
      ...(peepholes ? { P: { dims: [1, 3 * H], data: f.vec(3 * H) } } : {}),
    },
    graphInputs: ['X'],
  });
}

describe('onnxruntime-node (optional dependency)', { timeout: 60_000 }, () => {
  it(`is installed exactly when package-lock.json lists it (listed: ${IN_LOCK})`, async () => {
    const runtime = await loadRuntime();
    expect(runtime !== undefined, IN_LOCK ? 'onnxruntime-node is in package-lock.json but not installed: run npm ci (the .npmrc skips its CUDA download)' : 'not in the lock file').toBe(IN_LOCK);
  });

  it.runIf(IN_LOCK)('gateflow reproduces the runtime on RNN, GRU (linear_before_reset 0 and 1), LSTM and peephole LSTM, with initial states', async () => {
    const cells = await cellResolver();
    const cases: [string, Uint8Array][] = [
      ['rnn', model('RNN', 1, {})],
      ['gru-cho', model('GRU', 2, {})],
      ['gru', model('GRU', 3, { linear_before_reset: 1 })],
      ['lstm', model('LSTM', 4, {})],
      ['lstm-peephole', model('LSTM', 5, {}, true)],
    ];
    const found: [string, number][] = [];
    for (const [cell, bytes] of cases) {
      const loaded = await decodeLoaded(bytes, `${cell}.onnx`);
      if (loaded.kind !== 'model') throw new Error('not a model');
      const traced = runModel(loaded.model, cells, X).steps.map((s) => s.h);
      const runtime = (await runOnnxRuntime(bytes, X, `${cell}.onnx`))!;
      const diff = Math.max(...traced.flat(2).map((v, i) => Math.abs(v - runtime.h.flat(2)[i])));
      expect(runtime.h.flat(2).length).toBe(X.length * N * H);
      found.push([loaded.model.cell, diff]);
    }
    expect(found.map(([cell]) => cell)).toEqual(cases.map(([cell]) => cell));
    for (const [cell, diff] of found) expect(diff, cell).toBeLessThanOrEqual(2e-6);
  });

  it.runIf(IN_LOCK)('a model the runtime refuses (layout=1 on the CPU provider) is one line naming the file', async () => {
    await expect(runOnnxRuntime(model('GRU', 6, { layout: 1 }), X, 'b.onnx')).rejects.toThrow(/^b\.onnx: onnxruntime could not run the model \(.+\)$/);
  });

  it.runIf(IN_LOCK)("convert writes a hard-sigmoid GRU as ONNX HardSigmoid (Keras 3: alpha 1/6, Keras 2: 0.2; beta 0.5), which the runtime runs as the Keras reference", async () => {
    const f = filler(12);
    const [W, R] = [f.mat(3 * H, I, 2), f.mat(3 * H, H, 2)];
    const B = f.vec(6 * H);
    const weights = new Map<string, { shape: number[]; data: Float64Array }>();
    // The cell's parameters from ONNX-order blocks z, r, h (numerics.md §4: W_iz = W[0:H], ...).
    ['z', 'r', 'n'].forEach((g, k) => {
      const rows = (m: Mat) => ({ shape: [H, m[0]!.length], data: Float64Array.from(block(m, k, H).flat()) });
      weights.set(`W_i${g}`, rows(W));
      weights.set(`W_h${g}`, rows(R));
      weights.set(`b_i${g}`, { shape: [H], data: Float64Array.from(B.slice(k * H, (k + 1) * H)) });
      weights.set(`b_h${g}`, { shape: [H], data: Float64Array.from(B.slice((3 + k) * H, (4 + k) * H)) });
    });
    const keras3 = (x: number) => Math.min(1, Math.max(0, x / 6 + 0.5));
    const X1 = X.map((step) => [step[0]!.map((v) => 3 * v)]);
    for (const [activation, alpha, gate] of [['hardsigmoid', 1 / 6, keras3], ['hardsigmoid_keras2', 0.2, hardSigmoidKeras2]] as const) {
      const converted = convertModel({ cell: 'gru', weights, framework: 'keras', recurrentActivation: activation as RecurrentActivation, source: 'k.weights.h5' }, 'onnx');
      if (converted.target !== 'onnx') throw new Error('not ONNX');
      expect(converted.onnx.node.attributes).toEqual({ hidden_size: H, linear_before_reset: 1, activations: ['HardSigmoid', 'Tanh'], activation_alpha: [alpha], activation_beta: [0.5] });
      const bytes = encodeOnnxModel(converted.onnx);
      expect(inspectOnnx(decodeOnnx(bytes, 'g.onnx')).recurrentActivation).toBe(activation);
      const runtime = (await runOnnxRuntime(bytes, X1, 'g.onnx'))!.h.map((rows) => rows[0]!);
      const inputs = X1.map((rows) => rows[0]!);
      const reference = gruReference(inputs, W, R, B, H, { lbr: true, gate });
      // float32 weights and alpha in the runtime against float64 here.
      const diff = Math.max(...runtime.flat().map((v, i) => Math.abs(v - reference.flat()[i]!)));
      expect(diff, activation).toBeLessThanOrEqual(2e-6);
      // The inputs reach where the hard sigmoid and the sigmoid part: the test can tell them apart.
      const soft = gruReference(inputs, W, R, B, H, { lbr: true, gate: sigmoid }).flat();
      expect(Math.max(...runtime.flat().map((v, i) => Math.abs(v - soft[i]!)))).toBeGreaterThan(1e-2);
    }
  });

  it('an ONNX HardSigmoid with another slope is refused by name', () => {
    const bytes = model('GRU', 7, {});
    const decoded = decodeOnnx(bytes, 'h.onnx');
    const node = { ...decoded.nodes[0]!, attributes: { ...decoded.nodes[0]!.attributes, activations: ['HardSigmoid', 'Tanh'], activation_alpha: [0.3] } };
    expect(errorOf(() => inspectOnnx({ ...decoded, nodes: [node] })).message).toBe("h.onnx: GRU node 'GRU': unsupported attribute activations=[HardSigmoid, Tanh] with alpha 0.3, beta 0.5 (the cell uses Sigmoid, Tanh, or HardSigmoid with alpha 0.2 or 1/6 and beta 0.5 in place of Sigmoid)");
  });
});
