// `node tests/bench/series-read.mjs [--rows 1000000] [--runs 3] [--before DIR]`: the time to
// read a long series CSV as `rnn detect` does (decode, repair, the chart's time axis, the time
// step), for ISO-8601 and epoch-millisecond timestamps, in a child process per run, alternating
// this build (dist/) with another (--before: a folder holding an older build's dist/), against
// the anchor `node -e 0` measured in the same sitting. Prints each build's median CPU seconds
// and the ratio of this build to the other.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);

if (option('--child')) {
  // One read, as rnn detect reads (rnn-series.ts, rnn.ts): a build from before SeriesTable.time classifies the cells again.
  const dist = option('--child');
  const io = await import(pathToFileURL(join(dist, 'io', 'index.js')).href);
  const { cleanSeries } = await import(pathToFileURL(join(dist, 'io', 'series-clean.js')).href);
  const { timeAxisOf } = await import(pathToFileURL(join(dist, 'io', 'series.js')).href);
  const started = process.cpuUsage();
  const { series } = cleanSeries(io.readSeries(option('--file')), {});
  const axis = series.time ? timeAxisOf(series.timestamps, series.time) : timeAxisOf(series.timestamps);
  const step = io.timeStepOf(series.time ?? series.timestamps);
  const used = process.cpuUsage(started);
  console.log(JSON.stringify({ cpu: (used.user + used.system) / 1e6, length: series.length, axis: axis.kind, step }));
  process.exit(0);
}

const rows = Number(option('--rows', '1000000'));
const runs = Number(option('--runs', '3'));
const before = option('--before');
const work = join(tmpdir(), `gateflow-series-read-${process.pid}`);
mkdirSync(work, { recursive: true });

/** A series of `rows` steps of 5 minutes from 2015, a daily wave plus a deterministic wobble, every 997th row labelled. */
function csvText(form) {
  const lines = ['timestamp,value,label'];
  const t0 = Date.UTC(2015, 0, 1);
  for (let i = 0; i < rows; i++) {
    const ms = t0 + i * 300_000;
    const time = form === 'iso' ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : String(ms);
    lines.push(`${time},${(Math.sin(i / 45.8) * 10 + ((i * 7919) % 101) / 50).toFixed(3)},${i % 997 === 0 ? 1 : 0}`);
  }
  return lines.join('\n') + '\n';
}

function timed(command) {
  const run = spawnSync('nice', ['-n', '10', ...command], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (run.status !== 0) throw new Error(`${command.join(' ')} failed: ${run.stderr.slice(-500)}`);
  return run.stdout.trim().split('\n').pop();
}
const anchorCpu = () => {
  const run = spawnSync('nice', ['-n', '10', '/usr/bin/time', '-f', '%U %S', process.execPath, '-e', '0'], { encoding: 'utf8' });
  const [user, system] = run.stderr.trim().split('\n').pop().split(' ').map(Number);
  return user + system;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

const builds = [['this build', join(root, 'dist')], ...(before ? [['--before', join(before, 'dist')]] : [])];
console.log(`rows ${rows}, runs ${runs}, load ${(await import('node:os')).loadavg()[0].toFixed(1)}`);
console.log('timestamps  build        median CPU s  runs (CPU s)                 anchor CPU s  ratio to --before');
try {
  for (const form of ['iso', 'epoch-ms']) {
    const file = join(work, `${form}.csv`);
    writeFileSync(file, csvText(form));
    const cpu = new Map(builds.map(([name]) => [name, []]));
    const anchors = [];
    let checked;
    for (let r = 0; r < runs; r++) {
      anchors.push(anchorCpu());
      for (const [name, dist] of r % 2 === 0 ? builds : [...builds].reverse()) {
        const result = JSON.parse(timed([process.execPath, fileURLToPath(import.meta.url), '--child', dist, '--file', file]));
        const shape = JSON.stringify({ length: result.length, axis: result.axis, step: result.step });
        if (checked !== undefined && shape !== checked) throw new Error(`the builds read ${form} differently: ${checked} against ${shape}`);
        checked = shape;
        cpu.get(name).push(result.cpu);
      }
    }
    const base = before ? median(cpu.get('--before')) : undefined;
    for (const [name] of builds) {
      const m = median(cpu.get(name));
      console.log(`${form.padEnd(11)} ${name.padEnd(12)} ${m.toFixed(2).padStart(12)}  ${cpu.get(name).map((c) => c.toFixed(2)).join(', ').padEnd(28)} ${median(anchors).toFixed(2).padStart(12)}  ${base ? (m / base).toFixed(2) : ''}`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
