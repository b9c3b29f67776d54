/**
 * The TeX that `gateflow equations --format tex` prints must be valid TeX, not just match a
 * golden file: MathJax's TeX parser (the same one the diagram typesets labels with) rejects
 * unknown macros, unbalanced braces and misplaced alignment. When pdflatex is installed, the
 * standalone document is also compiled for real.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mathjax } from 'mathjax-full/js/mathjax.js';
import { TeX } from 'mathjax-full/js/input/tex.js';
import { SVG } from 'mathjax-full/js/output/svg.js';
import { liteAdaptor } from 'mathjax-full/js/adaptors/liteAdaptor.js';
import { RegisterHTMLHandler } from 'mathjax-full/js/handlers/html.js';
import 'mathjax-full/js/input/tex/base/BaseConfiguration.js';
import 'mathjax-full/js/input/tex/ams/AmsConfiguration.js';
import { parseCell, toTex } from '../../src/cell/index.js';
import { listCells, readCell } from '../../src/io/index.js';

RegisterHTMLHandler(liteAdaptor());
const strictTex = new TeX({
  packages: ['base', 'ams'],
  formatError: (_jax: unknown, error: Error) => {
    throw error;
  },
});
const document = mathjax.document('', { InputJax: strictTex, OutputJax: new SVG({ fontCache: 'none' }) });

const texOf = (name: string, standalone = false) => {
  const source = readCell(name);
  return toTex(parseCell(source.text, { file: source.file }), { standalone });
};
const alignBlock = (tex: string) => tex.slice(tex.indexOf('\\begin{align*}'), tex.indexOf('\\end{align*}') + '\\end{align*}'.length);

/** pdflatex from Debian's TeX Live (.ci/run installs it); its absence is a failure with the reason, not a skip. */
function requirePdflatex(): void {
  try {
    execFileSync('pdflatex', ['--version'], { stdio: 'ignore' });
  } catch (error) {
    throw new Error(`pdflatex is needed for this test and could not run (${(error as Error).message}); install it: apt-get install texlive-latex-base`);
  }
}

describe('equations as TeX', () => {
  it('the parser rejects bad TeX (so the checks below can fail)', () => {
    expect(() => document.convert('\\begin{align*} x &= \\nosuchmacro{y} \\end{align*}', { display: true })).toThrow(
      /Undefined control sequence \\nosuchmacro/,
    );
    expect(() => document.convert('x_{t', { display: true })).toThrow(/Extra open brace or missing close brace/);
  });

  for (const name of listCells()) {
    it(`${name}: every equation parses as TeX`, () => {
      const block = alignBlock(texOf(name));
      expect(block.startsWith('\\begin{align*}')).toBe(true);
      expect(() => document.convert(block, { display: true })).not.toThrow();
    });
  }

  it('the standalone document compiles with pdflatex', () => {
    requirePdflatex();
    const dir = mkdtempSync(join(tmpdir(), 'gateflow-tex-'));
    for (const name of listCells()) {
      writeFileSync(join(dir, `${name}.tex`), texOf(name, true));
      execFileSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', `${name}.tex`], { cwd: dir, stdio: 'ignore' });
      expect(readFileSync(join(dir, `${name}.pdf`)).subarray(0, 5).toString()).toBe('%PDF-');
    }
    // Eleven pdflatex runs: 6 s at a load of 20, past vitest's default 5 s when the file is run alone.
  }, 60_000);
});
