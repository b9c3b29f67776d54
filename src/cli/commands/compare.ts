/**
 * `gateflow compare`: several cells trained on one task with the same seeds and budget:
 * learning curves (mean and range over seeds) as a chart and CSV, a summary CSV and table,
 * and compare.json, which `--from` re-draws and `gateflow memory --from` reads weights from.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import type { Command } from './command.js';
import { progressBar } from '../progress.js';

/** Where shipped results live: `--from NAME` reads templates/results/NAME.json. */
export async function readRecord(from: string): Promise<import('../../experiments/index.js').ComparisonRecord> {
  const { readText, TEMPLATES_DIR, parseJsonText } = await import('../../io/index.js');
  const { recordFromJson } = await import('../../experiments/index.js');
  const { InputError } = await import('../../errors.js');
  const shipped = !from.endsWith('.json') && !existsSync(from);
  const folder = join(TEMPLATES_DIR, 'results');
  const path = shipped ? join(folder, `${from}.json`) : from;
  if (shipped && !existsSync(path)) {
    const names = readdirSync(folder).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)).sort();
    throw new InputError(`no compare result '${from}': not a file, nor a shipped result (${names.join(', ')})`);
  }
  const file = shipped ? `templates/results/${from}.json` : from;
  return recordFromJson(parseJsonText(readText(path, 'compare result'), file).value, file);
}

export function compareCommand(cli: Argv): Argv {
  return cli.command(
    'compare [cells..]',
    'Train cells on a task with the same seeds and budget; chart and tabulate their learning curves',
    (y) =>
      y
        .positional('cells', { type: 'string', array: true, default: ['lstm', 'lstm-peephole'], describe: 'shipped cell names or .cell paths' })
        .option('task', { type: 'string', describe: 'delay, spikes, sine, adding, copy (a length may follow: adding:50), or file:PATH.csv[:N]' })
        .option('seeds', { type: 'number', default: 5, describe: 'seeds 1..N for each cell' })
        .option('steps', { type: 'number', default: 500, describe: 'Adam steps (one batch each)' })
        .option('hidden', { type: 'number', default: 16, describe: 'state size of every cell (ignored with --params)' })
        .option('params', { type: 'number', describe: 'parameter budget: each cell gets the largest state size that fits' })
        .option('lr', { type: 'number', default: 0.01, describe: 'Adam learning rate' })
        .option('batch', { type: 'number', default: 32, describe: 'sequences a step' })
        .option('test-size', { type: 'number', default: 256, describe: 'sequences in the fixed test set' })
        .option('from', { type: 'string', describe: 'redraw a saved compare.json (or a shipped result by name) instead of training' })
        .option('output', { alias: 'o', type: 'string', default: '.', describe: 'folder for compare.json, curves.csv, summary.csv, compare.svg and compare.png' })
        .option('progress', { type: 'boolean', describe: 'progress bar on stderr (default: when stderr is a terminal)' })
        .example('$0 compare lstm lstm-peephole --task delay:10 --seeds 5 --steps 800', 'the peephole question')
        .example('$0 compare rnn gru lstm --task adding:50 --params 600', 'long-range memory at a parameter budget')
        .example('$0 compare rnn lstm --task file:train.csv:40', 'next-value prediction on your own series'),
    async (args) => {
      const ex = await import('../../experiments/index.js');
      const { writeFileAtomic } = await import('../../io/index.js');
      const { InputError } = await import('../../errors.js');
      let record: import('../../experiments/index.js').ComparisonRecord;
      if (args.from) {
        record = await readRecord(args.from);
      } else {
        if (!args.task) throw new InputError('compare needs --task (delay, spikes, sine, adding, copy, or file:PATH.csv) or --from a saved result');
        const task = await taskOf(args.task);
        const { loadCell } = await import('../../load-cell.js');
        const cells = (args.cells as string[]).map((name) => loadCell(name));
        const bar = progressBar(args.progress, 30);
        const total = cells.length * args.seeds;
        let done = 0;
        const comparison = ex.compareCells(cells, task, {
          seeds: args.seeds, steps: args.steps, hidden: args.params === undefined ? args.hidden : undefined, params: args.params,
          lr: args.lr, batch: args.batch, testSize: args['test-size'], now: () => performance.now(),
          onRun: (cell, seed) => bar.update('compare', ++done, total, `${cell} seed ${seed}`),
        });
        bar.done();
        record = ex.toRecord(comparison);
        writeFileAtomic(join(args.output, 'compare.json'), ex.recordToJson(record));
      }
      await writeReports(record, args.output);
    },
  );
}

async function taskOf(spec: string): Promise<import('../../experiments/index.js').Task> {
  const ex = await import('../../experiments/index.js');
  const file = ex.fileTaskSpec(spec);
  if (!file) return ex.taskByName(spec);
  const { readCleanSeries } = await import('./rnn-series.js');
  const series = await readCleanSeries(file.path);
  const values = new Float64Array(series.length);
  for (let i = 0; i < series.length; i++) values[i] = series.values[i * series.channels.length]!;
  return ex.fileTask(file.path, values, file.length);
}

async function writeReports(record: import('../../experiments/index.js').ComparisonRecord, out: string): Promise<void> {
  const ex = await import('../../experiments/index.js');
  const { lineChart, renderChart } = await import('../../plot/index.js');
  const { svgToPng, writeFileAtomic } = await import('../../io/index.js');
  const t = record.task;
  const all = record.cells.flatMap((c) => c.mean);
  const logY = all.every((v) => v > 0) && Math.max(...all) / Math.min(...all) > 20;
  const spec = lineChart({
    series: record.cells.map((c) => ({ name: `${c.cell} (${c.paramCount} params)`, x: record.curveSteps, y: c.mean, low: c.low, high: c.high })),
    logY,
    title: `${t.title}: mean and range of ${record.seeds} seed${record.seeds === 1 ? '' : 's'}`,
    xTitle: 'training step',
    yTitle: t.errorName,
    legendTitle: 'cell',
    integerX: true,
    rules: [{ y: t.target, label: `target ${Number(t.target.toPrecision(3))}` }, ...(t.chance !== t.target ? [{ y: t.chance, label: `${ex.referenceLabel(t)} ${Number(t.chance.toPrecision(3))}`, color: '#999999' }] : [])],
  });
  const svg = await renderChart(spec);
  writeFileAtomic(join(out, 'curves.csv'), ex.curvesCsv(record));
  writeFileAtomic(join(out, 'summary.csv'), ex.summaryCsv(record));
  writeFileAtomic(join(out, 'compare.svg'), svg);
  writeFileAtomic(join(out, 'compare.png'), svgToPng(svg));
  process.stdout.write(ex.summaryTable(record));
}

/** The `compare` command (owned by the experiments stage). */
export const compareCommands: readonly Command[] = [compareCommand];
