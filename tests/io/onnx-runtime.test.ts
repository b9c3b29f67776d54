// onnxruntime-node is optional. The rule: when package-lock.json lists it, it must be installed
// and these tests run (they fail, never skip, if it is missing); without it in the lock file,
// `check` says it did not run the model. The models are one-node ONNX files built here from
// random weights; gateflow's trace of each must reproduce the runtime's Y within 2e-6 (float32
// runtime against a float64 trace, numerics.md §6).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellResolver, decodeLoaded } from '../../src/cli/models.js';
import { encodeOnnxModel } from '../../src/io/onnx.js';
import { loadRuntime, runOnnxRuntime } from '../../src/io/onnx-runtime.js';
import { runModel } from '../../src/trace/index.js';
import { filler } from '../trace/reference.js';

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
});
