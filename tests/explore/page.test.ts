// The explorer page in a real browser (Debian's chromium through playwright-core; one browser
// for the file): it loads from file:// with no console error and no request, the slider, the
// arrow keys, play and the small multiples move the step, and what the page shows (numbers on
// the strips, the hover panel's values and equation, the gradient norm) is read back from the
// DOM and compared with the trace (4 decimals printed: tolerance 5e-5 + float32 rounding).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCell } from '../../src/index.js';
import { diagram } from '../../src/diagram/index.js';
import { explorePage, gradientNorms } from '../../src/explore/index.js';
import { trace } from '../../src/trace/index.js';
import { launchBrowser, openPage, type PageWatch } from '../browser.js';
import { expectClose } from '../expect.js';

const gru = loadCell('gru');
// T = 6, batch 2, input 2, hidden 3; an input of 5 next to gates in [0, 1].
const sequence = [0, 1, 2, 3, 4, 5].map((t) => [[Math.sin(t), 5 * Math.cos(t)], [t / 5, -1]]);
const gruTrace = trace(gru, undefined, sequence, { sizes: { hidden: 3 }, seed: 11 });
const PRINTED = 5e-5 + 1e-6;

let browser: Browser;
let page: Page;
let watch: PageWatch;
let html: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gateflow-explore-'));
  const file = join(dir, 'gru.html');
  html = await explorePage(gru, gruTrace, { gradient: { output: 'h', unit: 2 } });
  writeFileSync(file, html);
  browser = await launchBrowser();
  ({ page, watch } = await openPage(browser, pathToFileURL(file).href));
}, 120_000);
afterAll(async () => browser?.close());

const slider = () => page.getByRole('slider', { name: 'step' });
const step = async () => Number(await slider().inputValue());
/** The numbers drawn on the strips of value `id` at window position `offset` (a glyph's and its wires' strips show the same vector). */
async function stripNumbers(id: string, offset: number): Promise<number[]> {
  const groups = await page
    .locator(`#gf-number-layer g[data-value="${id}"][data-offset="${offset}"]`)
    .evaluateAll((els) => els.map((g) => Array.from(g.querySelectorAll('text'), (e) => Number(e.textContent))));
  expect(groups.length, `strips of ${id} at ${offset}`).toBeGreaterThan(0);
  for (const g of groups) expect(g).toEqual(groups[0]);
  return groups[0]!;
}
async function panelValues(): Promise<number[]> {
  return page.locator('#gf-details table.gf-values td').evaluateAll((els) => els.map((e) => Number(e.textContent)));
}

describe('explorer page (chromium)', () => {
  it('holds the figure the diagram stage draws (same code and theme, with room for the strips)', async () => {
    const svg = await diagram(gru, { steps: 2, strips: true, title: '' });
    expect(html).toContain(svg.replace(/^<\?xml[^>]*>\s*/, ''));
    expect(html).not.toMatch(/\b(src|href)="(?!#)|https?:\/\/(?!www\.w3\.org\/(2000\/svg|1999\/xlink)")/);
  });

  it('loads from file:// with no console error and no request, the SVG with its title and desc', async () => {
    expect(watch.errors).toEqual([]);
    expect(watch.requests).toEqual([]);
    expect(await page.locator('#gf-stage svg > title').textContent()).toBe(gru.title);
    expect(await page.locator('#gf-stage svg > desc').textContent()).toContain(`Cell gru (${gru.title}) unrolled over 2 adjacent steps (t-1, t), gates detail.`);
    expect(await step()).toBe(1);
  });

  it('one ArrowRight on the focused slider moves one step; arrows elsewhere move too; Home and End jump', async () => {
    await slider().focus();
    await page.keyboard.press('ArrowRight');
    expect(await step()).toBe(2);
    await page.locator('h1').click();
    await page.keyboard.press('ArrowRight');
    expect(await step()).toBe(3);
    await page.keyboard.press('ArrowLeft');
    expect(await step()).toBe(2);
    await page.keyboard.press('End');
    expect(await step()).toBe(5);
    await page.keyboard.press('Home');
    expect(await step()).toBe(0);
    expect(await page.locator('#gf-step-out').textContent()).toBe('t = 0');
  });

  it('the numbers on the strips are the trace values of both window steps, for the chosen batch element', async () => {
    await page.getByLabel('numbers').check();
    for (const [t, b] of [[3, 0], [4, 1]] as const) {
      await page.getByRole('combobox', { name: 'batch element' }).selectOption(String(b));
      await slider().fill(String(t));
      for (const id of ['z', 'h']) {
        expectClose(await stripNumbers(id, 0), gruTrace.steps[t].values[id][b], PRINTED, `${id} at t = ${t}, b = ${b}`);
        expectClose(await stripNumbers(id, -1), gruTrace.steps[t - 1].values[id][b], PRINTED, `${id} at t − 1 = ${t - 1}`);
      }
      expectClose(await stripNumbers('x', 0), sequence[t][b], PRINTED, `x at t = ${t}`);
    }
    await page.getByRole('combobox', { name: 'batch element' }).selectOption('0');
    await page.getByLabel('numbers').uncheck();
    expect(await page.locator('#gf-number-layer text').count()).toBe(0);
  });

  it('gates keep their own colour scale next to an input of 5: the largest z is drawn far from white', async () => {
    // The strip canvas read just above each printed number of z (the text sits at its unit's centre).
    await page.getByLabel('numbers').check();
    await slider().fill('3');
    const colours = await page.evaluate(() => {
      const canvas = document.getElementById('gf-strips') as HTMLCanvasElement;
      const box = canvas.getBoundingClientRect();
      const ctx = canvas.getContext('2d')!;
      // One readback (several make Chromium warn on the console, which another test watches).
      const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      const group = document.querySelector('#gf-number-layer g[data-value="z"][data-offset="0"]')!;
      return Array.from(group.querySelectorAll('text'), (t) => {
        const r = t.getBoundingClientRect();
        const x = Math.round(((r.left + r.width / 2 - box.left) * canvas.width) / box.width);
        const y = Math.round(((r.top - 1 - box.top) * canvas.height) / box.height);
        const at = 4 * (y * canvas.width + x);
        return [pixels[at]!, pixels[at + 1]!, pixels[at + 2]!];
      });
    });
    await page.getByLabel('numbers').uncheck();
    const z = gruTrace.steps[3].values.z[0];
    const largest = z.indexOf(Math.max(...z));
    expect(z[largest]).toBeGreaterThan(0.6);
    expect(colours).toHaveLength(z.length);
    const [r, g, b] = colours[largest]!;
    // On one ±5 scale for every value, a gate at 0.6–1 would be at most a fifth of the way from white (< 52 of 255).
    expect(Math.max(255 - r!, 255 - g!, 255 - b!)).toBeGreaterThan(100);
  });

  it('hovering a glyph shows its typeset equation and its values with unit indices, rounded', async () => {
    await slider().fill('4');
    await page.locator('#s1-z').hover();
    expect(await page.locator('#gf-details h2').first().textContent()).toBe('z at t = 4, batch element 0');
    expect(await page.locator('#gf-details .gf-equation svg').getAttribute('aria-label')).toMatch(/^z_\{?t\}? = \\sigma/);
    expect(await page.locator('#gf-details table.gf-values tr[data-unit] th').allTextContents()).toEqual(['0', '1', '2']);
    expect(await page.locator('#gf-details table.gf-values td').allTextContents()).toEqual(gruTrace.steps[4].values.z[0].map((v) => v.toFixed(4)));
    expect(await page.locator('#gf-details .gf-weights li').allTextContents()).toEqual([
      'W_iz [3×2] · x = weight_ih_l0[3:6]', 'b_iz [3] (bias) = bias_ih_l0[3:6]', 'W_hz [3×3] · h_prev = weight_hh_l0[3:6]', 'b_hz [3] (bias) = bias_hh_l0[3:6]',
    ]);
    // The window's first step: z at t − 1 = 3.
    await page.locator('#s0-z').hover();
    expectClose(await panelValues(), gruTrace.steps[3].values.z[0], PRINTED, 'z at t − 1');
  });

  it('keyboard focus reaches the glyphs and shows the same panel', async () => {
    await page.locator('#s1-n').focus();
    expect(await page.locator('#gf-details h2').first().textContent()).toBe('n at t = 4, batch element 0');
    expect(await page.locator('#s1-n').getAttribute('role')).toBe('button');
    expect(await page.locator('#gf-ring').getAttribute('visibility')).toBe('visible');
  });

  it('play moves the step forward until the end; the small multiples move it where clicked', async () => {
    await slider().fill('2');
    await page.getByRole('button', { name: 'Play' }).click();
    // Two 250 ms ticks; the generous timeout is for a starved Chromium (it failed at 5 s under a load of 15+).
    await page.waitForFunction(() => Number((document.getElementById('gf-step') as HTMLInputElement).value) >= 4, null, { timeout: 30_000 });
    await page.getByRole('button', { name: 'Pause' }).click();
    const paused = await step();
    expect(paused).toBeGreaterThanOrEqual(4);
    const canvas = page.locator('canvas[data-value="h"]');
    const box = (await canvas.boundingBox())!;
    // Six steps across the width: a click at 25% is step 1.
    await canvas.click({ position: { x: box.width * 0.25, y: box.height / 2 } });
    expect(await step()).toBe(1);
    const captions = await page.locator('#gf-multiples figcaption').allTextContents();
    expect(captions.find((c) => c.startsWith('h '))).toBe('h (3 units × 6 steps)');
  });

  it('the gradient view shows ‖∂h_T[2]/∂v_t‖ from the engine on the diagram and in the panel', async () => {
    const { norms } = gradientNorms(gru, gruTrace, { output: 'h', unit: 2 });
    await page.getByRole('radio', { name: /gradient/ }).check();
    expect(await page.locator('#gf-legends figcaption').allTextContents()).toEqual(['‖∂h_T[2] / ∂·‖']);
    await slider().fill('3');
    await page.locator('#s1-z').hover();
    const text = await page.locator('#gf-details .gf-norm').textContent();
    const shown = Number(text!.split('= ')[1]);
    expectClose([shown], [norms.get('z')![3 * 2 + 0]], { rtol: 5e-3 }, 'norm printed with 3 significant digits');
    expect(await page.locator('#gf-grad-caption').textContent()).toMatch(/^‖∂h_T\[2\] \/ ∂z‖ over t \(log scale, \d+ decades? top to bottom\)$/);
    await page.getByRole('radio', { name: 'values' }).check();
    expect(watch.errors).toEqual([]);
  });
});
