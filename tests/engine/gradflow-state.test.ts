// gradflow --state: which state is differentiated (the output if it is a state, else h, else
// the last state), its name in the table, chart and CSV, and a clear error for a state
// whose update never reads its own previous value. The command runs in-process through runCli,
// the bin's own function (tests/engine/gradflow-cli.test.ts runs the bin itself).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCell } from '../../src/cell/index.js';
import { defaultFlowState, gradientFlow, recurrentStates } from '../../src/engine/gradflow.js';
import { runInProcessWithStderr } from '../cli-in-process.js';

const FIXTURES = resolve(__dirname, '..', 'fixtures', 'cells');
const work = mkdtempSync(join(tmpdir(), 'gateflow-gradflow-state-'));
const gateflow = (...args: string[]) => runInProcessWithStderr(['gradflow', ...args, '--steps', '4', '--hidden', '3', '--batch', '1', '-o', work], work);

// h is recurrent; y only reads this step's h.
const READOUT = 'cell: readout\ninput: x\nstate: h, y\nh = tanh(W x + U h_prev)\ny = V h\n';
writeFileSync(join(work, 'readout.cell'), READOUT);
writeFileSync(join(work, 'readout-out.cell'), READOUT.replace('state: h, y\n', 'state: h, y\noutput: y\n'));

describe('gradflow: the state it differentiates', { timeout: 60_000 }, () => {
  it('defaults: the output when it is a state, else h, else the last state', () => {
    const load = (name: string) => parseCell(readFileSync(join(FIXTURES, `${name}.cell`), 'utf8'));
    expect(defaultFlowState(load('jordan'))).toBe('y'); // the only state
    expect(defaultFlowState(load('stacked-rnn'))).toBe('h2'); // output: h2
    expect(defaultFlowState(load('janet'))).toBe('h'); // states c, h, no output
    expect(defaultFlowState(load('qrnn'))).toBe('c'); // output h is not a state
    expect(defaultFlowState(parseCell(READOUT))).toBe('h'); // the last state, y, is not recurrent
    expect(recurrentStates(parseCell(READOUT))).toEqual(['h']);
  });

  it('a cell whose last state is not recurrent measures h by default (it used to crash)', async () => {
    const run = await gateflow(join(work, 'readout.cell'));
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n')[0]).toBe('spectral norm of ∂h_T/∂h_t (PyTorch init, mean of 1 random sequences)');
  });

  it('--state c names c in the table header and the chart', async () => {
    const run = await gateflow('lstm', '--state', 'c');
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('spectral norm of ∂c_T/∂c_t (PyTorch init, mean of 1 random sequences)');
    expect(readFileSync(join(work, 'gradflow.svg'), 'utf8')).toContain('∂c_T/∂c_t');
  });

  it('cells that measure different states label each line with its state', async () => {
    const run = await gateflow('rnn', join(FIXTURES, 'qrnn.cell'));
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('spectral norm of ∂S_T/∂S_t (PyTorch init, mean of 1 random sequences)');
    expect(run.stdout.split('\n')[1]).toMatch(/^t\s+T−t\s+rnn \(h\)\s+qrnn \(c\)$/);
  });

  it('a state with no path back to itself is refused at its declaration, naming the ones that work', async () => {
    for (const args of [[join(work, 'readout.cell'), '--state', 'y'], [join(work, 'readout-out.cell')]]) {
      const run = await gateflow(...args);
      expect(run.status).toBe(2);
      expect(run.stderr).toBe(
        `gateflow: ${args[0]}:3:11: state 'y' of cell 'readout' does not depend on y_prev, so no gradient flows from y_T back through time; choose one that does with --state (h)\n`,
      );
    }
    const unknown = await gateflow('rnn', '--state', 'c');
    expect(unknown.stderr).toBe("gateflow: cell 'rnn' has no state 'c' (its states: h)\n");
  });

  it('the library takes the same option: ∂c_T/∂c_T is the identity (norm 1)', () => {
    const flow = gradientFlow(parseCell(readFileSync(join(FIXTURES, 'qrnn.cell'), 'utf8')), { steps: 3, hidden: 2, samples: 1 });
    expect(flow.state).toBe('c');
    expect(flow.spectral[3]).toBeCloseTo(1, 12);
  });
});
