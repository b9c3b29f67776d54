// `npm run bench:nab`: the long run behind README's nab-dev table (not part of `npm test`).
// `gateflow rnn benchmark --data DIR` for rnn, gru and lstm on every labelled series of DIR
// (default /work/shared/data/nab-dev), with default settings, split over parallel processes
// (`--only` groups; the lstm on a 15,000-point series is the longest single piece), then the
// groups' benchmark.json files merged into one table: per series and totals, each cell against
// the rolling z-score, the Hampel identifier and flagging everything. Prints each piece's time.
//   node tests/bench/nab-dev.mjs [DIR] [--out FOLDER] [--jobs N] [--cells rnn,gru,lstm]
//   node tests/bench/nab-dev.mjs [DIR] --from FOLDER   (only merge the benchmark.json files in FOLDER's subfolders)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const data = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? '/work/shared/data/nab-dev';
const out = option('--out', join(root, 'nab-dev-benchmark'));
const jobs = Number(option('--jobs', 6));
const anomaly = await import(join(root, 'dist', 'train', 'anomaly', 'index.js'));

const files = readdirSync(data).filter((f) => f.endsWith('.csv')).sort();
// One piece per (cell, file): the pieces run `jobs` at a time, longest first.
const cost = { rnn: 1, gru: 4, lstm: 8 };
const cells = option('--cells', 'rnn,gru,lstm').split(',');
const unknown = cells.filter((c) => !(c in cost));
if (unknown.length) throw new Error(`--cells: unknown cell ${unknown.join(', ')} (rnn, gru, lstm)`);
const pieces = cells
  .flatMap((cell) => files.map((file) => ({ cell, file, weight: cost[cell] * readFileSync(join(data, file), 'utf8').length })))
  .sort((a, b) => b.weight - a.weight);
mkdirSync(out, { recursive: true });

function runPiece({ cell, file }) {
  const folder = join(out, 'pieces', `${cell}-${file.replace(/\.csv$/, '')}`);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'rnn', 'benchmark', '--data', data, '--only', file, '--cells', cell, '-o', folder], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (status) => {
      const seconds = (Date.now() - started) / 1000;
      // Status 2 with a benchmark.json: the one series was skipped (its reason is in the file's row).
      const skipped = status === 2 && existsSync(join(folder, 'benchmark.json'));
      if (status !== 0 && !skipped) return reject(new Error(`${cell} on ${file} exited with status ${status}`));
      console.log(`${cell.padEnd(5)} ${file.padEnd(60)} ${seconds.toFixed(0).padStart(6)} s`);
      resolve({ cell, file, seconds, json: JSON.parse(readFileSync(join(folder, 'benchmark.json'), 'utf8')) });
    });
  });
}

const started = Date.now();
const from = option('--from', undefined);
const results = [];
if (from) {
  for (const sub of readdirSync(from, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    try {
      results.push({ cell: '', seconds: 0, json: JSON.parse(readFileSync(join(from, sub.name, 'benchmark.json'), 'utf8')) });
    } catch {
      // a folder without a finished run
    }
  }
} else {
  const queue = [...pieces];
  await Promise.all(Array.from({ length: jobs }, async () => {
    while (queue.length > 0) results.push(await runPiece(queue.shift()));
  }));
}

// benchmark.json rows back into the shape formatBenchmark reads.
const evaluation = (m) => ({
  metrics: { composite: { f1: m.compositeF1 ?? Number.NaN }, events: { detected: m.detected, labelled: m.labelled, falsePositiveRuns: m.falsePositiveRuns } },
  nab: { normalised: m.nab ?? Number.NaN, raw: m.nabRaw ?? 0, nullScore: m.nabNull ?? 0, perfect: m.nabPerfect ?? 0 },
});
const methodOrder = ['rnn', 'gru', 'lstm', 'rolling z-score', 'hampel', anomaly.FLAG_EVERYTHING];
const rows = files.map((file) => {
  const series = file.replace(/\.csv$/, '');
  const methods = new Map();
  let length = 0;
  let skipped;
  for (const row of results.flatMap((r) => r.json.rows).filter((r) => r.series === series)) {
    if (row.skipped) skipped = row.skipped;
    else length = row.length;
    for (const [name, m] of Object.entries(row.methods ?? {})) methods.set(name, evaluation(m));
  }
  if (skipped && methods.size === 0) return anomaly.skippedRow(series, skipped);
  const ordered = new Map(methodOrder.filter((m) => methods.has(m)).map((m) => [m, methods.get(m)]));
  return { series, length, methods: ordered };
});
// Totals per group of series (the name's part before '__': NAB's category, or a held-out kind).
const groups = [...new Set(rows.map((r) => r.series.split('__')[0]))];
const groupLines = groups.length > 1 ? groups.flatMap((g) => {
  const sel = rows.filter((r) => r.series.split('__')[0] === g && !r.skipped);
  if (sel.length === 0) return [`${g}: every series skipped`];
  const scored = sel.filter((r) => [...r.methods.values()][0].metrics.events.labelled > 0);
  return [`${g} (${sel.length} series, ${scored.length} with a scored window):`, ...[...sel[0].methods.keys()].map((m) => {
    const list = sel.map((r) => r.methods.get(m));
    const sum = (f) => list.reduce((a, e) => a + f(e), 0);
    const f1 = scored.length ? (scored.reduce((a, r) => a + (r.methods.get(m).metrics.composite.f1 || 0), 0) / scored.length).toFixed(2) : 'n/a';
    const nab = anomaly.nabTotal(list.map((e) => e.nab));
    return `  ${m.padEnd(16)} windows ${sum((e) => e.metrics.events.detected)}/${sum((e) => e.metrics.events.labelled)}, FP runs ${sum((e) => e.metrics.events.falsePositiveRuns)}, composite F1 ${f1}, NAB ${Number.isFinite(nab) ? nab.toFixed(1) : 'n/a'}`;
  })];
}) : [];
const lines = [`${files.length} labelled series in ${data}; default settings for every series and cell`, '', ...anomaly.formatBenchmark(rows), ...groupLines];
for (const cell of ['rnn', 'gru', 'lstm'].filter((c) => rows.every((r) => r.methods.has(c)))) {
  const { won, of } = anomaly.benchmarkWins(rows, cell, ['rolling z-score', anomaly.FLAG_EVERYTHING]);
  lines.push(`${cell}: composite F1 above both the rolling z-score and flagging everything on ${won} of ${of} series with a scored window`);
}
const cpu = Object.fromEntries(['rnn', 'gru', 'lstm'].map((c) => [c, results.filter((r) => r.cell === c).reduce((a, r) => a + r.seconds, 0)]));
if (!from) lines.push('', `wall time ${((Date.now() - started) / 60000).toFixed(1)} min with ${jobs} jobs; summed piece times: rnn ${(cpu.rnn / 60).toFixed(1)} min, gru ${(cpu.gru / 60).toFixed(1)} min, lstm ${(cpu.lstm / 60).toFixed(1)} min`);
writeFileSync(join(out, 'benchmark.md'), anomaly.formatBenchmark(rows, true).join('\n') + '\n');
writeFileSync(join(out, 'benchmark.txt'), lines.join('\n') + '\n');
console.log(lines.join('\n'));
