// Trace benchmark (against dist/), each figure as a ratio against an anchor measured in the
// same run (the machine is shared, so times drift; ratios hold better):
// (1) steps per second of trace() on each evaluator, GRU and LSTM at hidden 32 and 128, batch 1,
//     input 32 (seeded weights and inputs; every node's value kept), against the anchor: the
//     compiled cell's own forward() in float64 (no values kept) on the same sequence;
// (2) whole `gateflow trace` processes against `node -e 0`, interleaved run by run, with and
//     without the startup snapshot, and the rows whose differences are a cold trace's phases;
// (3) a cold trace without the snapshot, phase by phase, in one process;
// (4) a cold trace from the startup snapshot, phase by phase, from a CPU profile.
// `node tests/bench/trace.bench.mjs processes` runs (2), (3) and (4) only. With
// BENCH_BASELINE_DIST=<another build's dist/> (a checkout built beside this one), (2) also runs
// that build's bin, interleaved, and (1) ends with both builds' trace() and table in one process,
// taking turns (the before/after figures of README's trace section).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

const only = process.argv[2];
const baseline = process.env.BENCH_BASELINE_DIST;
if (only !== 'processes') {
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
if (baseline) await againstBaseline();
}

/** The LSTM at hidden 128 on this build and the baseline's, taking turns in one process: trace() on the engine, then the table (CPU time). */
async function againstBaseline() {
  const builds = [];
  for (const [label, from] of [['baseline', baseline], ['this build', dist]]) {
    const tr = await import(join(from, 'trace', 'index.js'));
    builds.push({ label, tr, cell: (await import(join(from, 'index.js'))).loadCell('lstm'), trace: [], table: [] });
  }
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  for (let k = 0; k < 11; k++) {
    for (const b of builds) {
      let start = cpu();
      const result = b.tr.trace(b.cell, undefined, inputs, { sizes: { hidden: 128 }, seed: 1, evaluator: 'engine' });
      b.trace.push(cpu() - start);
      start = cpu();
      b.tr.formatTableBytes(result);
      b.table.push(cpu() - start);
    }
  }
  console.log(`\nlstm, hidden 128, ${T} steps, the two builds taking turns in one process (CPU, median of 11):`);
  for (const b of builds) console.log(`  ${b.label.padEnd(11)} trace() ${median(b.trace).toFixed(0).padStart(4)} ms (${(T / (median(b.trace) / 1000)).toFixed(0)} steps/s), the table ${median(b.table).toFixed(0).padStart(4)} ms`);
}

// (2) The command as a user runs it, whole cold processes against `node -e 0`, interleaved run
// by run: the bin run as a program (as npm's bin link runs it: from the startup snapshot when
// it can), the same without the snapshot (GATEFLOW_SNAPSHOT=0), and rows that take one part
// away, so that their differences are the phases of a cold trace: the restored heap with yargs
// (`-- --version`), the random probe (`--evaluator engine`), the table (`--nodes h`: one node
// printed instead of nine). CPU time (user + sys, from /usr/bin/time when present) beside wall.
const work = mkdtempSync(join(tmpdir(), 'gateflow-bench-'));
const bin = join(dist, 'cli', 'main.js');
const blob = join(dist, 'snapshot', 'gateflow.blob');
const traceBlob = join(dist, 'snapshot', 'trace.blob');
const seqOf = (steps, features) => {
  const file = join(work, `seq-${steps}-${features}.json`);
  writeFileSync(file, JSON.stringify(inputs.slice(0, steps).map((r) => r.slice(0, features))));
  return file;
};
const hasTime = spawnSync('/usr/bin/time', ['-f', '%U', 'true']).status === 0;
function timedRun(command, args, env = {}) {
  const start = process.hrtime.bigint();
  const options = { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, GATEFLOW_SNAPSHOT: '', ...env } };
  const run = hasTime ? spawnSync('/usr/bin/time', ['-f', 'CPU %U %S', command, ...args], options) : spawnSync(command, args, options);
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${run.stderr}`);
  const cpu = /CPU ([\d.]+) ([\d.]+)/.exec(run.stderr ?? '');
  return { wall, cpu: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN };
}
const { snapshotUnusable, SNAPSHOT_FLAGS } = await import(join(dist, 'cli', 'snapshot-launch.js'));
const unusable = snapshotUnusable();
if (unusable) console.log(`(${unusable}: the bin runs without it, so the snapshot rows below measure the fallback)`);
const lstm = ['trace', 'lstm', '--input', seqOf(T, INPUT), '--hidden', '128'];
const rows = [
  ['node -e 0 (the anchor)', process.execPath, ['-e', '0']],
  ...(unusable ? [] : [['node --snapshot-blob gateflow.blob -- --version (restore the heap, yargs)', process.execPath, [...(SNAPSHOT_FLAGS?.get(blob) ?? []), '--snapshot-blob', blob, '--', '--version']]]),
  ...(unusable || !existsSync(traceBlob) ? [] : [['node --snapshot-blob trace.blob -- --version (the trace\'s heap, yargs)', process.execPath, ['--snapshot-blob', traceBlob, '--', '--version']]]),
  [`trace lstm --hidden 128, ${T} steps, input ${INPUT}: the table to a pipe`, 'sh', [bin, ...lstm]],
  ...(baseline ? [['  the same, the baseline build (BENCH_BASELINE_DIST)', 'sh', [join(baseline, 'cli', 'main.js'), ...lstm]]] : []),
  ['  the same, --evaluator engine (no probe)', 'sh', [bin, ...lstm, '--evaluator', 'engine']],
  ['  the same, --nodes h (one node of nine in the table)', 'sh', [bin, ...lstm, '--nodes', 'h']],
  ['  the same, --evaluator engine --nodes h', 'sh', [bin, ...lstm, '--evaluator', 'engine', '--nodes', 'h']],
  ['  without the snapshot', 'sh', [bin, ...lstm], { GATEFLOW_SNAPSHOT: '0' }],
  ['  without the snapshot, --evaluator engine --nodes h', 'sh', [bin, ...lstm, '--evaluator', 'engine', '--nodes', 'h'], { GATEFLOW_SNAPSHOT: '0' }],
  [`trace gru --hidden 8, ${T} steps, input 4`, 'sh', [bin, 'trace', 'gru', '--input', seqOf(T, 4), '--hidden', '8']],
  ['  without the snapshot', 'sh', [bin, 'trace', 'gru', '--input', seqOf(T, 4), '--hidden', '8'], { GATEFLOW_SNAPSHOT: '0' }],
  ["trace gru -i '[[1,0],[0,1]]' (hidden 4, 2 steps)", 'sh', [bin, 'trace', 'gru', '-i', '[[1,0],[0,1]]']],
  ['  without the snapshot', 'sh', [bin, 'trace', 'gru', '-i', '[[1,0],[0,1]]'], { GATEFLOW_SNAPSHOT: '0' }],
];
const RUNS = Number(process.env.TRACE_BENCH_RUNS ?? 7);
const times = rows.map(() => []);
for (let k = 0; k < RUNS; k++) rows.forEach(([, command, args, env], i) => times[i].push(timedRun(command, args, env)));
const wallOf = (rs) => median(rs.map((r) => r.wall));
const cpuOf = (rs) => median(rs.map((r) => r.cpu));
console.log(`\nwhole processes, the bin run as a program (median of ${RUNS}, interleaved with the anchor; load average now ${loadavg()[0].toFixed(2)}):`);
console.log(`${'command'.padEnd(78)} ${'wall'.padStart(8)} ${'× node'.padStart(7)} ${'CPU'.padStart(8)} ${'× node'.padStart(7)}`);
rows.forEach(([label], i) => {
  const [w, c] = [wallOf(times[i]), cpuOf(times[i])];
  console.log(`${label.padEnd(78)} ${w.toFixed(0).padStart(5)} ms ${(w / wallOf(times[0])).toFixed(2).padStart(7)} ${c.toFixed(0).padStart(5)} ms ${(c / cpuOf(times[0])).toFixed(2).padStart(7)}`);
});

// (3) Where a cold trace spends its time without the snapshot, phase by phase in a fresh
// process (wall and CPU after Node itself): the command's own steps, called one by one as
// its handler calls them, then the same trace again in that process (warm).
const phases = (cell, seq, hidden) => `
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const out = []; let wall = performance.now(), last = cpu();
const lap = (name) => { const w = performance.now(), now = cpu(); out.push([name, w - wall, now - last]); wall = w; last = now; };
const dist = ${JSON.stringify(dist)};
const { runCli } = await import(dist + '/cli/cli.js'); lap('load the command line (yargs and the commands)');
const argv = ['trace', '${cell}', '--input', ${JSON.stringify(seq)}, '--hidden', '${hidden}'];
await runCli(argv, { parseOnly: true }); lap('parse the command line (yargs)');
const tr = await import(dist + '/trace/index.js'); const { decodeSequence } = await import(dist + '/io/inputs.js');
const { cellWithWeights } = await import(dist + '/cli/weights-source.js'); lap('load the trace stage and the engine');
const { cell } = await cellWithWeights('${cell}', undefined, () => {}); lap('read and parse the cell');
const { readFileSync } = await import('node:fs');
const sequence = decodeSequence(readFileSync(argv[3], 'utf8'), argv[3]); lap('read and check the input');
const { probe } = await import(dist + '/trace/probe.js');
const sizes = { hidden: ${hidden}, input: sequence.steps[0][0].length };
const weights = tr.initWeights(cell, sizes, 0);
if (probe(cell, sizes, weights, 0) !== undefined) throw new Error('the probe disagrees'); lap('the random probe (mathjs and the engine, at its own small sizes)');
const options = { sizes: { hidden: ${hidden} }, seed: 0, evaluator: 'engine' };
const result = tr.trace(cell, undefined, sequence.steps, options); lap('trace on the engine (compile, the steps)');
const table = tr.formatTable(result, { nodes: 'values', digits: 4 }); lap('format the table (' + (table.length / 1e6).toFixed(1) + ' MB)');
const again = tr.trace(cell, undefined, sequence.steps, { ...options, evaluator: undefined }); tr.formatTable(again, { nodes: 'values', digits: 4 });
lap('again in this process: the probe, the trace, the table (warm)');
console.log(JSON.stringify(out));
`;
for (const [cell, seq, hidden] of [['lstm', seqOf(T, INPUT), 128], ['gru', seqOf(T, 4), 8]]) {
  const phaseRun = spawnSync(process.execPath, ['--input-type=module', '-e', phases(cell, seq, hidden)], { encoding: 'utf8' });
  if (phaseRun.status !== 0) throw new Error(phaseRun.stderr);
  console.log(`\na cold trace ${cell} --hidden ${hidden}, ${T} steps, without the snapshot, phase by phase (after Node itself; wall, CPU):`);
  for (const [name, w, c] of JSON.parse(phaseRun.stdout)) console.log(`  ${name.padEnd(66)} ${w.toFixed(0).padStart(5)} ms ${c.toFixed(0).padStart(5)} ms`);
}

// (4) The same cold trace as a user runs it, from trace.blob, phase by phase: one run under
// V8's sampling profiler, each sample given to the outermost of the phases' functions on its
// stack (the probe's own engine run is the probe's). The profiler's clock is the wall clock of
// a loaded machine, so each phase is shown as its share, and as that share of the process's
// median CPU time from (2).
if (!unusable && existsSync(traceBlob)) {
  const PHASES = [
    ['cellWithWeights', 'read and parse the cell'],
    ['decodeSequence', 'read and check the input (JSON)'],
    ['initWeights', 'draw the weights (seeded, as PyTorch does)'],
    ['probe', 'the random probe (both evaluators, at its own small sizes)'],
    ['runOnEngine', `the trace on the engine (compile, ${T} steps, every node kept)`],
    ['formatTableBytes', 'the table (as bytes, 9 nodes)'],
    ['(garbage collector)', 'garbage collection'],
  ];
  const profDir = join(work, 'profile');
  const profiled = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profDir, '--snapshot-blob', traceBlob, '--', ...lstm], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (profiled.status !== 0) throw new Error(profiled.stderr);
  const profile = JSON.parse(readFileSync(join(profDir, readdirSync(profDir)[0]), 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map(profile.nodes.flatMap((n) => (n.children ?? []).map((c) => [c, n.id])));
  const names = new Map(PHASES);
  const spent = new Map([...names.values(), 'the rest (Node, the restored heap, yargs, the pipe)'].map((label) => [label, 0]));
  profile.samples.forEach((id, i) => {
    let phase = 'the rest (Node, the restored heap, yargs, the pipe)';
    for (let at = id; at !== undefined; at = parentOf.get(at)) {
      const name = nodes.get(at).callFrame.functionName;
      if (names.has(name)) phase = names.get(name);
    }
    spent.set(phase, spent.get(phase) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...spent.values()].reduce((a, b) => a + b, 0);
  const cpu = cpuOf(times[rows.findIndex(([label]) => label.startsWith('trace lstm'))]);
  console.log(`\na cold trace lstm --hidden 128, ${T} steps, from trace.blob, phase by phase (share of one profiled run; × the median CPU ${cpu.toFixed(0)} ms of (2), = ${(cpu / cpuOf(times[0])).toFixed(2)} × node -e 0):`);
  for (const [label, us] of spent) console.log(`  ${label.padEnd(66)} ${((100 * us) / total).toFixed(0).padStart(4)} % ${((cpu * us) / total).toFixed(0).padStart(5)} ms ${((cpu * us) / total / cpuOf(times[0])).toFixed(2).padStart(6)} × node`);
}
