/**
 * PlacedGraph + Theme → one standalone SVG string, built with svg.js on svgdom.
 * The only module that uses them (through vendor/svg.ts): their global window, id counter and
 * `data-svgjs` attributes stay here. Output is deterministic: ids are derived from
 * content, numbers are written with two decimals, one element per line.
 */
import { createSVGWindow, registerWindow, SVG, type Container, type Svg } from './vendor/svg.js';
import { nodeLabelPx, TAG_RATIO, TITLE_RATIO } from './measure.js';
import { typeset } from './labels.js';
import { texRuns } from './tex-runs.js';
import { fadedTheme } from './colour.js';
import { drawKey, drawValues } from './render-parts.js';
import type { Box, PlacedGraph, PlacedNode, Point } from './types.js';
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
  /** Keys of frames (`step:I`), glyphs, wires and terminals drawn faded (see emphasis.ts). */
  readonly faded?: ReadonlySet<string>;
  /** `paths` (default): labels as MathJax paths, the same in every viewer; `editable`: <text> with the TeX in data-tex. */
  readonly text?: 'paths' | 'editable';
  /** Colours for faded parts (default: the theme's colours blended into its background). */
  readonly fadedTheme?: Theme;
  /** An equation typeset beside the figure (a walkthrough frame's statement). */
  readonly aside?: { readonly tex: string; readonly box: Box } | null;
}


let window: (Window & typeof globalThis) | null = null;

/**
 * A label's path markup as svgdom writes it, by the markup MathJax gave: parsing it into the
 * DOM (svgdom's innerHTML, a sax parser) was most of a warm figure's rendering, and a figure
 * repeats the labels of the one before. Same bytes as parsing it each time.
 */
const serializedBodies = new Map<string, string>();
/** What lies between an element's start and end tags (serialized in the element, children get no xmlns of their own). */
function innerMarkup(outer: string): string {
  return outer.endsWith('/>') ? '' : outer.slice(outer.indexOf('>') + 1, outer.lastIndexOf('</'));
}
/** Marks a label body's place in the DOM until the markup is written (no TeX or SVG contains it). */
const PLACEHOLDER = '\u241ftex-body-';
const PLACEHOLDERS = new RegExp(`${PLACEHOLDER}(\\d+)${PLACEHOLDER}`, 'g');

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
  const { theme } = options;
  const fontPx = theme.fontPx;
  const canvas = freshCanvas(placed, options);
  const paths = new PathLabels(canvas.defs());
  const label: LabelFn = options.text === 'editable' ? textLabel : (parent, tex, box, colour, px) => paths.label(parent, tex, box, colour, px);
  if (!options.transparent) canvas.rect(placed.width, placed.height).attr({ width: fmt(placed.width), height: fmt(placed.height), fill: theme.background });
  if (placed.title) label(canvas, placed.title.tex, placed.title.box, theme.text, fontPx * TITLE_RATIO);
  if (options.aside) (label(canvas, options.aside.tex, options.aside.box, theme.text, fontPx) as Container).attr('id', 'equation');
  for (const note of placed.notes ?? []) label(canvas, note.tex, note.box, theme.text, note.px);
  const themeOf = fadedThemes(options);
  drawFrames(canvas, placed, themeOf, label, fontPx);
  drawWires(canvas, placed, themeOf, label, fontPx, options.faded ?? new Set<string>());
  const glyphs = canvas.group().attr('id', 'nodes');
  for (const n of placed.nodes) drawNode(glyphs, n, themeOf(n.key), label, paint);
  drawTerminals(canvas, placed, themeOf, label, fontPx);
  if (placed.key) drawKey(canvas, placed.key, theme, label, paint);
  if (options.values) drawValues(canvas, placed, options.values, theme, label);
  return svgText(canvas, paths.placeholders);
}

/** The one svgdom document, cleared and sized for `placed`, with its title and description. */
function freshCanvas(placed: PlacedGraph, options: RenderOptions): Svg {
  if (!window) {
    window = createSVGWindow();
    registerWindow(window, window.document);
  }
  const canvas: Svg = SVG(window.document.documentElement) as Svg;
  canvas.clear();
  for (const a of ['width', 'height', 'viewBox', 'role', 'aria-labelledby']) canvas.node.removeAttribute(a);
  canvas.attr({ width: fmt(placed.width), height: fmt(placed.height), viewBox: `0 0 ${fmt(placed.width)} ${fmt(placed.height)}`, role: 'img', 'aria-labelledby': 'title desc' });
  canvas.element('title').attr('id', 'title').words(options.title);
  canvas.element('desc').attr('id', 'desc').words(options.description);
  return canvas;
}

/** Labels as MathJax paths: each distinct (TeX, colour) pair is defined once in <defs> and placed with <use>. */
class PathLabels {
  private readonly defined = new Map<string, string>();
  /** The markup of label bodies already parsed in this process, written in place of their placeholders. */
  readonly placeholders: string[] = [];

  constructor(private readonly defs: Container) {}

  label(parent: Container, tex: string, box: Box, colour: string, px: number): unknown {
    const l = typeset(tex, px);
    const key = `${tex}|${colour}|${fmt(px)}`;
    let id = `tex-${hashId(key)}`;
    // A 32-bit hash can collide: a second key with the same hash gets a suffix.
    while (this.defined.has(id) && this.defined.get(id) !== key) id += 'x';
    if (!this.defined.has(id)) this.define(id, key, l.body.replaceAll('currentColor', colour));
    // MathJax draws in its own units (1000 per em) from its viewBox origin.
    const s = l.scale;
    return parent.use(id).attr({ href: `#${id}`, transform: `translate(${fmt(box.x - l.minX * s)} ${fmt(box.y - l.minY * s)}) scale(${String(Math.round(s * 10000) / 10000)})` });
  }

  private define(id: string, key: string, body: string): void {
    this.defined.set(id, key);
    const group = this.defs.group().attr('id', id);
    const known = serializedBodies.get(body);
    if (known === undefined) {
      group.svg(body);
      serializedBodies.set(body, innerMarkup((group.node as unknown as { outerHTML: string }).outerHTML));
    } else {
      // Parsed once per process: later figures get a placeholder, replaced by the markup below.
      group.node.textContent = `${PLACEHOLDER}${this.placeholders.length}${PLACEHOLDER}`;
      this.placeholders.push(known);
    }
  }
}

const paint: PaintFn = (el, style, dash = '') =>
  el.attr({ fill: style.fill, stroke: style.stroke, 'stroke-width': fmt(style.strokeWidth), ...(dash ? { 'stroke-dasharray': dash } : {}) });

/**
 * The theme of each part by its key. Faded parts are drawn in the theme's colours blended into
 * the background (not with opacity, which darkens where wires overlap).
 */
function fadedThemes(options: RenderOptions): (key: string) => Theme {
  const { theme } = options;
  const faded = options.faded ?? new Set<string>();
  const pale = options.fadedTheme ?? (faded.size ? fadedTheme(theme) : theme);
  return (key) => (faded.has(key) ? pale : theme);
}

function drawFrames(canvas: Svg, placed: PlacedGraph, themeOf: (key: string) => Theme, label: LabelFn, fontPx: number): void {
  const frames = canvas.group().attr('id', 'steps');
  for (const s of placed.steps) {
    const step = themeOf(`step:${s.index}`).step;
    paint(frames.rect(0, 0).attr({ x: fmt(s.x), y: fmt(s.y), width: fmt(s.width), height: fmt(s.height), rx: fmt(step.radius) }), step);
    label(frames, s.tex, s.labelBox, step.text, fontPx * TAG_RATIO);
  }
}

/** The wires, faded ones first so that the lit ones stay on top. */
function drawWires(canvas: Svg, placed: PlacedGraph, themeOf: (key: string) => Theme, label: LabelFn, fontPx: number, faded: ReadonlySet<string>): void {
  const wires = canvas.group().attr('id', 'wires');
  const edges = [...placed.edges.filter((e) => faded.has(e.key)), ...placed.edges.filter((e) => !faded.has(e.key))];
  for (const e of edges) {
    const style = themeOf(e.key).wires[e.kind];
    drawWire(wires, e.points, style, e.arrow);
    for (const j of e.junctions) wires.circle(0).attr({ cx: fmt(j.x), cy: fmt(j.y), r: fmt(2.2 + style.width * 0.6), fill: style.color });
    if (e.label) label(wires, e.label.tex, e.label.box, themeOf(e.key).text, fontPx * TAG_RATIO);
  }
}

/** Inputs, noises and outputs as circles around their labels; initial and final states as labels. */
function drawTerminals(canvas: Svg, placed: PlacedGraph, themeOf: (key: string) => Theme, label: LabelFn, fontPx: number): void {
  const terminals = canvas.group().attr('id', 'terminals');
  for (const t of placed.terminals) {
    const theme = themeOf(t.key);
    if (t.role === 'input' || t.role === 'noise' || t.role === 'output') {
      const style = t.role === 'output' ? theme.output : theme.input;
      paint(terminals.circle(0).attr({ cx: fmt(t.x + t.width / 2), cy: fmt(t.y + t.height / 2), r: fmt(t.width / 2) }), style, t.role === 'noise' ? '3 2' : '');
      label(terminals, t.tex, t.labelBox, style.text, fontPx);
    } else {
      label(terminals, t.tex, t.labelBox, theme.text, fontPx);
    }
  }
}

/** The document as text: svg.js bookkeeping must not reach the file; one element a line keeps goldens diffable. */
function svgText(canvas: Svg, placeholders: readonly string[]): string {
  const markup = canvas
    .svg()
    .replace(PLACEHOLDERS, (_match, index: string) => placeholders[Number(index)]!)
    .replace(/ data-svgjs="[^"]*"/g, '')
    .replace(/ xmlns:svgjs="[^"]*"/g, '')
    .replace(/></g, '>\n<')
    // Inside an editable label a line break would be read as a space between its runs.
    .replace(/<text [^]*?<\/text>/g, (text) => text.replaceAll('\n', ''));
  return `<?xml version="1.0" encoding="UTF-8"?>\n${markup}\n`;
}

export function drawWire(parent: Container, points: readonly Point[], style: WireStyle, arrow = true): void {
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

export type LabelFn = (parent: Container, tex: string, box: Box, colour: string, px: number) => unknown;
export type PaintFn = (el: { attr: (a: object) => unknown }, style: ShapeStyle, dash?: string) => unknown;

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
      // Wider than tall for a long label (measure.ts).
      if (b.width > b.height) paint(g.ellipse(0, 0).attr({ cx: fmt(b.x + b.width / 2), cy: fmt(b.y + r), rx: fmt(b.width / 2), ry: fmt(r) }), style);
      else paint(g.circle(0).attr({ cx: fmt(b.x + b.width / 2), cy: fmt(b.y + r), r: fmt(r) }), style);
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


/** Fonts for editable labels: a math font where there is one, else the viewer's serif. */
const TEXT_FONTS = "'STIX Two Math', 'Cambria Math', 'Latin Modern Math', 'Times New Roman', serif";
/** Script size and baseline shifts, as fractions of the label's em. */
const SCRIPT_SIZE = 0.7;
const SHIFT: Readonly<Record<'' | 'sub' | 'sup', number>> = { '': 0, sub: 0.25, sup: -0.4 };

/**
 * A label as editable <text>: runs of Unicode in <tspan>s (scripts smaller and shifted with
 * dy, which every viewer supports), centred where the typeset label would sit, on its
 * baseline, with the TeX kept in data-tex.
 */
function textLabel(parent: Container, tex: string, box: Box, colour: string, px: number): Container {
  const l = typeset(tex, px);
  const text = parent.element('text').attr({
    x: fmt(box.x + box.width / 2),
    y: fmt(box.y - l.minY * l.scale),
    'text-anchor': 'middle',
    'font-family': TEXT_FONTS,
    'font-size': fmt(px),
    fill: colour,
    'data-tex': tex,
  }) as Container;
  let shift = 0;
  for (const run of texRuns(tex)) {
    const target = SHIFT[run.script] * px;
    const span = text.element('tspan').attr({
      ...(target !== shift ? { dy: fmt(target - shift) } : {}),
      ...(run.script ? { 'font-size': fmt(px * SCRIPT_SIZE) } : {}),
      ...(run.italic ? { 'font-style': 'italic' } : {}),
    });
    span.words(run.text);
    shift = target;
  }
  return text;
}
