// Every shipped cell, and custom cells from tests/fixtures, as an explorer page in chromium:
// the page loads with no console error or request, every glyph the model lists exists in the
// SVG and is focusable, and the strips of the last statement at the last step show the trace
// (numbers on the strips when the state has at most 6 units; 4 decimals, tolerance 5e-5 + float32).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCell, parseCell } from '../../src/index.js';
import { explorePage } from '../../src/explore/index.js';
import { trace } from '../../src/trace/index.js';
import { listCells } from '../../src/io/index.js';
import { launchBrowser, openPage } from '../browser.js';
import { expectClose } from '../expect.js';

let browser: Browser;
const dir = mkdtempSync(join(tmpdir(), 'gateflow-explore-cells-'));
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => browser?.close());

const fixture = (name: string) => parseCell(readFileSync(join(__dirname, '..', 'fixtures', 'cells', `${name}.cell`), 'utf8'), { file: `${name}.cell` });
const cases = [
  ...listCells().map((name) => ({ name, cell: loadCell(name), detail: 'gates' as const, window: 2 })),
  { name: 'layernorm-lstm (fixture, ops, window 3)', cell: fixture('layernorm-lstm'), detail: 'ops' as const, window: 3 },
];

describe('explorer page of every shipped cell (chromium)', { timeout: 60_000 }, () => {
  it.each(cases)('$name', async ({ cell, detail, window }) => {
    const sizes: Record<string, number> = Object.fromEntries(cell.dims.map((d) => [d, d === 'input' ? 2 : 3]));
    // The features of a step: every declared input, concatenated (vae-reparam reads mu and logvar).
    const features = cell.inputs.reduce((n, d) => n + (typeof d.shape[0] === 'number' ? d.shape[0] : sizes[d.shape[0] as string]!), 0);
    const sequence = [0, 1, 2, 3].map((t) => Array.from({ length: features }, (_, i) => Math.sin(t + i)));
    const tr = trace(cell, undefined, sequence, { sizes, seed: 5 });
    const file = join(dir, `${cell.name}-${detail}.html`);
    writeFileSync(file, await explorePage(cell, tr, { detail, window }));
    const { page, watch } = await openPage(browser, pathToFileURL(file).href);
    expect(watch.errors).toEqual([]);
    expect(watch.requests).toEqual([]);
    const meta = JSON.parse((await page.locator('#gf-meta').textContent())!);
    const missing = await page.evaluate((ids: string[]) => ids.filter((id) => document.getElementById(id)?.getAttribute('tabindex') !== '0'), meta.glyphs.map((g: { element: string }) => g.element));
    expect(missing).toEqual([]);
    await page.keyboard.press('End');
    await page.getByLabel('numbers').check();
    const last = cell.statements[cell.statements.length - 1]!.target;
    const shown = await page.locator(`#gf-number-layer g[data-value="${last}"][data-offset="0"]`).first().evaluate((g) => Array.from(g.querySelectorAll('text'), (e) => Number(e.textContent)));
    expectClose(shown, tr.steps[3].values[last][0], 5e-5 + 1e-6, `${last} at the last step`);
    await page.close();
  });
});
