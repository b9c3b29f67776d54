// `gateflow vae sweep` and `vae imbalance --sweep` in process (tests/cli-in-process.ts): tiny sizes, error paths.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../../cli-in-process.js';

const work = mkdtempSync(join(tmpdir(), 'gateflow-vae-sweep-'));

describe('gateflow vae sweep', () => {
  it('refuses an unknown objective, a side other than 64 or 32, an unknown --arch, and an unknown imbalance profile, with exit 2', async () => {
    const objective = await runInProcess(['vae', 'sweep', '--objectives', 'beta-vae,factor-vae', '--out', 'never'], work);
    expect(objective.status).toBe(2);
    expect(objective.stderr).toBe("gateflow: --objectives: unknown objective 'factor-vae' (beta-vae, beta-tcvae)\n");
    const side = await runInProcess(['vae', 'sweep', '--side', '48', '--out', 'never'], work);
    expect(side.status).toBe(2);
    expect(side.stderr).toBe('gateflow: --side must be 64 or 32, got 48\n');
    const arch = await runInProcess(['vae', 'sweep', '--arch', 'resnet', '--out', 'never'], work);
    expect(arch.status).toBe(2);
    expect(arch.stderr).toBe("gateflow: option --arch: expected one of mlp, conv, found 'resnet'\n");
    const profile = await runInProcess(['vae', 'imbalance', '--sweep', '--profiles', 'step,zipf', '--out', 'never'], work);
    expect(profile.status).toBe(2);
    expect(profile.stderr).toBe("gateflow: --profiles: unknown profile 'zipf' (step, long-tail)\n");
    const only = await runInProcess(['vae', 'sweep', '--seeds', '3', '--only-seeds', '2,4', '--out', 'never'], work);
    expect(only.status).toBe(2);
    expect(only.stderr).toBe("gateflow: --only-seeds: each must be a whole number from 1 to --seeds (3), got '2,4'\n");
    expect(existsSync(join(work, 'never'))).toBe(false);
  });

  it('writes the table, CSV, JSON, both charts and a traversal grid per objective', async () => {
    const run = await runInProcess(
      ['vae', 'sweep', '--side', '32', '--sprites', '64', '--held-out', '40', '--epochs', '1', '--seeds', '1', '--betas', '1,2', '--latent', '2', '--hidden', '4', '--mig-samples', '40', '--checkpoints', '--out', 'tiny'],
      work,
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^dSprites-like sprites 32×32: 64 training \+ 40 held-out images; 1 seed\(s\) per row, latent 2, mlp encoder\/decoder, 1 epoch\n/);
    const csv = readFileSync(join(work, 'tiny', 'sweep.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('objective,beta,beta_normalised,reconstruction,kl,active_dims,mig,mig_std,mig_by_seed,mig_scale,mig_orientation,mig_x,mig_y,mig_histogram,mig_histogram_std');
    // β norm = β × latent / pixels: 2 latents over 32 × 32 = 1,024 pixels.
    expect(csv.slice(1).map((line) => line.split(',').slice(0, 3).join(' '))).toEqual(['beta-vae 1 0.00195313', 'beta-vae 2 0.00390625', 'beta-tcvae 1 0.00195313', 'beta-tcvae 2 0.00390625']);
    expect(run.stdout).toContain('β norm: β × latent / pixels = β × 2/1024 (Higgins et al. 2017');
    expect(run.stdout.split('\n').find((line) => line.startsWith('beta-vae ') && line.includes(' 2 '))).toMatch(/^beta-vae\s+2\s+0\.00391\s/);
    for (const name of ['sweep.json', 'tradeoff.svg', 'tradeoff.png', 'mig.svg', 'mig.png', 'traversals-beta-vae.png', 'traversals-beta-tcvae.png']) expect(existsSync(join(work, 'tiny', name)), name).toBe(true);
    // --checkpoints: one row per run and epoch, whose MIG is the sweep's (one seed, one epoch), and each run's model.
    const checkpoints = readFileSync(join(work, 'tiny', 'checkpoints.csv'), 'utf8').trim().split('\n');
    expect(checkpoints[0]).toBe('objective,beta,seed,epoch,images,cpu_seconds,reconstruction,kl,active_dims,mig,mig_histogram');
    expect(checkpoints.slice(1).map((line) => line.split(',').slice(0, 5).join(' '))).toEqual(['beta-vae 1 1 1 64', 'beta-vae 2 1 1 64', 'beta-tcvae 1 1 1 64', 'beta-tcvae 2 1 1 64']);
    expect(checkpoints.slice(1).map((line) => line.split(',')[9])).toEqual(csv.slice(1).map((line) => Number(line.split(',')[6]).toFixed(4)));
    const model = JSON.parse(readFileSync(join(work, 'tiny', 'checkpoint-beta-tcvae-beta2-seed1.json'), 'utf8'));
    expect([model.format, model.config.beta, model.config.latent]).toEqual(['gateflow-vae', 2, 2]);
  });
});
