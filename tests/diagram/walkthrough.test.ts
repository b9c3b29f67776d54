// The walkthrough (one frame per statement), --highlight and --faded-neighbours: goldens for
// a few figures, and on every shipped and fixture cell plus generated ones, the claims the
// issue makes: frames keep every glyph in place, and each glyph of step t is lit in some frame.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCell, type CellGraph } from '../../src/cell/index.js';
import { diagram, placeDiagram, walkthrough, type DiagramOptions } from '../../src/diagram/index.js';
import { fadeAllBut, fadeAllButValues, fadeNeighbourSteps } from '../../src/diagram/emphasis.js';
import { errorOf } from '../expect.js';
import { expectGolden } from '../golden.js';
import { generateCell } from './random-cells.js';
import { cellNamed, FIXTURE_CELLS, fixtureCell, SHIPPED } from './helpers.js';

/** The drawing without its colours and the equation beside it: what must not move between frames. */
function geometry(svg: string): string[] {
  // The label definitions differ with the colours used; what is placed is below them.
  return svg
    .replace(/<defs>[^]*<\/defs>/, '')
    .split('\n')
    .filter((line) => !line.startsWith('<g id="tex-') && !line.startsWith('<path') && !line.startsWith('</g') && !line.startsWith('<g'))
    // A label's id names its colour too.
    .map((line) => line.replace(/ (fill|stroke|xlink:href|href)="[^"]*"/g, ''))
    .filter((line) => !line.startsWith('<use') || !line.includes('id="equation"'))
    // Faded wires are drawn before lit ones, so the order changes; the places do not.
    .sort();
}

// npm test checks the shipped cells and three generated ones; `npm run test:figures` every
// fixture cell and 40 generated ones (a layout per cell is the cost).
const FULL = process.env.GATEFLOW_FIGURES_FULL === '1';
const GENERATED_SEEDS = Array.from({ length: FULL ? 40 : 3 }, (_, i) => 11 + i);
const generated = GENERATED_SEEDS.map((seed) => {
  const g = generateCell(seed);
  return { name: `generated seed ${seed}`, cell: parseCell(g.text, { file: `generated-${seed}.cell` }) };
});
const everyCell: { name: string; cell: CellGraph }[] = [
  ...SHIPPED.map((name) => ({ name, cell: cellNamed(name) })),
  ...(FULL ? FIXTURE_CELLS : []).map((file) => ({ name: file, cell: fixtureCell(file) })),
  ...generated,
];

describe('walkthrough frames', { timeout: 120_000 }, () => {
  it('walkthrough(gru) matches its golden frames, one per statement in source order', async () => {
    const frames = await walkthrough(cellNamed('gru'));
    expect(frames.map((f) => f.target)).toEqual(['r', 'z', 'n', 'h']);
    for (const [i, f] of frames.entries()) expectGolden(`diagram/walkthrough-gru-${i + 1}-${f.target}.svg`, f.svg);
  });

  it('walkthrough(gru) frame r lights r at step t, its merge point, the wires into and out of it, and h_{t-1} and x_t reaching it', async () => {
    const gru = cellNamed('gru');
    const placed = await placeDiagram(gru);
    const faded = fadeAllBut(gru, placed, 'r', 1);
    const lit = [...placed.nodes, ...placed.edges, ...placed.terminals].map((p) => p.key).filter((k) => !faded.has(k));
    expect(lit).toEqual(['1:r', '1:concat.x.h_prev', '1:x:x->concat.x.h_prev', '1:in:h->concat.x.h_prev', '1:concat.x.h_prev->r', '1:r->n.mul.0', '1:x:x:terminal', '0:out:h->1:in:h', '1:x:x:terminal']);
  });

  for (const { name, cell } of everyCell) {
    it(`walkthrough(${name}): same size and geometry in every frame, and every glyph of step t lit in some frame`, async () => {
      const frames = await walkthrough(cell);
      expect(frames.map((f) => f.target)).toEqual(cell.statements.map((s) => s.target));
      const size = (svg: string) => /<svg [^>]*width="([\d.]+)" height="([\d.]+)"/.exec(svg)!.slice(1);
      const first = geometry(frames[0].svg);
      for (const f of frames) {
        expect(size(f.svg)).toEqual(size(frames[0].svg));
        expect(geometry(f.svg)).toEqual(first);
      }
      const placed = await placeDiagram(cell);
      const subject = placed.steps.length - 1;
      const litSomewhere = new Set(cell.statements.flatMap((s) => placed.nodes.filter((n) => !fadeAllBut(cell, placed, s.target, subject).has(n.key)).map((n) => n.key)));
      const glyphsAtT = placed.nodes.filter((n) => n.step === subject && n.node.glyph !== 'concat').map((n) => n.key);
      expect(glyphsAtT.filter((k) => !litSomewhere.has(k)), 'glyphs of step t lit in no frame').toEqual([]);
      expect([...litSomewhere].filter((k) => !k.startsWith(`${subject}:`)), 'glyphs lit outside step t').toEqual([]);
    });
  }

  it('walkthrough is deterministic: the same frames twice, and after another figure', async () => {
    const lstm = cellNamed('lstm');
    const once = await walkthrough(lstm, { steps: 1 });
    await diagram(cellNamed('gru'), { highlight: ['h'] });
    const twice = await walkthrough(lstm, { steps: 1 });
    expect(twice.map((f) => f.svg)).toEqual(once.map((f) => f.svg));
  });
});

describe('highlight and faded neighbours', { timeout: 60_000 }, () => {
  const cases: [string, string, DiagramOptions][] = [
    ['lstm-2-gates-light-highlight-c', 'lstm', { highlight: ['c'] }],
    ['gru-2-gates-light-faded-neighbours', 'gru', { fadedNeighbours: true }],
  ];
  for (const [file, name, options] of cases) {
    it(`diagram(${file}) matches its golden SVG`, async () => {
      expectGolden(`diagram/${file}.svg`, await diagram(cellNamed(name), options));
    });
  }

  it('highlight c on the LSTM lights the cell-state path at both steps and nothing of the gates', async () => {
    const lstm = cellNamed('lstm');
    const placed = await placeDiagram(lstm);
    const faded = fadeAllButValues(lstm, placed, ['c']);
    const litNodes = placed.nodes.filter((n) => !faded.has(n.key)).map((n) => n.key);
    expect(litNodes).toEqual(['0:c.mul.0', '0:c.mul.1', '0:c', '1:c.mul.0', '1:c.mul.1', '1:c']);
    const litTerminals = placed.terminals.filter((t) => !faded.has(t.key)).map((t) => t.key);
    expect(litTerminals).toEqual(['initial:c', 'final:c']);
  });

  it('an unknown --highlight name is an InputError listing the values', async () => {
    const gru = cellNamed('gru');
    const placed = await placeDiagram(gru);
    expect(errorOf(() => fadeAllButValues(gru, placed, ['c'])).message).toBe("--highlight: 'c' is not a value of cell 'gru' (values: x, r, z, n, h)");
  });

  it('faded neighbours add steps t-2 and t+1 around t-1 and t, and fade only their glyphs', async () => {
    const gru = cellNamed('gru');
    const placed = await placeDiagram(gru, { fadedNeighbours: true });
    expect(placed.steps.map((s) => s.time)).toEqual(['t-2', 't-1', 't', 't+1']);
    const faded = fadeNeighbourSteps(placed);
    const fadedSteps = new Set(placed.nodes.filter((n) => faded.has(n.key)).map((n) => n.step));
    expect([...fadedSteps]).toEqual([0, 3]);
    expect(placed.terminals.filter((t) => !faded.has(t.key)).map((t) => t.key)).toEqual(['1:x:x:terminal', '1:up:h:terminal', '2:x:x:terminal', '2:up:h:terminal']);
    // The carries into and out of the middle steps stay drawn.
    expect(faded.has('0:out:h->1:in:h')).toBe(false);
    expect(faded.has('2:out:h->3:in:h')).toBe(false);
  });
});

describe('gateflow diagram --walkthrough / --highlight / --faded-neighbours', { timeout: 60_000 }, () => {
  const BIN = resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js');
  const work = mkdtempSync(join(tmpdir(), 'gateflow-walkthrough-'));
  const gateflow = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: work, encoding: 'utf8' });

  it('--walkthrough -o frames writes one numbered figure per statement, the same bytes as walkthrough()', async () => {
    const run = gateflow('diagram', 'gru', '--walkthrough', '-o', 'frames');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe('wrote frames/01-r.svg\nwrote frames/02-z.svg\nwrote frames/03-n.svg\nwrote frames/04-h.svg\n');
    expect(readdirSync(join(work, 'frames'))).toEqual(['01-r.svg', '02-z.svg', '03-n.svg', '04-h.svg']);
    const frames = await walkthrough(cellNamed('gru'));
    expect(readFileSync(join(work, 'frames', '03-n.svg'), 'utf8')).toBe(frames[2].svg);
  });

  it('refuses an unknown --highlight name and --highlight with --walkthrough, with status 2', () => {
    const unknown = gateflow('diagram', 'gru', '--highlight', 'h,c');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe("gateflow: --highlight: 'c' is not a value of cell 'gru' (values: x, r, z, n, h)\n");
    const both = gateflow('diagram', 'gru', '--walkthrough', '--highlight', 'h');
    expect(both.status).toBe(2);
    expect(both.stderr).toBe('gateflow: --highlight and --walkthrough cannot be combined (a walkthrough lights one statement per figure)\n');
  });
});
