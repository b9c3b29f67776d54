/**
 * `rnn benchmark`: each cell against the rolling z-score, the Hampel identifier and flagging
 * everything, with the same default settings everywhere: on the synthetic anomaly kinds, or
 * with --data on a folder of labelled CSV files (one row per series and a total).
 */
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { GateflowError, InputError } from '../../errors.js';
import { toStableJson } from '../../stable-json.js';
import { warn, writeChart } from '../output.js';
import { progressBar } from '../progress.js';
import { RNN_BAR_WIDTH, thresholdRuleOf } from './rnn-series.js';

type Anomaly = typeof import('../../train/anomaly/index.js');
type Row = import('../../train/anomaly/benchmark.js').BenchmarkRow;
type SeriesTable = import('../../io/series.js').SeriesTable;

function rowJson(r: Row): Record<string, unknown> {
  if (r.skipped) return { series: r.series, skipped: r.skipped };
  const finite = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : null);
  const methods: Record<string, unknown> = {};
  for (const [name, e] of r.methods) {
    const { points, composite, range, events } = e.metrics;
    methods[name] = {
      pointF1: finite(points.f1), compositeF1: finite(composite.f1), rangeF1: finite(range.f1),
      detected: events.detected, labelled: events.labelled, falsePositiveRuns: events.falsePositiveRuns, delays: [...events.delays],
      nab: finite(e.nab.normalised), nabRaw: finite(e.nab.raw), nabNull: finite(e.nab.nullScore), nabPerfect: finite(e.nab.perfect),
    };
  }
  return { series: r.series, length: r.length, methods };
}

export function benchmarkCommand(cli: Argv): Argv {
  return cli.command(
    'benchmark',
    'Each cell against a rolling z-score, a Hampel identifier and "flag everything": on the synthetic anomaly kinds, or on a folder of labelled CSV files (--data)',
    benchmarkOptions,
    async (args) => {
      const anomaly = await import('../../train/anomaly/index.js');
      const { loadCell } = await import('../../load-cell.js');
      const cells = args.cells.split(',').map((c) => c.trim()).filter(Boolean).map(loadCell);
      // The same settings for every series and cell (checkOptionValues already refused a number out of its range).
      const settings = {
        hidden: args.hidden,
        window: args.window,
        horizon: args.horizon,
        epochs: args.epochs,
        smooth: args.smooth,
        seed: args.seed,
        thresholdRule: thresholdRuleOf(args),
        seasonal: args.seasonal,
        excludeBursts: args['exclude-bursts'],
        ...(args.localise !== undefined ? { localise: args.localise } : {}),
        ...(args['min-run'] !== undefined ? { minRun: args['min-run'] } : {}),
        levelAlarm: args['level-alarm'],
      };
      const { checkOutputLocation, timeStepOf } = await import('../../io/index.js');
      checkOutputLocation(args.out, 'folder');
      const bar = progressBar(args.progress, RNN_BAR_WIDTH);
      const named = args.data ? await folderSeries(args.data, args.only) : anomaly.ANOMALY_KINDS.map((kind) => ({ name: kind, load: async () => anomaly.synthSeries({ seed: args.seed, kinds: [kind] }) }));
      const rows: Row[] = [];
      for (const { name, load } of named) {
        // A series that cannot be read or measured is a row with the reason, not the end of the run.
        try {
          const series = await load();
          // The timestamp column read with the series (a synthetic series has none: its times are step indices).
          const timeStep = timeStepOf('time' in series ? series.time : undefined);
          rows.push(anomaly.benchmarkSeries(name, series, cells, { ...settings, ...(timeStep ? { timeStep } : {}), onProgress: (done, total) => bar.update(`${name}: training`, done, total, 'batches') }));
        } catch (error) {
          if (!(error instanceof GateflowError)) throw error;
          rows.push(anomaly.skippedRow(name, error.message));
        }
        bar.done();
      }
      await writeResults(anomaly, args, rows);
      if (rows.every((r) => r.skipped)) throw new InputError(`none of the ${rows.length} series could be measured (the reasons are listed above and in benchmark.json)`);
    },
  );
}

function benchmarkOptions(y: Argv) {
  return y
    .option('data', { type: 'string', describe: 'a folder of labelled CSV files (timestamp, value, 0/1 label): one table row per file, and a total' })
    .option('seed', { type: 'number', default: 1, describe: 'seed of the synthetic series and of the training' })
    .option('cells', { type: 'string', default: 'rnn,gru,lstm', describe: 'comma-separated cells (names or .cell paths)' })
    .option('hidden', { type: 'number', default: 32 })
    .option('window', { type: 'number', default: 50 })
    .option('horizon', { type: 'number', default: 1 })
    .option('epochs', { type: 'number', default: 20 })
    .option('smooth', { type: 'number', default: 5 })
    .option('threshold-rule', { choices: ['pot', 'robust', 'max', 'quantile'] as const, default: 'pot' as const, describe: 'as for detect' })
    .option('risk', { type: 'number', default: 1e-3, describe: 'as for detect' })
    .option('robust-k', { type: 'number', default: 6, describe: 'as for detect' })
    .option('quantile', { type: 'number', describe: 'as for detect' })
    .option('seasonal', { type: 'boolean', default: true, describe: 'as for detect (--no-seasonal: never model a seasonal residual)' })
    .option('exclude-bursts', { type: 'boolean', default: false, describe: 'as for detect' })
    .option('localise', { type: 'boolean', describe: 'as for detect' })
    .option('min-run', { type: 'number', describe: 'as for detect (default 2, or 1 with --smooth 1)' })
    .option('level-alarm', { type: 'boolean', default: false, describe: 'as for detect' })
    .option('only', { type: 'string', describe: 'with --data: only the files whose names contain one of these comma-separated texts' })
    .option('out', { alias: 'o', type: 'string', default: 'rnn-benchmark', describe: 'output folder (the table as JSON and Markdown, charts)' })
    .option('progress', { type: 'boolean', describe: 'show a progress bar (default: when stderr is a terminal)' });
}

/** The series of a --data folder (io's readSeriesFolder), each read when its turn comes; folders it did not read are named once on stderr. */
async function folderSeries(data: string, onlyText: string | undefined): Promise<{ name: string; load: () => Promise<SeriesTable> }[]> {
  const { readSeriesFolder } = await import('../../io/index.js');
  const only = onlyText?.split(',').map((o) => o.trim()).filter(Boolean);
  const folder = readSeriesFolder(data, { missing: 'interpolate', duplicates: 'mean' }, only);
  const { ignored } = folder;
  if (ignored.length > 0) warn(`did not read ${ignored.length} folder${ignored.length === 1 ? '' : 's'} below '${data}': ${ignored.slice(0, 5).join(', ')}${ignored.length > 5 ? ', …' : ''}`);
  return folder.entries.map((e) => ({ name: e.name, load: async () => e.load() }));
}

async function writeResults(anomaly: Anomaly, args: { data?: string | undefined; seed: number; out: string }, allRows: readonly Row[]): Promise<void> {
  const { writeFileAtomic } = await import('../../io/index.js');
  const { barChart } = await import('../../plot/index.js');
  const rows = allRows.filter((r) => !r.skipped);
  const skipped = allRows.length - rows.length;
  const source = args.data ? `${rows.length} labelled series in ${args.data}${skipped > 0 ? ` (${skipped} skipped)` : ''}` : `synthetic series, seed ${args.seed}`;
  const lines = [`${source}; default settings for every series`, '', ...anomaly.formatBenchmark(allRows)];
  const methods = rows.length > 0 ? [...rows[0]!.methods.keys()] : [];
  const first = methods[0];
  if (first) {
    const { won, of } = anomaly.benchmarkWins(rows, first, ['rolling z-score', anomaly.FLAG_EVERYTHING]);
    lines.push(`${first}: composite F1 above both the rolling z-score and flagging everything on ${won} of ${of} series with a scored window`);
  }
  const written: string[] = [];
  writeFileAtomic(join(args.out, 'benchmark.json'), toStableJson({ source, rows: allRows.map(rowJson) }));
  writeFileAtomic(join(args.out, 'benchmark.md'), anomaly.formatBenchmark(allRows, true).join('\n') + '\n');
  written.push(join(args.out, 'benchmark.json'), join(args.out, 'benchmark.md'));
  const spec = barChart({
    bars: rows.flatMap((r) => methods.map((m) => ({ category: r.series, group: m, value: r.methods.get(m)!.metrics.composite.f1 || 0 }))),
    title: `Composite F1 by series (${source})`,
    yTitle: 'composite F1',
    groupTitle: 'method',
    yDomain: [0, 1],
    valueDecimals: 2,
  });
  written.push(...(await writeChart(spec, join(args.out, 'composite-f1'))));
  lines.push('', `wrote ${written.join(', ')}`);
  process.stdout.write(lines.join('\n') + '\n');
}
