// TikZ output: goldens, and the real tools: one pdflatex and one lualatex compile (Debian's
// TeX Live, installed by .ci/run), the PDF rendered to pixels by pdftoppm and compared box by
// box with the SVG rendered by resvg. `npm run test:figures` compiles every shipped cell.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagram, placeDiagram, tikz, type DiagramOptions } from '../../src/diagram/index.js';
import { expectGolden } from '../golden.js';
import { expectSameBoxes, pdfPage, svgPixels, tool } from './figure-compare.js';
import { cellNamed, SHIPPED } from './helpers.js';

const FULL = process.env.GATEFLOW_FIGURES_FULL === '1';

/** Compile `cell`'s standalone TikZ with `engine` and compare it, box by box, with the SVG. */
async function compareWithSvg(engine: 'pdflatex' | 'lualatex', name: string, options: DiagramOptions): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), `gateflow-tikz-${engine}-`));
  const cell = cellNamed(name);
  writeFileSync(join(work, 'figure.tex'), await tikz(cell, { ...options, standalone: true }));
  tool(engine, ['-interaction=nonstopmode', '-halt-on-error', 'figure.tex'], work);
  expectSameBoxes(pdfPage(work, 'figure.pdf'), svgPixels(await diagram(cell, options)), await placeDiagram(cell, options), `${engine} PDF`);
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
