// Trace benchmark (against dist/), each figure as a ratio against an anchor measured in the
// same run (the machine is shared, so times drift; ratios hold better):
// (1) steps per second of trace() on each evaluator, GRU and LSTM at hidden 32 and 128, batch 1,
//     input 32 (seeded weights and inputs; every node's value kept), against the anchor: the
//     compiled cell's own forward() in float64 (no values kept) on the same sequence;
// (2) whole `gateflow trace` processes against `node -e 0`, interleaved run by run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'dist');
const { loadCell } = await import(join(dist, 'index.js'));
const { trace } = await import(join(dist, 'trace', 'index.js'));
const { compile } = await import(join(dist, 'engine', 'index.js'));
const { createRandom } = await import(join(dist, 'random.js'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const timed = (f) => {
  const start = performance.now();
  f();
  return performance.now() - start;
};

console.log(`machine: ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)} (times are noisy when the load is high; ratios less so)`);
const T = 1000;
const MATHJS_T = 100;
const INPUT = 32;
const random = createRandom(1);
const inputs = Array.from({ length: T }, () => Array.from({ length: INPUT }, () => random.uniform(-1, 1)));

console.log(`\ntrace(), batch 1, input ${INPUT}, steps/s (median of 5 runs; the engine over ${T} steps, mathjs over ${MATHJS_T}); anchor: forward() of the compiled cell, float64, same run`);
console.log('cell   hidden   forward()   engine trace   ratio   mathjs trace   ratio');
for (const name of ['gru', 'lstm']) {
  const cell = loadCell(name);
  for (const hidden of [32, 128]) {
    const compiled = compile(cell, { input: INPUT, hidden });
    const params = compiled.initParams(createRandom(1));
    const x = { shape: [T, 1, INPUT], data: Float64Array.from(inputs.flat()) };
    compiled.forward(params, { inputs: { x } });
    const run = (evaluator, steps) => () => trace(cell, undefined, inputs.slice(0, steps), { sizes: { hidden }, seed: 1, evaluator });
    run('engine', 20)();
    run('mathjs', 5)();
    const forward = [], engine = [], mathjs = [];
    // Interleaved, so a burst of load lands on every column alike.
    for (let k = 0; k < 5; k++) {
      forward.push(T / (timed(() => compiled.forward(params, { inputs: { x } })) / 1000));
      engine.push(T / (timed(run('engine', T)) / 1000));
      mathjs.push(MATHJS_T / (timed(run('mathjs', MATHJS_T)) / 1000));
    }
    compiled.dispose();
    const [f, e, m] = [median(forward), median(engine), median(mathjs)];
    console.log(`${name.padEnd(6)} ${String(hidden).padStart(6)} ${f.toFixed(0).padStart(11)} ${e.toFixed(0).padStart(14)} ${(e / f).toFixed(2).padStart(7)} ${m.toFixed(0).padStart(14)} ${(m / f).toFixed(3).padStart(7)}`);
  }
}

// The command as a user runs it: 1000 steps of a GRU (hidden 8, 4 features), the table to
// a pipe, on the default evaluator; and 20 steps; each against `node -e 0`, interleaved.
const work = mkdtempSync(join(tmpdir(), 'gateflow-bench-'));
const bin = join(dist, 'cli', 'main.js');
const seqOf = (steps) => {
  const file = join(work, `seq-${steps}.json`);
  writeFileSync(file, JSON.stringify(inputs.slice(0, steps).map((r) => r.slice(0, 4))));
  return file;
};
const processMs = (args) => {
  const start = performance.now();
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(run.stderr);
  return performance.now() - start;
};
console.log('\nwhole processes (median of 5, interleaved with the anchor `node -e 0`):');
for (const steps of [20, 1000]) {
  const seq = seqOf(steps);
  const anchor = [], command = [];
  for (let k = 0; k < 5; k++) {
    anchor.push(processMs(['-e', '0']));
    command.push(processMs([bin, 'trace', 'gru', '--input', seq, '--hidden', '8']));
  }
  const [a, c] = [median(anchor), median(command)];
  console.log(`  gateflow trace gru --hidden 8, ${steps} steps: ${c.toFixed(0)} ms, ${(c / a).toFixed(1)}× node -e 0 (${a.toFixed(0)} ms)`);
}

// Where a cold 1,000-step trace process spends its CPU, in a fresh process: loading the command
// line's modules, the first `trace` (loading the trace stage, the engine and mathjs's functions
// for the probe, compiling the WebAssembly, cold JIT), and the same trace again, warm.
const phases = `
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const out = []; let last = cpu();
const lap = (name) => { const now = cpu(); out.push([name, now - last]); last = now; };
const { runCli } = await import(${JSON.stringify(join(dist, 'cli', 'cli.js'))}); lap('load the command line (yargs and the commands)');
const write = process.stdout.write; process.stdout.write = () => true;
const args = ['trace', 'gru', '--input', ${JSON.stringify(seqOf(1000))}, '--hidden', '8'];
await runCli(args); lap('first trace: the trace stage, the engine, the probe, 1,000 steps, the table');
await runCli(args); lap('the same trace again, warm');
process.stdout.write = write;
console.log(JSON.stringify(out));
`;
const phaseRun = spawnSync(process.execPath, ['--input-type=module', '-e', phases], { encoding: 'utf8' });
if (phaseRun.status !== 0) throw new Error(phaseRun.stderr);
console.log('\na cold 1,000-step trace, phase by phase (CPU, after Node itself):');
for (const [name, t] of JSON.parse(phaseRun.stdout)) console.log(`  ${name.padEnd(76)} ${t.toFixed(0)} ms`);
