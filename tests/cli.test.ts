// The command line as a user runs it: the built bin (npm test builds first), its output,
// and its exit status. Bad input prints one message and exits 2, never a stack trace. Each kind
// of run goes through the bin once (a child process); its repeats (the other formats, the other
// refusals) run in-process through runCli, the function the bin calls with its arguments, which
// saves a process start (about a second of CPU) each.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from './cli-in-process.js';

const BIN = resolve(__dirname, '..', 'dist', 'cli', 'main.js');
const GOLDEN = resolve(__dirname, 'golden', 'equations');

function gateflow(...args: string[]) {
  const run = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** No line of a Node stack trace ("    at fn (file:1:2)") may reach the user. */
function expectNoStack(stderr: string) {
  expect(stderr).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);
}

describe('gateflow (the bin)', () => {
  it('--help lists the commands', () => {
    const run = gateflow('--help');
    expect(run.status).toBe(0);
    for (const command of ['cells', 'equations <cell>', 'gallery']) expect(run.stdout).toContain(`gateflow ${command}`);
  });

  it('cells lists every shipped cell with its title', () => {
    const run = gateflow('cells');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('gru            Gated recurrent unit (PyTorch convention)');
    expect(run.stdout).toContain('lstm-peephole  LSTM with peephole connections');
    expect(run.stdout.trim().split('\n')).toHaveLength(11);
  });

  it('equations prints the golden text (the bin), TeX, Markdown and JSON (in-process)', async () => {
    const bin = gateflow('equations', 'gru', '--format', 'text');
    expect(bin.status).toBe(0);
    expect(bin.stdout).toBe(readFileSync(join(GOLDEN, 'gru.txt'), 'utf8'));
    for (const [format, ext] of [['tex', 'tex'], ['markdown', 'md'], ['json', 'json']] as const) {
      const run = await runInProcess(['equations', 'gru', '--format', format], tmpdir());
      expect(run.status).toBe(0);
      expect(run.stdout).toBe(readFileSync(join(GOLDEN, `gru.${ext}`), 'utf8'));
    }
  });

  it('equations of a .cell path, written to a file with -o', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateflow-cli-'));
    const cellFile = join(dir, 'tiny.cell');
    writeFileSync(cellFile, 'cell: tiny\ninput: x\nstate: h\nh = tanh(W x + U h_prev)\n');
    const out = join(dir, 'tiny.md');
    const run = await runInProcess(['equations', cellFile, '--format', 'markdown', '-o', out], dir);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe('**tiny** (`tiny`)\n\n$h_{t} = \\tanh\\left(W x_{t} + U h_{t-1}\\right)$\n');
  });

  it('--output - (the long form) writes to standard output', async () => {
    const run = await runInProcess(['equations', 'rnn', '--output', '-'], tmpdir());
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(readFileSync(join(GOLDEN, 'rnn.txt'), 'utf8'));
  });

  it('a bad cell: file:line:column and a reason on stderr, exit 2, no stack', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateflow-cli-'));
    const cellFile = join(dir, 'bad.cell');
    writeFileSync(cellFile, 'cell: bad\ninput: x\nstate: h\nh = tanh(W x + foo(h_prev))\n');
    const run = gateflow('equations', cellFile);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`gateflow: ${cellFile}:4:16: unknown function 'foo' (known: σ, sigmoid, tanh, relu, exp, softplus, abs, sqrt, hardsigmoid, hardsigmoid_keras2, mean, sum, min, max, clip, transpose; for a product write foo ⊙ (...) or foo * (...))\n`);
    expectNoStack(run.stderr);
  });

  it('an unknown cell name lists the shipped cells, exit 2', async () => {
    const run = await runInProcess(['equations', 'nosuch'], tmpdir());
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      "gateflow: unknown cell 'nosuch' (shipped cells: antisymmetric, gru, gru-cho, janet, lstm, lstm-peephole, mgu, olah-lstm, qrnn, rnn, vae-reparam; or give a path to a .cell file)\n",
    );
  });

  it('a bad option value names the choices, exit 2', async () => {
    const run = await runInProcess(['equations', 'gru', '--format', 'nope'], tmpdir());
    expect(run.status).toBe(2);
    expect(run.stderr).toBe("gateflow: option --format: expected one of text, tex, markdown, json, found 'nope'\n");
    expectNoStack(run.stderr);
  });

  it('a seed that is not an integer is the user\'s error (exit 2), in every command that draws numbers', async () => {
    for (const args of [['gradflow', 'rnn', '--steps', '3', '-o', tmpdir()], ['vae', 'gradvar', '--out', tmpdir()]]) {
      const run = await runInProcess([...args, '--seed', '1.5'], tmpdir());
      expect(run.status).toBe(2);
      expect(run.stderr).toBe("gateflow: option --seed: expected an integer from 0 to 4294967295, found '1.5'\n");
    }
  });

  it('a reader that closes the pipe early ends the output without a stack trace (status 141, as SIGPIPE gives)', () => {
    // sh runs the bin into `true`, which exits at once; the bin's later writes meet a closed pipe.
    const script = `"${process.execPath}" "${BIN}" trace gru --input '[[1,0],[0,1],[1,1]]' --json - 2>"$0" | true; echo "\${PIPESTATUS[0]}"`;
    const errFile = join(mkdtempSync(join(tmpdir(), 'gateflow-pipe-')), 'stderr.txt');
    const run = spawnSync('bash', ['-c', script, errFile], { encoding: 'utf8' });
    expect(run.stdout.trim()).toBe('141');
    expect(readFileSync(errFile, 'utf8')).toBe('');
  });

  it('an unknown command exits 2', () => {
    const run = gateflow('nosuchcommand');
    expect(run.status).toBe(2);
    expectNoStack(run.stderr);
  });
});
