/**
 * PlacedGraph + Theme → a TikZ picture at the positions elkjs chose: one unit is one bp
 * (y pointing down, as in the SVG), labels in math mode so the document's own fonts set
 * them, wires as orthogonal paths with arrow tips, the theme's colours as named
 * \definecolor{gf...}s (faded parts mix them into the background with xcolor, so a user who
 * edits a colour edits its faded twin too). Pure string work, deterministic.
 */
import { SAMPLE_FONT, WORDS_FONT } from './key.js';
import { nodeLabelPx, TAG_RATIO, TITLE_RATIO } from './measure.js';
import { FADE_TOWARD_BACKGROUND } from './colour.js';
import type { Box, KeyItem, PlacedGraph, PlacedNode, Point } from './types.js';
import type { ShapeStyle, Theme, WireStyle } from './theme.js';

export interface TikzOptions {
  readonly theme: Theme;
  /** A compilable document (article, geometry sized to the figure) instead of a bare tikzpicture. */
  readonly standalone: boolean;
  /** Title and description, as a comment at the top. */
  readonly title: string;
  readonly transparent: boolean;
  readonly faded: ReadonlySet<string>;
  readonly aside: { readonly tex: string; readonly box: Box } | null;
}

/** Numbers: two decimals at most, no '-0' (as in the SVG). */
function n(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) || rounded === 0 ? '0' : String(rounded);
}
const at = (p: Point) => `(${n(p.x)},${n(p.y)})`;

/** Colour names: a theme path as one word (layer.fill → gfLayerFill); TeX names hold letters only. */
function colourName(path: readonly string[], faded: boolean): string {
  const word = path.map((part) => part[0]!.toUpperCase() + part.slice(1)).join('');
  return `gf${faded ? 'Faded' : ''}${word}`;
}

/** The theme with each colour replaced by its TeX name, and the \definecolor lines naming them. */
function namedTheme(theme: Theme): { theme: Theme; faded: Theme; definitions: string[] } {
  const definitions: string[] = [];
  const fadedLines: string[] = [];
  const walk = (value: unknown, path: string[], faded: boolean): unknown => {
    if (typeof value === 'string' && /^#[0-9a-f]{6}$/i.test(value)) {
      if (!faded) definitions.push(`\\definecolor{${colourName(path, false)}}{HTML}{${value.slice(1).toUpperCase()}}`);
      else fadedLines.push(`\\colorlet{${colourName(path, true)}}{${colourName(path, false)}!${Math.round((1 - FADE_TOWARD_BACKGROUND) * 100)}!gfBackground}`);
      return colourName(path, faded);
    }
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...path, k], faded)]));
    return value;
  };
  const named = walk(theme, [], false) as Theme;
  const faded = walk(theme, [], true) as Theme;
  return { theme: named, faded: { ...faded, background: named.background }, definitions: [...definitions, ...fadedLines] };
}

/** A TeX label centred in its box, at `px` (the SVG's em size, as bp). */
function label(tex: string, box: Box, colour: string, px: number): string {
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  return `\\node[text=${colour}, inner sep=0pt, font=\\fontsize{${n(px)}bp}{${n(px * 1.2)}bp}\\selectfont] at ${at(centre)} {$${tex}$};`;
}

const shapeStyle = (s: ShapeStyle, dash = '') => `fill=${s.fill}, draw=${s.stroke}, line width=${n(s.strokeWidth)}bp${dash ? `, ${dashPattern(dash)}` : ''}`;
const dashPattern = (dash: string) => `dash pattern=${dash.split(/[ ,]+/).map((v, i) => `${i % 2 ? 'off' : 'on'} ${v}bp`).join(' ')}`;
const rect = (b: Box, style: string, radius: number) => `\\path[${style}${radius ? `, rounded corners=${n(radius)}bp` : ''}] ${at(b)} rectangle ${at({ x: b.x + b.width, y: b.y + b.height })};`;

/** An orthogonal polyline; its arrow tip (when it has one) is a filled Latex tip sized as in the SVG. */
function wire(points: readonly Point[], style: WireStyle, arrow: boolean): string {
  if (points.length < 2) return '';
  const tip = arrow ? `, -{Latex[length=${n(6 + style.width * 1.6)}bp, width=${n(2 * (2.6 + style.width * 0.9))}bp]}` : '';
  const dash = style.dash ? `, ${dashPattern(style.dash)}` : '';
  return `\\draw[${style.color}, line width=${n(style.width)}bp, line join=round${dash}${tip}] ${points.map(at).join(' -- ')};`;
}

function glyph(p: PlacedNode, theme: Theme): string[] {
  if (p.node.glyph === 'concat') {
    // A stack [a; b] of the cell is a bar; a merge point of wires a dot (as in the SVG).
    const colour = theme.wires.internal.color;
    if (p.node.valueOf !== '') return [rect(p, `fill=${colour}`, p.width / 3)];
    return [`\\fill[${colour}] ${at({ x: p.x + p.width / 2, y: p.y + p.height / 2 })} circle (${n(p.width / 2)}bp);`];
  }
  const style = theme[p.node.glyph];
  const b = p.glyphBox;
  const r = b.height / 2;
  const centre = { x: b.x + b.width / 2, y: b.y + r };
  const shape =
    p.node.glyph === 'pointwise'
      ? `\\path[${shapeStyle(style)}] ${at(centre)} circle (${n(r)}bp);`
      : p.node.glyph === 'function'
        ? `\\path[${shapeStyle(style)}] ${at(centre)} ellipse (${n(b.width / 2)}bp and ${n(r)}bp);`
        : rect(b, shapeStyle(style, p.node.glyph === 'linear' ? '4 2' : ''), p.node.glyph === 'matmul' ? r * 0.35 : p.node.glyph === 'layer' ? 5 : 2);
  const lines = [shape, label(p.labelTex, p.labelBox, style.text, nodeLabelPx(p.node.glyph, theme.fontPx))];
  if (p.tagBox && p.tagTex) lines.push(label(p.tagTex, p.tagBox, style.text, theme.fontPx * TAG_RATIO));
  return lines;
}

function keyItem(item: KeyItem, theme: Theme): string[] {
  const b = item.sample;
  const cy = b.y + b.height / 2;
  const lines: string[] = [];
  if (item.kind === 'layer' || item.kind === 'linear' || item.kind === 'param' || item.kind === 'matmul') lines.push(rect({ x: b.x + 2, y: b.y, width: b.width - 4, height: b.height }, shapeStyle(theme[item.kind], item.kind === 'linear' ? '4 2' : ''), 3));
  else if (item.kind === 'pointwise') lines.push(`\\path[${shapeStyle(theme.pointwise)}] ${at({ x: b.x + b.width / 2, y: cy })} circle (${n(b.height / 2)}bp);`);
  else if (item.kind === 'function') lines.push(`\\path[${shapeStyle(theme.function)}] ${at({ x: b.x + b.width / 2, y: cy })} ellipse (${n(b.width / 2)}bp and ${n(b.height / 2 - 1)}bp);`);
  else if (item.kind === 'concat' || item.kind === 'junction' || item.kind === 'stack') lines.push(wire([{ x: b.x, y: cy }, { x: b.x + b.width, y: cy }], theme.wires.internal, true), `\\fill[${theme.wires.internal.color}] ${at({ x: b.x + b.width / 2, y: cy })} circle (3bp);`);
  else lines.push(wire([{ x: b.x, y: cy }, { x: b.x + b.width, y: cy }], theme.wires[item.kind], true));
  const sampleStyle = item.kind in theme ? (theme as unknown as Record<string, ShapeStyle>)[item.kind] : null;
  if (item.sampleTex) lines.push(label(item.sampleTex, b, sampleStyle?.text ?? theme.text, theme.fontPx * SAMPLE_FONT));
  lines.push(label(item.label.tex, item.label.box, theme.text, theme.fontPx * WORDS_FONT));
  return lines;
}

/** The figure's drawing commands, back to front as in the SVG (faded wires under lit ones). */
function body(placed: PlacedGraph, lit: Theme, pale: Theme, options: TikzOptions): string[] {
  const themeOf = (key: string) => (options.faded.has(key) ? pale : lit);
  const lines: string[] = [];
  const fontPx = lit.fontPx;
  if (!options.transparent) lines.push(`\\fill[${lit.background}] (0,0) rectangle ${at({ x: placed.width, y: placed.height })};`);
  if (placed.title) lines.push(label(placed.title.tex, placed.title.box, lit.text, fontPx * TITLE_RATIO));
  if (options.aside) lines.push(label(options.aside.tex, options.aside.box, lit.text, fontPx));
  lines.push('% step frames');
  for (const s of placed.steps) {
    const step = themeOf(`step:${s.index}`).step;
    lines.push(rect(s, shapeStyle(step), step.radius), label(s.tex, s.labelBox, step.text, fontPx * TAG_RATIO));
  }
  lines.push('% wires');
  const edges = [...placed.edges.filter((e) => options.faded.has(e.key)), ...placed.edges.filter((e) => !options.faded.has(e.key))];
  for (const e of edges) {
    const t = themeOf(e.key);
    const style = t.wires[e.kind];
    lines.push(wire(e.points, style, e.arrow));
    for (const j of e.junctions) lines.push(`\\fill[${style.color}] ${at(j)} circle (${n(2.2 + style.width * 0.6)}bp);`);
    if (e.label) lines.push(label(e.label.tex, e.label.box, t.text, fontPx * TAG_RATIO));
  }
  lines.push('% glyphs');
  for (const p of placed.nodes) lines.push(...glyph(p, themeOf(p.key)));
  lines.push('% inputs, outputs and the states entering and leaving');
  for (const t of placed.terminals) {
    const theme = themeOf(t.key);
    if (t.role === 'state-in' || t.role === 'state-out') {
      lines.push(label(t.tex, t.labelBox, theme.text, fontPx));
      continue;
    }
    const style = t.role === 'output' ? theme.output : theme.input;
    lines.push(`\\path[${shapeStyle(style, t.role === 'noise' ? '3 2' : '')}] ${at({ x: t.x + t.width / 2, y: t.y + t.height / 2 })} circle (${n(t.width / 2)}bp);`);
    lines.push(label(t.tex, t.labelBox, style.text, fontPx));
  }
  if (placed.key) lines.push('% key', ...placed.key.flatMap((item) => keyItem(item, lit)));
  return lines.filter(Boolean);
}

/** The packages a bare picture needs in the including document. */
export const TIKZ_PACKAGES = '\\usepackage{amsmath}, \\usepackage{tikz} with \\usetikzlibrary{arrows.meta}';

export function renderTikz(placed: PlacedGraph, options: TikzOptions): string {
  const { theme, faded, definitions } = namedTheme(options.theme);
  const picture = [
    `% ${options.title.replace(/[\r\n]+/g, ' ')}: generated by gateflow; needs ${TIKZ_PACKAGES}.`,
    // '%' ends each line so that no space reaches the paragraph the picture sits in.
    ...definitions.map((line) => `${line}%`),
    '\\begin{tikzpicture}[x=1bp, y=-1bp]',
    ...body(placed, theme, faded, options).map((line) => `  ${line}`),
    '\\end{tikzpicture}',
  ].join('\n');
  if (!options.standalone) return `${picture}\n`;
  return [
    '\\documentclass{article}',
    `\\usepackage[paperwidth=${n(placed.width)}bp, paperheight=${n(placed.height)}bp, margin=0pt]{geometry}`,
    '\\usepackage{lmodern}',
    '\\usepackage{amsmath}',
    '\\usepackage{tikz}',
    '\\usetikzlibrary{arrows.meta}',
    '\\pagestyle{empty}',
    '\\begin{document}',
    '\\noindent',
    picture,
    '\\end{document}',
    '',
  ].join('\n');
}
