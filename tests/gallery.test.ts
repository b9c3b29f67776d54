// out/ is what `npm start` (gateflow gallery) makes from the current code, byte for byte:
// the diagrams and equations built in-process, and the command-run sections re-run here.
// The two trained sections (vae: over a minute of CPU; rnn: the detector's training, about
// 20 s, most of this file's time otherwise) and the slides LibreOffice draws (seconds per
// start) are left to `npm run test:gallery` (GATEFLOW_GALLERY=full), which re-runs all of
// them through the built bin, as `npm start` does; `npm test` re-runs every other section in
// this process through runCli, the function the bin calls (a process start and the chart
// libraries' loading saved per command; tests/cli/snapshot.test.ts holds the bin to the same bytes).
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesUnder, runGallerySections, type GalleryCommandRunner } from '../src/cli/gallery-runs.js';
import { buildGallery, commandLine, EXPLORER_SHOTS, GALLERY_RUNS } from '../src/gallery.js';
import { listCells, readCell } from '../src/io/index.js';
import { runInProcessWithStderr } from './cli-in-process.js';

const OUT = join(import.meta.dirname, '..', 'out');
const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
const refresh = 'run `npm start` to refresh it';
const FULL = process.env.GATEFLOW_GALLERY === 'full';
const SLOW = ['vae', 'rnn', 'slides'];
const CHECKED_RUNS = FULL ? GALLERY_RUNS : GALLERY_RUNS.filter((run) => !SLOW.includes(run.dir));

/** A command in this process: its standard output, or the failure the bin would report. */
const inProcess: GalleryCommandRunner = async (args, cwd) => {
  const run = await runInProcessWithStderr(args, cwd);
  if (run.status !== 0) throw new Error(`gallery: 'gateflow ${args.join(' ')}' failed in-process (status ${run.status}): ${run.stderr.trim()}`);
  return Buffer.from(run.stdout);
};

describe('out/ gallery', { timeout: 480_000 }, () => {
  it(`diagrams, equations and README are exactly what the current code generates (${refresh})`, async () => {
    const files = await buildGallery(listCells().map((name) => ({ name, ...readCell(name) })));
    for (const f of files) {
      const path = join(OUT, f.path);
      expect(existsSync(path), `${f.path} is missing from out/`).toBe(true);
      const expected = typeof f.content === 'string' ? Buffer.from(f.content) : Buffer.from(f.content);
      expect(readFileSync(path).equals(expected), `out/${f.path} is stale`).toBe(true);
    }
    const generated = new Set(files.map((f) => f.path));
    const runDirs = GALLERY_RUNS.map((r) => `${r.dir}/`);
    const stray = walk(OUT)
      .map((p) => relative(OUT, p))
      .filter((p) => !generated.has(p) && !p.startsWith('.') && !runDirs.some((d) => p.startsWith(d)) && !p.startsWith(`${EXPLORER_SHOTS.dir}/`));
    expect(stray, 'files in out/ that the gallery no longer makes').toEqual([]);
  });

  it(`the command-run sections ${CHECKED_RUNS.map((r) => r.dir).join(', ')} give the same files, byte for byte, ${FULL ? 'through the bin' : 'in this process'} (${refresh})`, async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'gateflow-gallery-'));
    await runGallerySections(CHECKED_RUNS, (run) => join(scratch, run.dir), FULL ? undefined : inProcess);
    for (const run of CHECKED_RUNS) {
      const made = filesUnder(join(scratch, run.dir));
      expect(filesUnder(join(OUT, run.dir)), `out/${run.dir}: file list`).toEqual(made);
      for (const file of made) {
        const same = readFileSync(join(scratch, run.dir, file)).equals(readFileSync(join(OUT, run.dir, file)));
        expect(same, `out/${run.dir}/${file} is stale`).toBe(true);
      }
      for (const image of run.images) expect(made, `${run.dir}: README image`).toContain(image);
      expect(made).not.toContain('model.json');
    }
  });

  it('holds a screenshot of the explorer page of every shipped cell (npm run gallery:explore)', () => {
    const dir = join(OUT, EXPLORER_SHOTS.dir);
    expect(readdirSync(dir).sort()).toEqual(listCells().map((c) => `${c}.png`).sort());
    for (const file of readdirSync(dir)) {
      const png = readFileSync(join(dir, file));
      // PNG signature, then IHDR: the width and height of the page's viewport.
      expect(png.subarray(0, 8).toString('hex'), file).toBe('89504e470d0a1a0a');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)], file).toEqual([1400, 900]);
    }
  });

  it('shows each section as the commands a reader can type', () => {
    const trace = GALLERY_RUNS.find((r) => r.dir === 'trace')!;
    expect(commandLine(trace.commands[0]!)).toBe(
      "gateflow trace gru --input '[[1,0],[0,1],[0.5,-0.5],[1,1]]' --hidden 3 --seed 7 --json gru-trace.json --annotate gru-annotated.svg --step 2 > gru-trace.txt",
    );
    const readme = readFileSync(join(OUT, 'README.md'), 'utf8');
    for (const run of GALLERY_RUNS) for (const image of run.images) expect(readme).toContain(`(${run.dir}/${image})`);
  });
});
