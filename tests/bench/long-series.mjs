// `node tests/bench/long-series.mjs [--cells rnn,gru,lstm] [--lengths 5674,22695]`: time and peak
// memory of `gateflow rnn detect` on a long real-like series (heldout-series.mjs's
// machine-temperature kind at NAB's 22,695 points, and a quarter of it to see how the cost
// scales), one run at a time under `nice -n 10`, each against the anchor `node -e 0` measured
// in the same sitting (timings drift with the machine's load). Prints wall and CPU seconds,
// peak resident memory (GNU time's %M), the output files' sizes, and CPU per 1,000 points.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reallikeCsv, reallikeSeries } from './heldout-series.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const cells = option('--cells', 'rnn,gru,lstm').split(',');
const lengths = option('--lengths', '5674,22695').split(',').map(Number);
const work = join(tmpdir(), `gateflow-long-series-${process.pid}`);
mkdirSync(work, { recursive: true });
const { createRandom } = await import(join(root, 'dist', 'random.js'));

/** Runs a command under nice and GNU time: wall s, CPU s, peak RSS MB. */
function timed(command) {
  const run = spawnSync('nice', ['-n', '10', '/usr/bin/time', '-f', '%e %U %S %M', ...command], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${command.join(' ')} failed: ${run.stderr.slice(-500)}`);
  const [wall, user, system, rssKb] = run.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { wall, cpu: user + system, rssMb: rssKb / 1024 };
}

const anchor = () => timed([process.execPath, '-e', '0']);
console.log('cell  points   wall s   CPU s  CPU s/1k pts  peak MB   anchor CPU s  ratio  outputs');
for (const length of lengths) {
  const file = join(work, `machine-temperature-${length}.csv`);
  writeFileSync(file, reallikeCsv(reallikeSeries(createRandom, 'machine-temperature', 1, length)));
  for (const cell of cells) {
    const before = anchor();
    const out = join(work, `${cell}-${length}`);
    const run = timed([process.execPath, join(root, 'dist', 'cli', 'main.js'), 'rnn', 'detect', '--series', file, '--cell', cell, '--metric', 'nab', '-o', out]);
    const after = anchor();
    const anchorCpu = Math.max(0.01, (before.cpu + after.cpu) / 2);
    const sizes = readdirSync(out).map((f) => `${f} ${(statSync(join(out, f)).size / 1024).toFixed(0)} KB`).join(', ');
    console.log(
      `${cell.padEnd(5)} ${String(length).padStart(6)} ${run.wall.toFixed(1).padStart(8)} ${run.cpu.toFixed(1).padStart(7)} ${((1000 * run.cpu) / length).toFixed(2).padStart(13)} ${run.rssMb.toFixed(0).padStart(8)} ${anchorCpu.toFixed(2).padStart(14)} ${(run.cpu / anchorCpu).toFixed(0).padStart(6)}  ${sizes}`,
    );
  }
}
