// `npm run test:package`: what a user gets. Packs the built project, installs the tarball into
// a fresh project (--prefer-offline: dependencies from npm's cache where it has them), and runs the installed bin: the
// first diagram makes the V8 code caches for this Node, the second uses them, and both draw
// the same bytes as the working copy. Prints sizes and timings; exits 1 on any failure.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const work = mkdtempSync(join(tmpdir(), 'gateflow-package-'));
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
const seconds = (started) => ((Date.now() - started) / 1000).toFixed(1);

let started = Date.now();
const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root, encoding: 'utf8' }));
console.log(`npm pack: ${packed.entryCount} files, ${(packed.size / 1e6).toFixed(2)} MB packed, ${(packed.unpackedSize / 1e6).toFixed(2)} MB unpacked (${seconds(started)} s)`);
const files = packed.files.map((f) => f.path);
check(!files.some((f) => /^(tests|out|src|\.ci)\//.test(f) || f.endsWith('.cache')), 'no tests/, out/, src/, .ci or code caches in the tarball');
check(files.includes('dist/cli/main.js') && files.includes('templates/cells/gru.cell'), 'the bin and the shipped cells are in it');

const project = join(work, 'project');
execFileSync('mkdir', ['-p', project]);
writeFileSync(join(project, 'package.json'), '{ "name": "try-gateflow", "version": "1.0.0", "private": true }\n');
started = Date.now();
const install = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, packed.filename)], { cwd: project, encoding: 'utf8' });
console.log(`npm install of the tarball (--prefer-offline): ${seconds(started)} s, status ${install.status}`);
const warnings = `${install.stdout}${install.stderr}`.split('\n').filter((line) => /warn/i.test(line));
for (const line of warnings) console.log(`  ${line}`);
check(install.status === 0, 'the tarball installs');

const bin = join(project, 'node_modules', '.bin', 'gateflow');
const vendor = join(project, 'node_modules', 'gateflow', 'dist', 'diagram', 'vendor');
const caches = () => readdirSync(join(project, 'node_modules', 'gateflow', 'dist'), { recursive: true }).filter((f) => String(f).endsWith('.cache'));
check(caches().length === 0, 'no code cache before the first run');
const times = [];
for (const run of [1, 2]) {
  started = Date.now();
  const result = spawnSync(bin, ['diagram', 'gru', '-o', `gru-${run}.svg`], { cwd: project, encoding: 'utf8' });
  times.push(seconds(started));
  check(result.status === 0 && result.stderr === `wrote gru-${run}.svg\n`, `installed diagram run ${run} (${times.at(-1)} s)`);
}
console.log(`  code caches after the first run: ${caches().join(', ')}`);
check(caches().length === 3, 'the first run made the three code caches (MathJax, mathjs shared by the parser and the trace, elkjs) for this Node');
check(existsSync(vendor), 'vendor bundles installed');
const mine = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'diagram', 'gru', '-o', join(work, 'gru-here.svg')], { encoding: 'utf8' });
const same = mine.status === 0 && readFileSync(join(project, 'gru-1.svg'), 'utf8') === readFileSync(join(work, 'gru-here.svg'), 'utf8') && readFileSync(join(project, 'gru-2.svg'), 'utf8') === readFileSync(join(project, 'gru-1.svg'), 'utf8');
check(same, 'installed runs draw the same bytes as the working copy, with and without caches');
// A trace loads mathjs through the trace's own loader (the shared bundle the parser loaded too).
const traceArgs = ['trace', 'gru', '-i', '[[1,0],[0,1]]', '--hidden', '3'];
const installedTrace = spawnSync(bin, traceArgs, { cwd: project, encoding: 'utf8' });
const hereTrace = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), ...traceArgs], { encoding: 'utf8' });
check(installedTrace.status === 0 && installedTrace.stdout.startsWith('gru (input 2, hidden 3, batch 1; 2 steps)\n') && installedTrace.stdout === hereTrace.stdout, 'installed trace gru prints the same table as the working copy');
const equations = spawnSync(bin, ['equations', 'rnn'], { cwd: project, encoding: 'utf8' });
check(equations.stdout === 'h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)\n', 'installed equations rnn');
console.log(`Node ${process.version}; ${failures.length === 0 ? 'all checks passed' : `${failures.length} failed`}`);
process.exit(failures.length === 0 ? 0 : 1);
