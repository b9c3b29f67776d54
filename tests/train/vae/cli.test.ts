// `gateflow vae ...` as a user runs it: the built bin (npm test builds first). Tiny sizes only.
// A run of each kind goes through the bin (a child process); repeats and further refusals run
// in-process through runCli, the function the bin calls (standard error captured whole), saving
// a process start each; a repeat in-process must give the bin's bytes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcessWithStderr } from '../../cli-in-process.js';

const BIN = resolve(__dirname, '..', '..', '..', 'dist', 'cli', 'main.js');

function gateflow(...args: string[]) {
  const run = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const work = mkdtempSync(join(tmpdir(), 'gateflow-vae-'));
const inProcess = (...args: string[]) => runInProcessWithStderr(args, work);

describe('gateflow vae', () => {
  it('train --data names the file, line and column of a bad value and exits 2 without a stack', () => {
    const file = join(work, 'bad.csv');
    writeFileSync(file, '0,0.5,1,0\n0,1.5,0,0\n');
    const run = gateflow('vae', 'train', '--data', file, '--out', join(work, 'never'));
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`gateflow: ${file}:2:3: value 1.5 is outside [0, 1] (a Bernoulli likelihood needs values in [0, 1]; use --gaussian for real-valued data)\n`);
    expect(existsSync(join(work, 'never'))).toBe(false);
  });

  it('train --data on a missing file and a bad option exit 2 with one line', async () => {
    expect((await inProcess('vae', 'train', '--data', join(work, 'nope.csv'))).stderr).toBe(`gateflow: cannot read data file '${join(work, 'nope.csv')}': no such file\n`);
    const run = await inProcess('vae', 'sweep', '--betas', '1,x');
    expect(run.status).toBe(2);
    expect(run.stderr).toBe("gateflow: --betas must be a comma-separated list of non-negative numbers, got '1,x'\n");
  });

  it('train --data writes the model, the CSV, the charts and the image grids for 4×4 images, the same bytes every run (the bin, then in-process)', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => ['label', ...Array.from({ length: 16 }, (_, p) => ((i + p) % 5 === 0 ? '1' : '0'))].map((v, c) => (c === 0 ? String(i % 3) : v)).join(','));
    const file = join(work, 'tiny.csv');
    writeFileSync(file, ['label,' + Array.from({ length: 16 }, (_, p) => `p${p}`).join(','), ...rows].join('\n') + '\n');
    const out = join(work, 'tiny');
    const run = gateflow('vae', 'train', '--data', file, '--epochs', '2', '--latent', '2', '--hidden', '8', '--batch', '10', '--out', out);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`data: ${file}, 40 train / 10 test`);
    expect(run.stdout).toContain('model: 16-8-2, beta 1, bernoulli likelihood');
    for (const name of ['model.json', 'history.csv', 'curves.svg', 'curves.png', 'latent.svg', 'latent.png', 'reconstructions.png', 'samples.png', 'manifold.png']) {
      expect(existsSync(join(out, name)), name).toBe(true);
    }
    const history = readFileSync(join(out, 'history.csv'), 'utf8').trim().split('\n');
    expect(history[0]).toBe('epoch,train_loss,train_reconstruction,train_kl,test_loss,test_reconstruction,test_kl');
    expect(history).toHaveLength(3);
    // Same seed, same bytes.
    const again = join(work, 'tiny-again');
    expect((await inProcess('vae', 'train', '--data', file, '--epochs', '2', '--latent', '2', '--hidden', '8', '--batch', '10', '--out', again)).status).toBe(0);
    for (const name of ['model.json', 'history.csv', 'latent.svg', 'curves.svg', 'samples.png']) {
      expect(readFileSync(join(again, name)).equals(readFileSync(join(out, name))), name).toBe(true);
    }
    // A model for 16 values a row refuses rows of 4.
    const narrow = join(work, 'narrow.csv');
    writeFileSync(narrow, '0,1,0,1\n1,0,1,0\n0,0,1,1\n');
    const wrong = await inProcess('vae', 'imbalance', '--data', narrow, '--model', join(out, 'model.json'), '--out', join(work, 'never'));
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toBe(`gateflow: ${join(out, 'model.json')}: the model takes rows of 16 values, the data has 4\n`);
    const model = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    expect(model.config).toEqual({ input: 16, hidden: 8, latent: 2, beta: 1, likelihood: 'bernoulli' });
    expect(model.params.encW.shape).toEqual([16, 8]);
  });

  it('gradvar writes the same table, CSV and SVG bytes on every run (the bin, then in-process)', async () => {
    const a = gateflow('vae', 'gradvar', '--samples', '1,4,16', '--repeats', '300', '--out', join(work, 'gv1'));
    const b = await inProcess('vae', 'gradvar', '--samples', '1,4,16', '--repeats', '300', '--out', join(work, 'gv2'));
    expect(a.status).toBe(0);
    expect(a.stdout.replace(/gv1/g, 'gv')).toBe(b.stdout.replace(/gv2/g, 'gv'));
    expect(readFileSync(join(work, 'gv1', 'gradvar.svg'), 'utf8')).toBe(readFileSync(join(work, 'gv2', 'gradvar.svg'), 'utf8'));
    const csv = readFileSync(join(work, 'gv1', 'gradvar.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('samples,score_function_variance,score_function_exact,reparameterized_variance,reparameterized_exact,score_function_mean,reparameterized_mean');
    expect(csv[1]!.split(',').slice(0, 1).concat(csv[1]!.split(',')[2]!, csv[1]!.split(',')[4]!)).toEqual(['1', '30', '4']);
  });
});
