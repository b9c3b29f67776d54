// The startup snapshot (src/cli/snapshot-launch.ts): the bin draws the same bytes from the blob
// as without it, when the blob is missing, stale, or made by another Node; and traces the same
// bytes (the engine's WebAssembly, absent while the blob is made, compiled in the restored Node;
// Keras weights read by h5wasm on its own thread). Runs the built bin
// (npm test builds first, and the build makes the snapshot); the cases without a usable blob
// run a copy of dist/ (the real one is shared with the other test files).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHdf5 } from '../../src/io/hdf5.js';

const ROOT = resolve(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');
const GOLDEN = readFileSync(join(ROOT, 'tests', 'golden', 'diagram', 'gru-2-gates-light.svg'));

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `gateflow ARGS` through the bin of `dist`, with GATEFLOW_DEBUG=1 (it says whether the blob
 * served): under Node, or (`how` 'program') as the system runs it from npm's bin link, its
 * first line naming /bin/sh.
 */
function gateflow(dist: string, args: readonly string[], cwd: string, how: 'node' | 'program' = 'node'): Run {
  const run = spawnSync(how === 'node' ? process.execPath : 'sh', [join(dist, 'cli', 'main.js'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, GATEFLOW_DEBUG: '1', GATEFLOW_SNAPSHOT: '' } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** `gateflow diagram gru` in `work`: the run and the SVG's bytes. */
function drawGru(dist: string, work: string, name: string, how: 'node' | 'program' = 'node'): { run: Run; svg: Buffer } {
  const run = gateflow(dist, ['diagram', 'gru', '-o', `${name}.svg`], work, how);
  return { run, svg: readFileSync(join(work, `${name}.svg`)) };
}

let work = '';
let copy = '';
beforeAll(() => {
  work = mkdtempSync(join(ROOT, 'node_modules', '.gateflow-snapshot-test-'));
  // A copy of dist/ without the snapshot, beside a link to templates/, under node_modules/ so
  // that its packages resolve from the project's node_modules.
  copy = join(work, 'dist');
  cpSync(DIST, copy, { recursive: true, filter: (path) => !path.startsWith(join(DIST, 'snapshot')) && !path.endsWith('.cache') });
  symlinkSync(join(ROOT, 'templates'), join(work, 'templates'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the startup snapshot', () => {
  it.each(['node', 'program'] as const)('serves the built bin (run by %s), and draws the golden bytes', (how) => {
    const { run, svg } = drawGru(DIST, work, `from-blob-${how}`, how);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(`gateflow: running from the startup snapshot ${join(DIST, 'snapshot', 'gateflow.blob')}\nwrote from-blob-${how}.svg\n`);
    expect(svg.equals(GOLDEN)).toBe(true);
  });

  it('missing: the bin (run as a program: the shell finds no blob, then Node none) runs the command itself, same bytes', () => {
    const { run, svg } = drawGru(copy, work, 'no-blob', 'program');
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('gateflow: no snapshot (npm run build makes one); running without it\nwrote no-blob.svg\n');
    expect(svg.equals(GOLDEN)).toBe(true);
  });

  // A .cell file from gateflow-elk.blob (elkjs warm in its heap); a cell file named otherwise
  // from gateflow.blob, whose heap has no elkjs: the restored Node loads it from its code cache.
  it.each([
    ['my-gru.cell', 'gateflow-elk.blob'],
    ['my-gru', 'gateflow.blob'],
  ])("draws a cell of the user's, %s (a layout no blob holds), from %s with the bytes of a run without it", (file, blob) => {
    // The GRU with its gates renamed: another graph for elkjs, so a layout the build did not make.
    const gru = readFileSync(join(ROOT, 'templates', 'cells', 'gru.cell'), 'utf8');
    const mine = gru.replace('cell: gru', 'cell: my-gru').replace(/\b([rz])\b/g, '$1g');
    expect(mine).not.toBe(gru);
    writeFileSync(join(work, file), mine);
    const fromBlob = gateflow(DIST, ['diagram', file, '-o', `${file}-blob.svg`], work, 'program');
    const without = spawnSync(process.execPath, [join(DIST, 'cli', 'main.js'), 'diagram', file, '-o', `${file}-none.svg`], { cwd: work, encoding: 'utf8', env: { ...process.env, GATEFLOW_SNAPSHOT: '0' } });
    expect([fromBlob.status, fromBlob.stderr.split('\n')[0]]).toEqual([0, `gateflow: running from the startup snapshot ${join(DIST, 'snapshot', blob)}`]);
    expect(without.status).toBe(0);
    const svg = readFileSync(join(work, `${file}-blob.svg`));
    expect(svg.length).toBeGreaterThan(10_000);
    expect(svg.equals(readFileSync(join(work, `${file}-none.svg`)))).toBe(true);
  }, 20_000);

  it('serves trace, and traces the bytes of a run without it (Keras weights, read on their thread; the engine)', async () => {
    // A Keras 3 LSTM, input 2, hidden 3: kernel [2, 12], recurrent kernel [3, 12], bias [12].
    const values = (n: number, k: number) => Array.from({ length: n }, (_, i) => Math.sin(i * k) / 2);
    const h5 = await encodeHdf5([
      ['layers/lstm/cell/vars/0', { shape: [2, 12], data: values(24, 1.3) }],
      ['layers/lstm/cell/vars/1', { shape: [3, 12], data: values(36, 0.7) }],
      ['layers/lstm/cell/vars/2', { shape: [12], data: values(12, 2.1) }],
    ]);
    writeFileSync(join(work, 'lstm.weights.h5'), h5);
    writeFileSync(join(work, 'seq.json'), JSON.stringify(values(40, 0.9).map((v, i) => [v, (i % 3) - 1]).slice(0, 20)));
    // One run (each spawns two Nodes, one of them cold): its products run on the WebAssembly kernels.
    const runs = [{ args: ['trace', 'lstm', '-i', 'seq.json', '--weights', 'lstm.weights.h5', '--digits', '6'], outputs: ['json', 'csv'], head: 'lstm (input 2, hidden 3, batch 1; 20 steps)' }];
    for (const { args, outputs, head } of runs) {
      const files = (name: string) => outputs.map((option) => `${name}.${option}`);
      const fromBlob = gateflow(DIST, [...args, ...outputs.flatMap((option, k) => [`--${option}`, files('from-blob')[k]!])], work, 'program');
      const without = gateflow(copy, [...args, ...outputs.flatMap((option, k) => [`--${option}`, files('without')[k]!])], work, 'program');
      const wrote = (name: string) => files(name).map((file) => `wrote ${file}\n`).join('');
      expect(fromBlob.stderr).toBe(`gateflow: running from the startup snapshot ${join(DIST, 'snapshot', 'trace.blob')}\n${wrote('from-blob')}`);
      expect(without.stderr).toBe(`gateflow: no snapshot (npm run build makes one); running without it\n${wrote('without')}`);
      expect([fromBlob.status, without.status]).toEqual([0, 0]);
      expect(fromBlob.stdout.split('\n')[0]).toBe(head);
      expect(fromBlob.stdout).toBe(without.stdout);
      files('from-blob').forEach((file, k) => expect(readFileSync(join(work, file)).equals(readFileSync(join(work, files('without')[k]!)))).toBe(true));
    }
  });

  it('leaves a trace that draws (--annotate, --html) out, as trace.blob has no diagram stage: the bin runs it itself', async () => {
    // --help keeps it short: the shell's launcher, then Node's, let it pass (no line saying the snapshot serves it).
    const page = gateflow(DIST, ['trace', 'gru', '-i', '[[1,0]]', '--html', 'page.html', '--help'], work, 'program');
    expect([page.status, page.stderr, page.stdout.split('\n')[0]]).toEqual([0, '', 'gateflow trace [cell]']);
    const launch = await import(join(DIST, 'cli', 'snapshot-launch.js'));
    const blobs = [['trace', 'gru', '--html=p.html'], ['trace', 'gru', '--annotate', 'a.svg'], ['trace', 'gru', '-i', '--html.json'], ['diagram', 'gru', '--html'], ['diagram', '--steps', '3', 'cells/my.cell'], ['vae', 'train']].map((argv) => launch.snapshotFor(argv));
    expect(blobs).toEqual([undefined, undefined, launch.TRACE_BLOB, launch.BLOB, launch.ELK_BLOB, undefined]);
  });

  it('stale (a file of dist/ changed since): the bin runs the command itself, same bytes', async () => {
    const launch = await import(join(copy, 'cli', 'snapshot-launch.js'));
    const files = launch.fingerprint(['cli/cli.js', 'index.js']);
    files['cli/cli.js'][0] += 1;
    mkdirSync(launch.SNAPSHOT_DIR, { recursive: true });
    const manifest = { dist: copy, node: process.version, arch: process.arch, platform: process.platform, execPath: process.execPath, files };
    writeFileSync(launch.MANIFEST, JSON.stringify(manifest));
    const { run, svg } = drawGru(copy, work, 'stale');
    expect(run.stderr).toBe('gateflow: stale snapshot: dist/cli/cli.js changed since it was made; running without it\nwrote stale.svg\n');
    expect(svg.equals(GOLDEN)).toBe(true);
  });

  it('made by another Node, or for another dist/: unusable, with the reason (the bin then runs as when missing)', async () => {
    const launch = await import(join(copy, 'cli', 'snapshot-launch.js'));
    const here = `${process.version} ${process.platform}-${process.arch} ${process.execPath}`;
    for (const [change, message] of [
      [{}, null],
      [{ node: 'v0.0.1' }, `the snapshot was made by v0.0.1 ${process.platform}-${process.arch} ${process.execPath}, not ${here}`],
      [{ arch: 'mips' }, `the snapshot was made by ${process.version} ${process.platform}-mips ${process.execPath}, not ${here}`],
      [{ dist: DIST }, `the snapshot was made for ${DIST}, not ${copy}`],
    ] as const) {
      const manifest = { dist: copy, node: process.version, arch: process.arch, platform: process.platform, execPath: process.execPath, files: launch.fingerprint(['index.js']), ...change };
      writeFileSync(launch.MANIFEST, JSON.stringify(manifest));
      expect(launch.snapshotUnusable()).toBe(message);
    }
  });
});
