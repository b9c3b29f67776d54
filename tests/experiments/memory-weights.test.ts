// gateflow memory --weights: weight files made here from seeded random weights (gateflow JSON, a
// PyTorch state_dict and an ONNX model, the last two float32), read as trace --weights reads them. The map of the
// given weights is checked against central differences of the mathjs trace (an evaluator the
// memory map does not use) on the same weights and inputs; files that do not fit the cell fail
// with the tensor and the expected shape.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCell } from '../../src/index.js';
import { normalInputs } from '../../src/experiments/index.js';
import { convertModel, initWeights, toPyTorch, trace, weightsToJson, type Weights } from '../../src/trace/index.js';
import { encodeOnnxModel } from '../../src/io/onnx.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { runInProcess } from '../cli-in-process.js';
import { expectClose } from '../expect.js';

const work = mkdtempSync(join(tmpdir(), 'gateflow-memory-weights-'));
const T = 5;

/** ‖∂h_t/∂x_s‖_F for one sequence [T][1] by central differences (h 1e-6) through the mathjs trace. */
function referenceMap(cellName: string, weights: Weights, xs: number[]): number[] {
  const cell = loadCell(cellName);
  const hOf = (x: number[]) => trace(cell, weights, x.map((v) => [v]), { evaluator: 'mathjs' }).steps.map((s) => s.values.h![0]!);
  const squares = new Array<number>(T * T).fill(0);
  for (let s = 0; s < T; s++) {
    const up = xs.slice();
    const down = xs.slice();
    up[s]! += 1e-6;
    down[s]! -= 1e-6;
    const [a, b] = [hOf(up), hOf(down)];
    for (let t = s; t < T; t++) a[t]!.forEach((v, u) => (squares[t * T + s] += ((v - b[t]![u]!) / 2e-6) ** 2));
  }
  return squares.map(Math.sqrt);
}

/** Every map column of memory.csv, each as a [t][s] array (0 above the diagonal). */
function mapColumns(dir: string): number[][] {
  const rows = readFileSync(join(work, dir, 'memory.csv'), 'utf8').trim().split('\n').slice(1).map((row) => row.split(',').map(Number));
  const columns = rows[0]!.slice(2).map(() => new Array<number>(T * T).fill(0));
  for (const [t, s, ...values] of rows) values.forEach((v, k) => (columns[k]![t! * T + s!] = v));
  return columns;
}

describe('gateflow memory --weights', { timeout: 60_000 }, () => {
  it('maps a gru from gateflow JSON, a PyTorch state_dict and ONNX: the map of the file’s weights (rtol 1e-4, the CSV’s 5 digits)', async () => {
    const cell = loadCell('gru');
    const weights = initWeights(cell, { input: 1, hidden: 3 }, 4);
    writeFileSync(join(work, 'gru.json'), weightsToJson(weights));
    writeFileSync(join(work, 'gru.safetensors'), encodeSafetensors([...toPyTorch(cell, weights)], { dtype: 'F32' }));
    const onnx = convertModel({ cell: 'gru', weights, framework: 'json', recurrentActivation: 'sigmoid', source: 'test' }, 'onnx');
    writeFileSync(join(work, 'gru.onnx'), encodeOnnxModel((onnx as Extract<typeof onnx, { target: 'onnx' }>).onnx));
    const run = await runInProcess(['memory', 'gru', 'gru', 'gru', '--weights', 'gru.json', '--weights', 'gru.safetensors', '--weights', 'gru.onnx', '--steps', String(T), '--samples', '1', '-o', 'maps'], work);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n')[1]).toMatch(/^lag t−s +gru random +gru random +gru random +gru gru\.json +gru gru\.safetensors +gru gru\.onnx$/);
    // memory's inputs: N(0, 1) drawn with its --seed (1), one sample of T steps, one feature.
    const expected = referenceMap('gru', weights, Array.from(normalInputs(T, 1, 1, 1).data));
    const columns = mapColumns('maps');
    for (const [k, format] of ['json', 'safetensors (float32)', 'onnx (float32)'].entries()) expectClose(columns[3 + k]!, expected, { rtol: 1e-4 }, format);
  });

  it.each([
    [['memory', 'gru', '--weights', 'gru.json', '--hidden', '4'], "gateflow: gru.json: tensor 'W_ir' has shape [3, 1], expected [4, 1] ([hidden, input])"],
    [['memory', 'gru', '--weights', 'short-row.json'], "gateflow: short-row.json: tensor 'W_hz' has shape [2, 3], expected [3, 3] ([hidden, hidden])"],
    [['memory', 'rnn', '--weights', 'gru.json'], "gateflow: gru.json: missing parameters 'W_ih' [hidden, input], 'b_ih' [hidden], 'W_hh' [hidden, hidden], 'b_hh' [hidden] of cell 'rnn' (the file has 'W_ir', 'b_ir', 'W_hr', 'b_hr', 'W_iz', 'b_iz', 'W_hz', 'b_hz', 'W_in', 'b_in', 'W_hn', 'b_hn' instead)"],
    [['memory', 'gru', 'lstm', '--weights', 'gru.json'], 'gateflow: --weights gives 1 file for 2 cells (gru, lstm); give one per cell, in order'],
    [['memory', 'lstm', '--weights', 'gru.onnx'], "gateflow: gru.onnx: GRU node 'gru' is cell 'gru' (linear_before_reset=1), not 'lstm'"],
    [['memory', '--weights', 'gru.json'], 'gateflow: name a cell (e.g. `gateflow memory gru ...`; see `gateflow cells`), or give an ONNX or Keras model with --weights'],
    [['memory', 'gru', '--weights', 'gru.json', '--from', 'adding-40'], 'gateflow: --from and --weights both give the second row of maps; use one'],
  ])('gateflow %j fails with one line and exit 2', async (args, message) => {
    const weights = JSON.parse(readFileSync(join(work, 'gru.json'), 'utf8'));
    writeFileSync(join(work, 'short-row.json'), JSON.stringify({ ...weights, W_hz: weights.W_hz.slice(0, 2) }));
    const run = await runInProcess(args, work);
    expect(run.status).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe(message);
  });
});
