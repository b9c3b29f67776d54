import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sax from 'sax';
import { describe, expect, it } from 'vitest';
import { diagram, parseTheme, THEME_NAMES, type DiagramOptions, type StepValues } from '../../src/diagram/index.js';
import { THEMES_DIR } from '../../src/io/index.js';
import { expectGolden } from '../golden.js';
import { cellNamed, SHIPPED } from './helpers.js';

const theme = (name: string) => parseTheme(readFileSync(join(THEMES_DIR, `${name}.json`), 'utf8'), `${name}.json`);

/** A strict XML parser must accept the whole document. */
function parseStrict(svg: string): string[] {
  const parser = sax.parser(true, {});
  const elements: string[] = [];
  parser.onopentag = (node) => elements.push(node.name);
  parser.onerror = (error) => {
    throw error;
  };
  parser.write(svg).close();
  return elements;
}

/** Deterministic pseudo-values for the annotated golden (no randomness needed). */
function fakeTrace(name: string, ts: number[]): StepValues[] {
  const cell = cellNamed(name);
  return ts.map((t) => ({ t, values: new Map(cell.nodes.map((n, k) => [n.id, Array.from({ length: 4 }, (_, i) => Math.sin(1.3 * k + 0.7 * i + t))])) }));
}

/** Steps drawn when two are asked for: a cell without state is one step. */
const drawn = (name: string) => (cellNamed(name).states.length ? 2 : 1);

const CASES: [string, string, DiagramOptions][] = [
  ...SHIPPED.map((name): [string, string, DiagramOptions] => [`${name}-${drawn(name)}-gates-light`, name, { steps: 2 }]),
  ...SHIPPED.map((name): [string, string, DiagramOptions] => [`${name}-${drawn(name)}-ops-light`, name, { steps: 2, detail: 'ops' }]),
  ['rnn-1-gates-light', 'rnn', { steps: 1 }],
  ['rnn-3-gates-light', 'rnn', { steps: 3 }],
  ...THEME_NAMES.filter((t) => t !== 'light').map((t): [string, string, DiagramOptions] => [`lstm-peephole-2-gates-${t}`, 'lstm-peephole', { steps: 2, theme: theme(t) }]),
  ['lstm-peephole-2-gates-light-legend', 'lstm-peephole', { steps: 2, legend: true }],
  ['vae-reparam-1-ops-light-legend', 'vae-reparam', { detail: 'ops', legend: true }],
  ['gru-annotated-t3-t4', 'gru', { annotate: { steps: fakeTrace('gru', [3, 4]) }, title: '' }],
];

describe('diagram SVG output', { timeout: 60_000 }, () => {
  for (const [file, name, options] of CASES) {
    it(`diagram(${file}) matches its golden SVG and is strict, standalone XML`, async () => {
      const svg = await diagram(cellNamed(name), options);
      const elements = parseStrict(svg);
      expect(elements[0]).toBe('svg');
      expect(elements).toContain('title');
      expect(elements).toContain('desc');
      expect(elements).not.toContain('script');
      expect(elements).not.toContain('foreignObject');
      expect(elements).not.toContain('text');
      expect(svg).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]* viewBox="0 0 [\d.]+ [\d.]+"/);
      expect(svg).not.toContain('data-svgjs');
      expect(svg).not.toMatch(/Svgjs|MJX-/);
      // The only references are to our own defs.
      for (const [, ref] of svg.matchAll(/href="([^"]*)"/g)) expect(ref).toMatch(/^#tex-[0-9a-z]+$/);
      expectGolden(`diagram/${file}.svg`, svg);
    });
  }

  it('diagram() gives the same bytes twice in one process, before and after other figures', async () => {
    const first = await diagram(cellNamed('lstm'));
    await diagram(cellNamed('mgu'), { detail: 'ops' });
    expect(await diagram(cellNamed('lstm'))).toBe(first);
  });

  it('diagram(gru) says in <title> and <desc> what it shows, equations included', async () => {
    const svg = await diagram(cellNamed('gru'));
    expect(svg).toContain('<title id="title">Gated recurrent unit (PyTorch convention)</title>');
    expect(svg).toContain('<desc id="desc">Cell gru (Gated recurrent unit (PyTorch convention)) unrolled over 2 adjacent steps (t-1, t), gates detail.\nr_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)');
  });

  it('diagram(annotate) draws a strip per node, per terminal and per state crossing, and a legend', async () => {
    const svg = await diagram(cellNamed('rnn'), { annotate: { steps: fakeTrace('rnn', [0, 1]), maxAbs: 2 } });
    const strips = svg.match(/<rect [^>]*fill="none" stroke="#8a8a8a" stroke-width="0.6"/g) ?? [];
    // 2 steps × (1 node + x terminal + h terminal) + initial + final + 1 crossing + legend.
    expect(strips).toHaveLength(2 * 3 + 2 + 1 + 1);
    expect(svg).toContain('aria-labelledby="title desc"');
  });

  it('diagram(transparent) leaves out only the background rectangle', async () => {
    const opaque = await diagram(cellNamed('rnn'), { steps: 1 });
    const clear = await diagram(cellNamed('rnn'), { steps: 1, transparent: true });
    const background = /<rect width="[\d.]+" height="[\d.]+" fill="#ffffff">\n<\/rect>\n/;
    expect(opaque).toMatch(background);
    expect(clear).toBe(opaque.replace(background, ''));
  });

  it('diagram(annotate) colours NaN and ±Infinity validly and rejects a bad maxAbs', async () => {
    const steps = fakeTrace('rnn', [0]);
    const h = steps[0].values.get('h')!;
    const odd = [{ t: 0, values: new Map([...steps[0].values, ['h', [Number.NaN, Infinity, -Infinity, ...h.slice(3)]]]) }];
    const svg = await diagram(cellNamed('rnn'), { annotate: { steps: odd } });
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(parseStrict(svg)[0]).toBe('svg');
    await expect(diagram(cellNamed('rnn'), { annotate: { steps, maxAbs: 0 } })).rejects.toThrow('annotate.maxAbs must be a positive number, found 0');
  });

  it('diagram rejects steps outside 1 to 8 with a clear message', async () => {
    await expect(diagram(cellNamed('gru'), { steps: 0 })).rejects.toThrow('steps must be an integer from 1 to 8, found 0');
    await expect(diagram(cellNamed('gru'), { steps: 9 })).rejects.toThrow('steps must be an integer from 1 to 8, found 9');
  });
});
