/**
 * The `rnn` commands: detect (train a recurrent next-value predictor on a series and flag what
 * it cannot predict), synth (labelled benchmark series from a seed) and benchmark (every
 * anomaly kind × cells, against the rolling z-score baseline). Handlers read through io, call
 * the anomaly stage, hand its plain results to plot, and write every output atomically.
 * The engine, vega and resvg load only when a command runs.
 */
import { basename, extname, join } from 'node:path';
import type { Argv } from 'yargs';
import { InputError } from '../../errors.js';
import type { Command } from './command.js';
import { toStableJson } from '../../stable-json.js';
import { progressBar } from '../progress.js';
import { fraction } from '../options.js';
import { warn, writeChart, writeOutput } from '../output.js';
import { benchmarkCommand } from './rnn-benchmark.js';
import { readCleanSeries, RNN_BAR_WIDTH, thresholdRuleOf } from './rnn-series.js';


type Anomaly = typeof import('../../train/anomaly/index.js');
type Detection = import('../../train/anomaly/index.js').Detection;
type Series = import('../../train/anomaly/index.js').Series;
type EpochStats = import('../../train/anomaly/index.js').EpochStats;
type DetectSettings = import('../../train/anomaly/index.js').DetectSettings;
type DetectRun = import('../../train/anomaly/index.js').DetectRun;

type ChartAxis = { time?: import('../../plot/index.js').DetectionTime; xTitle?: string };

/**
 * The detection chart's x axis from the series' timestamp column: dates (ISO, or Unix epoch
 * s, ms, µs or ns: the same axis and title) → a UTC time axis, other numbers → those numbers;
 * text, or times that go backwards (with a warning), → the step index.
 */
async function chartAxis(series: import('../../io/series.js').SeriesTable): Promise<ChartAxis> {
  if (!series.timestamps) return {};
  const { timeAxisOf } = await import('../../io/series.js');
  const name = series.timestampColumn ?? 'timestamp';
  const axis = timeAxisOf(series.timestamps, series.time);
  if (axis.kind === 'text') return { xTitle: `time step ('${name}' holds neither dates nor numbers)` };
  if (axis.backwards) {
    const { index, previous, current } = axis.backwards;
    warn(`${series.source.file}:${series.source.lines[index]}: ${name} '${current}' is earlier than the row before it ('${previous}'); the chart's x axis shows the time step instead`);
    return { xTitle: `time step ('${name}' goes backwards at step ${index})` };
  }
  if (axis.kind === 'quantitative') return { time: { kind: axis.kind, values: axis.values }, xTitle: name };
  // The tick labels name days and months but rarely the year, so the title gives the span (in UTC, as the ticks).
  const utc = (ms: number) => (axis.hasTime ? new Date(ms).toISOString().replace('.000Z', 'Z') : new Date(ms).toISOString().slice(0, 10));
  const span = `${utc(axis.values[0]!)} to ${utc(axis.values[axis.values.length - 1]!)}`;
  return { time: { kind: axis.kind, values: axis.values }, xTitle: `${name}${axis.hasTime ? ' (UTC)' : ''}: ${span}` };
}

/** Labelled anomalies as [start, end) ranges, for shading. */
function labelledBands(anomaly: Anomaly, series: Series): { start: number; end: number }[] {
  return series.labels ? anomaly.runsOf(series.labels).map((r) => ({ start: r.start - 0.5, end: r.end - 0.5 })) : [];
}

async function detectionFigures(anomaly: Anomaly, series: Series, axis: ChartAxis, detection: Detection, modelName: string, clip: number, out: string, unclipped?: readonly EpochStats[]): Promise<string[]> {
  const { detectionChart, trainingChart } = await import('../../plot/index.js');
  const C = series.channels.length;
  const channels = series.channels.map((name, c) => ({ name, values: Array.from({ length: series.length }, (_, t) => series.values[t * C + c]!) }));
  const flagged: number[] = [];
  detection.rnn.flagged.forEach((f, t) => f && flagged.push(t));
  const written = await writeChart(
    detectionChart({
      channels,
      scores: detection.rnn.scores,
      threshold: detection.rnn.threshold,
      flagged,
      labelled: labelledBands(anomaly, series),
      evaluateFrom: detection.regions.evaluateFrom,
      ...axis,
      scoreName: `${modelName} score`,
      ...(detection.baselines[0] ? { baseline: { scores: detection.baselines[0].scores, threshold: detection.baselines[0].threshold, name: 'z-score' } } : {}),
      title: `${series.source?.file ?? 'series'}: ${flagged.length} point(s) flagged by ${modelName}${series.labels ? ' (shaded: labelled anomalies)' : ''}`,
    }),
    join(out, 'detection'),
  );
  if (detection.history.length > 0) {
    const toRun = (name: string, h: readonly EpochStats[], withApplied: boolean) => ({
      name,
      loss: h.map((e) => e.loss),
      gradNormMax: h.map((e) => e.gradNormMax),
      ...(withApplied ? { appliedNormMean: h.map((e) => e.appliedNormMean) } : {}),
    });
    const clipped = clip > 0 && Number.isFinite(clip);
    const runs = [toRun(clipped ? `clip ${clip}` : 'no clipping', detection.history, clipped)];
    if (unclipped) runs.push(toRun('no clipping', unclipped, false));
    const spec = trainingChart({ runs, ...(clipped ? { clip } : {}), title: `Training ${modelName}: loss and gradient norm per epoch` });
    written.push(...(await writeChart(spec, join(out, 'training'))));
  }
  return written;
}

/** The options of `rnn detect`. */
function detectOptions(y: Argv) {
  return y
    .option('series', { type: 'string', demandOption: true, describe: 'CSV file: a header row, value column(s), optional timestamp and 0/1 label columns' })
    .option('train', { type: 'string', describe: 'fit on this CSV instead of the first part of --series (its last --holdout-fraction sets the threshold)' })
    .option('value-column', { type: 'array', string: true, describe: 'value column(s) to read (default: every column but the timestamp and the label)' })
    .option('timestamp-column', { type: 'string', describe: "timestamp column (default: one named timestamp, time, date, datetime or t, else the one column of dates; '' for none); ISO-8601 dates (read as UTC) or numbers become the chart's x axis" })
    .option('label-column', { type: 'string', describe: "0/1 label column (default: one named label or anomaly; '' for none)" })
    .option('missing', { choices: ['error', 'skip', 'interpolate'] as const, default: 'error' as const, describe: 'a missing value or timestamp (empty, NaN, NA, null): stop naming its line, leave its row out, or interpolate linearly' })
    .option('order', { choices: ['sort', 'error'] as const, default: 'sort' as const, describe: 'timestamps that go backwards: sort the rows by time (with a warning), or stop naming the line' })
    .option('duplicates', { choices: ['mean', 'keep'] as const, default: 'mean' as const, describe: 'rows that share a timestamp: average them (labelled if any is), or keep them all' })
    .option('resample', { type: 'boolean', default: false, describe: 'put the series on a regular grid at its usual (median) step, interpolating across gaps' })
    .option('cell', { type: 'string', default: 'rnn', describe: 'rnn, gru, lstm (any shipped cell) or a path to a .cell file' })
    .option('hidden', { type: 'number', default: 32, describe: 'hidden size' })
    .option('window', { type: 'number', default: 50, describe: 'points the predictor reads before each prediction (BPTT length)' })
    .option('horizon', { type: 'number', default: 1, describe: 'score by a forecast this many steps ahead (>1: the model runs on its own predictions, so it cannot follow a flat stretch)' })
    .option('epochs', { type: 'number', default: 20, describe: 'passes over the fit part' })
    .option('clip', { type: 'number', default: 1, describe: 'gradient-norm clipping threshold (0: no clipping)' })
    .option('compare-clip', { type: 'boolean', default: false, describe: 'also train without clipping (same seed and initial weights) and chart both runs: loss and gradient norm per epoch' })
    .option('optimizer', { choices: ['adam', 'sgd'] as const, default: 'adam' as const, describe: 'adam, or sgd with momentum 0.9 (where unclipped gradients hurt most)' })
    .option('lr', { type: 'number', describe: 'learning rate (default: 0.005 for adam, 0.05 for sgd)' })
    .option('batch', { type: 'number', default: 16, describe: 'windows per batch' })
    .option('seed', { type: 'number', default: 1, describe: 'seed for the initial weights and the batch order' })
    .option('smooth', { type: 'number', default: 5, describe: 'average the squared standardised error over this many steps (1: each point alone)' })
    .option('threshold-rule', { choices: ['pot', 'robust', 'max', 'quantile'] as const, default: 'pot' as const, describe: 'threshold from the normal part\'s scores: pot (a generalised Pareto tail fit as in SPOT, on the whole normal part); on the held-out part: robust (median + k robust standard deviations), max (their maximum, the old rule), quantile' })
    .option('risk', { type: 'number', default: 1e-3, describe: 'pot: the fraction of normal points expected above the threshold' })
    .option('robust-k', { type: 'number', default: 6, describe: 'robust: threshold = median + k·1.4826·MAD of the held-out scores' })
    .option('quantile', { type: 'number', describe: 'quantile: threshold = this quantile of the held-out scores (giving it selects the quantile rule)' })
    .option('threshold', { type: 'number', describe: 'a fixed threshold on the score instead' })
    .option('robust-fit', { type: 'boolean', default: true, describe: 'refit after replacing the fit-part points the first fit cannot predict (--no-robust-fit: one fit)' })
    .option('seasonal', { type: 'boolean', default: true, describe: 'a column that repeats with a period longer than --window (autocorrelation ≥ 0.5 in the fit part) is modelled as its residual from the fit part\'s per-phase median (--no-seasonal: never)' })
    .option('exclude-bursts', { type: 'boolean', default: false, describe: 'leave runs of 3 or more points the robust fit cannot predict (multi-point anomalies in the normal part) out of the threshold\'s calibration' })
    .option('localise', { type: 'boolean', describe: 'trim each flagged run to the span of its points whose own (unsmoothed) score exceeds the threshold, so a spike\'s neighbours are not flagged with it (--no-localise: keep the smoothed runs)' })
    .option('min-run', { type: 'number', describe: 'drop flagged runs of the averaged score shorter than this many steps, before localising (default 2, or 1 with --smooth 1; 1: keep every run): a spike keeps the average up for several steps, a one-step crossing is noise grazing the threshold' })
    .option('local-scale', { type: 'number', default: 200, describe: 'judge each standardised error against the median and spread (1.4826·MAD, used when above 1.5 fit-part deviations) of this many errors before it, so a level shift\'s lasting bias or a noisier stretch stops scoring (0: against the fit part only)' })
    .option('level-window', { type: 'number', describe: 'the predictor reads each value\'s deviation from the median of this many values before it, so a level that wanders does not take its input out of the range it was trained on (0: the values themselves; default: 200 when the fit part\'s level drifts, 0 when it does not, as the report says)' })
    .option('level-alarm', { type: 'boolean', default: false, describe: 'with a level window: also flag the first step at which the level has left the median of the window before it (a climb slower than the window is otherwise followed rather than seen; it also adds some false-positive runs)' })
    .option('ensemble', { type: 'number', default: 1, describe: 'train K seeds (seed, seed+1, ...) and score by the median of their scores; the report gives each one\'s composite F1' })
    .option('metric', { choices: ['standard', 'nab'] as const, default: 'standard' as const, describe: 'nab adds the NAB score (standard profile, normalised: 0 = flag nothing, 100 = perfect)' })
    .option('normal-fraction', { type: 'number', default: 0.5, describe: 'leading fraction of --series treated as normal (fit + held out)' })
    .option('holdout-fraction', { type: 'number', default: 0.4, describe: 'fraction of the normal part held out to set the threshold' })
    .option('tolerance', { type: 'number', describe: 'a flagged run starting this many steps after a labelled window is not a false-positive run (default: --window)' })
    .option('model', { type: 'string', describe: 'score with a model saved by --save-model (no training)' })
    .option('save-model', { type: 'string', describe: 'write the trained model (JSON) here' })
    .option('out', { alias: 'o', type: 'string', describe: 'output folder (default: <series name>-anomalies)' })
    .option('progress', { type: 'boolean', describe: 'show a progress bar (default: when stderr is a terminal)' });
}

type DetectArgs = Awaited<ReturnType<typeof detectOptions>['argv']>;

/** The series (and training series) as cleaned, and the cell: the one named, or the saved model's. */
async function detectInputs(args: DetectArgs) {
  const anomaly = await import('../../train/anomaly/index.js');
  const { cellParseOptions, readCell, readText } = await import('../../io/index.js');
  const { parseCell } = await import('../../cell/index.js');
  const columns = {
    ...(args['value-column'] ? { valueColumns: args['value-column'].map(String) } : {}),
    ...(args['timestamp-column'] !== undefined ? { timestampColumn: args['timestamp-column'] } : {}),
    ...(args['label-column'] !== undefined ? { labelColumn: args['label-column'] } : {}),
  };
  const cleaning = { missing: args.missing, order: args.order, duplicates: args.duplicates, resample: args.resample };
  const series = await readCleanSeries(args.series, { ...columns, ...cleaning });
  const train = args.train ? await readCleanSeries(args.train, { ...columns, ...cleaning }) : undefined;
  const loaded = args.model ? anomaly.modelFromJson(readText(args.model, 'model file'), args.model) : undefined;
  const source = loaded ? loaded.cell : readCell(args.cell);
  const cellSource = { file: source.file, text: source.text };
  return { series, train, model: loaded?.model, cellSource, cell: parseCell(cellSource.text, cellParseOptions(cellSource)) };
}

type DetectInputs = Awaited<ReturnType<typeof detectInputs>>;

/** detect()'s settings from the command's options (each number already in its range: checkOptionValues), the rest checked here. */
async function detectSettings(args: DetectArgs, inputs: DetectInputs): Promise<DetectSettings> {
  const { timeStepOf } = await import('../../io/index.js');
  const { series, train, model, cell } = inputs;
  const clip = args.clip;
  if (!(clip >= 0)) throw new InputError(`--clip must be 0 (off) or a positive number, got ${clip}`);
  // A day or a week at the series' time step is a seasonal period the detector prefers (period.ts).
  const timeStep = timeStepOf((train ?? series).time);
  const settings = {
    cell,
    hidden: args.hidden,
    window: args.window,
    horizon: args.horizon,
    epochs: args.epochs,
    clip,
    ...(args.lr !== undefined ? { lr: args.lr } : {}),
    optimizer: args.optimizer,
    batch: args.batch,
    seed: args.seed,
    smooth: args.smooth,
    thresholdRule: thresholdRuleOf(args),
    ...(args.threshold !== undefined ? { threshold: args.threshold } : {}),
    robustFit: args['robust-fit'],
    seasonal: args.seasonal,
    excludeBursts: args['exclude-bursts'],
    ...(args.localise !== undefined ? { localise: args.localise } : {}),
    localScale: args['local-scale'],
    ...(args['level-window'] !== undefined ? { levelWindow: args['level-window'] } : {}),
    levelAlarm: args['level-alarm'],
    ...(args['min-run'] !== undefined ? { minRun: args['min-run'] } : {}),
    ensemble: args.ensemble,
    normalFraction: fraction(args['normal-fraction'], 'normal-fraction'),
    holdoutFraction: fraction(args['holdout-fraction'], 'holdout-fraction'),
    ...(args.tolerance !== undefined ? { tolerance: args.tolerance } : {}),
    ...(train ? { train } : {}),
    ...(model ? { model } : {}),
    ...(timeStep ? { timeStep } : {}),
    warn: warn,
  };
  if (settings.ensemble > 1 && args['save-model']) throw new InputError(`--save-model keeps one predictor; it cannot save an --ensemble of ${settings.ensemble}`);
  return settings;
}

/** Trains and scores (and with --compare-clip trains again without clipping), with a progress bar. */
async function runDetection(args: DetectArgs, inputs: DetectInputs, settings: DetectSettings): Promise<DetectRun> {
  const anomaly = await import('../../train/anomaly/index.js');
  const { series, model, cellSource } = inputs;
  const name = inputs.cell.name;
  const bar = progressBar(args.progress, RNN_BAR_WIDTH);
  const started = Date.now();
  const detection = anomaly.detect(series, { ...settings, onProgress: (done, total) => bar.update(`training ${name}`, done, total, 'batches') });
  bar.done();
  const seconds = (Date.now() - started) / 1000;
  let unclipped: EpochStats[] | undefined;
  if (args['compare-clip'] && !model) {
    // The detection's level window, not chosen again: the run without clipping reads the same input.
    unclipped = anomaly.trainingHistory(series, { ...settings, levelWindow: detection.model.levelWindow, clip: 0, onProgress: (done, total) => bar.update(`training ${name} without clipping`, done, total, 'batches') });
    bar.done();
  }
  const files = { seriesFile: args.series, ...(args.train ? { trainFile: args.train } : {}), ...(args.model ? { modelFile: args.model } : {}), cellFile: cellSource.file };
  return { ...files, settings, detection, seconds, ...(unclipped ? { unclipped } : {}), nab: args.metric === 'nab' };
}

/** flagged.csv, report.json, the charts and the saved model, each written atomically; the paths written. */
async function writeDetection(args: DetectArgs, inputs: DetectInputs, run: DetectRun, out: string): Promise<string[]> {
  const anomaly = await import('../../train/anomaly/index.js');
  const { writeFileAtomic } = await import('../../io/index.js');
  const { series, cellSource } = inputs;
  const { detection, unclipped } = run;
  writeFileAtomic(join(out, 'flagged.csv'), anomaly.flaggedCsv(series, detection));
  const summary = anomaly.detectionSummary(detection, anomaly.detectRunInfo(run));
  if (unclipped) summary.unclippedEpochs = anomaly.epochSummary(unclipped);
  writeFileAtomic(join(out, 'report.json'), toStableJson(summary));
  const written = [join(out, 'flagged.csv'), join(out, 'report.json')];
  written.push(...(await detectionFigures(anomaly, series, await chartAxis(series), detection, inputs.cell.name, run.settings.clip, out, unclipped)));
  if (args['save-model']) {
    writeFileAtomic(args['save-model'], anomaly.modelToJson(detection.model, cellSource));
    written.push(args['save-model']);
  }
  return written;
}

function detectCommand(cli: Argv): Argv {
  return cli.command('detect', 'Train a recurrent next-value predictor on a series and flag the points it cannot predict', detectOptions, async (args) => {
    const anomaly = await import('../../train/anomaly/index.js');
    const { checkOutputLocation } = await import('../../io/index.js');
    const inputs = await detectInputs(args);
    const settings = await detectSettings(args, inputs);
    // The default folder is checked before training, as the CLI checks an explicit --out.
    const out = args.out ?? `${basename(args.series, extname(args.series))}-anomalies`;
    checkOutputLocation(out, 'folder');
    const run = await runDetection(args, inputs, settings);
    const lines = anomaly.detectRunLines(inputs.series, run);
    const written = await writeDetection(args, inputs, run, out);
    lines.push('', `wrote ${written.join(', ')}`);
    process.stdout.write(lines.join('\n') + '\n');
  });
}

const KIND_CHOICES = ['all', 'mixed', 'spike', 'level-shift', 'frequency', 'flat'] as const;

function synthCommand(cli: Argv): Argv {
  return cli.command(
    'synth',
    'Write labelled benchmark series (seasonal signal + noise + injected anomalies) from a seed',
    (y) =>
      y
        .option('seed', { type: 'number', default: 1, describe: 'the same seed gives the same files' })
        .option('kind', { choices: KIND_CHOICES, default: 'all' as const, describe: 'one anomaly kind, mixed (all kinds in one series), or all (one file per kind plus mixed)' })
        .option('length', { type: 'number', default: 4000, describe: 'points per series (the first half is anomaly-free)' })
        .option('period', { type: 'number', default: 40, describe: 'period of the seasonal signal, in steps' })
        .option('noise', { type: 'number', default: 0.05, describe: 'standard deviation of the noise' })
        .option('count', { type: 'number', default: 3, describe: 'anomalies of each kind per series' })
        .option('out', { alias: 'o', type: 'string', describe: 'with --kind all: a folder (default synth-<seed>); otherwise a CSV file (default: standard output)' }),
    async (args) => {
      const anomaly = await import('../../train/anomaly/index.js');
      const { writeFileAtomic } = await import('../../io/index.js');
      const base = {
        seed: args.seed,
        length: args.length,
        period: args.period,
        noise: args.noise,
        count: args.count,
      };
      if (!(base.period > 1)) throw new InputError(`--period must be more than 1, got ${base.period}`);
      if (!(base.noise >= 0)) throw new InputError(`--noise must be 0 or more, got ${base.noise}`);
      const make = (kind: (typeof KIND_CHOICES)[number]) => anomaly.synthSeries({ ...base, ...(kind === 'mixed' || kind === 'all' ? {} : { kinds: [kind] }) });
      if (args.kind !== 'all') {
        writeOutput(args.out ?? '-', anomaly.seriesToCsv(make(args.kind)));
        return;
      }
      const out = args.out ?? `synth-${args.seed}`;
      const manifest: Record<string, unknown> = {};
      const written: string[] = [];
      for (const kind of [...anomaly.ANOMALY_KINDS, 'mixed'] as const) {
        const series = make(kind);
        const path = join(out, `${kind}.csv`);
        writeFileAtomic(path, anomaly.seriesToCsv(series));
        written.push(path);
        manifest[kind] = { file: `${kind}.csv`, normalUntil: series.normalUntil, anomalies: series.anomalies };
      }
      writeFileAtomic(join(out, 'anomalies.json'), toStableJson({ options: base, series: manifest }));
      process.stdout.write(`wrote ${written.join(', ')} and ${join(out, 'anomalies.json')}\n`);
    },
  );
}

/** The `rnn` commands (owned by the rnn stage). */
export const rnnCommands: readonly Command[] = [
  (cli) =>
    cli.command('rnn', 'RNN anomaly detection on time series: detect, synth, benchmark', (y) =>
      [detectCommand, synthCommand, benchmarkCommand].reduce((acc, command) => command(acc), y).demandCommand(1, 'name an rnn command: detect, synth or benchmark'),
    ),
];
