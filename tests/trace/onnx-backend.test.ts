// Conformance with the ONNX backend node tests (a copy of shared/reference/onnx-backend, with
// its README and Apache-2.0 notice, in tests/fixtures/trace/onnx-backend): each case's
// weights are stored as initializers in an ONNX model written here, as an exporter does;
// the model goes through decodeOnnx → inspectOnnx/fromOnnx → trace, and Y, Y_h (and Y_c
// when the case has it) must agree within 1e-5 absolute, layout 1 included.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCell } from '../../src/index.js';
import { decodeOnnx, encodeOnnxModel } from '../../src/io/onnx.js';
import { fromOnnx, inspectOnnx, trace } from '../../src/trace/index.js';
import { expectClose } from '../expect.js';

const DIR = join(__dirname, '..', 'fixtures', 'trace', 'onnx-backend');
const ATOL = 1e-5;

interface CaseTensor {
  dims: number[];
  dtype: string;
  data: number[];
}
interface Case {
  case: string;
  op: string;
  attributes: Record<string, number | string>;
  node_inputs: string[];
  node_outputs: string[];
  inputs: Record<string, CaseTensor>;
  outputs: Record<string, CaseTensor>;
}

const cases: Case[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Case);

/** Stored as initializers (weights); the rest are fed at run time. */
const STORED = new Set(['W', 'R', 'B', 'P']);

function runCase(c: Case) {
  const initializers = Object.fromEntries(
    Object.entries(c.inputs)
      .filter(([name]) => STORED.has(name))
      .map(([name, t]) => [name, { dims: t.dims, data: t.data.map(Math.fround) }]),
  );
  const bytes = encodeOnnxModel({
    node: { opType: c.op, name: c.case, inputs: c.node_inputs, outputs: c.node_outputs, attributes: c.attributes },
    initializers,
    graphInputs: c.node_inputs.filter((n) => n && !STORED.has(n)),
    opset: 22,
  });
  const model = decodeOnnx(bytes, `${c.case}.onnx`);
  const info = inspectOnnx(model);
  const cell = loadCell(info.cell);
  const { weights } = fromOnnx(model, cell);
  const layout = info.layout;
  // X is [T, N, I] (layout 0) or [N, T, I] (layout 1); trace takes [T][N][I].
  const X = c.inputs.X;
  const [d0, d1, I] = X.dims;
  const [T, N] = layout === 0 ? [d0, d1] : [d1, d0];
  const x = (t: number, n: number, i: number): number => Math.fround(X.data[(layout === 0 ? t * N + n : n * T + t) * I + i]);
  const inputs = Array.from({ length: T }, (_, t) => Array.from({ length: N }, (_, n) => Array.from({ length: I }, (_, i) => x(t, n, i))));
  const H = info.hidden;
  // initial_h/c are [1, N, H] (layout 0) or [N, 1, H] (layout 1): the same flat order since D = 1.
  const state = (name: string) => {
    const t = c.inputs[name];
    return t ? Array.from({ length: N }, (_, n) => t.data.slice(n * H, (n + 1) * H).map(Math.fround)) : undefined;
  };
  const initial: Record<string, number[][]> = {};
  for (const [slot, name] of [['initial_h', 'h'], ['initial_c', 'c']] as const) {
    const value = state(slot);
    if (value && cell.states.some((s) => s.name === name)) initial[name] = value;
  }
  const result = trace(cell, weights, inputs, { initial });
  return { result, layout, T, N, H, info };
}

describe('ONNX backend conformance (decodeOnnx → fromOnnx → trace)', () => {
  it('finds the twelve cases', () => {
    expect(cases.map((c) => c.case)).toHaveLength(12);
  });

  it.each(cases.map((c) => [c.case, c] as const))('%s', (_name, c) => {
    const { result, layout, T, N, H, info } = runCase(c);
    expect(info.op).toBe(c.op);
    for (const [name, expected] of Object.entries(c.outputs)) {
      let actual: number[];
      if (name === 'Y') {
        // Y is [T, 1, N, H] (layout 0) or [N, T, 1, H] (layout 1).
        actual = [];
        if (layout === 0) for (let t = 0; t < T; t++) for (let n = 0; n < N; n++) actual.push(...result.steps[t].values.h[n]);
        else for (let n = 0; n < N; n++) for (let t = 0; t < T; t++) actual.push(...result.steps[t].values.h[n]);
      } else {
        // Y_h / Y_c are [1, N, H] or [N, 1, H]: the same flat order.
        const state = name === 'Y_h' ? 'h' : 'c';
        actual = result.final[state].flat();
      }
      expect(actual.length).toBe(expected.data.length);
      expectClose(actual, expected.data, ATOL, `${c.case} ${name}`);
    }
    expect(H).toBe(c.attributes.hidden_size);
  });

  it('picks the cell from the node: GRU linear_before_reset=0 → gru-cho, LSTM with P → lstm-peephole', () => {
    const picked = Object.fromEntries(cases.map((c) => [c.case, runCase(c).info.cell]));
    expect(picked.test_gru_defaults).toBe('gru-cho');
    expect(picked.test_lstm_defaults).toBe('lstm');
    expect(picked.test_lstm_with_peepholes).toBe('lstm-peephole');
    expect(picked.test_simple_rnn_defaults).toBe('rnn');
  });
});
