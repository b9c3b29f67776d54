/**
 * `vae sweep`: parses the options, runs the vae stage's beta sweep on dSprites-like sprites,
 * and writes its table, CSV, JSON, the trade-off and MIG charts and the latent traversals.
 */
import type { Argv } from 'yargs';
import type * as Vae from '../../train/vae/index.js';
import type * as Plot from '../../plot/index.js';
import { InputError } from '../../errors.js';
import { toStableJson } from '../../stable-json.js';
import { parseNumberList } from '../options.js';
import { writeChart } from '../output.js';
import { progressBar } from '../progress.js';
import { commonVaeOptions, VAE_BAR_WIDTH } from './vae-common.js';

const OBJECTIVE_COLORS: Readonly<Record<string, string>> = { 'beta-vae': '#4c78a8', 'beta-tcvae': '#e45756' };

export function sweepCommand(cli: Argv): Argv {
  return cli.command(
    'sweep',
    'Train VAEs per objective (beta-VAE, beta-TCVAE), beta and seed on dSprites-like sprites; report reconstruction, KL, active dimensions and MIG',
    sweepOptions,
    async (args) => {
      const vae = await import('../../train/vae/index.js');
      const plot = await import('../../plot/index.js');
      const { createRandom } = await import('../../random.js');
      const betas = parseNumberList(args.betas, 'betas');
      const objectives = args.objectives.split(',').map((o) => o.trim());
      for (const o of objectives) if (o !== 'beta-vae' && o !== 'beta-tcvae') throw new InputError(`--objectives: unknown objective '${o}' (beta-vae, beta-tcvae)`);
      const onlySeeds = args['only-seeds'] === undefined ? undefined : parseNumberList(args['only-seeds'], 'only-seeds');
      if (onlySeeds?.some((s) => !Number.isInteger(s) || s < 1 || s > args.seeds)) throw new InputError(`--only-seeds: each must be a whole number from 1 to --seeds (${args.seeds}), got '${args['only-seeds']}'`);
      const bar = progressBar(args.progress, VAE_BAR_WIDTH);
      const out = args.out;
      const onCheckpoint = await checkpointWriter(vae, out);
      const result = vae.betaSweep(createRandom(args.seed), {
        betas,
        objectives: objectives as ('beta-vae' | 'beta-tcvae')[],
        side: args.side,
        train: args.sprites,
        heldOut: args['held-out'],
        latent: args.latent,
        hidden: args.hidden,
        arch: args.arch,
        epochs: args.epochs,
        batch: args.batch,
        lr: args.lr,
        seeds: args.seeds,
        migSamples: args['mig-samples'],
        ...(onlySeeds ? { onlySeeds } : {}),
        onBatch: (run, p) => bar.update(`${run.objective} β ${run.beta} seed ${run.seed}/${args.seeds} epoch ${p.epoch}/${p.epochs}`, p.batch, p.batches, `loss ${p.loss.toFixed(1)}`),
        ...(args.checkpoints ? { onCheckpoint } : {}),
      });
      bar.done();
      const written = await writeSweep(vae, plot, result, objectives, out);
      process.stdout.write(vae.sweepTable(result) + `wrote ${out}/: ${written.join(', ')}\n`);
    },
  );
}

function sweepOptions(y: Argv) {
  return commonVaeOptions(y)
    .option('betas', { type: 'string', default: '1,2,4,8', describe: 'comma-separated betas' })
    .option('objectives', { type: 'string', default: 'beta-vae,beta-tcvae', describe: 'beta-vae (β·KL) and/or beta-tcvae (β·total correlation)' })
    .option('side', { type: 'number', default: 64, describe: 'sprite image side: 64 (dSprites) or 32 (quick)' })
    .option('sprites', { type: 'number', default: 20000, describe: 'training sprites' })
    .option('held-out', { type: 'number', default: 5000, describe: 'held-out sprites for the measurements' })
    .option('latent', { type: 'number', default: 10 })
    .option('hidden', { type: 'number', default: 256 })
    .option('arch', { choices: ['mlp', 'conv'] as const, default: 'mlp' as const, describe: 'mlp: one hidden layer each way; conv: 4 conv layers 32-32-64-64 (4×4, stride 2), a dense layer, transposed-conv decoder (Burgess et al. 2018)' })
    .option('epochs', { type: 'number', default: 10 })
    .option('batch', { type: 'number', default: 64, describe: 'minibatch rows (also the M of beta-TCVAE\'s minibatch-weighted sampling)' })
    .option('lr', { type: 'number', default: 1e-3, describe: 'Adam learning rate' })
    .option('seeds', { type: 'number', default: 3, describe: 'trainings per objective and beta (MIG as mean ± sd over them)' })
    .option('only-seeds', { type: 'string', describe: 'train only these of the --seeds seeds (1-based, comma-separated): the same models as the full sweep, so seeds can run in separate processes' })
    .option('mig-samples', { type: 'number', default: 5000, describe: 'draws per entropy estimate in Chen et al.\'s MIG' })
    .option('checkpoints', { type: 'boolean', default: false, describe: 'after every epoch, measure each run on the held-out sprites: checkpoints.csv (with CPU seconds) and the model so far (checkpoint-<objective>-beta<β>-seed<s>.json)' })
    .option('out', { type: 'string', default: 'out/vae-sweep', describe: 'output folder' });
}

/** After every epoch: one more checkpoints.csv row (CPU seconds since the sweep began) and the model so far, each file rewritten whole. */
async function checkpointWriter(vae: typeof Vae, out: string): Promise<(c: Vae.Checkpoint) => void> {
  const { writeFileAtomic } = await import('../../io/index.js');
  const rows = ['objective,beta,seed,epoch,images,cpu_seconds,reconstruction,kl,active_dims,mig,mig_histogram'];
  const cpuStart = process.cpuUsage();
  return (c) => {
    const used = process.cpuUsage(cpuStart);
    const cpu = (used.user + used.system) / 1e6;
    rows.push([c.objective, c.beta, c.seed, c.epoch, c.images, cpu.toFixed(0), c.reconstruction.toFixed(2), c.kl.toFixed(2), c.activeDims, c.mig.toFixed(4), c.migHistogram.toFixed(4)].join(','));
    writeFileAtomic(`${out}/checkpoints.csv`, rows.join('\n') + '\n');
    writeFileAtomic(`${out}/checkpoint-${c.objective}-beta${c.beta}-seed${c.seed}.json`, JSON.stringify(vae.toJsonModel(c.model)));
  };
}

type SweepResult = ReturnType<typeof Vae.betaSweep>;

/** Writes the sweep's table files, its two charts and the traversals; returns what it wrote, for the closing line. */
async function writeSweep(vae: typeof Vae, plot: typeof Plot, result: SweepResult, objectives: readonly string[], out: string): Promise<string[]> {
  const { writeFileAtomic } = await import('../../io/index.js');
  const { traversals, ...measured } = result;
  writeFileAtomic(`${out}/sweep.csv`, vae.sweepCsv(result));
  writeFileAtomic(`${out}/sweep.json`, toStableJson(measured));
  const { tradeoff, migChart } = sweepCharts(plot, result, objectives);
  await writeChart(tradeoff, `${out}/tradeoff`);
  await writeChart(migChart, `${out}/mig`);
  const written = ['sweep.csv', 'sweep.json', 'tradeoff.svg/.png', 'mig.svg/.png'];
  for (const t of traversals) {
    const images = vae.rowViews(t.images, result.side ** 2, t.order.length * t.values.length);
    writeFileAtomic(`${out}/traversals-${t.objective}.png`, plot.imageGrid(images, result.side, result.side, t.values.length, { scale: result.side === 32 ? 2 : 1 }));
    written.push(`traversals-${t.objective}.png (β ${t.beta}; row r: latent ${t.order.map((j) => j + 1).join(', ')} in turn from ${t.values[0]} to ${t.values.at(-1)})`);
  }
  return written;
}

/** The trade-off (reconstruction against MIG, one point per β) and MIG against β, a line per objective. */
function sweepCharts(plot: typeof Plot, result: SweepResult, objectives: readonly string[]) {
  const groups = objectives.map((objective) => ({ name: objective, color: OBJECTIVE_COLORS[objective]!, rows: result.rows.filter((r) => r.objective === objective) }));
  const seedsNote = (result.seeds > 1 ? `means of ${result.seeds} seeds` : 'one seed') + `; β norm = β × ${result.latent}/${result.side ** 2}`;
  const tradeoff = plot.connectedScatter(
    groups.map((g) => ({ name: g.name, color: g.color, points: g.rows.map((r) => ({ x: r.reconstruction, y: r.mig, label: `β ${r.beta}` })) })),
    { title: 'Reconstruction against disentanglement (held-out sprites)', subtitle: seedsNote, xTitle: 'reconstruction (nats per image)', yTitle: 'MIG (Chen et al.)' },
  );
  const migChart = plot.logLineChart(
    groups.map((g) => ({ name: g.name, x: g.rows.map((r) => r.beta), y: g.rows.map((r) => r.mig), color: g.color })),
    {
      title: 'Mutual Information Gap against β (held-out sprites)',
      subtitle: result.seeds > 1 ? `${seedsNote}; open circles: each seed` : seedsNote,
      xTitle: 'β',
      yTitle: 'MIG (Chen et al.)',
      yDomain: [0, 1],
      measured: 'mean over seeds',
      spread: groups.map((g) => ({ name: g.name, x: g.rows.flatMap((r) => r.migBySeed.map(() => r.beta)), y: g.rows.flatMap((r) => r.migBySeed) })),
    },
  );
  return { tradeoff, migChart };
}
