// gateflow compare and memory, run in this process on tiny sizes: the files they write, a
// saved result redrawn byte for byte with --from, and bad input as one line and exit 2.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runInProcess } from '../cli-in-process.js';

const work = mkdtempSync(join(tmpdir(), 'gateflow-compare-'));
const MEMORYLESS = resolve(__dirname, 'cells', 'memoryless.cell');

describe('gateflow compare and memory', { timeout: 60_000 }, () => {
  it('compare writes the curves, summary, chart and result; --from redraws them byte for byte', async () => {
    const run = await runInProcess(['compare', 'rnn', MEMORYLESS, '--task', 'delay:3', '--seeds', '2', '--steps', '4', '--hidden', '2', '--test-size', '16', '-o', 'first'], work);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(readdirSync(join(work, 'first')).sort()).toEqual(['compare.json', 'compare.png', 'compare.svg', 'curves.csv', 'summary.csv']);
    const lines = run.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'Measure a spike delay (delays 2 to 3): 2 seeds, 4 steps',
      'error: fraction of sequences timed wrong; solved: the output peak after the second input spike lies exactly D steps after it (error: fraction of sequences missed) (target 0.05)',
      'cell        hidden  params  final error (mean ± sd)  solved  steps to target  wall s',
    ]);
    // rnn at hidden 2 on one input and one output: W_ih 2, W_hh 4, b_ih 2, b_hh 2, readout 2 + 1.
    expect(lines[3]!.split(/\s+/).slice(0, 3)).toEqual(['rnn', '2', '13']);
    expect(lines[4]!.split(/\s+/).slice(0, 3)).toEqual(['memoryless', '2', '7']); // W_ih 2, b_ih 2, readout 3
    const summary = readFileSync(join(work, 'first', 'summary.csv'), 'utf8').trim().split('\n');
    expect(summary[0]).toBe('cell,hidden,params,final_error_mean,final_error_sd,seeds_solved,seeds,median_steps_to_target,seeds_reaching_target,wall_seconds_mean');
    expect(summary.length).toBe(3);
    // 20 curve points (the default) plus the start, for each cell.
    expect(readFileSync(join(work, 'first', 'curves.csv'), 'utf8').trim().split('\n').length).toBe(1 + 2 * 5);

    const again = await runInProcess(['compare', '--from', 'first/compare.json', '-o', 'second'], work);
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(run.stdout);
    for (const file of ['curves.csv', 'summary.csv', 'compare.svg']) {
      expect(readFileSync(join(work, 'second', file)).equals(readFileSync(join(work, 'first', file))), file).toBe(true);
    }
  });

  it('memory --from draws random and trained maps of the cells in the result', async () => {
    const run = await runInProcess(['memory', 'rnn', MEMORYLESS, '--from', 'first/compare.json', '--samples', '2', '-o', 'maps'], work);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(readdirSync(join(work, 'maps')).sort()).toEqual(['memory.csv', 'memory.png', 'memory.svg']);
    const csv = readFileSync(join(work, 'maps', 'memory.csv'), 'utf8').trim().split('\n');
    // delay:3 sequences are 10 steps: 55 pairs s ≤ t.
    expect(csv[0]).toBe('t,s,rnn_random,memoryless_random,rnn_trained,memoryless_trained');
    expect(csv.length).toBe(1 + 55);
    expect(run.stdout.split('\n')[0]).toBe('mean of ‖∂h_t/∂x_(t−lag)‖ over t (delay:3 sequences, mean of 2)');
  });

  it('memory of a fading cell beside gru: the shared scale warns that gru looks flat and its legend says the scale is shared', async () => {
    const jordan = resolve(__dirname, '..', 'fixtures', 'cells', 'jordan.cell');
    // Warnings go to the process's standard error, which runInProcess leaves alone.
    const warnings: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (warnings.push(String(chunk)), true));
    const shared = await runInProcess(['memory', jordan, 'gru', '--steps', '20', '--samples', '1', '-o', 'shared'], work).finally(() => spy.mockRestore());
    expect(shared.status).toBe(0);
    expect(warnings.join('')).toBe('gateflow: warning: on the shared colour scale, gru random varies over under a quarter of its decades, so its map shows little of its own variation; --color-scale panel gives each map its own scale\n');
    const legends = (dir: string) => [...readFileSync(join(work, dir, 'memory.svg'), 'utf8').matchAll(/aria-label="(one scale for all panels|this panel’s own scale)"/g)].map((m) => m[1]);
    expect(legends('shared')).toEqual(['one scale for all panels']);
    // The title is typeset: math-italic h and x with subscript t and s, not h_t. (--color-scale panel: tests/plot/spread-heatmap.test.ts.)
    expect(readFileSync(join(work, 'shared', 'memory.svg'), 'utf8')).toContain('<title>‖∂ℎₜ/∂𝑥ₛ‖, T = 20, inputs N(0, 1), mean of 1</title>');
  });

  it.each([
    [['compare', 'rnn'], 'gateflow: compare needs --task (delay, spikes, sine, adding, copy, or file:PATH.csv) or --from a saved result'],
    [['compare', 'rnn', '--task', 'adder'], "gateflow: unknown task 'adder' (tasks: delay, spikes, sine, adding, copy, file:PATH.csv; a length may follow a colon, as in adding:50)"],
    [['compare', '--from', 'nothing-here'], "gateflow: no compare result 'nothing-here': not a file, nor a shipped result (adding-10, adding-40, adding-40-lstm-1000, adding-40-rnn-1000, copy-10, copy-20, copy-5, peephole-delay, peephole-delay-20, peephole-sine, peephole-spikes)"],
    [['memory', 'gru', '--from', 'first/compare.json'], "gateflow: first/compare.json holds no trained 'gru' (it has rnn, memoryless)"],
    [['memory', 'vae-reparam'], "gateflow: cell 'vae-reparam' has 2 inputs ('mu', 'logvar'); compare and memory feed one"],
    [['memory', 'rnn', '--steps', '501'], "gateflow: option --steps: expected an integer from 1 to 500, found '501'"],
    [['memory', 'rnn', '--color-scale', 'each'], 'gateflow: option --color-scale: expected one of shared, panel, found \'each\''],
  ])('gateflow %j fails with one line and exit 2', async (args, message) => {
    const run = await runInProcess(args, work);
    expect(run.status).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe(message);
  });
});
