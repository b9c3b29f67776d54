// Explorer benchmark (against dist/, in Debian's chromium through playwright-core): a trace of
// T = 10,000 steps at hidden 256 (batch 1, input 8) as an explorer page; the time to build the
// page, its size, the time from navigation to the first painted frame, and the frame time
// when the step moves (median over 60 steps, strips + panels, measured inside the page).
// Figures are also given as ratios to an anchor measured in the same run: a bare `node -e 0`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'dist');
const { loadCell } = await import(join(dist, 'index.js'));
const { trace } = await import(join(dist, 'trace', 'index.js'));
const { explorePage } = await import(join(dist, 'explore', 'index.js'));
const { createRandom } = await import(join(dist, 'random.js'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function nodeStartMs() {
  const times = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    times.push(performance.now() - start);
  }
  return median(times);
}

console.log(`machine: ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)} (figures are noisy when the load is high)`);
const anchor = nodeStartMs();
console.log(`anchor: node -e 0, ${anchor.toFixed(0)} ms (median of 5)`);

const T = 10_000, HIDDEN = 256, INPUT = 8;
const random = createRandom(1);
const inputs = Array.from({ length: T }, () => Array.from({ length: INPUT }, () => random.uniform(-1, 1)));
const dir = mkdtempSync(join(tmpdir(), 'gateflow-explore-bench-'));
const browser = await chromium.launch({ executablePath: process.env.GATEFLOW_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });

console.log(`\ncell  T       hidden  trace s  page s  page MB  load ms (× anchor)  frame ms median / max (× anchor)  hover ms`);
for (const name of (process.env.EXPLORE_CELLS ?? 'rnn,gru').split(',')) {
  const cell = loadCell(name);
  let start = performance.now();
  const result = trace(cell, undefined, inputs, { sizes: { hidden: HIDDEN }, seed: 1 });
  const traceS = (performance.now() - start) / 1000;
  start = performance.now();
  const html = await explorePage(cell, result, {});
  const pageS = (performance.now() - start) / 1000;
  const file = join(dir, `${name}.html`);
  writeFileSync(file, html);
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  start = performance.now();
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => window.gateflowExplorer !== undefined);
  const loadMs = performance.now() - start;
  const frames = await page.evaluate(() => {
    const out = [];
    for (let t = 100; t < 160; t++) {
      window.gateflowExplorer.setStep(t);
      out.push(window.gateflowExplorer.state.frameMs);
    }
    return out;
  });
  start = performance.now();
  await page.locator('.gf-glyph').last().hover();
  await page.locator('#gf-details table.gf-values').waitFor();
  const hoverMs = performance.now() - start;
  const frame = median(frames);
  console.log(
    `${name.padEnd(5)} ${String(T).padEnd(7)} ${String(HIDDEN).padEnd(7)} ${traceS.toFixed(1).padStart(7)} ${pageS.toFixed(1).padStart(7)} ${(statSync(file).size / 1e6).toFixed(1).padStart(8)}` +
      `  ${loadMs.toFixed(0).padStart(7)} (${(loadMs / anchor).toFixed(1)}×)` +
      `        ${frame.toFixed(1)} / ${Math.max(...frames).toFixed(1)} (${(frame / anchor).toFixed(2)}×)` +
      `             ${hoverMs.toFixed(0)}`,
  );
  await page.close();
}
await browser.close();
