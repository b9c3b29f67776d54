// `gateflow gradflow` as a user runs it (the built bin; npm test builds first): the table, the
// three files, same bytes for the same seed, and bad input as one message with exit status 2.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js');
const gateflow = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

describe('gateflow gradflow', () => {
  it('prints the table and writes gradflow.csv, .svg and .png; the same seed gives the same bytes', () => {
    const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'gateflow-gradflow-')));
    for (const dir of dirs) {
      const run = gateflow('gradflow', 'rnn', 'lstm', '--steps', '6', '--hidden', '4', '--batch', '2', '--seed', '3', '-o', dir);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const lines = run.stdout.split('\n');
      expect(lines[0]).toBe('spectral norm of ∂h_T/∂h_t (PyTorch init, mean of 2 random sequences)');
      expect(lines[1]).toMatch(/^t\s+T−t\s+rnn\s+lstm$/);
      expect(lines[8]).toMatch(/^6\s+0\s+1\.0000e\+0\s+1\.0000e\+0$/);
      expect(run.stdout).toContain(`wrote ${join(dir, 'gradflow.csv')}`);
    }
    const read = (dir: string, name: string) => readFileSync(join(dir, name));
    const csv = read(dirs[0]!, 'gradflow.csv').toString();
    expect(csv.split('\n')[0]).toBe('t,steps_back,rnn_spectral,lstm_spectral,rnn_frobenius,lstm_frobenius');
    expect(csv.split('\n')).toHaveLength(9);
    expect(read(dirs[0]!, 'gradflow.svg').toString()).toMatch(/^<svg/);
    expect(read(dirs[0]!, 'gradflow.png').subarray(1, 4).toString()).toBe('PNG');
    for (const name of ['gradflow.csv', 'gradflow.svg']) expect(read(dirs[1]!, name).equals(read(dirs[0]!, name))).toBe(true);
  });

  it('--init 0.5,4 puts both regimes in one chart: rnn vanishes with 0.5 and explodes with 4', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateflow-gradflow-'));
    const run = gateflow('gradflow', 'rnn', '--init', '0.5,4', '--steps', '20', '--hidden', '32', '--batch', '2', '-o', dir);
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('spectral norm of ∂h_T/∂h_t (recurrent init 0.5 and 4, mean of 2 random sequences)');
    const first = readFileSync(join(dir, 'gradflow.csv'), 'utf8').split('\n')[1]!.split(',').map(Number);
    expect(first[2]!).toBeLessThan(1e-3); // rnn, init 0.5 at t = 0
    expect(first[3]!).toBeGreaterThan(10); // rnn, init 4 at t = 0
  });

  it('bad input: one message, exit status 2', () => {
    const init = gateflow('gradflow', 'rnn', '--init', '0.5,x', '-o', tmpdir());
    expect(init.status).toBe(2);
    expect(init.stderr).toBe("gateflow: --init takes numbers separated by commas, found '0.5,x'\n");
    const steps = gateflow('gradflow', 'rnn', '--steps', '0', '-o', tmpdir());
    expect(steps.status).toBe(2);
    expect(steps.stderr).toBe("gateflow: option --steps: expected an integer from 1 to 10000, found '0'\n");
    const noState = gateflow('gradflow', 'vae-reparam', '-o', tmpdir());
    expect(noState.status).toBe(2);
    expect(noState.stderr).toBe("gateflow: cell 'vae-reparam' has no state, so no gradient flows through time\n");
  });
});
