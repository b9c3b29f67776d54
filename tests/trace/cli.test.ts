// `gateflow trace` as a user runs it: the table, JSON and CSV outputs, weights round trips
// through files, and bad input, which prints one line and exits 2. The table, standard input
// and one bad input go through the built bin (npm test builds first); the rest run in-process
// through runCli, the bin's own function, standard error captured whole, saving a process
// start each (tests/cli/snapshot.test.ts holds the bin's trace to the same bytes).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCell } from '../../src/index.js';
import { encodeOnnxModel } from '../../src/io/onnx.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { initWeights, toJson, trace } from '../../src/trace/index.js';
import { expectGolden } from '../golden.js';
import { expectClose } from '../expect.js';
import { filler, torchLstm } from './reference.js';
import { runInProcess, runInProcessWithStderr } from '../cli-in-process.js';

const BIN = resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js');
const work = mkdtempSync(join(tmpdir(), 'gateflow-trace-'));
const path = (name: string) => join(work, name);
writeFileSync(path('seq.json'), '[[1, 0], [0, 1], [0.5, -0.5]]\n');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the bin (each case can take seconds on a loaded machine, hence the explicit timeouts). */
function gateflowWithInput(stdin: string, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(process.execPath, [BIN, 'trace', ...args], { encoding: 'utf8', cwd: work }, (error, stdout, stderr) => {
      done({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
    child.stdin!.end(stdin);
  });
}
const gateflow = (...args: string[]) => gateflowWithInput('', ...args);
/** `gateflow trace ...args` in this process, in the work folder, standard error whole. */
const inProcess = (...args: string[]) => runInProcessWithStderr(['trace', ...args], work);

describe('gateflow trace', { timeout: 120_000 }, () => {
  it('prints every gate of every step as an aligned table', async () => {
    const run = await gateflow('gru', '--input', 'seq.json', '--hidden', '3', '--seed', '7');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expectGolden('../fixtures/trace/cli-gru-seed7.txt', run.stdout);
  });

  it('--input - reads CSV from standard input', async () => {
    const run = await gateflowWithInput('1,0\n0,1\n0.5,-0.5\n', 'gru', '--input', '-', '--hidden', '3', '--seed', '7');
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(readFileSync(resolve(__dirname, '..', 'fixtures', 'trace', 'cli-gru-seed7.txt'), 'utf8'));
  });

  it('--json - writes what the library returns for the same seed', async () => {
    const run = await inProcess('gru', '--input', '[[1, 0], [0, 1], [0.5, -0.5]]', '--hidden', '3', '--seed', '7', '--json', '-');
    expect(run.status).toBe(0);
    const cell = loadCell('gru');
    const expected = trace(cell, initWeights(cell, { input: 2, hidden: 3 }, 7), [[1, 0], [0, 1], [0.5, -0.5]]);
    expect(run.stdout).toBe(toJson(expected));
  });

  it('--save-weights then --weights gives the same trace (cell names and PyTorch names); --csv and --h0 are honoured', async () => {
    const first = await inProcess('lstm', '-i', 'seq.json', '--hidden', '2', '--seed', '3', '--save-weights', 'w.json', '--h0', '[0.1, -0.1]', '--csv', 'a.csv');
    expect(first.status).toBe(0);
    const again = await inProcess('lstm', '-i', 'seq.json', '--weights', 'w.json', '--h0', '[0.1, -0.1]', '--csv', 'b.csv', '--save-weights', 'sd.safetensors', '--save-as', 'pytorch');
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(first.stdout);
    // The same weights as a PyTorch state_dict map back onto the cell.
    const viaTorch = await inProcess('lstm', '-i', 'seq.json', '--weights', 'sd.safetensors', '--h0', '[0.1, -0.1]');
    expect(viaTorch.stdout).toBe(first.stdout);
    expect(readFileSync(path('b.csv'), 'utf8')).toBe(readFileSync(path('a.csv'), 'utf8'));
    expect(readFileSync(path('a.csv'), 'utf8').split('\n')[0]).toBe('t,batch,x[0],x[1],i[0],i[1],f[0],f[1],g[0],g[1],o[0],o[1],c[0],c[1],h[0],h[1]');
    expect(Object.keys(JSON.parse(readFileSync(path('w.json'), 'utf8')))).toContain('W_hg');
  });

  it('a PyTorch nn.LSTM state_dict in safetensors, end to end', async () => {
    const H = 3;
    const fill = filler(8);
    const sd = { wih: fill.mat(4 * H, 2, 0.6), whh: fill.mat(4 * H, H, 0.6), bih: fill.vec(4 * H, 0.6), bhh: fill.vec(4 * H, 0.6) };
    writeFileSync(
      path('lstm.safetensors'),
      encodeSafetensors(
        [
          ['rnn.weight_ih_l0', { shape: [4 * H, 2], data: sd.wih.flat() }],
          ['rnn.weight_hh_l0', { shape: [4 * H, H], data: sd.whh.flat() }],
          ['rnn.bias_ih_l0', { shape: [4 * H], data: sd.bih }],
          ['rnn.bias_hh_l0', { shape: [4 * H], data: sd.bhh }],
        ],
        { dtype: 'F32' },
      ),
    );
    const run = await inProcess('lstm', '-i', 'seq.json', '--weights', 'lstm.safetensors', '--json', 'out.json');
    expect(run.stderr).toBe('wrote out.json\n');
    const json = JSON.parse(readFileSync(path('out.json'), 'utf8'));
    const expected = torchLstm([[1, 0], [0, 1], [0.5, -0.5]], sd.wih, sd.whh, sd.bih, sd.bhh, H);
    expectClose(json.steps.map((s: { values: { h: number[][] } }) => s.values.h[0]).flat(), expected.flatMap((e) => e.h), 1e-12, 'h');
    expectClose(json.final.c[0], expected[2].c, 1e-12, 'final c');
  });

  it('an ONNX model names its cell when none is given', async () => {
    const G = 3;
    const H = 2;
    writeFileSync(
      path('gru.onnx'),
      encodeOnnxModel({
        node: { opType: 'GRU', inputs: ['X', 'W', 'R'], outputs: ['Y'], attributes: { hidden_size: H } },
        initializers: { W: { dims: [1, G * H, 2], data: filler(1).vec(G * H * 2) }, R: { dims: [1, G * H, H], data: filler(2).vec(G * H * H) } },
        graphInputs: ['X'],
      }),
    );
    const run = await inProcess('--weights', 'gru.onnx', '-i', 'seq.json');
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n')[0]).toBe('gru-cho (input 2, hidden 2, batch 1; 3 steps)');
  });

  it('--annotate draws the chosen step and the one before', async () => {
    const run = await inProcess('gru', '-i', 'seq.json', '--hidden', '2', '--annotate', 'gru.svg', '--step', '2');
    expect(run.stderr).toBe('wrote gru.svg\n');
    const svg = readFileSync(path('gru.svg'), 'utf8');
    expect(svg).toMatch(/^<\?xml [^\n]*\n<svg /);
    expect(svg).toContain('unrolled over 2 adjacent steps (1, 2)');
  }, 60_000);
});

describe('gateflow trace: bad input exits 2 with one line', () => {
  writeFileSync(path('nan.csv'), 'a,b\n1,0\n0,NaN\n');
  writeFileSync(path('w-missing.json'), '{"W_ih": [[1, 0]], "b_ih": [0], "W_hh": [[0.5]]}');
  writeFileSync(path('w-shape.json'), '{"W_ih": [[1, 0]], "b_ih": [0], "W_hh": [[0.5, 1]], "b_hh": [0]}');
  writeFileSync(path('w-rnn.json'), '{"W_ih": [[1, 0]], "b_ih": [0], "W_hh": [[0.5]], "b_hh": [0]}');
  writeFileSync(path('cut.safetensors'), encodeSafetensors([['weight_ih_l0', { shape: [3, 2], data: [1, 2, 3, 4, 5, 6] }]]).slice(0, 40));
  writeFileSync(path('gemm.onnx'), encodeOnnxModel({ node: { opType: 'Gemm', inputs: ['X', 'W'], outputs: ['Y'] }, initializers: { W: { dims: [1], data: [1] } } }));
  writeFileSync(path('long.json'), JSON.stringify(Array.from({ length: 30 }, () => [0, 1])));

  it.each([
    [['rnn', '-i', 'seq.json', '--weights', 'w-missing.json'], "w-missing.json: missing parameter 'b_hh' [1] of cell 'rnn'"],
    [['rnn', '-i', 'seq.json', '--weights', 'w-shape.json'], "w-shape.json: tensor 'W_hh' has shape [1, 2], expected [1, 1] ([hidden, hidden])"],
    [['gru', '-i', 'seq.json', '--weights', 'w-missing.json'], "w-missing.json: missing parameters 'W_ir' [hidden, input], 'b_ir' [hidden], 'W_hr' [hidden, hidden], 'b_hr' [hidden], 'W_iz' [hidden, input], 'b_iz' [hidden], 'W_hz' [hidden, hidden], 'b_hz' [hidden], 'W_in' [hidden, input], 'b_in' [hidden], 'W_hn' [hidden, hidden], 'b_hn' [hidden] of cell 'gru' (the file has 'W_ih', 'b_ih', 'W_hh' instead)"],
    [['rnn', '-i', '[[1, 2, 3]]', '--weights', 'w-rnn.json'], "--input: each step has 3 features, but cell 'rnn' takes 2 (x: input = 2 (weight 'W_ih' is [1, 2]))"],
    [['gru', '-i', 'nan.csv'], "nan.csv:3:3: 'NaN' is not a finite number"],
    [['gru', '-i', 'seq.json', '--weights', 'cut.safetensors'], 'cut.safetensors: not a valid safetensors file: the header claims 72 bytes but only 32 follow (truncated file?)'],
    [['-i', 'seq.json', '--weights', 'gemm.onnx'], 'gemm.onnx: the model has no RNN, GRU or LSTM node (it has Gemm)'],
    [['gru', '-i', 'long.json', '--max-steps', '20'], 'long.json: the sequence has 30 steps, more than the limit of 20 (raise it with --max-steps)'],
    [['-i', 'seq.json'], 'name a cell (e.g. `gateflow trace gru ...`; see `gateflow cells`), or give an ONNX or Keras model with --weights'],
    [['gru', '-i', 'missing.json'], "cannot read --input file 'missing.json': no such file"],
  ])('%j', async (args, message) => {
    const run = await runInProcess(['trace', ...args], work);
    expect(run.stderr).toBe(`gateflow: ${message}\n`);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
  }, 30_000);

  it('the bin says the same', async () => {
    const run = await gateflow('gru', '-i', 'nan.csv');
    expect([run.status, run.stderr, run.stdout]).toEqual([2, "gateflow: nan.csv:3:3: 'NaN' is not a finite number\n", '']);
  }, 30_000);
});
