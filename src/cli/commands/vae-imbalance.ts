/**
 * `vae imbalance`: parses the options, then either scores one dataset's latent space or runs the
 * stage's estimator sweep on MNIST subsets of known imbalance, and writes what they return.
 */
import type { Argv } from 'yargs';
import { InputError } from '../../errors.js';
import { toStableJson } from '../../stable-json.js';
import { writeChart } from '../output.js';
import { progressBar } from '../progress.js';
import { commonVaeOptions, loadData, majorityRatios, VAE_BAR_WIDTH } from './vae-common.js';

export function imbalanceCommand(cli: Argv): Argv {
  return cli.command(
    'imbalance',
    'Measure how imbalanced a dataset is from its VAE latent space alone (kNN density, no labels); --sweep compares label-free estimators in VAE, PCA and pixel space on MNIST subsets of known imbalance',
    (y) =>
      commonVaeOptions(y)
        .option('data', { type: 'string', describe: 'CSV or JSON rows in [0, 1] (default: the MNIST training digits)' })
        .option('model', { type: 'string', describe: 'encode with this model (model.json from `vae train`, e.g. trained on a reference pool) instead of training one on the data' })
        .option('sweep', { type: 'boolean', default: false, describe: 'score MNIST subsets with known imbalance and report the rank correlation' })
        .option('ratios', { type: 'string', default: '1,2,5,10,20,50,100', describe: 'majority-to-minority ratios (--sweep)' })
        .option('profiles', { type: 'string', default: 'step,long-tail', describe: 'class-size profiles (--sweep)' })
        .option('total', { type: 'number', default: 1000, describe: 'rows per subset (--sweep)' })
        .option('seeds', { type: 'number', default: 3, describe: 'subsets per profile and ratio, each with other classes in the majority (--sweep)' })
        .option('latent', { type: 'number', default: 10, describe: 'latent dimensions (and PCA components in --sweep)' })
        .option('hidden', { type: 'number', default: 400 })
        .option('epochs', { type: 'number', default: 10 })
        .option('k', { type: 'number', default: 10, describe: 'neighbours for the kNN density' })
        .option('out', { type: 'string', default: 'out/vae-imbalance', describe: 'output folder' }),
    async (args) => {
      if (args.sweep) await runSweep(args);
      else await scoreOne(args);
    },
  );
}

type VaeStage = typeof import('../../train/vae/index.js');

/** --sweep: every estimator on MNIST subsets of known imbalance; the CSV, JSON, bar chart and table. */
async function runSweep(args: { data?: string; profiles: string; ratios: string; total: number; seeds: number; latent: number; hidden: number; epochs: number; k: number; seed: number; progress?: boolean; out: string }): Promise<void> {
  const vae = await import('../../train/vae/index.js');
  const plot = await import('../../plot/index.js');
  const { writeFileAtomic } = await import('../../io/index.js');
  const { createRandom } = await import('../../random.js');
  if (args.data) throw new InputError('--sweep builds its subsets from MNIST; it does not take --data');
  const profiles = args.profiles.split(',').map((p) => p.trim());
  for (const p of profiles) if (p !== 'step' && p !== 'long-tail') throw new InputError(`--profiles: unknown profile '${p}' (step, long-tail)`);
  const bar = progressBar(args.progress, VAE_BAR_WIDTH);
  const { split } = await loadData(vae, undefined, false, args.seed);
  const result = vae.imbalanceSweep(split.train, split.test, createRandom(args.seed), {
    ratios: majorityRatios(args.ratios, args.total),
    profiles: profiles as ('step' | 'long-tail')[],
    seeds: args.seeds,
    total: args.total,
    latent: args.latent,
    hidden: args.hidden,
    epochs: args.epochs,
    k: args.k,
    onBatch: (p) => bar.update(`shared encoder epoch ${p.epoch}/${p.epochs}`, p.batch, p.batches, ''),
    onSubset: (done, total) => bar.update('estimating', done, total, ''),
  });
  bar.done();
  const out = args.out;
  writeFileAtomic(`${out}/sweep.csv`, vae.imbalanceSweepCsv(result));
  writeFileAtomic(`${out}/sweep.json`, toStableJson({ profiles: result.profiles, estimators: result.estimators }));
  // One panel per profile with the same spaces and methods, so the panels' shared band scales fit both.
  // Ten methods side by side in each space: wide enough for every bar's two-decimal label.
  const panels = vae.imbalanceSweepBars(result).map(({ profile, bars }) =>
    plot.barChart({ bars, title: `${profile} profile`, yTitle: 'Spearman with the ratio', yDomain: [-1, 1], valueDecimals: 2, widthPx: 1100, heightPx: 200 }),
  );
  await writeChart(plot.vconcat(panels, { title: `Label-free imbalance estimators on ${result.runs.length} MNIST subsets of ${args.total}` }), `${out}/sweep`);
  process.stdout.write(
    vae.imbalanceSweepIntro({ total: args.total, latent: args.latent, epochs: args.epochs, trainCount: split.train.count, poolCount: split.test.count }) +
      vae.imbalanceSweepTable(result) +
      `wrote ${out}/: sweep.csv, sweep.json, sweep.svg/.png\n`,
  );
}

/** A model file from `vae train`, refused when its rows are not the data's. */
async function readModel(vae: VaeStage, file: string, dim: number) {
  const { readText } = await import('../../io/index.js');
  const text = readText(file, 'model file');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const model = vae.fromJsonModel(json, file);
  if (model.config.input !== dim) throw new InputError(`${file}: the model takes rows of ${model.config.input} values, the data has ${dim}`);
  return model;
}

/** One dataset's score, from a given encoder (--model) or a VAE trained on the data; the JSON, the scatter and the summary. */
async function scoreOne(args: { data?: string; model?: string; latent: number; hidden: number; epochs: number; k: number; seed: number; progress?: boolean; out: string }): Promise<void> {
  const vae = await import('../../train/vae/index.js');
  const plot = await import('../../plot/index.js');
  const { writeFileAtomic } = await import('../../io/index.js');
  const { createRandom } = await import('../../random.js');
  const bar = progressBar(args.progress, VAE_BAR_WIDTH);
  const data = args.data ? (await import('../../io/dataset.js')).readDataset(args.data, 'unit') : (await loadData(vae, undefined, false, args.seed)).split.train;
  let measured: { means: Float64Array; score: number; divergence: number; reference: number };
  let latent = args.latent;
  if (args.model) {
    const model = await readModel(vae, args.model, data.dim);
    latent = model.config.latent;
    const means = vae.encodeMeans(model, data);
    measured = { means, ...vae.imbalanceScore(means, latent, createRandom(args.seed), args.k) };
  } else {
    measured = vae.measureImbalance(data, createRandom(args.seed), {
      latent: args.latent,
      hidden: args.hidden,
      epochs: args.epochs,
      k: args.k,
      onBatch: (p) => bar.update(`epoch ${p.epoch}/${p.epochs}`, p.batch, p.batches, `loss ${p.loss.toFixed(2)}`),
    });
    bar.done();
  }
  const densityChart = plot.scatter({
    points: vae.latentPoints(measured.means, latent, Math.min(data.count, 4000), data.labels, data.count),
    title: `Latent means (score ${measured.score.toFixed(3)} nats)`,
    xTitle: latent === 2 ? 'z₁' : 'principal component 1',
    yTitle: latent === 2 ? 'z₂' : 'principal component 2',
    categoryTitle: 'label',
    pointSize: 10,
    opacity: 0.6,
  });
  await writeChart(densityChart, `${args.out}/latent`);
  const summary = vae.imbalanceSummary({ ...measured, rows: data.count, k: args.k, latent, encoder: args.model, labels: data.labels });
  writeFileAtomic(`${args.out}/imbalance.json`, toStableJson(summary.json));
  process.stdout.write(summary.text + `wrote ${args.out}/: imbalance.json, latent.svg/.png\n`);
}
