// The three bugs of issue 14 in trace --html, in a real browser: ArrowRight on the focused
// slider moved two steps, tooltips named the batch element as the unit and printed every
// digit, and one colour scale for all nodes washed out the gates next to a large input.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCell } from '../../src/index.js';
import { toHtml, trace } from '../../src/trace/index.js';
import { launchBrowser, openPage } from '../browser.js';

const weights = { W_ih: [[0.5, -0.25], [0.1, 0.3]], W_hh: [[-0.4, 0.2], [0.3, 0.5]], b_ih: [0, 0.1], b_hh: [0.1, 0] };
// Two batch elements, so a tooltip that printed the batch index would show 0 or 1 on every unit.
const rnnTrace = trace(loadCell('rnn'), weights, [[[1, 0], [0, 1]], [[0, 1], [1, 1]], [[-1, 0.5], [0.5, 0]], [[0.3, 0.3], [1, -1]]]);
const gruBig = trace(loadCell('gru'), undefined, [[5, 5], [5, -5], [-5, 5]], { sizes: { hidden: 3 }, seed: 3 });

let browser: Browser;
let dir: string;
beforeAll(async () => {
  browser = await launchBrowser();
  dir = mkdtempSync(join(tmpdir(), 'gateflow-html-'));
});
afterAll(async () => browser?.close());

async function open(html: string, name: string): Promise<Page> {
  const file = join(dir, name);
  writeFileSync(file, html);
  return (await openPage(browser, pathToFileURL(file).href)).page;
}

describe('trace --html bugs (issue 14)', () => {
  it('one ArrowRight on the focused step slider moves one step', async () => {
    const page = await open(toHtml(rnnTrace), 'keys.html');
    const slider = page.getByRole('slider', { name: /step/ });
    await slider.focus();
    await page.keyboard.press('ArrowRight');
    expect(await slider.inputValue()).toBe('1');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowLeft');
    expect(await slider.inputValue()).toBe('1');
    await page.close();
  });

  it('the tooltip of a value names its unit and rounds the value', async () => {
    const page = await open(toHtml(rnnTrace), 'tooltip.html');
    // h at t = 0, batch element 1, unit 0: tanh(0.5·0 − 0.25·1 + 0 + 0.1) = tanh(−0.15).
    await page.getByRole('combobox', { name: /batch/ }).selectOption('1');
    const expected = Math.tanh(-0.15);
    expect(rnnTrace.steps[0].values.h[1][0]).toBeCloseTo(expected, 12);
    const titles = await page.locator('[title^="h["]').evaluateAll((els) => els.map((e) => e.getAttribute('title')));
    expect(titles).toEqual([`h[unit 0] = ${expected.toFixed(4)}`, `h[unit 1] = ${rnnTrace.steps[0].values.h[1][1].toFixed(4)}`]);
    await page.close();
  });

  it('gates keep their own colour scale next to an input of 5', async () => {
    const page = await open(toHtml(gruBig, { nodes: ['x', 'z'] }), 'scales.html');
    // z is a sigmoid in [0, 1]: its cells are coloured on [0, 1], not on ±5. A cell of z at 0.9
    // must be far from white; read the colours back and check the most saturated one.
    const z = gruBig.steps[0].values.z[0];
    const colours = await page.locator('[title^="z["]').evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor));
    const distanceFromWhite = (rgb: string) => {
      const [r, g, b] = rgb.match(/\d+/g)!.map(Number);
      return Math.max(255 - r, 255 - g, 255 - b);
    };
    const strongest = Math.max(...colours.map(distanceFromWhite));
    // With ±5 the strongest z (|z − 0| ≤ 1) would be at most 1/5 of the way from white (< 50 of 255).
    expect(Math.max(...z)).toBeGreaterThan(0.5);
    expect(strongest).toBeGreaterThan(100);
    await page.close();
  });
});
