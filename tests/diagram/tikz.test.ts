// TikZ output: goldens, and the real tools: one pdflatex and one lualatex compile (Debian's
// TeX Live, installed by .ci/run), the PDF rendered to pixels by pdftoppm and compared box by
// box with the SVG rendered by resvg. `npm run test:figures` compiles every shipped cell.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import { diagram, placeDiagram, tikz, type DiagramOptions } from '../../src/diagram/index.js';
import type { Box, PlacedGraph } from '../../src/diagram/types.js';
import { expectGolden } from '../golden.js';
import { cellNamed, SHIPPED } from './helpers.js';

const FULL = process.env.GATEFLOW_FIGURES_FULL === '1';
/** Pixels per SVG unit (and per bp of the PDF) in the comparison. */
const SCALE = 2;
/** A box's mean colour may differ by this much per channel (0-255): the fonts differ, the fills must not. */
const MEAN_TOLERANCE = 14;

interface Pixels {
  readonly width: number;
  readonly height: number;
  /** RGB or RGBA, row-major. */
  readonly data: Uint8Array;
  readonly channels: number;
}

function tool(command: string, args: string[], cwd: string): void {
  const run = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (run.error) throw new Error(`${command} is needed for this test (.ci/run installs it with apt-get): ${run.error.message}`);
  expect(run.status, `${command} ${args.join(' ')} failed:\n${run.stdout.slice(-3000)}`).toBe(0);
}

/** A binary PPM (P6, what pdftoppm -ppm writes) as pixels. */
function readPpm(bytes: Buffer): Pixels {
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(bytes.subarray(0, 50).toString('latin1'))!;
  return { width: Number(header[1]), height: Number(header[2]), data: bytes.subarray(header[0].length), channels: 3 };
}

function meanColour(p: Pixels, box: Box): number[] {
  const sum = [0, 0, 0];
  let count = 0;
  for (let y = Math.ceil(box.y * SCALE); y < Math.floor((box.y + box.height) * SCALE); y++) {
    for (let x = Math.ceil(box.x * SCALE); x < Math.floor((box.x + box.width) * SCALE); x++) {
      const i = (y * p.width + x) * p.channels;
      for (let c = 0; c < 3; c++) sum[c]! += p.data[i + c]!;
      count++;
    }
  }
  return sum.map((s) => Math.round(s / Math.max(1, count)));
}

/** Every glyph and terminal, inset so that the outline's anti-aliasing does not count. */
function boxesOf(placed: PlacedGraph): [string, Box][] {
  const inset = (b: Box, d: number): Box => ({ x: b.x + d, y: b.y + d, width: b.width - 2 * d, height: b.height - 2 * d });
  return [
    ...placed.nodes.filter((p) => p.node.glyph !== 'concat').map((p): [string, Box] => [p.key, inset(p.glyphBox, 3)]),
    ...placed.terminals.map((t): [string, Box] => [t.key, inset(t, t.role.startsWith('state') ? 0 : t.width * 0.2)]),
    ...placed.steps.map((s): [string, Box] => [`step ${s.time}`, inset(s, 6)]),
  ];
}

/** Compile `cell`'s standalone TikZ with `engine` and compare it, box by box, with the SVG. */
async function compareWithSvg(engine: 'pdflatex' | 'lualatex', name: string, options: DiagramOptions): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), `gateflow-tikz-${engine}-`));
  const cell = cellNamed(name);
  writeFileSync(join(work, 'figure.tex'), await tikz(cell, { ...options, standalone: true }));
  tool(engine, ['-interaction=nonstopmode', '-halt-on-error', 'figure.tex'], work);
  tool('pdftoppm', ['-r', String(72 * SCALE), '-singlefile', 'figure.pdf', 'figure'], work);
  const pdf = readPpm(readFileSync(join(work, 'figure.ppm')));
  const rendered = new Resvg(await diagram(cell, options), { fitTo: { mode: 'zoom', value: SCALE } }).render();
  const svg: Pixels = { width: rendered.width, height: rendered.height, data: rendered.pixels, channels: 4 };
  expect(Math.abs(pdf.width - svg.width), 'PDF and SVG widths in px').toBeLessThanOrEqual(1);
  expect(Math.abs(pdf.height - svg.height), 'PDF and SVG heights in px').toBeLessThanOrEqual(1);
  const placed = await placeDiagram(cell, options);
  const off = boxesOf(placed)
    .map(([key, box]) => ({ key, pdf: meanColour(pdf, box), svg: meanColour(svg, box) }))
    .filter((m) => m.pdf.some((v, c) => Math.abs(v - m.svg[c]!) > MEAN_TOLERANCE));
  expect(off, `boxes whose mean colour differs by more than ${MEAN_TOLERANCE} in the ${engine} PDF`).toEqual([]);
  // The comparison can fail: the same boxes moved 12 bp right no longer match the SVG.
  const moved = boxesOf(placed).filter(([, box]) => {
    const shifted = { ...box, x: box.x + 12 };
    return meanColour(pdf, shifted).some((v, c) => Math.abs(v - meanColour(svg, box)[c]!) > MEAN_TOLERANCE);
  });
  expect(moved.length, 'boxes that a 12 bp shift puts off').toBeGreaterThan(boxesOf(placed).length / 4);
}

describe('TikZ output', { timeout: 240_000 }, () => {
  it('tikz(gru) matches its golden picture, and tikz(lstm-peephole, legend, standalone) its golden document', async () => {
    expectGolden('diagram/gru-2-gates-light.tex', await tikz(cellNamed('gru')));
    expectGolden('diagram/lstm-peephole-2-gates-light-legend-standalone.tex', await tikz(cellNamed('lstm-peephole'), { legend: true, standalone: true }));
  });

  it('names each theme colour once and mixes the faded ones from them', async () => {
    const tex = await tikz(cellNamed('gru'), { highlight: ['h'] });
    expect(tex).toContain('\\definecolor{gfLayerFill}{HTML}{F5EE9C}');
    expect(tex).toContain('\\colorlet{gfFadedLayerFill}{gfLayerFill!20!gfBackground}');
    expect(tex).toMatch(/\\path\[fill=gfFadedLayerFill, draw=gfFadedLayerStroke/);
  });

  it('pdflatex compiles lstm-peephole (with its key) to the same boxes in the same places as the SVG', async () => {
    await compareWithSvg('pdflatex', 'lstm-peephole', { legend: true });
  });

  it('lualatex compiles a GRU walkthrough-style highlight to the same boxes in the same places as the SVG', async () => {
    await compareWithSvg('lualatex', 'gru', { highlight: ['h', 'z'] });
  });

  for (const name of FULL ? SHIPPED : []) {
    it(`pdflatex: ${name} in both details`, async () => {
      await compareWithSvg('pdflatex', name, {});
      await compareWithSvg('pdflatex', name, { detail: 'ops' });
    });
  }
});

describe('gateflow diagram -o X.tex', { timeout: 60_000 }, () => {
  const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
  const work = mkdtempSync(join(tmpdir(), 'gateflow-tikz-cli-'));
  const gateflow = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: work, encoding: 'utf8' });

  it('writes the TikZ picture by extension, the standalone document with --standalone, and refuses a format that contradicts the file', async () => {
    expect(gateflow('diagram', 'gru', '-o', 'gru.tex').status).toBe(0);
    expect(readFileSync(join(work, 'gru.tex'), 'utf8')).toBe(await tikz(cellNamed('gru')));
    const standalone = gateflow('diagram', 'gru', '--format', 'tikz', '--standalone');
    expect(standalone.stderr).toBe('wrote gru.tex\n');
    expect(readFileSync(join(work, 'gru.tex'), 'utf8')).toBe(await tikz(cellNamed('gru'), { standalone: true }));
    const mismatch = gateflow('diagram', 'gru', '--format', 'tikz', '-o', 'gru.svg');
    expect(mismatch.status).toBe(2);
    expect(mismatch.stderr).toBe("gateflow: --format tikz does not match the output file 'gru.svg'\n");
  });
});
