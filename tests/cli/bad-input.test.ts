// The command lines of issue 12: each bad one ends in exit 2 and exactly the one line
// asserted, before any long work; the good ones say what they wrote. One of each kind of
// refusal runs through the built bin as a user runs it (child processes); all of them run
// in-process through runCli, the function the bin calls with its arguments, which saves a
// process start (about half a second of CPU) each.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../cli-in-process.js';

const BIN = resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js');
const work = mkdtempSync(join(tmpdir(), 'gateflow-bad-input-'));
writeFileSync(join(work, 'afile'), 'not a folder');
writeFileSync(join(work, 's.csv'), 'value\n1\n2\n3\n');
writeFileSync(join(work, 'my.cell'), 'cell: other-name\ninput: x\nstate: h\nh = tanh(W x + U h_prev)\n');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function gateflow(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: work, timeout: 60_000 }, (error, stdout, stderr) => {
      done({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

const inProcess = (args: readonly string[]) => runInProcess(args, work);

/** [arguments, the one line expected on stderr] */
const BAD: readonly [string[], string][] = [
  [['trace', 'gru', '--json'], 'option --json needs a value'],
  [['trace', 'gru', '-i'], 'option -i needs a value'],
  [['trace', 'gru', '-i', '[[1]]', '--weights'], 'option --weights needs a value'],
  [['vae', 'train', '--data'], 'option --data needs a value'],
  [['rnn', 'detect', '--series', 's.csv', '--model'], 'option --model needs a value'],
  [['rnn', 'detect', '--series', 's.csv', '--save-model'], 'option --save-model needs a value'],
  [['vae', 'train', '--lr', 'abc'], "option --lr: expected a number above 0 and at most 10, found 'abc'"],
  [['vae', 'train', '--lr', '-1'], "option --lr: expected a number above 0 and at most 10, found '-1'"],
  [['vae', 'train', '--lr', '0'], "option --lr: expected a number above 0 and at most 10, found '0'"],
  [['rnn', 'detect', '--series', 's.csv', '--tolerance', '-5'], "option --tolerance: expected an integer from 0 to 1000000, found '-5'"],
  [['rnn', 'detect', '--series', 's.csv', '--threshold', 'abc'], "option --threshold: expected a number from 0 to 1000000000000, found 'abc'"],
  [['vae', 'train', '--hidden', '1e9'], "option --hidden: expected an integer from 1 to 4096, found '1e9' (--max-size raises the limit)"],
  [['gradflow', '--steps', '99999999'], "option --steps: expected an integer from 1 to 10000, found '99999999' (--max-size raises the limit)"],
  [['rnn', 'synth', '--length', '1e9'], "option --length: expected an integer from 1 to 1000000, found '1e9' (--max-size raises the limit)"],
  [['rnn', 'synth', '--length', '1e9', '--max-size', '1e10'], "option --max-size: expected an integer from 1 to 2147483647, found '1e10'"],
  [['trace', 'gru', '-i', '[[1]]', '--size', 'input=99999999'], "--size input: expected an integer from 1 to 4096, found '99999999' (--max-size raises the limit)"],
  [['vae', 'train', '--lr', '0.1', '--lr', '0.2'], 'option --lr is given more than once'],
  [['diagram', 'gru', '-o', 'x.gif'], "option --output: cannot write '.gif' files (formats: .svg, .png, .pdf, .tex, .pptx)"],
  [['trace', 'gru', '-i', '[[1]]', '--save-weights', 'w.onnx'], "option --save-weights: cannot write '.onnx' files (formats: .json, .safetensors)"],
  [['trace', 'gru', '-i', '[[1]]', '--json', '-', '--csv', '-'], '--json and --csv both write to standard output (-); give one of them a file'],
  [['diagram', 'gru', '-o', 'afile/x.svg'], "cannot write 'afile/x.svg': 'afile' is a file, not a folder"],
  [['vae', 'train', '--out', 'afile'], "cannot write 'afile': it is a file, not a folder"],
  [['gradflow', 'rnn', '-o', 'afile'], "cannot write 'afile': it is a file, not a folder"],
  [['diagram', 'gru', '-o', '/proc/new/x.svg'], "cannot write '/proc/new/x.svg': cannot write in '/proc' (it takes no new files)"],
  [['diagram', 'gru', '--detail', 'boxes'], "option --detail: expected one of gates, ops, found 'boxes'"],
  [['diagram', 'gru', '--colour', 'red'], 'unknown option --colour'],
  [['diagram'], 'missing argument (got 0, need 1; see --help)'],
  [['diagrma', 'gru'], "unknown command 'diagrma' (did you mean diagram?)"],
  [['bogus'], "unknown command 'bogus' (see gateflow --help)"],
  [['vae', 'imbalance', '--sweep', '--ratios', '0.5'], "--ratios: each is a majority-to-minority ratio from 1 to --total (1000), found '0.5'"],
];

/** One of each kind: a missing value, a number, a format, a location, a command, a handler's own check. */
const THROUGH_THE_BIN = ['trace gru --json', 'vae train --lr abc', 'diagram gru -o x.gif', 'diagram gru -o afile/x.svg', 'diagrma gru', 'vae imbalance --sweep --ratios 0.5'];

const wrongOf = (runs: readonly Run[], cases: readonly [string[], string][]): string[] =>
  cases.flatMap(([args, line], i) => {
    const run = runs[i]!;
    return run.status === 2 && run.stderr === `gateflow: ${line}\n` && run.stdout === '' ? [] : [`${args.join(' ')} → ${run.status} ${JSON.stringify(run.stderr)}`];
  });

describe('bad command lines: exit 2 and one line', () => {
  it(`${BAD.length} command lines in-process, each refused with its own message`, async () => {
    const runs: Run[] = [];
    for (const [args] of BAD) runs.push(await inProcess(args));
    expect(wrongOf(runs, BAD)).toEqual([]);
    // Nothing was trained or written before the refusal.
    expect(readdirSync(work).sort()).toEqual(['afile', 'my.cell', 's.csv']);
  });

  it(`${THROUGH_THE_BIN.length} of them through the bin, the same`, async () => {
    const cases = BAD.filter(([args]) => THROUGH_THE_BIN.includes(args.join(' ')));
    expect(cases.length).toBe(THROUGH_THE_BIN.length);
    const runs = await Promise.all(cases.map(([args]) => gateflow(...args)));
    expect(wrongOf(runs, cases)).toEqual([]);
    expect(readdirSync(work).sort()).toEqual(['afile', 'my.cell', 's.csv']);
  });
});

describe('outputs say what they wrote', () => {
  it('diagram my.cell writes my.svg (named after the file, not the cell) and says so', async () => {
    const run = await gateflow('diagram', 'my.cell', '-o', 'out/my.svg');
    expect(run.stderr).toBe('wrote out/my.svg\n');
    expect(readFileSync(join(work, 'out', 'my.svg'), 'utf8')).toMatch(/^<\?xml /);
    const named = await gateflow('diagram', join(work, 'my.cell'));
    expect([named.status, named.stderr]).toEqual([0, 'wrote my.svg\n']);
  });

  it('trace names every file it writes; -o /dev/stdout writes to standard output', async () => {
    const run = await gateflow('trace', 'rnn', '-i', '[[1],[0]]', '--hidden', '1', '--json', 't/trace.json', '--csv', 't/trace.csv');
    expect(run.stderr).toBe('wrote t/trace.json\nwrote t/trace.csv\n');
    const stdout = await gateflow('equations', 'rnn', '-o', '/dev/stdout');
    expect([stdout.status, stdout.stdout]).toEqual([0, 'h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)\n']);
  });

  it('--max-size raises a size limit', async () => {
    const run = await gateflow('trace', 'rnn', '-i', '[[1]]', '--hidden', '1', '--max-steps', '2000000', '--max-size', '2000000');
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
  });
});
