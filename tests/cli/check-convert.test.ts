// `gateflow check` and `gateflow convert` as a user runs them (the built bin): a PyTorch GRU
// converted to ONNX and Keras and checked against the original, an exporter's
// linear_before_reset=0 mistake diagnosed (exit 3) and the ONNX side run in onnxruntime, and
// refusals (exit 2, one line). One run of each kind goes through the bin (child processes); the
// rest run in-process through runCli (the function the bin calls, standard error captured whole),
// saving a process start each.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeOnnxModel } from '../../src/io/onnx.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { block, blockV, filler } from '../trace/reference.js';
import { runInProcessWithStderr } from '../cli-in-process.js';

const BIN = resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js');
const work = mkdtempSync(join(tmpdir(), 'gateflow-check-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const H = 2;
const I = 2;
const f = filler(5);
const wih = f.mat(3 * H, I);
const whh = f.mat(3 * H, H);
const bih = f.vec(3 * H);
const bhh = f.vec(3 * H);
writeFileSync(join(work, 'seq.json'), '[[1, 0], [0, 1], [0.5, -0.5]]\n');
const t = (rows: number[][]) => ({ shape: [rows.length, rows[0].length], data: rows.flat() });
writeFileSync(join(work, 'torch.safetensors'), encodeSafetensors([['weight_ih_l0', t(wih)], ['weight_hh_l0', t(whh)], ['bias_ih_l0', { shape: [3 * H], data: bih }], ['bias_hh_l0', { shape: [3 * H], data: bhh }]], { dtype: 'F32' }));
// An exporter that reorders r, z, n → z, r, h correctly but leaves linear_before_reset at its default 0.
const order = [1, 0, 2];
const onnx = (lbr: number) =>
  encodeOnnxModel({
    node: { opType: 'GRU', inputs: ['X', 'W', 'R', 'B'], outputs: ['Y', 'Y_h'], attributes: { hidden_size: H, linear_before_reset: lbr } },
    initializers: {
      W: { dims: [1, 3 * H, I], data: order.flatMap((k) => block(wih, k, H)).flat() },
      R: { dims: [1, 3 * H, H], data: order.flatMap((k) => block(whh, k, H)).flat() },
      B: { dims: [1, 6 * H], data: [...order.flatMap((k) => blockV(bih, k, H)), ...order.flatMap((k) => blockV(bhh, k, H))] },
    },
    graphInputs: ['X'],
  });
writeFileSync(join(work, 'lbr0.onnx'), onnx(0));

function gateflow(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: work, timeout: 60_000 }, (error, stdout, stderr) => {
      done({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

const inProcess = (...args: string[]) => runInProcessWithStderr(args, work);

describe('gateflow check and convert', { timeout: 60_000 }, () => {
  it('convert writes an ONNX GRU with linear_before_reset=1 and a Keras GRU, each checked; check then agrees', async () => {
    const toOnnx = await gateflow('convert', 'torch.safetensors', 'gru.onnx');
    expect(toOnnx.stderr).toBe('wrote gru.onnx\n');
    expect(toOnnx.stdout).toMatch(/^torch\.safetensors: PyTorch nn\.GRU \(cell gru\)\ngru\.onnx: ONNX GRU linear_before_reset=1 \(cell gru\)\nchecked on 6 random steps, batch 2 \(seed 0\): max difference (0|\d\.\d\de-\d+) \(tolerance 1e-5\)\n$/);
    const toKeras = await inProcess('convert', 'gru.onnx', 'gru.weights.h5');
    expect(toKeras.stdout.split('\n')[1]).toBe('gru.weights.h5: Keras GRU reset_after=True (cell gru)');
    const check = await gateflow('check', 'torch.safetensors', 'gru.weights.h5', '-i', 'seq.json');
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    const lines = check.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual(['A: torch.safetensors: PyTorch nn.GRU (cell gru)', 'B: gru.weights.h5: Keras GRU reset_after=True (cell gru)', 'step  r  z  n  h  result']);
    expect(lines.slice(3, 6).map((l) => l.split(/\s+/))).toEqual([0, 1, 2].map((step) => [String(step), '0', '0', '0', '0', 'pass']));
    expect(lines[6]).toMatch(/^agree: max \|A - B\| = 0 \(step 0, r\), within the tolerance 1e-5$/);
  });

  it('check names the exporter mistake and exits 3', async () => {
    const run = await gateflow('check', 'torch.safetensors', 'lbr0.onnx', '-i', 'seq.json');
    expect(run.status).toBe(3);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[1]).toBe('B: lbr0.onnx: ONNX GRU linear_before_reset=0 (cell gru-cho)');
    expect(lines[lines.length - 3]).toMatch(/^differ: max \|A - B\| = \d\.\d\de-\d+ at step \d, (n|h) \(tolerance 1e-5\)$/);
    // onnxruntime-node is installed with the lock file (tests/io/onnx-runtime.test.ts holds that rule).
    expect(lines[lines.length - 1]).toMatch(/^B in onnxruntime 1\.30\.0: gateflow's trace reproduces the runtime, max \|trace - runtime\| = (0|\d\.\d\de-(7|8|9|1\d)) \(h, step \d\)$/);
    expect(lines[lines.length - 2]).toBe("diagnosis: these agree if B's GRU applies the reset after the matmul (linear_before_reset=1, as PyTorch and Keras reset_after=True do) (max |A - B| = 0 then)");
  });

  it('refusals are one line with exit 2, and nothing is written', async () => {
    const cases: [string[], string][] = [
      [['convert', 'lbr0.onnx', 'out.safetensors'], 'gateflow: lbr0.onnx: cannot convert to PyTorch: nn.GRU applies the reset after the matmul, r ⊙ (W_hn h + b_hn); this GRU applies it before (linear_before_reset=0, Keras reset_after=False), a different function for any weights'],
      [['convert', 'torch.safetensors', 'out.bin'], "gateflow: convert: cannot tell the target framework from 'out.bin'; give --to pytorch|onnx|keras|json"],
      [['check', 'torch.safetensors', 'lbr0.onnx', '-i', 'seq.json', '--tolerance', 'abc'], "gateflow: option --tolerance: expected a number from 0 to 1000000, found 'abc'"],
      [['check', 'torch.safetensors', 'lbr0.onnx', '-i', 'seq.json', '--cell'], 'gateflow: option --cell needs a value'],
      [['check', 'torch.safetensors', 'lbr0.onnx', '-i', '[[1, 0, 2]]'], "gateflow: --input: each step has 3 features, but cell 'gru' takes 2 (x: input = 2 (weight 'W_ir' is [2, 2]))"],
    ];
    // The first through the bin, the others in-process (one at a time: the folder is the process's).
    const runs = [await gateflow(...cases[0]![0])];
    for (const [args] of cases.slice(1)) runs.push(await inProcess(...args));
    expect(runs.map((r) => [r.status, r.stderr])).toEqual(cases.map(([, line]) => [2, `${line}\n`]));
    expect(existsSync(join(work, 'out.safetensors'))).toBe(false);
  });

  it('trace --weights reads a Keras file and names its cell', async () => {
    expect((await inProcess('convert', 'torch.safetensors', 'k.weights.h5')).status).toBe(0);
    const run = await inProcess('trace', '--weights', 'k.weights.h5', '-i', 'seq.json', '--nodes', 'h');
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n')[0]).toBe('gru (input 2, hidden 2, batch 1; 3 steps)');
  });
});
