/**
 * PlacedGraph + Theme → one standalone SVG string, built with svg.js on svgdom.
 * The only module that uses them (through vendor/svg.ts): their global window, id counter and
 * `data-svgjs` attributes stay here. Output is deterministic: ids are derived from
 * content, numbers are written with two decimals, one element per line.
 */
import { createSVGWindow, registerWindow, SVG, type Container, type Svg } from './vendor/svg.js';
import { SAMPLE_FONT, WORDS_FONT } from './key.js';
import { nodeLabelPx, STACK_BAR, TAG_RATIO, TITLE_RATIO } from './measure.js';
import { typeset } from './labels.js';
import type { Box, KeyItem, PlacedGraph, PlacedNode, Point } from './types.js';
import type { ShapeStyle, Theme, WireStyle } from './theme.js';

/** Values to draw as colour strips: per drawn step, CellGraph node id → vector. */
export interface StripValues {
  readonly steps: readonly ReadonlyMap<string, readonly number[]>[];
  readonly maxAbs: number;
}

export interface RenderOptions {
  readonly theme: Theme;
  readonly title: string;
  readonly description: string;
  readonly values: StripValues | null;
  /** Leave the background transparent (no theme background rectangle). */
  readonly transparent?: boolean;
}

let window: (Window & typeof globalThis) | null = null;

/** Numbers in the SVG: two decimals at most, no '-0'. */
export function fmt(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) || rounded === 0 ? '0' : String(rounded);
}

/** FNV-1a: a short stable id from content, so label ids do not depend on drawing order. */
function hashId(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

export function renderSvg(placed: PlacedGraph, options: RenderOptions): string {
  if (!window) {
    window = createSVGWindow();
    registerWindow(window, window.document);
  }
  const { theme } = options;
  const fontPx = theme.fontPx;
  const canvas: Svg = SVG(window.document.documentElement) as Svg;
  canvas.clear();
  for (const a of ['width', 'height', 'viewBox', 'role', 'aria-labelledby']) canvas.node.removeAttribute(a);
  canvas.attr({ width: fmt(placed.width), height: fmt(placed.height), viewBox: `0 0 ${fmt(placed.width)} ${fmt(placed.height)}`, role: 'img', 'aria-labelledby': 'title desc' });
  canvas.element('title').attr('id', 'title').words(options.title);
  canvas.element('desc').attr('id', 'desc').words(options.description);
  const defs = canvas.defs();
  const defined = new Map<string, string>();

  // Each distinct (TeX, colour) pair is defined once and placed with <use>.
  const label = (parent: Container, tex: string, box: Box, colour: string, px: number) => {
    const l = typeset(tex, px);
    const key = `${tex}|${colour}|${fmt(px)}`;
    let id = `tex-${hashId(key)}`;
    // A 32-bit hash can collide: a second key with the same hash gets a suffix.
    while (defined.has(id) && defined.get(id) !== key) id += 'x';
    if (!defined.has(id)) {
      defined.set(id, key);
      defs.group().attr('id', id).svg(l.body.replaceAll('currentColor', colour));
    }
    // MathJax draws in its own units (1000 per em) from its viewBox origin.
    const s = l.scale;
    parent.use(id).attr({ href: `#${id}`, transform: `translate(${fmt(box.x - l.minX * s)} ${fmt(box.y - l.minY * s)}) scale(${String(Math.round(s * 10000) / 10000)})` });
  };
  const paint = (el: { attr: (a: object) => unknown }, style: ShapeStyle, dash = '') =>
    el.attr({ fill: style.fill, stroke: style.stroke, 'stroke-width': fmt(style.strokeWidth), ...(dash ? { 'stroke-dasharray': dash } : {}) });

  if (!options.transparent) canvas.rect(placed.width, placed.height).attr({ width: fmt(placed.width), height: fmt(placed.height), fill: theme.background });
  if (placed.title) label(canvas, placed.title.tex, placed.title.box, theme.text, fontPx * TITLE_RATIO);

  const frames = canvas.group().attr('id', 'steps');
  for (const s of placed.steps) {
    paint(frames.rect(0, 0).attr({ x: fmt(s.x), y: fmt(s.y), width: fmt(s.width), height: fmt(s.height), rx: fmt(theme.step.radius) }), theme.step);
    label(frames, s.tex, s.labelBox, theme.step.text, fontPx * TAG_RATIO);
  }

  const wires = canvas.group().attr('id', 'wires');
  for (const e of placed.edges) {
    const style = theme.wires[e.kind];
    drawWire(wires, e.points, style, e.arrow);
    for (const j of e.junctions) wires.circle(0).attr({ cx: fmt(j.x), cy: fmt(j.y), r: fmt(2.2 + style.width * 0.6), fill: style.color });
    if (e.label) label(wires, e.label.tex, e.label.box, theme.text, fontPx * TAG_RATIO);
  }

  const glyphs = canvas.group().attr('id', 'nodes');
  for (const n of placed.nodes) drawNode(glyphs, n, theme, label, paint);

  const terminals = canvas.group().attr('id', 'terminals');
  for (const t of placed.terminals) {
    if (t.role === 'input' || t.role === 'noise' || t.role === 'output') {
      const style = t.role === 'output' ? theme.output : theme.input;
      paint(terminals.circle(0).attr({ cx: fmt(t.x + t.width / 2), cy: fmt(t.y + t.height / 2), r: fmt(t.width / 2) }), style, t.role === 'noise' ? '3 2' : '');
      label(terminals, t.tex, t.labelBox, style.text, fontPx);
    } else {
      label(terminals, t.tex, t.labelBox, theme.text, fontPx);
    }
  }

  if (placed.key) drawKey(canvas, placed.key, theme, label, paint);
  if (options.values) drawValues(canvas, placed, options.values, theme, label);

  // svg.js bookkeeping must not reach the file; one element a line keeps goldens diffable.
  const markup = canvas
    .svg()
    .replace(/ data-svgjs="[^"]*"/g, '')
    .replace(/ xmlns:svgjs="[^"]*"/g, '')
    .replace(/></g, '>\n<');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${markup}\n`;
}

function drawWire(parent: Container, points: readonly Point[], style: WireStyle, arrow = true): void {
  if (points.length < 2) return;
  const polyline = (line: readonly Point[]) =>
    parent.polyline(line.map((p) => `${fmt(p.x)},${fmt(p.y)}`).join(' ')).attr({
      fill: 'none',
      stroke: style.color,
      'stroke-width': fmt(style.width),
      'stroke-linejoin': 'round',
      ...(style.dash ? { 'stroke-dasharray': style.dash } : {}),
    });
  if (!arrow) {
    polyline(points);
    return;
  }
  // The arrowhead is a triangle of its own (markers render unevenly across viewers).
  const length = 6 + style.width * 1.6;
  const half = 2.6 + style.width * 0.9;
  const end = points[points.length - 1];
  const before = points[points.length - 2];
  const dx = end.x - before.x;
  const dy = end.y - before.y;
  const run = Math.hypot(dx, dy) || 1;
  const ux = dx / run;
  const uy = dy / run;
  const cut = Math.min(length * 0.8, run);
  polyline([...points.slice(0, -1), { x: end.x - ux * cut, y: end.y - uy * cut }]);
  const baseX = end.x - ux * length;
  const baseY = end.y - uy * length;
  const head = [end, { x: baseX - uy * half, y: baseY + ux * half }, { x: baseX + uy * half, y: baseY - ux * half }];
  parent.polygon(head.map((p) => `${fmt(p.x)},${fmt(p.y)}`).join(' ')).attr({ fill: style.color });
}

type LabelFn = (parent: Container, tex: string, box: Box, colour: string, px: number) => void;
type PaintFn = (el: { attr: (a: object) => unknown }, style: ShapeStyle, dash?: string) => unknown;

function drawNode(parent: Container, n: PlacedNode, theme: Theme, label: LabelFn, paint: PaintFn): void {
  const g = parent.group().attr('id', `s${n.step}-${n.node.id.replaceAll('.', '-')}`);
  if (n.node.glyph === 'concat') {
    const wire = theme.wires.internal;
    // A stack [a; b] of the cell: a bar its parts enter one above the other, in the wire colour.
    if (n.node.valueOf !== '') g.rect(0, 0).attr({ x: fmt(n.x), y: fmt(n.y), width: fmt(n.width), height: fmt(n.height), rx: fmt(n.width / 3), fill: wire.color });
    // A merge point of wires, drawn like a junction: a dot in the wire colour.
    else g.circle(0).attr({ cx: fmt(n.x + n.width / 2), cy: fmt(n.y + n.height / 2), r: fmt(n.width / 2), fill: wire.color });
    return;
  }
  const style = theme[n.node.glyph];
  const b = n.glyphBox;
  const r = b.height / 2;
  switch (n.node.glyph) {
    case 'pointwise':
      paint(g.circle(0).attr({ cx: fmt(b.x + b.width / 2), cy: fmt(b.y + r), r: fmt(r) }), style);
      break;
    case 'matmul':
      paint(g.rect(0, 0).attr({ x: fmt(b.x), y: fmt(b.y), width: fmt(b.width), height: fmt(b.height), rx: fmt(r * 0.35) }), style);
      break;
    case 'function':
      paint(g.ellipse(0, 0).attr({ cx: fmt(b.x + b.width / 2), cy: fmt(b.y + r), rx: fmt(b.width / 2), ry: fmt(r) }), style);
      break;
    default:
      paint(g.rect(0, 0).attr({ x: fmt(b.x), y: fmt(b.y), width: fmt(b.width), height: fmt(b.height), rx: fmt(n.node.glyph === 'layer' ? 5 : 2) }), style, n.node.glyph === 'linear' ? '4 2' : '');
  }
  label(g, n.labelTex, n.labelBox, style.text, nodeLabelPx(n.node.glyph, theme.fontPx));
  if (n.tagBox && n.tagTex) label(g, n.tagTex, n.tagBox, style.text, theme.fontPx * TAG_RATIO);
}

function drawKey(canvas: Svg, items: readonly KeyItem[], theme: Theme, label: LabelFn, paint: PaintFn): void {
  const g = canvas.group().attr('id', 'key');
  const px = theme.fontPx * SAMPLE_FONT;
  for (const item of items) {
    const b = item.sample;
    const cx = b.x + b.width / 2;
    const cy = b.y + b.height / 2;
    switch (item.kind) {
      case 'layer':
      case 'linear':
      case 'param':
        paint(g.rect(0, 0).attr({ x: fmt(b.x + 2), y: fmt(b.y), width: fmt(b.width - 4), height: fmt(b.height), rx: fmt(item.kind === 'layer' ? 4 : 2) }), theme[item.kind], item.kind === 'linear' ? '4 2' : '');
        break;
      case 'pointwise':
        paint(g.circle(0).attr({ cx: fmt(cx), cy: fmt(cy), r: fmt(b.height / 2) }), theme.pointwise);
        break;
      case 'matmul':
        paint(g.rect(0, 0).attr({ x: fmt(cx - b.height / 2), y: fmt(b.y), width: fmt(b.height), height: fmt(b.height), rx: fmt(b.height * 0.175) }), theme.matmul);
        break;
      case 'function':
        paint(g.ellipse(0, 0).attr({ cx: fmt(cx), cy: fmt(cy), rx: fmt(b.width / 2), ry: fmt(b.height / 2 - 1) }), theme.function);
        break;
      case 'concat': {
        const wire = theme.wires.internal;
        drawWire(g, [{ x: b.x, y: b.y + 2 }, { x: cx, y: b.y + 2 }, { x: cx, y: cy }], wire, false);
        drawWire(g, [{ x: b.x, y: b.y + b.height - 2 }, { x: cx, y: b.y + b.height - 2 }, { x: cx, y: cy }], wire, false);
        drawWire(g, [{ x: cx, y: cy }, { x: b.x + b.width, y: cy }], wire);
        g.circle(0).attr({ cx: fmt(cx), cy: fmt(cy), r: fmt(3.5), fill: wire.color });
        break;
      }
      case 'stack': {
        const wire = theme.wires.internal;
        const bar = { x: cx - STACK_BAR.width / 2, y: cy - STACK_BAR.height / 2 + 2 };
        drawWire(g, [{ x: b.x, y: bar.y + 4 }, { x: bar.x, y: bar.y + 4 }], wire, false);
        drawWire(g, [{ x: b.x, y: bar.y + STACK_BAR.height - 8 }, { x: bar.x, y: bar.y + STACK_BAR.height - 8 }], wire, false);
        drawWire(g, [{ x: bar.x + STACK_BAR.width, y: cy }, { x: b.x + b.width, y: cy }], wire);
        g.rect(0, 0).attr({ x: fmt(bar.x), y: fmt(bar.y), width: fmt(STACK_BAR.width), height: fmt(STACK_BAR.height - 4), rx: fmt(STACK_BAR.width / 3), fill: wire.color });
        break;
      }
      case 'junction': {
        const wire = theme.wires.internal;
        const y = b.y + 4;
        drawWire(g, [{ x: b.x, y }, { x: b.x + b.width, y }], wire);
        drawWire(g, [{ x: cx, y }, { x: cx, y: b.y + b.height + 2 }], wire);
        g.circle(0).attr({ cx: fmt(cx), cy: fmt(y), r: fmt(2.2 + wire.width * 0.6), fill: wire.color });
        break;
      }
      default:
        drawWire(g, [{ x: b.x, y: cy }, { x: b.x + b.width, y: cy }], theme.wires[item.kind]);
    }
    if (item.sampleTex) {
      const l = typeset(item.sampleTex, px);
      const style = item.kind === 'layer' || item.kind === 'linear' || item.kind === 'pointwise' || item.kind === 'function' || item.kind === 'matmul' || item.kind === 'param' ? theme[item.kind] : null;
      label(g, item.sampleTex, { x: cx - l.width / 2, y: cy - l.height / 2, width: l.width, height: l.height }, style?.text ?? theme.text, px);
    }
    label(g, item.label.tex, item.label.box, theme.text, theme.fontPx * WORDS_FONT);
  }
}

function mix(a: string, b: string, t: number): string {
  const channel = (hex: string, i: number) => parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16);
  const out = [0, 1, 2].map((i) => Math.round(channel(a, i) + (channel(b, i) - channel(a, i)) * t));
  return `#${out.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** Diverging colour for v on [-maxAbs, maxAbs]. */
export function divergingColour(v: number, maxAbs: number, theme: Theme): string {
  // NaN has no side: it is drawn as zero (the trace reports it; the figure must stay valid).
  const t = maxAbs > 0 && !Number.isNaN(v) ? Math.max(-1, Math.min(1, v / maxAbs)) : 0;
  return t < 0 ? mix(theme.values.zero, theme.values.negative, -t) : mix(theme.values.zero, theme.values.positive, t);
}

function drawStrip(parent: Container, box: Box, vector: readonly number[], maxAbs: number, theme: Theme): void {
  const n = vector.length;
  if (!n) return;
  const cell = box.width / n;
  vector.forEach((v, i) => {
    parent.rect(0, 0).attr({ x: fmt(box.x + i * cell), y: fmt(box.y), width: fmt(cell), height: fmt(box.height), fill: divergingColour(v, maxAbs, theme) });
  });
  parent.rect(0, 0).attr({ x: fmt(box.x), y: fmt(box.y), width: fmt(box.width), height: fmt(box.height), fill: 'none', stroke: theme.values.border, 'stroke-width': '0.6' });
}

function drawValues(canvas: Svg, placed: PlacedGraph, values: StripValues, theme: Theme, label: LabelFn): void {
  const g = canvas.group().attr('id', 'values');
  const valueAt = (step: number, id: string) => values.steps[step]?.get(id);
  for (const n of placed.nodes) {
    const v = n.stripBox && valueAt(n.step, n.node.valueOf);
    if (v && n.stripBox) drawStrip(g, n.stripBox, v, values.maxAbs, theme);
  }
  for (const t of placed.terminals) {
    const v = t.stripBox && valueAt(t.valueStep, t.valueOf);
    if (v && t.stripBox) drawStrip(g, t.stripBox, v, values.maxAbs, theme);
  }
  for (const e of placed.edges) {
    const v = e.stripBox && valueAt(e.valueStep, e.valueOf);
    if (v && e.stripBox) drawStrip(g, e.stripBox, v, values.maxAbs, theme);
  }
  if (!placed.legend) return;
  const L = placed.legend;
  const px = theme.fontPx * 0.7;
  const barW = L.width - 0;
  const barH = 8;
  const cells = 21;
  for (let i = 0; i < cells; i++) {
    const v = ((i / (cells - 1)) * 2 - 1) * values.maxAbs;
    g.rect(0, 0).attr({ x: fmt(L.x + (i * barW) / cells), y: fmt(L.y), width: fmt(barW / cells + 0.3), height: fmt(barH), fill: divergingColour(v, values.maxAbs, theme) });
  }
  g.rect(0, 0).attr({ x: fmt(L.x), y: fmt(L.y), width: fmt(barW), height: fmt(barH), fill: 'none', stroke: theme.values.border, 'stroke-width': '0.6' });
  const ticks: [number, string][] = [[-values.maxAbs, `-${formatValue(values.maxAbs)}`], [0, '0'], [values.maxAbs, `+${formatValue(values.maxAbs)}`]];
  for (const [v, text] of ticks) {
    const l = typeset(text, px);
    const cx = L.x + ((v / (values.maxAbs || 1) + 1) / 2) * barW;
    const x = Math.max(L.x, Math.min(L.x + barW - l.width, cx - l.width / 2));
    label(g, text, { x, y: L.y + barH + 3, width: l.width, height: l.height }, theme.text, px);
  }
}

export function formatValue(v: number): string {
  return String(Number(v.toPrecision(3)));
}
