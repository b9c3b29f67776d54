/**
 * Explore stage, the HTML: one standalone page (inline SVG, inline style and script, the
 * arrays as base64 in <script type="application/octet-stream"> elements), coloured from the
 * diagram's theme. Pure: strings in, a string out.
 */
import type { Theme } from '../diagram/index.js';
import { CLIENT_SCRIPT } from './client-script.js';
import type { Encoding, PageModel } from './model.js';

export interface PageParts {
  readonly title: string;
  readonly subtitle: string;
  readonly svg: string;
  readonly theme: Theme;
  readonly model: PageModel;
  /** Typeset equations by statement target (standalone <svg> markup). */
  readonly equations: Readonly<Record<string, string>>;
  /** Per statement, a line for each parameter feeding it. */
  readonly weights: Readonly<Record<string, readonly string[]>>;
  /** The gradient view, or null: its label, the chosen output and unit, and the norms [T][B] per value id. */
  readonly gradient: { readonly label: string; readonly output: string; readonly unit: number; readonly norms: ReadonlyMap<string, string> } | null;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function style(theme: Theme): string {
  const { background, text } = theme;
  const border = theme.values.border;
  return `
:root { color-scheme: ${theme.name === 'dark' ? 'dark' : 'light'}; }
body { font: 15px/1.45 system-ui, sans-serif; margin: 1rem 1.5rem; color: ${text}; background: ${background}; }
h1 { font-size: 1.25rem; margin: 0; }
h2 { font-size: 1rem; margin: 0 0 .4rem; }
.gf-sub { margin: .1rem 0 .8rem; opacity: .85; }
.gf-controls { display: flex; flex-wrap: wrap; gap: .6rem 1.2rem; align-items: center; margin-bottom: .6rem; }
.gf-controls input[type=range] { width: min(34rem, 55vw); }
button, select { font: inherit; color: ${text}; background: ${background}; border: 1px solid ${border}; border-radius: 4px; padding: .15rem .7rem; }
:focus-visible { outline: 3px solid ${theme.values.positive}; outline-offset: 2px; }
.gf-glyph { cursor: pointer; }
.gf-glyph:focus { outline: none; }
fieldset { border: 0; padding: 0; margin: 0; display: inline-flex; gap: .6rem; }
.gf-main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(16rem, 1fr); gap: 1rem; align-items: start; }
#gf-stage { position: relative; }
#gf-stage svg { display: block; width: 100%; height: auto; }
#gf-strips { position: absolute; left: 0; top: 0; pointer-events: none; }
.gf-num { text-anchor: middle; fill: #000; stroke: #fff; stroke-width: 1.6px; paint-order: stroke; font-family: ui-monospace, monospace; }
#gf-legends { display: flex; flex-wrap: wrap; gap: .4rem 1.4rem; margin: .5rem 0; }
.gf-legend { margin: 0; font-size: 13px; }
.gf-bar { width: 11rem; height: .7rem; border: 1px solid ${border}; }
.gf-ticks { display: flex; justify-content: space-between; width: 11rem; font-size: 12px; }
#gf-details { border: 1px solid ${border}; border-radius: 6px; padding: .6rem .8rem; max-height: 80vh; overflow: auto; }
.gf-equation { margin: .3rem 0 .6rem; }
.gf-equation svg { max-width: 100%; height: auto; }
.gf-values { border-collapse: collapse; font: 13px/1.2 ui-monospace, monospace; }
.gf-values caption { text-align: left; font-family: system-ui, sans-serif; }
.gf-values th, .gf-values td { padding: 1px .6rem; text-align: right; }
.gf-weights { font: 13px/1.3 ui-monospace, monospace; padding-left: 1.2rem; }
#gf-multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(22rem, 1fr)); gap: .6rem 1.2rem; }
.gf-multiple { margin: 0; font-size: 13px; }
.gf-mwrap { position: relative; }
.gf-mwrap canvas { display: block; width: 100%; height: 4rem; image-rendering: pixelated; cursor: crosshair; border: 1px solid ${border}; }
.gf-marker { position: absolute; top: -2px; bottom: -2px; width: 2px; margin-left: -1px; background: ${text}; pointer-events: none; }
#gf-grad-line { width: 100%; height: 9rem; display: block; }
`;
}

function controls(model: PageModel, gradient: PageParts['gradient']): string {
  const batch = model.batch > 1
    ? `<label>batch element <select id="gf-batch">${Array.from({ length: model.batch }, (_, b) => `<option value="${b}">${b}</option>`).join('')}</select></label>`
    : '';
  const views = gradient
    ? `<fieldset><legend class="gf-sr">view</legend><label><input type="radio" name="gf-view" value="values" checked> values</label><label><input type="radio" name="gf-view" value="gradient"> gradient ${escapeHtml(gradient.label)}</label></fieldset>`
    : '';
  return `<div class="gf-controls" role="toolbar" aria-label="sequence controls">
<button id="gf-play" type="button" aria-pressed="false">Play</button>
<label for="gf-step">step</label><input id="gf-step" type="range" min="0" max="${model.steps - 1}" value="0" aria-describedby="gf-step-out"><output id="gf-step-out" for="gf-step">t = 0</output>
${batch}<label title="Printed on strips of up to 6 units, where they stay legible; hover or focus a glyph for every unit"><input id="gf-numbers" type="checkbox"> numbers (≤ 6 units)</label>
${views}
</div>`;
}

/** Every array as its own script element, so the page decodes only what it shows. */
function dataElements(model: PageModel, gradient: PageParts['gradient']): string {
  const element = (id: string, base64: string, encoding: Encoding = { type: 'f32' }) =>
    `<script type="application/octet-stream" id="${id}" data-type="${encoding.type}"${'divisor' in encoding ? ` data-divisor="${encoding.divisor}"` : ''}>${base64}</script>`;
  const out: string[] = [];
  for (const [id, v] of Object.entries(model.values)) out.push('data' in v ? element(`gf-v-${id}`, v.data.base64, v.data.encoding) : element(`gf-i-${id}`, v.initial.base64, v.initial.encoding));
  if (gradient) for (const [id, base64] of gradient.norms) out.push(element(`gf-g-${id}`, base64));
  return out.join('\n');
}

export function explorerHtml(parts: PageParts): string {
  const { model, theme, gradient } = parts;
  const values = Object.fromEntries(Object.entries(model.values).map(([id, v]) => [id, 'data' in v ? { size: v.size, scale: v.scale } : { size: v.size, scale: v.scale, previousOf: v.previousOf }]));
  const meta = {
    title: parts.title,
    steps: model.steps,
    batch: model.batch,
    window: model.window,
    scales: model.scales,
    values,
    labels: Object.fromEntries(Object.keys(model.values).map((id) => [id, id])),
    strips: model.strips,
    glyphs: model.glyphs,
    multiples: model.multiples,
    weights: parts.weights,
    colours: { ...theme.values, focus: theme.values.positive },
    gradient: gradient ? { label: gradient.label, output: gradient.output, unit: gradient.unit, ids: [...gradient.norms.keys()] } : null,
  };
  // '<' is escaped so no string in the data can close the script element.
  const json = JSON.stringify(meta).replace(/</g, '\\u003c');
  const svg = parts.svg.replace(/^<\?xml[^>]*>\s*/, '');
  // A small figure (one step of a stateless cell) is not blown up past 1.25 times its size.
  const widthPx = Number(/<svg[^>]* width="([\d.]+)"/.exec(svg)?.[1] ?? 0);
  const equations = Object.entries(parts.equations).map(([target, markup]) => `<template id="gf-eq-${escapeHtml(target)}">${markup}</template>`).join('\n');
  const gradientPanel = gradient
    ? `<section aria-labelledby="gf-grad-caption"><h2 id="gf-grad-caption">gradient</h2><canvas id="gf-grad-line" role="img" aria-label="gradient norm over t, log scale"></canvas></section>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="gateflow">
<title>${escapeHtml(parts.title)}</title>
<style>${style(theme)}.gf-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }</style>
</head>
<body>
<header><h1>${escapeHtml(parts.title)}</h1><p class="gf-sub">${escapeHtml(parts.subtitle)}</p></header>
${controls(model, gradient)}
<div class="gf-main">
<section aria-label="unrolled diagram">
<div id="gf-stage"${widthPx ? ` style="max-width: ${Math.round(widthPx * 1.25)}px"` : ''}>
${svg}<canvas id="gf-strips" aria-hidden="true"></canvas>
</div>
<div id="gf-legends" aria-label="colour scales"></div>
</section>
<aside id="gf-details" aria-live="polite" aria-label="glyph details"><h2>Details</h2><p>Hover or focus (Tab) a glyph of the diagram: its equation, its values with unit indices, the weights feeding it. Arrow keys move the step; Home and End jump to the ends.</p></aside>
</div>
${gradientPanel}
<section aria-label="whole sequence"><h2>Whole sequence: units × time per statement (click to move there)</h2><div id="gf-multiples"></div></section>
${equations}
<script type="application/json" id="gf-meta">${json}</script>
${dataElements(model, gradient)}
<script>
${CLIENT_SCRIPT}
</script>
</body>
</html>
`;
}
