/**
 * A Trace as one self-contained HTML page: a heat map per step (a row per node, a cell
 * per unit, coloured on a diverging scale shared by every step) with a step slider and a
 * batch selector. The numbers travel as embedded JSON and a few lines of script draw
 * them, so a long trace stays small; nothing is loaded from the network.
 */
import type { Trace } from './types.js';
import { checkTextSize, selectNodes, type FormatOptions } from './format.js';

export interface HtmlOptions extends Pick<FormatOptions, 'nodes'> {
  /** Page title; default "gateflow trace: CELL". */
  readonly title?: string;
}

/** The page's data: node names, then values[t][node][batch][unit]. */
interface PageData {
  readonly cell: string;
  readonly sizes: Readonly<Record<string, number>>;
  readonly nodes: readonly string[];
  /** The largest |v| of each node over every step and batch element: one colour scale per node. */
  readonly maxAbs: number[];
  readonly values: number[][][][];
}

export function toHtml(trace: Trace, options: HtmlOptions = {}): string {
  const first = trace.steps[0];
  const nodes = selectNodes(first, options);
  checkTextSize(trace, nodes, 'HTML page');
  const maxAbs = nodes.map(() => 0);
  const values = trace.steps.map((step) =>
    nodes.map((id, n) => {
      const rows = step.nodes[id];
      for (const row of rows) for (const v of row) maxAbs[n] = Math.max(maxAbs[n], Math.abs(v));
      return rows;
    }),
  );
  const data: PageData = { cell: trace.cell, sizes: trace.sizes, nodes, maxAbs, values };
  const title = options.title ?? `gateflow trace: ${trace.cell}`;
  const sizes = Object.entries(trace.sizes).map(([k, v]) => `${k} ${v}`).join(', ');
  // '<' is escaped so no value can close the script element.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="gateflow">
<title>${escapeHtml(title)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1f1f1f; background: #fff; }
h1 { font-size: 1.2rem; margin: 0 0 .25rem; }
.sizes { color: #555; margin-bottom: 1rem; }
.controls { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; margin-bottom: 1rem; }
.controls input[type=range] { width: min(40rem, 60vw); }
table { border-collapse: collapse; font: 12px/1.2 ui-monospace, monospace; }
th { text-align: right; padding: 2px 8px 2px 0; font-weight: 600; white-space: nowrap; }
thead th { text-align: center; color: #777; font-weight: 400; }
td { width: 3.6em; height: 1.6em; text-align: center; border: 1px solid #fff; }
.legend { display: flex; align-items: center; gap: .5rem; margin-top: 1rem; color: #555; font-size: 12px; }
.legend span.bar { width: 12rem; height: .8rem; background: linear-gradient(90deg, #2166ac, #f7f7f7, #b2182b); }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<div class="sizes">cell ${escapeHtml(trace.cell)} · ${escapeHtml(sizes)} · ${trace.steps.length} step${trace.steps.length === 1 ? '' : 's'}</div>
<div class="controls">
<label>step <input id="step" type="range" min="0" max="${trace.steps.length - 1}" value="0"> <output id="stepOut">0</output></label>
<label>batch element <select id="batch">${Array.from({ length: trace.sizes.batch ?? 1 }, (_, b) => `<option value="${b}">${b}</option>`).join('')}</select></label>
<label><input id="numbers" type="checkbox" checked> numbers</label>
</div>
<table id="grid"></table>
<div class="legend">−max <span class="bar"></span> +max (each row on its own scale: its largest magnitude over the sequence)</div>
<script type="application/json" id="trace-data">${json}</script>
<script>
(() => {
  const data = JSON.parse(document.getElementById('trace-data').textContent);
  const step = document.getElementById('step'), out = document.getElementById('stepOut');
  const batch = document.getElementById('batch'), numbers = document.getElementById('numbers');
  const grid = document.getElementById('grid');
  // Diverging scale per node: blue (negative) through near-white to red (positive), |v| / that node's maxAbs.
  const ends = { neg: [33, 102, 172], mid: [247, 247, 247], pos: [178, 24, 43] };
  const colour = (v, maxAbs) => {
    const x = maxAbs > 0 ? Math.max(-1, Math.min(1, v / maxAbs)) : 0;
    const end = x < 0 ? ends.neg : ends.pos, a = Math.abs(x);
    return 'rgb(' + ends.mid.map((m, i) => Math.round(m + (end[i] - m) * a)).join(',') + ')';
  };
  const units = Math.max(...data.nodes.map((_, n) => data.values[0][n][0].length));
  const draw = () => {
    const t = Number(step.value), b = Number(batch.value);
    out.textContent = String(t);
    let html = '<thead><tr><th></th>' + Array.from({ length: units }, (_, i) => '<th>' + i + '</th>').join('') + '</tr></thead><tbody>';
    data.nodes.forEach((name, n) => {
      const maxAbs = data.maxAbs[n];
      html += '<tr><th>' + name + '</th>' + data.values[t][n][b].map((v, unit) => {
        const text = numbers.checked ? v.toFixed(3) : '';
        const ink = Math.abs(v) > 0.6 * maxAbs ? '#fff' : '#1f1f1f';
        return '<td title="' + name + '[unit ' + unit + '] = ' + v.toFixed(4) + '" style="background:' + colour(v, maxAbs) + ';color:' + ink + '">' + text + '</td>';
      }).join('') + '</tr>';
    });
    grid.innerHTML = html + '</tbody>';
  };
  for (const el of [step, batch, numbers]) el.addEventListener('input', draw);
  document.addEventListener('keydown', (e) => {
    // The focused slider moves itself (and fires 'input'); acting here too moved two steps.
    if (e.target === step) return;
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      step.value = String(Math.max(0, Math.min(Number(step.max), Number(step.value) + (e.key === 'ArrowRight' ? 1 : -1))));
      draw();
    }
  });
  draw();
})();
</script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
