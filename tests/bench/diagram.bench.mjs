// Diagram benchmark (against dist/): (1) whole-process time of `gateflow diagram gru -o FILE`,
// cold start included; (2) where a cold start spends its time, module by module; (3) diagrams
// per second in one warm process for every shipped cell at 2 steps, gates and ops detail.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'dist', 'cli', 'main.js');
const work = mkdtempSync(join(tmpdir(), 'gateflow-bench-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(0)} ms`;

console.log(`machine: ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)} (figures below are noisy when the load is high)`);

// (1) Cold runs of the real command. CPU time (user + sys, from /usr/bin/time when present)
// is reported beside wall time: on a shared, loaded machine it is the steadier figure.
const hasTime = spawnSync('/usr/bin/time', ['-f', '%U', 'true']).status === 0;
function timed(args) {
  const start = process.hrtime.bigint();
  const run = hasTime
    ? spawnSync('/usr/bin/time', ['-f', 'CPU %U %S', process.execPath, ...args], { encoding: 'utf8' })
    : spawnSync(process.execPath, args, { encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0) throw new Error(run.stderr);
  const cpu = /CPU ([\d.]+) ([\d.]+)/.exec(run.stderr ?? '');
  return { wall, cpu: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN };
}
const runs = 7;
const cold = Array.from({ length: runs }, () => timed([bin, 'diagram', 'gru', '-o', join(work, 'gru.svg')]));
const cells = Array.from({ length: 3 }, () => timed([bin, 'cells']));
const report = (label, rs) =>
  console.log(`${label}: wall median ${ms(median(rs.map((r) => r.wall)))} (best ${ms(Math.min(...rs.map((r) => r.wall)))})${hasTime ? `, CPU median ${ms(median(rs.map((r) => r.cpu)))}` : ''}`);
report(`gateflow diagram gru -o FILE (cold, whole process, ${runs} runs)`, cold);
report('gateflow cells (node + yargs, for comparison)', cells);

// (2) A cold start, phase by phase, in a fresh process, in the command's order: the elkjs
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
const placed = await d.placeDiagram(cell); lap('typeset labels + elkjs layout (waits for the thread)');
await d.diagram(cell); lap('whole diagram again, warm');
console.log(JSON.stringify(out));
`;
const phaseRun = spawnSync(process.execPath, ['--input-type=module', '-e', phases], { encoding: 'utf8' });
if (phaseRun.status !== 0) throw new Error(phaseRun.stderr);
console.log('cold start, phase by phase (after Node and yargs, about 0.1 s):');
for (const [name, t] of JSON.parse(phaseRun.stdout)) console.log(`  ${name.padEnd(56)} ${ms(t)}`);

// (3) Throughput in one warm process.
const { listCells, readCell } = await import(join(root, 'dist/io/index.js'));
const { parseCell } = await import(join(root, 'dist/cell/index.js'));
const { diagram } = await import(join(root, 'dist/diagram/index.js'));
const cellList = listCells().map((name) => {
  const s = readCell(name);
  return parseCell(s.text, { file: s.file });
});
for (const detail of ['gates', 'ops']) {
  for (const cell of cellList) await diagram(cell, { steps: 2, detail }); // warm-up: modules, JIT, label cache
  const rounds = 3;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (let r = 0; r < rounds; r++) for (const cell of cellList) await diagram(cell, { steps: 2, detail });
  const elapsed = performance.now() - start;
  const count = rounds * cellList.length;
  const cpu = process.cpuUsage(cpuStart);
  const cpuEach = (cpu.user + cpu.system) / 1000 / count;
  console.log(`warm, all ${cellList.length} shipped cells at 2 steps, ${detail} detail: ${(count / (elapsed / 1000)).toFixed(1)} diagrams/s (${ms(elapsed / count)} each; CPU ${ms(cpuEach)} each)`);
}
