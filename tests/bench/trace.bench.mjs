// Trace benchmark (against dist/): steps per second of the mathjs evaluator for GRU and
// LSTM at hidden 32 and 128, batch 1, a sequence of 1000 steps (seeded random weights
// and inputs, input size 32); plus the cold `gateflow trace` command, whole process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'dist');
const { loadCell } = await import(join(dist, 'index.js'));
const { trace } = await import(join(dist, 'trace', 'index.js'));
const { createRandom } = await import(join(dist, 'random.js'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`machine: ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)} (figures are noisy when the load is high)`);
const T = 1000;
const INPUT = 32;
const random = createRandom(1);
const inputs = Array.from({ length: T }, () => Array.from({ length: INPUT }, () => random.uniform(-1, 1)));

console.log(`\nmathjs evaluator, batch 1, sequence ${T}, input ${INPUT} (median of 3 runs; every node's value kept):`);
console.log('cell   hidden   steps/s   ms/step');
for (const name of ['gru', 'lstm']) {
  const cell = loadCell(name);
  for (const hidden of [32, 128]) {
    trace(cell, undefined, inputs.slice(0, 20), { sizes: { hidden }, seed: 1 }); // warm up
    const times = [];
    for (let run = 0; run < 3; run++) {
      const start = performance.now();
      const result = trace(cell, undefined, inputs, { sizes: { hidden }, seed: 1 });
      times.push(performance.now() - start);
      if (result.steps.length !== T) throw new Error('short trace');
    }
    const ms = median(times);
    console.log(`${name.padEnd(6)} ${String(hidden).padStart(6)} ${(T / (ms / 1000)).toFixed(0).padStart(9)} ${(ms / T).toFixed(3).padStart(9)}`);
  }
}

// The command as a user runs it: 20 steps of a GRU, hidden 8, table to stdout.
const work = mkdtempSync(join(tmpdir(), 'gateflow-bench-'));
const seq = join(work, 'seq.json');
writeFileSync(seq, JSON.stringify(inputs.slice(0, 20).map((r) => r.slice(0, 4))));
const bin = join(dist, 'cli', 'main.js');
const cold = [];
for (let i = 0; i < 5; i++) {
  const start = performance.now();
  const run = spawnSync(process.execPath, [bin, 'trace', 'gru', '--input', seq, '--hidden', '8'], { encoding: 'utf8' });
  cold.push(performance.now() - start);
  if (run.status !== 0) throw new Error(run.stderr);
}
console.log(`\ngateflow trace gru --input seq.json --hidden 8 (20 steps, cold, whole process): median ${median(cold).toFixed(0)} ms over 5 runs`);
