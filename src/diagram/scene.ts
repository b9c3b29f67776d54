/**
 * PlacedGraph → a scene: the figure as flat drawing primitives (rectangles, circles,
 * ellipses, wires, TeX labels) in px with y down, back to front, each with the theme's
 * colours already chosen (lit or faded). The renderers that draw each part as a shape of
 * their own format (TikZ, PowerPoint) walk this one list, so the geometry is decided once.
 * Pure: colours are passed through as given (TikZ gives colour names, slides hex).
 */
import { SAMPLE_FONT, WORDS_FONT } from './key.js';
import { nodeLabelPx, TAG_RATIO, TITLE_RATIO } from './measure.js';
import type { Box, KeyItem, PlacedGraph, PlacedNode, Point } from './types.js';
import type { ShapeStyle, Theme, WireStyle } from './theme.js';

/** A filled shape; `stroke` null for a fill only (a bar or a dot in the wire colour). */
interface Paint {
  readonly fill: string;
  readonly stroke: string | null;
  readonly strokeWidth: number;
  /** SVG dash lengths ('4 2'), or '' for a solid outline. */
  readonly dash: string;
}

/** What a shape stands for: 'glyph', 'wire', 'terminal', ... and the placed key it belongs to. */
interface Named {
  readonly role: 'background' | 'title' | 'equation' | 'note' | 'step' | 'wire' | 'junction' | 'glyph' | 'terminal' | 'key';
  readonly key: string;
}

export type SceneItem = Named &
  (
    | ({ readonly shape: 'rect'; readonly box: Box; readonly radius: number } & Paint)
    | ({ readonly shape: 'circle'; readonly centre: Point; readonly r: number } & Paint)
    | ({ readonly shape: 'ellipse'; readonly centre: Point; readonly rx: number; readonly ry: number } & Paint)
    | { readonly shape: 'wire'; readonly points: readonly Point[]; readonly style: WireStyle; readonly arrow: boolean }
    | { readonly shape: 'label'; readonly tex: string; readonly box: Box; readonly colour: string; readonly px: number }
  );

/** A run of items under one heading (TikZ writes it as a comment). */
export interface SceneSection {
  readonly heading: string | null;
  readonly items: readonly SceneItem[];
}

export interface SceneOptions {
  /** The theme for lit parts, and its faded twin for the keys in `faded`. */
  readonly lit: Theme;
  readonly pale: Theme;
  readonly faded: ReadonlySet<string>;
  readonly transparent: boolean;
  readonly aside: { readonly tex: string; readonly box: Box } | null;
}

const painted = (s: ShapeStyle, dash = ''): Paint => ({ fill: s.fill, stroke: s.stroke, strokeWidth: s.strokeWidth, dash });
const filled = (colour: string): Paint => ({ fill: colour, stroke: null, strokeWidth: 0, dash: '' });
const centreOf = (b: Box): Point => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });

function glyphItems(p: PlacedNode, theme: Theme): SceneItem[] {
  const named = { role: 'glyph', key: p.key } as const;
  if (p.node.glyph === 'concat') {
    // A stack [a; b] of the cell is a bar; a merge point of wires a dot (as in the SVG).
    const colour = theme.wires.internal.color;
    if (p.node.valueOf !== '') return [{ ...named, shape: 'rect', box: p, radius: p.width / 3, ...filled(colour) }];
    return [{ ...named, shape: 'circle', centre: centreOf(p), r: p.width / 2, ...filled(colour) }];
  }
  const style = theme[p.node.glyph];
  const b = p.glyphBox;
  const r = b.height / 2;
  const centre = { x: b.x + b.width / 2, y: b.y + r };
  const shape: SceneItem =
    p.node.glyph === 'pointwise' && b.width <= b.height
      ? { ...named, shape: 'circle', centre, r, ...painted(style) }
      : p.node.glyph === 'function' || p.node.glyph === 'pointwise'
        ? { ...named, shape: 'ellipse', centre, rx: b.width / 2, ry: r, ...painted(style) }
        : { ...named, shape: 'rect', box: b, radius: p.node.glyph === 'matmul' ? r * 0.35 : p.node.glyph === 'layer' ? 5 : 2, ...painted(style, p.node.glyph === 'linear' ? '4 2' : '') };
  const items: SceneItem[] = [shape, { ...named, shape: 'label', tex: p.labelTex, box: p.labelBox, colour: style.text, px: nodeLabelPx(p.node.glyph, theme.fontPx) }];
  if (p.tagBox && p.tagTex) items.push({ ...named, shape: 'label', tex: p.tagTex, box: p.tagBox, colour: style.text, px: theme.fontPx * TAG_RATIO });
  return items;
}

function keyItems(item: KeyItem, theme: Theme): SceneItem[] {
  const named = { role: 'key', key: `key:${item.kind}` } as const;
  const b = item.sample;
  const cy = b.y + b.height / 2;
  const across = (style: WireStyle): SceneItem => ({ ...named, shape: 'wire', points: [{ x: b.x, y: cy }, { x: b.x + b.width, y: cy }], style, arrow: true });
  const items: SceneItem[] = [];
  const k = item.kind;
  if (k === 'layer' || k === 'linear' || k === 'param' || k === 'matmul') items.push({ ...named, shape: 'rect', box: { x: b.x + 2, y: b.y, width: b.width - 4, height: b.height }, radius: 3, ...painted(theme[k], k === 'linear' ? '4 2' : '') });
  else if (k === 'pointwise') items.push({ ...named, shape: 'circle', centre: { x: b.x + b.width / 2, y: cy }, r: b.height / 2, ...painted(theme.pointwise) });
  else if (k === 'function') items.push({ ...named, shape: 'ellipse', centre: { x: b.x + b.width / 2, y: cy }, rx: b.width / 2, ry: b.height / 2 - 1, ...painted(theme.function) });
  else if (k === 'concat' || k === 'junction' || k === 'stack') items.push(across(theme.wires.internal), { ...named, shape: 'circle', centre: { x: b.x + b.width / 2, y: cy }, r: 3, ...filled(theme.wires.internal.color) });
  else items.push(across(theme.wires[k]));
  const sampleStyle = k in theme ? (theme as unknown as Record<string, ShapeStyle>)[k] : null;
  if (item.sampleTex) items.push({ ...named, shape: 'label', tex: item.sampleTex, box: b, colour: sampleStyle?.text ?? theme.text, px: theme.fontPx * SAMPLE_FONT });
  items.push({ ...named, shape: 'label', tex: item.label.tex, box: item.label.box, colour: theme.text, px: theme.fontPx * WORDS_FONT });
  return items;
}

/** The figure back to front, as the SVG draws it: frames, wires (faded under lit), glyphs, terminals, key. */
export function sceneOf(placed: PlacedGraph, options: SceneOptions): SceneSection[] {
  const { lit, pale, faded } = options;
  const themeOf = (key: string) => (faded.has(key) ? pale : lit);
  const fontPx = lit.fontPx;
  const top: SceneItem[] = [];
  if (!options.transparent) top.push({ role: 'background', key: 'background', shape: 'rect', box: { x: 0, y: 0, width: placed.width, height: placed.height }, radius: 0, ...filled(lit.background) });
  if (placed.title) top.push({ role: 'title', key: 'title', shape: 'label', tex: placed.title.tex, box: placed.title.box, colour: lit.text, px: fontPx * TITLE_RATIO });
  if (options.aside) top.push({ role: 'equation', key: 'equation', shape: 'label', tex: options.aside.tex, box: options.aside.box, colour: lit.text, px: fontPx });
  for (const [i, note] of (placed.notes ?? []).entries()) top.push({ role: 'note', key: `note:${i}`, shape: 'label', tex: note.tex, box: note.box, colour: lit.text, px: note.px });

  const frames = placed.steps.flatMap((s): SceneItem[] => {
    const key = `step:${s.index}`;
    const step = themeOf(key).step;
    return [
      { role: 'step', key, shape: 'rect', box: s, radius: step.radius, ...painted(step) },
      { role: 'step', key, shape: 'label', tex: s.tex, box: s.labelBox, colour: step.text, px: fontPx * TAG_RATIO },
    ];
  });

  const edges = [...placed.edges.filter((e) => faded.has(e.key)), ...placed.edges.filter((e) => !faded.has(e.key))];
  const wires = edges.flatMap((e): SceneItem[] => {
    const t = themeOf(e.key);
    const style = t.wires[e.kind];
    const items: SceneItem[] = [];
    if (e.points.length >= 2) items.push({ role: 'wire', key: e.key, shape: 'wire', points: e.points, style, arrow: e.arrow });
    for (const j of e.junctions) items.push({ role: 'junction', key: e.key, shape: 'circle', centre: j, r: 2.2 + style.width * 0.6, ...filled(style.color) });
    if (e.label) items.push({ role: 'wire', key: e.key, shape: 'label', tex: e.label.tex, box: e.label.box, colour: t.text, px: fontPx * TAG_RATIO });
    return items;
  });

  const glyphs = placed.nodes.flatMap((p) => glyphItems(p, themeOf(p.key)));

  const terminals = placed.terminals.flatMap((t): SceneItem[] => {
    const theme = themeOf(t.key);
    const named = { role: 'terminal', key: t.key } as const;
    if (t.role === 'state-in' || t.role === 'state-out') return [{ ...named, shape: 'label', tex: t.tex, box: t.labelBox, colour: theme.text, px: fontPx }];
    const style = t.role === 'output' ? theme.output : theme.input;
    return [
      { ...named, shape: 'circle', centre: centreOf(t), r: t.width / 2, ...painted(style, t.role === 'noise' ? '3 2' : '') },
      { ...named, shape: 'label', tex: t.tex, box: t.labelBox, colour: style.text, px: fontPx },
    ];
  });

  const sections: SceneSection[] = [
    { heading: null, items: top },
    { heading: 'step frames', items: frames },
    { heading: 'wires', items: wires },
    { heading: 'glyphs', items: glyphs },
    { heading: 'inputs, outputs and the states entering and leaving', items: terminals },
  ];
  if (placed.key) sections.push({ heading: 'key', items: placed.key.flatMap((item) => keyItems(item, lit)) });
  return sections;
}
