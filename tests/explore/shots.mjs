// `npm run gallery:explore`: a screenshot of the explorer page of every shipped cell, kept in
// out/explore/ as the gallery's pictures of the page (a browser draws them, so they are not
// part of `npm start` nor compared byte for byte; tests/gallery.test.ts checks one per cell).
// Each page is made by the built CLI with the command out/README.md shows, the step moved to
// t = 3 and the last statement's glyph hovered, so the panel shows its equation and values.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { EXPLORER_SHOTS, explorerShotArgs } = await import(join(root, 'dist', 'gallery.js'));
const { listCells } = await import(join(root, 'dist', 'io', 'index.js'));
const out = join(root, 'out', EXPLORER_SHOTS.dir);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'gateflow-shots-'));
const browser = await chromium.launch({ executablePath: process.env.GATEFLOW_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
for (const cell of listCells()) {
  const html = join(work, `${cell}.html`);
  execFileSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), ...explorerShotArgs(cell), '-o', html], { stdio: ['ignore', 'ignore', 'inherit'] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(pathToFileURL(html).href);
  await page.evaluate(() => window.gateflowExplorer.setStep(3));
  const glyphs = await page.evaluate(() => JSON.parse(document.getElementById('gf-meta').textContent).glyphs.filter((g) => g.offset === 0 && g.value === g.statement).map((g) => g.element));
  if (glyphs.length) await page.locator(`#${glyphs[glyphs.length - 1]}`).hover();
  await page.screenshot({ path: join(out, `${cell}.png`) });
  await page.close();
  console.log(`wrote out/${EXPLORER_SHOTS.dir}/${cell}.png`);
}
await browser.close();
rmSync(work, { recursive: true, force: true });
console.log(`${readdirSync(out).length} screenshots`);
