// trace --state0 NAME=VALUE (repeatable) for any state, with --h0/--c0 as shorthands, and
// `final` in the JSON: every state, then the declared outputs.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCell } from '../../src/index.js';
import { initWeights, toJson, trace } from '../../src/trace/index.js';

const BIN = resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js');
const STACKED = resolve(__dirname, '..', 'fixtures', 'cells', 'stacked-rnn.cell');
const work = mkdtempSync(join(tmpdir(), 'gateflow-state0-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
writeFileSync(join(work, 'h2.json'), '[[0.5, -0.5, 0.25], [0, 1, 0]]');

function gateflow(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, 'trace', ...args], { encoding: 'utf8', cwd: work }, (error, stdout, stderr) => {
      done({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}
const SEQ = '[[[1, 0], [0, 1]], [[0.5, 0.5], [-1, 2]]]';

describe('gateflow trace --state0', { timeout: 30_000 }, () => {
  it('sets any state (h1 inline, h2 from a file per batch element), as the library does', async () => {
    const run = await gateflow(STACKED, '-i', SEQ, '--hidden', '3', '--seed', '4', '--state0', 'h1=[0.1, 0.2, 0.3]', '--state0', 'h2=h2.json', '--json', '-');
    expect(run.stderr).toBe('');
    const cell = loadCell(STACKED);
    const sizes = { input: 2, hidden: 3 };
    const expected = trace(cell, initWeights(cell, sizes, 4), JSON.parse(SEQ), { sizes, initial: { h1: [0.1, 0.2, 0.3], h2: [[0.5, -0.5, 0.25], [0, 1, 0]] } });
    expect(run.stdout).toBe(toJson(expected));
    expect(Object.keys(JSON.parse(run.stdout).final)).toEqual(['h1', 'h2']);
  });

  it('--h0 and --c0 are short for --state0 h=… and --state0 c=…', async () => {
    const long = await gateflow('lstm', '-i', SEQ, '--hidden', '3', '--state0', 'c=[1, 2, 3]', '--state0', 'h=[0, 0.5, 0]', '--json', '-');
    const short = await gateflow('lstm', '-i', SEQ, '--hidden', '3', '--c0', '[1, 2, 3]', '--h0', '[0, 0.5, 0]', '--json', '-');
    expect(long.stderr).toBe('');
    expect(short.stdout).toBe(long.stdout);
  });

  it.each([
    [['--state0', 'q=[1, 2, 3]'], "initial value for 'q', which is not a state of cell 'lstm' (states: c, h)"],
    [['--state0', 'h'], "--state0 expects NAME=VALUE (e.g. c=c0.json or h='[0.5,0]'), found 'h'"],
    [['--state0', 'h=[1, 2, 3]', '--h0', '[1, 2, 3]'], "the initial value of state 'h' is given twice (--h0 and an earlier option)"],
    [['--state0', 'c=[1, 2]'], "initial state: tensor 'c0' has shape [2], expected [3]"],
  ])('%j is refused with one line and exit status 2', async (args, message) => {
    const run = await gateflow('lstm', '-i', SEQ, '--hidden', '3', ...args);
    expect(run.stderr).toBe(`gateflow: ${message}\n`);
    expect(run.status).toBe(2);
  });
});

describe('trace: final', () => {
  it('lists every state, then the outputs that are not states (qrnn: c, then h)', () => {
    const cell = loadCell(resolve(__dirname, '..', 'fixtures', 'cells', 'qrnn.cell'));
    const result = trace(cell, undefined, [[1, 0], [0, 1]], { sizes: { hidden: 2 } });
    expect(Object.keys(result.final)).toEqual(['c', 'h']);
    expect(result.final.h).toEqual(result.steps[1]!.values.h);
    expect(result.final.c).toEqual(result.steps[1]!.values.c);
  });
});
