// SVG text modes (--text editable), --theme auto and the words in <desc>: goldens, the
// claims checked against figures made another way (the light and dark themes rendered on
// their own), and Chromium in both colour schemes.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagram, parseTheme, walkthrough } from '../../src/diagram/index.js';
import { textTex } from '../../src/diagram/labels.js';
import { texRuns } from '../../src/diagram/tex-runs.js';
import { equationWords } from '../../src/diagram/words.js';
import { THEMES_DIR } from '../../src/io/index.js';
import { expectGolden } from '../golden.js';
import { cellNamed } from './helpers.js';

const theme = (name: string) => parseTheme(readFileSync(join(THEMES_DIR, `${name}.json`), 'utf8'), `${name}.json`);
/**
 * What two figures drawn alike share: label ids hash the TeX and its colour, and the auto
 * figure defines a label once per colour role where a plain theme may share one, so the
 * label definitions are compared as a set.
 */
function sameIds(svg: string): string {
  const plain = svg.replace(/tex-[0-9a-z]+/g, 'tex-ID');
  const [head, rest] = plain.split('</defs>');
  const [before, defs] = head!.split('<defs>');
  return `${before}<defs>${[...new Set(defs!.split('<g id="tex-ID">'))].sort().join('|')}</defs>${rest}`;
}

describe('texRuns', () => {
  it("reads a title's words back from textTex, TeX's special characters included (MathJax printed \\_ inside \\text{})", () => {
    expect(textTex('my_cell')).toBe('\\text{my}\\_\\text{cell}');
    const words = 'GRU_v2 50% & {b} ~x\\y x^2';
    expect(texRuns(textTex(words))).toEqual([{ text: words, italic: false, script: '' }]);
    // An accent over nothing is its spacing character (a title's ^ was a hat over the next letter).
    expect(texRuns('\\text{a}\\hat{}\\tilde{\\ }').map((r) => r.text).join('')).toBe('a^~');
  });
  it('splits names, scripts, Greek letters, accents and upright text', () => {
    expect(texRuns('h_{t-1}')).toEqual([
      { text: 'h', italic: true, script: '' },
      { text: 't', italic: true, script: 'sub' },
      { text: '−1', italic: false, script: 'sub' },
    ]);
    expect(texRuns('\\tilde{c}_{t}')).toEqual([{ text: 'c\u0303', italic: true, script: '' }, { text: 't', italic: true, script: 'sub' }]);
    expect(texRuns('\\sigma')).toEqual([{ text: 'σ', italic: false, script: '' }]);
    expect(texRuns('W_{hn}\\cdot + b_{hn}').map((r) => r.text).join('|')).toBe('W|hn|·+|b|hn');
    expect(texRuns('\\text{Long short-term memory}')).toEqual([{ text: 'Long short-term memory', italic: false, script: '' }]);
    expect(texRuns('\\mathrm{std}_{t}').map((r) => r.text)).toEqual(['std', 't']);
  });
});

describe('equations in words', () => {
  it.each([
    ['r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)', 'r at t equals sigmoid of (W ir times x at t plus b ir plus W hr times h at t minus 1 plus b hr).'],
    ['c̃_t = tanh(W_C · [h_{t-1}; x_t] + b_C)', 'c tilde at t equals tanh of (W C times (the stack of h at t minus 1 and x at t) plus b C).'],
    ['eps_t ~ N(0, I)', 'eps at t is drawn from a standard normal distribution.'],
    ['h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}', 'h at t equals (1 minus z at t) times, element by element, n at t plus z at t times, element by element, h at t minus 1.'],
  ])('%s', (line, words) => expect(equationWords(line)).toBe(words));

  it('diagram(gru) has role="img", is labelled by its title and desc, and says its equations in words', { timeout: 120_000 }, async () => {
    const svg = await diagram(cellNamed('gru'));
    expect(svg).toMatch(/<svg [^>]*role="img" aria-labelledby="title desc"/);
    expect(svg).toContain('In words:\nr at t equals sigmoid of (W ir times x at t plus b ir plus W hr times h at t minus 1 plus b hr).\n');
  });
});

describe('--text editable', { timeout: 60_000 }, () => {
  it('diagram(gru, text editable) matches its golden: every label a <text> with its TeX, no label paths', async () => {
    const editable = await diagram(cellNamed('gru'), { text: 'editable' });
    expectGolden('diagram/gru-2-gates-light-editable.svg', editable);
    const paths = await diagram(cellNamed('gru'));
    // One <text> wherever the path figure places a label, with the same TeX.
    expect((editable.match(/<text /g) ?? []).length).toBe((paths.match(/<use /g) ?? []).length);
    expect(editable).not.toContain('<use ');
    expect(editable).toContain('data-tex="h_{t-1}"><tspan font-style="italic">h</tspan><tspan dy="3.12" font-size="8.74" font-style="italic">t</tspan><tspan font-size="8.74">−1</tspan></text>');
  });
});

describe('--theme auto', { timeout: 60_000 }, () => {
  const light = theme('light');
  const dark = theme('dark');
  const resolve = (svg: string, scheme: 'light' | 'dark') => {
    const rules = new Map([...svg.matchAll(/\.([fs]\d+)\{(?:fill|stroke):(#[0-9a-f]{6})\}/g)].map((m) => [m[1], m[2]]));
    return svg
      .replace(/\n<style>[^<]*<\/style>/, '')
      .replace(/<([a-z]+) class="([^"]*)"([^>]*)>/g, (_tag, name: string, classes: string, rest: string) => {
        if (scheme === 'dark') for (const c of classes.split(' ')) rest = rest.replace(new RegExp(` ${c[0] === 'f' ? 'fill' : 'stroke'}="[^"]*"`), ` ${c[0] === 'f' ? 'fill' : 'stroke'}="${rules.get(c)}"`);
        return `<${name}${rest}>`;
      });
  };

  it('diagram(lstm-peephole, theme auto) matches its golden; it is the light figure, and with the dark rules applied the dark one', async () => {
    const cell = cellNamed('lstm-peephole');
    const auto = await diagram(cell, { theme: light, darkTheme: dark });
    expectGolden('diagram/lstm-peephole-2-gates-auto.svg', auto);
    expect(sameIds(resolve(auto, 'light'))).toBe(sameIds(await diagram(cell, { theme: light })));
    expect(sameIds(resolve(auto, 'dark'))).toBe(sameIds(await diagram(cell, { theme: dark })));
  });

  it('a walkthrough frame follows the scheme too, faded parts included', async () => {
    const cell = cellNamed('gru');
    const [auto] = await walkthrough(cell, { theme: light, darkTheme: dark });
    const [plainDark] = await walkthrough(cell, { theme: dark });
    expect(sameIds(resolve(auto!.svg, 'dark'))).toBe(sameIds(plainDark!.svg));
  });

  it('Chromium draws the background and a gate box in the light colours, and in the dark ones when the viewer prefers dark', async () => {
    const chromium = '/usr/bin/chromium';
    expect(existsSync(chromium), 'Debian chromium is needed (.ci/run installs it: apt-get install chromium)').toBe(true);
    const { chromium: launcher } = await import('playwright-core');
    const svg = await diagram(cellNamed('gru'), { theme: light, darkTheme: dark });
    const browser = await launcher.launch({ executablePath: chromium, args: ['--no-sandbox'] });
    try {
      const seen: Record<string, string[]> = {};
      for (const colorScheme of ['light', 'dark'] as const) {
        const page = await browser.newPage({ colorScheme });
        await page.setContent(svg.replace(/^<\?xml[^>]*>/, ''));
        seen[colorScheme] = await page.evaluate(() => [
          getComputedStyle(document.querySelector('svg > rect')!).fill,
          getComputedStyle(document.querySelector('#s1-r rect')!).fill,
          getComputedStyle(document.querySelector('#s1-r rect')!).stroke,
        ]);
        await page.close();
      }
      // light.json: background #ffffff, layer fill #f5ee9c, stroke #3a3a3a; dark.json: #1d2026, #335588, #9fb8dc.
      expect(seen.light).toEqual(['rgb(255, 255, 255)', 'rgb(245, 238, 156)', 'rgb(58, 58, 58)']);
      expect(seen.dark).toEqual(['rgb(29, 32, 38)', 'rgb(51, 85, 136)', 'rgb(159, 184, 220)']);
    } finally {
      await browser.close();
    }
  });
});
