// `gateflow diagram` as a user runs it: the built bin (npm test builds first). Drawing to a
// file, to standard output and one refusal go through the bin (child processes); the other
// runs go in-process through runCli, the function the bin calls, saving a process start each.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../cli-in-process.js';

const BIN = resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js');
const gateflow = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'buffer' });
const work = mkdtempSync(join(tmpdir(), 'gateflow-diagram-'));

describe('gateflow diagram', { timeout: 60_000 }, () => {
  it('writes gru.svg by default, and the same SVG to stdout with -o -', () => {
    const run = gateflow(work, 'diagram', 'gru');
    expect(run.status, run.stderr.toString()).toBe(0);
    expect(run.stderr.toString()).toBe('wrote gru.svg\n');
    const file = readFileSync(join(work, 'gru.svg'), 'utf8');
    expect(file).toContain('<title id="title">Gated recurrent unit (PyTorch convention)</title>');
    const piped = gateflow(work, 'diagram', 'gru', '-o', '-');
    expect(piped.stdout.toString()).toBe(file);
  });

  it('writes PNG and PDF by extension or --format', () => {
    expect(gateflow(work, 'diagram', 'rnn', '--steps', '3', '-o', 'rnn.png', '--scale', '1').status).toBe(0);
    const png = readFileSync(join(work, 'rnn.png'));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(gateflow(work, 'diagram', 'lstm', '--format', 'pdf').status).toBe(0);
    const pdf = readFileSync(join(work, 'lstm.pdf'));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // Vectors, not an embedded image.
    expect(pdf.toString('latin1')).not.toContain('/Subtype /Image');
  });

  it('draws a user .cell file with no cell-specific code', async () => {
    writeFileSync(join(work, 'leaky.cell'), 'cell: leaky\ntitle: Leaky unit\ninput: x\nstate: h\na = σ(W_a x + U_a h_prev + b_a)\nh = a ⊙ h_prev + (1 - a) ⊙ tanh(W x)\n');
    const run = await runInProcess(['diagram', 'leaky.cell', '-o', '-', '--title', ''], work);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('<title id="title">Leaky unit</title>');
  });

  it('--debug-stage unroll prints the unrolled graph as JSON', async () => {
    const run = await runInProcess(['diagram', 'lstm-peephole', '--debug-stage', 'unroll'], work);
    expect(run.status, run.stderr).toBe(0);
    const graph = JSON.parse(run.stdout);
    expect(graph.cell).toBe('lstm-peephole');
    expect(graph.edges.filter((e: { kind: string }) => e.kind === 'peephole').map((e: { id: string }) => e.id)).toEqual(['in:c->i', 'in:c->f', 'c->o']);
  });

  it('rejects a bad theme name by listing the themes (the bin), and steps 0 or 9 and an unknown cell (in-process), with status 2', async () => {
    const theme = gateflow(work, 'diagram', 'gru', '--theme', 'neon');
    expect(theme.status).toBe(2);
    expect(theme.stderr.toString()).toBe("gateflow: unknown theme 'neon' (themes: colorblind, dark, light, print; or give a path to a .json theme file)\n");
    for (const steps of ['0', '9']) {
      const run = await runInProcess(['diagram', 'gru', '--steps', steps], work);
      expect(run.status).toBe(2);
      expect(run.stderr).toBe(`gateflow: option --steps: expected an integer from 1 to 8, found '${steps}'\n`);
    }
    // The note and 'wrote' go to the process's standard error: through the bin.
    const stateless = gateflow(work, 'diagram', 'vae-reparam', '--steps', '3', '-o', 'vae.svg');
    expect(stateless.status).toBe(0);
    expect(stateless.stderr.toString()).toBe("note: cell 'vae-reparam' has no state, so nothing flows between steps; drawing one step\nwrote vae.svg\n");
    const cell = await runInProcess(['diagram', 'grux'], work);
    expect(cell.status).toBe(2);
    expect(cell.stderr).toMatch(/^gateflow: unknown cell 'grux' \(shipped cells: antisymmetric, gru, gru-cho, janet, lstm, lstm-peephole, mgu, olah-lstm, qrnn, rnn, vae-reparam; or give a path to a \.cell file\)\n$/);
  });
});
