// Diagram benchmark (against dist/), each figure as a ratio against an anchor measured in the
// same run: (1) whole-process time of `gateflow diagram gru -o FILE`, cold start included,
// against `node -e 0` (interleaved run by run): from the startup snapshot through the bin run
// as a program (as npm's bin link runs it: its shell line starts the restored Node) and under
// Node (`node dist/cli/main.js`: one more Node decides), the same Node started on the blob directly,
// a cell of the user's (a layout the snapshot does not hold), and without the snapshot
// (GATEFLOW_SNAPSHOT=0: the fallback); and, when Graphviz is installed, against `dot -Tsvg`
// on a graph of the same size; (2) where a cold start spends its time, phase by
// phase; (3) diagrams per second in one warm process: the gate-level GRU again and again (its
// layout recalled) and with its layout made afresh each time, then every shipped cell.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'dist', 'cli', 'main.js');
const work = mkdtempSync(join(tmpdir(), 'gateflow-bench-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(0)} ms`;

console.log(`machine: ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)} (times are noisy when the load is high; ratios less so)`);

// (1) Cold runs of the real command, each after a run of the anchor. CPU time (user + sys,
// from /usr/bin/time when present) is reported beside wall time: the steadier figure here.
const hasTime = spawnSync('/usr/bin/time', ['-f', '%U', 'true']).status === 0;
function timed(command, args, env = {}) {
  const start = process.hrtime.bigint();
  const options = { encoding: 'utf8', env: { ...process.env, ...env } };
  const run = hasTime ? spawnSync('/usr/bin/time', ['-f', 'CPU %U %S', command, ...args], options) : spawnSync(command, args, options);
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0) throw new Error(run.stderr);
  const cpu = /CPU ([\d.]+) ([\d.]+)/.exec(run.stderr ?? '');
  return { wall, cpu: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN };
}
const runs = 11;
const blob = join(root, 'dist', 'snapshot', 'gateflow.blob');
const { snapshotUnusable, SNAPSHOT_FLAGS } = await import(join(root, 'dist', 'cli', 'snapshot-launch.js'));
// The options the blob was made with, which V8 wants again when a Node is restored from it.
const blobFlags = SNAPSHOT_FLAGS?.get(blob) ?? [];
const unusable = snapshotUnusable();
if (unusable) console.log(`(${unusable}: the bin runs without it, so its rows below measure the fallback)`);
const anchor = [], cold = [], underNode = [], direct = [], userCold = [], fallback = [], version = [], cells = [];
const drawGru = (out, ...more) => ['diagram', 'gru', '-o', join(work, out), ...more];
// A cell of the user's: the GRU with its gates renamed, so that its layout is not one the snapshot holds.
const userCell = join(work, 'my-gru.cell');
writeFileSync(userCell, readFileSync(join(root, 'templates', 'cells', 'gru.cell'), 'utf8').replace('cell: gru', 'cell: my-gru').replace(/\b([rz])\b/g, '$1g'));
for (let k = 0; k < runs; k++) {
  anchor.push(timed(process.execPath, ['-e', '0']));
  cold.push(timed('sh', [bin, ...drawGru('gru.svg')]));
  underNode.push(timed(process.execPath, [bin, ...drawGru('gru-node.svg')]));
  if (!unusable) direct.push(timed(process.execPath, [...blobFlags, '--snapshot-blob', blob, '--', ...drawGru('gru-direct.svg')]));
  if (!unusable) version.push(timed(process.execPath, [...blobFlags, '--snapshot-blob', blob, '--', '--version']));
  userCold.push(timed('sh', [bin, 'diagram', userCell, '-o', join(work, 'my-gru.svg')]));
  fallback.push(timed('sh', [bin, ...drawGru('gru-fallback.svg')], { GATEFLOW_SNAPSHOT: '0' }));
  if (k < 3) cells.push(timed(process.execPath, [bin, 'cells'], { GATEFLOW_SNAPSHOT: '0' }));
}
const wallOf = (rs) => median(rs.map((r) => r.wall));
const cpuOf = (rs) => median(rs.map((r) => r.cpu));
const report = (label, rs) =>
  console.log(`${label}: wall median ${ms(wallOf(rs))}, ${(wallOf(rs) / wallOf(anchor)).toFixed(1)}× node -e 0${hasTime ? `; CPU median ${ms(cpuOf(rs))}, ${(cpuOf(rs) / cpuOf(anchor)).toFixed(1)}× node -e 0` : ''}`);
console.log(`anchor node -e 0: wall median ${ms(wallOf(anchor))}${hasTime ? `, CPU median ${ms(cpuOf(anchor))}` : ''}`);
report(`gateflow diagram gru -o FILE (cold, whole process, ${runs} runs; the bin run as a program, from the snapshot)`, cold);
report('  node dist/cli/main.js diagram gru (the bin under Node: a Node checks the manifest, then starts the restored one)', underNode);
if (!unusable) report(`  node ${[...blobFlags, ''].join(' ')}--snapshot-blob BLOB -- diagram gru ... (the restored Node alone, nothing before it)`, direct);
if (!unusable) report(`  node ${[...blobFlags, ''].join(' ')}--snapshot-blob BLOB -- --version (restoring the heap, and yargs)`, version);
report('  gateflow diagram my-gru.cell (the GRU, gates renamed: a layout the snapshot does not hold, so elkjs is loaded and runs)', userCold);
report('  gateflow diagram gru with GATEFLOW_SNAPSHOT=0 (the fallback: no snapshot)', fallback);
report('gateflow cells with GATEFLOW_SNAPSHOT=0 (node + yargs)', cells);
// Graphviz on a graph the size of the GRU's step (its glyphs and wires), when installed.
if (spawnSync('dot', ['-V']).status === 0) {
  const { readCell } = await import(join(root, 'dist/io/index.js'));
  const { parseCell } = await import(join(root, 'dist/cell/index.js'));
  const { unroll } = await import(join(root, 'dist/diagram/unroll.js'));
  const source = readCell('gru');
  const graph = unroll(parseCell(source.text, { file: source.file }), { steps: [{ time: 't-1', t: -1 }, { time: 't', t: 0 }], initialTime: 't-2' });
  const dotFile = join(work, 'gru.dot');
  writeFileSync(dotFile, `digraph g { rankdir=LR;\n${graph.nodes.map((n, i) => `n${i} [shape=box];`).join('\n')}\n${graph.edges.map((e, i) => `n${i % graph.nodes.length} -> n${(i * 7 + 1) % graph.nodes.length};`).join('\n')}\n}\n`);
  const dot = Array.from({ length: runs }, () => timed('dot', ['-Tsvg', dotFile, '-o', join(work, 'gru-dot.svg')]));
  console.log(`dot -Tsvg on ${graph.nodes.length} nodes and ${graph.edges.length} edges: wall median ${ms(wallOf(dot))}; gateflow diagram gru is ${(wallOf(cold) / wallOf(dot)).toFixed(1)}× it`);
} else {
  console.log('dot (Graphviz) is not installed: no comparison with it');
}

// (2) A cold start without the snapshot (the fallback), phase by phase, in a fresh process, in the command's order: the elkjs
// thread starts first and loads and warms up while this thread parses the cell, loads MathJax
// and svgdom (esbuild bundles, from npm run build) and typesets; the layout then waits only
// for whatever the thread has not finished.
const phases = `
const t = [performance.now()];
const out = [];
const lap = (name) => { const now = performance.now(); out.push([name, now - t[0]]); t[0] = now; };
const d = await import(${JSON.stringify(join(root, 'dist/diagram/index.js'))});
await d.prepareDiagram(); lap('diagram modules, start the elkjs thread');
const io = await import(${JSON.stringify(join(root, 'dist/io/index.js'))});
const cellMod = await import(${JSON.stringify(join(root, 'dist/cell/index.js'))}); lap('io + cell modules');
const src = io.readCell('gru'); const cell = cellMod.parseCell(src.text, { file: src.file }); lap('parse the cell (mathjs parser bundle)');
await import(${JSON.stringify(join(root, 'dist/diagram/labels.js'))}); lap('import MathJax (bundle) and set it up');
await import(${JSON.stringify(join(root, 'dist/diagram/render.js'))}); lap('import svgdom + svg.js (bundle)');
const { unroll } = await import(${JSON.stringify(join(root, 'dist/diagram/unroll.js'))});
const { measureNode } = await import(${JSON.stringify(join(root, 'dist/diagram/measure.js'))});
const graph = unroll(cell, { steps: [{ time: 't-1', t: -1 }, { time: 't', t: 0 }], initialTime: 't-2' }); for (const n of graph.nodes) measureNode(graph, n, 16, null); lap('unroll + typeset and measure the labels (MathJax)');
const placed = await d.placeDiagram(cell); lap('elkjs layout (waits for the thread) + compose');
await d.diagram(cell); lap('render (svg.js on svgdom; the layout recalled)');
await d.diagram(cell, { steps: 3 }); lap('a second figure, warm');
console.log(JSON.stringify(out));
`;
const phaseRun = spawnSync(process.execPath, ['--input-type=module', '-e', phases], { encoding: 'utf8' });
if (phaseRun.status !== 0) throw new Error(phaseRun.stderr);
console.log('cold start without the snapshot, phase by phase, wall (after Node and yargs):');
for (const [name, t] of JSON.parse(phaseRun.stdout)) console.log(`  ${name.padEnd(56)} ${ms(t)}`);

// (3) Throughput in one warm process.
const { listCells, readCell } = await import(join(root, 'dist/io/index.js'));
const { parseCell } = await import(join(root, 'dist/cell/index.js'));
const { diagram } = await import(join(root, 'dist/diagram/index.js'));
const { forgetLayouts } = await import(join(root, 'dist/diagram/elk-thread.js'));
const cellList = listCells().map((name) => {
  const s = readCell(name);
  return parseCell(s.text, { file: s.file });
});
async function rate(label, count, draw) {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < count; i++) await draw(i);
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  console.log(`${label}: ${(count / (elapsed / 1000)).toFixed(1)} diagrams/s (${ms(elapsed / count)} each; CPU ${ms((cpu.user + cpu.system) / 1000 / count)} each)`);
}
const gru = cellList.find((c) => c.name === 'gru');
for (let i = 0; i < 5; i++) await diagram(gru); // warm-up: modules, JIT, label cache
await rate('warm, gate-level GRU, again and again (its layout recalled)', 30, () => diagram(gru));
await rate('warm, gate-level GRU, its layout made afresh each time', 15, () => {
  forgetLayouts();
  return diagram(gru);
});
for (const detail of ['gates', 'ops']) {
  for (const cell of cellList) await diagram(cell, { steps: 2, detail }); // warm-up
  forgetLayouts();
  await rate(`warm, all ${cellList.length} shipped cells at 2 steps, ${detail} detail, first layouts`, cellList.length, (i) => diagram(cellList[i], { steps: 2, detail }));
}
